import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../../../shared/http/pipeline";
import { TENANT, call, createWorld, problemOf, servicesOf } from "../../../support/httpFakes";

const SYNC = `/api/tenants/${TENANT}/inventory/sync`;
const ITEMS = `/api/tenants/${TENANT}/inventory/items`;
const RUNS = `/api/tenants/${TENANT}/inventory/runs`;

async function expectProblem(promise: ReturnType<typeof call>, status: number, code: string, path?: string) {
  const response = await promise;
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  const problem = problemOf(response);
  expect(problem.code).toBe(code);
  if (path) expect(problem.errors?.map((e) => e.path)).toContain(path);
  return problem;
}

describe("tenant ids", () => {
  it.each(["not-a-guid", "6f1c2d3e4a5b4c6d8e9f0a1b2c3d4e5f", "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5", "{6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f}", "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5g", "%00"])(
    "%s is a 400 VALIDATION_FAILED on path.tenantId",
    async (bad) => {
      await expectProblem(call("GET", `/api/tenants/${encodeURIComponent(bad)}/inventory/items`), 400, "VALIDATION_FAILED", "path.tenantId");
    },
  );

  it("is case-insensitive and lower-cased before it reaches the store or the starter", async () => {
    const world = createWorld();
    const response = await call("POST", `/api/tenants/${TENANT.toUpperCase()}/inventory/sync`, {}, servicesOf(world));
    expect(response.status).toBe(202);
    expect(world.starts[0]?.tenantId).toBe(TENANT);
  });
});

describe("sync body", () => {
  it("an absent body is the default selection", async () => {
    const world = createWorld();
    expect((await call("POST", SYNC, {}, servicesOf(world))).status).toBe(202);
    expect(world.starts[0]).toMatchObject({ selection: {}, waitForSlotSeconds: 0, trigger: "http" });
  });

  it("passes the selection and waitForSlotSeconds apart", async () => {
    const world = createWorld();
    const body = { policyTypes: ["mobileApp"], categories: ["compliance"], includeFoundations: true, waitForSlotSeconds: 30 };
    expect((await call("POST", SYNC, { body }, servicesOf(world))).status).toBe(202);
    expect(world.starts[0]).toMatchObject({
      selection: { policyTypes: ["mobileApp"], categories: ["compliance"], includeFoundations: true },
      waitForSlotSeconds: 30,
    });
    expect(world.starts[0]?.selection).not.toHaveProperty("waitForSlotSeconds");
  });

  it.each([
    ["unknown key", { policyTypes: [], extra: 1 }, "body"],
    ["unknown policy type", { policyTypes: ["deviceConfigurationX"] }, "body.policyTypes.0"],
    ["unknown category", { categories: ["everything"] }, "body.categories.0"],
    ["policyTypes not an array", { policyTypes: "mobileApp" }, "body.policyTypes"],
    ["includeFoundations a string", { includeFoundations: "true" }, "body.includeFoundations"],
    ["waitForSlotSeconds negative", { waitForSlotSeconds: -1 }, "body.waitForSlotSeconds"],
    ["waitForSlotSeconds too large", { waitForSlotSeconds: 3601 }, "body.waitForSlotSeconds"],
    ["waitForSlotSeconds fractional", { waitForSlotSeconds: 1.5 }, "body.waitForSlotSeconds"],
    ["5,000 policy types", { policyTypes: Array.from({ length: 5_000 }, () => "mobileApp") }, "body.policyTypes"],
    ["5,000 categories", { categories: Array.from({ length: 5_000 }, () => "apps") }, "body.categories"],
    ["a JSON array", [1, 2, 3], "body"],
    ["a JSON string", "mobileApp", "body"],
    ["null", null, "body"],
    ["__proto__ key", JSON.parse('{"__proto__": {"polluted": true}}'), "body"],
  ])("%s → 400 VALIDATION_FAILED", async (_label, body, path) => {
    const world = createWorld();
    await expectProblem(call("POST", SYNC, { body }, servicesOf(world)), 400, "VALIDATION_FAILED", path);
    expect(world.starts).toHaveLength(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("invalid JSON → 400", async () => {
    await expectProblem(call("POST", SYNC, { rawBody: '{"policyTypes": [', headers: { "content-type": "application/json" } }), 400, "VALIDATION_FAILED", "body");
  });

  it("invalid UTF-8 → 400", async () => {
    await expectProblem(call("POST", SYNC, { rawBody: new Uint8Array([0x7b, 0xff, 0x7d]), headers: { "content-type": "application/json" } }), 400, "VALIDATION_FAILED");
  });

  it.each(["text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-16", "multipart/form-data; boundary=x"])(
    "content type %s on a body → 415",
    async (contentType) => {
      await expectProblem(call("POST", SYNC, { rawBody: "{}", headers: { "content-type": contentType } }), 415, "UNSUPPORTED_MEDIA_TYPE");
    },
  );

  it("a body without content type → 415", async () => {
    await expectProblem(call("POST", SYNC, { rawBody: "{}" }), 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("an empty POST without content type, or a form-encoded one (what a cross-site page can send) → 415", async () => {
    await expectProblem(call("POST", SYNC, { rawBody: "" }), 415, "UNSUPPORTED_MEDIA_TYPE");
    await expectProblem(call("POST", SYNC, { rawBody: "", headers: { "content-type": "application/x-www-form-urlencoded" } }), 415, "UNSUPPORTED_MEDIA_TYPE");
    await expectProblem(call("POST", SYNC, { rawBody: "", headers: { "content-type": "text/plain" } }), 415, "UNSUPPORTED_MEDIA_TYPE");
    await expectProblem(call("PUT", `/api/tenants/${TENANT}`, { rawBody: "" }), 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("accepts application/json; charset=UTF-8 and +json types", async () => {
    for (const contentType of ["application/json; charset=UTF-8", "application/merge-patch+json"]) {
      expect((await call("POST", SYNC, { rawBody: "{}", headers: { "content-type": contentType } })).status).toBe(202);
    }
  });

  it("a 1 MiB body → 413, whether or not Content-Length declares it", async () => {
    const big = JSON.stringify({ policyTypes: ["x".repeat(1024 * 1024)] });
    await expectProblem(call("POST", SYNC, { rawBody: big, headers: { "content-type": "application/json" } }), 413, "PAYLOAD_TOO_LARGE");
    await expectProblem(
      call("POST", SYNC, { rawBody: "{}", headers: { "content-type": "application/json", "content-length": String(1024 * 1024) } }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
    const justOver = `{"a":"${"x".repeat(MAX_BODY_BYTES)}"}`;
    await expectProblem(call("POST", SYNC, { rawBody: justOver, headers: { "content-type": "application/json" } }), 413, "PAYLOAD_TOO_LARGE");
  });

  it("deeply nested JSON is a 400, not a crash", async () => {
    const deep = "[".repeat(30_000) + "]".repeat(30_000);
    const response = await call("POST", SYNC, { rawBody: deep, headers: { "content-type": "application/json" } });
    expect(response.status).toBe(400);
  });
});

describe("list query parameters", () => {
  it("limit defaults to 50 and accepts 1–200", async () => {
    const world = createWorld();
    await call("GET", ITEMS, {}, servicesOf(world));
    await call("GET", `${ITEMS}?limit=1`, {}, servicesOf(world));
    await call("GET", `${ITEMS}?limit=200`, {}, servicesOf(world));
    expect(world.itemQueries.map((q) => (q as { limit: number }).limit)).toEqual([50, 1, 200]);
  });

  it.each(["0", "-1", "201", "1e2", "0x10", "abc", "", " 5", "5.5", "99999999999999999999"])("limit=%s → 400 on query.limit", async (limit) => {
    await expectProblem(call("GET", `${ITEMS}?limit=${encodeURIComponent(limit)}`), 400, "VALIDATION_FAILED", "query.limit");
    await expectProblem(call("GET", `${RUNS}?limit=${encodeURIComponent(limit)}`), 400, "VALIDATION_FAILED", "query.limit");
  });

  it.each([
    ["unknown parameter", `${ITEMS}?foo=1`, "query"],
    ["repeated parameter", `${ITEMS}?limit=5&limit=6`, "query.limit"],
    ["unknown policy type", `${ITEMS}?policyType=nope`, "query.policyType"],
    ["unknown category", `${ITEMS}?category=nope`, "query.category"],
    ["unknown platform", `${ITEMS}?platform=beos`, "query.platform"],
    ["empty q", `${ITEMS}?q=`, "query.q"],
    ["q too long", `${ITEMS}?q=${"a".repeat(257)}`, "query.q"],
    ["bad status", `${RUNS}?status=done`, "query.status"],
    ["bad selection hash", `${RUNS}?selectionHash=ABC`, "query.selectionHash"],
  ])("%s → 400", async (_label, path, field) => {
    await expectProblem(call("GET", path), 400, "VALIDATION_FAILED", field);
  });

  it("`code` (the function key as a query parameter) is not an unknown parameter", async () => {
    expect((await call("GET", `${ITEMS}?code=the-function-key`)).status).toBe(200);
  });

  it.each(["forged", "page:00000000-0000-0000-0000-000000000000:50", "%%%", "x".repeat(24_001)])(
    "forged continuation token %# → 400 INVALID_CONTINUATION_TOKEN or VALIDATION_FAILED, never 5xx",
    async (token) => {
      for (const list of [ITEMS, RUNS]) {
        const response = await call("GET", `${list}?continuationToken=${encodeURIComponent(token)}`);
        expect(response.status).toBe(400);
        expect(["INVALID_CONTINUATION_TOKEN", "VALIDATION_FAILED"]).toContain(problemOf(response).code);
      }
    },
  );

  it("run ids are validated", async () => {
    await expectProblem(call("GET", `${RUNS}/${encodeURIComponent("a b")}`), 400, "VALIDATION_FAILED", "path.runId");
    await expectProblem(call("GET", `${RUNS}/${"x".repeat(129)}`), 400, "VALIDATION_FAILED", "path.runId");
  });
});

describe("tenant body", () => {
  const TENANT_PATH = `/api/tenants/${TENANT}`;
  it.each([
    ["no body", undefined, "body"],
    ["missing displayName", { enabled: true }, "body.displayName"],
    ["blank displayName", { displayName: "   " }, "body.displayName"],
    ["unknown key", { displayName: "A", secret: "x" }, "body"],
    ["selection with unknown key", { displayName: "A", selections: [{ policyTypes: [], foo: 1 }] }, "body.selections.0"],
    ["21 selections", { displayName: "A", selections: Array.from({ length: 21 }, () => ({})) }, "body.selections"],
    ["enabled not boolean", { displayName: "A", enabled: "yes" }, "body.enabled"],
  ])("%s → 400", async (_label, body, path) => {
    await expectProblem(call("PUT", TENANT_PATH, body === undefined ? {} : { body }), 400, "VALIDATION_FAILED", path);
  });
});
