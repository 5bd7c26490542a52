import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO, FABRIKAM, expectProblem, followLocation, http, startE2eHost, syncUrl } from "../../../support/hostFixture";
import type { E2eHost } from "../../../support/hostFixture";

let e2e: E2eHost;
let runsBefore = 0;
beforeAll(async () => {
  e2e = await startE2eHost();
  // Contoso has items and runs, so lists have tokens to steal.
  for (const categories of [["configuration"], ["scripts"]]) {
    const accepted = await http("POST", syncUrl(e2e.baseUrl, CONTOSO), { json: { categories } });
    expect(accepted.status, accepted.text).toBe(202);
    expect((await followLocation(accepted.headers.get("location")!)).final.body.status).toBe("success");
  }
  runsBefore = await runCount();
});
afterAll(async () => {
  await e2e?.close();
});

async function runCount(): Promise<number> {
  let n = 0;
  for (const t of [CONTOSO, FABRIKAM]) n += (await http("GET", `${e2e.baseUrl}/tenants/${t}/inventory/runs?limit=200`)).body.items.length;
  return n;
}

const sync = () => syncUrl(e2e.baseUrl, CONTOSO);

describe("bad input over real HTTP: 400 / 413 / 415 problems with stable codes, never a 5xx", () => {
  it.each(["not-a-guid", "6f1c2d3e4a5b4c6d8e9f0a1b2c3d4e5f", "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5g", "{6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f}", "%00", "..%2f..%2fetc"])(
    "tenant id %s → 400 VALIDATION_FAILED on path.tenantId, for every tenant route",
    async (bad) => {
      const tenant = `${e2e.baseUrl}/tenants/${bad}`;
      expectProblem(await http("POST", `${tenant}/inventory/sync`, { json: {} }), 400, "VALIDATION_FAILED", "path.tenantId");
      for (const list of ["items", "runs", "missing", "coverage", "runs/abc"]) {
        expectProblem(await http("GET", `${tenant}/inventory/${list}`), 400, "VALIDATION_FAILED", "path.tenantId");
      }
      expectProblem(await http("GET", tenant), 400, "VALIDATION_FAILED", "path.tenantId");
    },
  );

  it.each([
    ["an unknown key", { categories: ["apps"], force: true }, "body"],
    ["an unknown policy type", { policyTypes: ["deviceConfigurations"] }, "body.policyTypes.0"],
    ["an unknown category", { categories: ["everything"] }, "body.categories.0"],
    ["policyTypes as a string", { policyTypes: "mobileApp" }, "body.policyTypes"],
    ["policyTypes of numbers", { policyTypes: [1, 2] }, "body.policyTypes.0"],
    ["includeFoundations as a string", { includeFoundations: "true" }, "body.includeFoundations"],
    ["waitForSlotSeconds negative", { waitForSlotSeconds: -5 }, "body.waitForSlotSeconds"],
    ["waitForSlotSeconds as text", { waitForSlotSeconds: "10" }, "body.waitForSlotSeconds"],
    ["5,000 policy types", { policyTypes: Array.from({ length: 5_000 }, () => "mobileApp") }, "body.policyTypes"],
    ["5,000 categories", { categories: Array.from({ length: 5_000 }, () => "apps") }, "body.categories"],
    ["a JSON array", [1, 2, 3], "body"],
    ["JSON null", null, "body"],
  ])("sync body with %s → 400 VALIDATION_FAILED", async (_label, json, path) => {
    expectProblem(await http("POST", sync(), { json }), 400, "VALIDATION_FAILED", path);
  });

  it("invalid JSON → 400; invalid UTF-8 → 400", async () => {
    expectProblem(await http("POST", sync(), { raw: '{"categories": [', headers: { "content-type": "application/json" } }), 400, "VALIDATION_FAILED", "body");
    expectProblem(await http("POST", sync(), { raw: new Uint8Array([0x7b, 0xff, 0x7d]), headers: { "content-type": "application/json" } }), 400, "VALIDATION_FAILED");
  });

  it.each(["text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-16", "application/xml"])(
    "a body sent as %s → 415 UNSUPPORTED_MEDIA_TYPE",
    async (contentType) => {
      expectProblem(await http("POST", sync(), { raw: "{}", headers: { "content-type": contentType } }), 415, "UNSUPPORTED_MEDIA_TYPE");
    },
  );

  it("a 1 MiB body → 413 PAYLOAD_TOO_LARGE, and the connection keeps serving", async () => {
    const big = JSON.stringify({ policyTypes: ["x".repeat(1024 * 1024)] });
    expectProblem(await http("POST", sync(), { raw: big, headers: { "content-type": "application/json" } }), 413, "PAYLOAD_TOO_LARGE");
    // Also sent in chunks with no Content-Length, so the limit is enforced while reading.
    const chunks = (async function* () {
      for (let i = 0; i < 16; i++) yield new TextEncoder().encode("x".repeat(64 * 1024));
    })();
    const streamed = await fetch(sync(), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: ReadableStream.from(chunks),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { code: string }).code).toBe("PAYLOAD_TOO_LARGE");
    expect((await http("GET", `${e2e.baseUrl}/health`)).status).toBe(200);
  });

  it.each(["-1", "0", "201", "abc", "1e2", "5.5", ""])("limit=%s → 400 on query.limit (items and runs)", async (limit) => {
    for (const list of ["items", "runs"]) {
      expectProblem(await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/${list}?limit=${encodeURIComponent(limit)}`), 400, "VALIDATION_FAILED", "query.limit");
    }
  });

  it.each([
    ["an unknown parameter", "items?foo=1", "query"],
    ["an unknown policy type", "items?policyType=nope", "query.policyType"],
    ["an unknown platform", "items?platform=beos", "query.platform"],
    ["a bad run status", "runs?status=done", "query.status"],
    ["a bad selection hash", "missing?selectionHash=ABC", "query.selectionHash"],
    ["a hash and a selection at once", `missing?selectionHash=${"a".repeat(64)}&categories=apps`, "query.selectionHash"],
  ])("a query with %s → 400", async (_label, pathAndQuery, field) => {
    expectProblem(await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/${pathAndQuery}`), 400, "VALIDATION_FAILED", field);
  });

  it.each([
    "forged",
    "eyJ0IjoiMCJ9",
    Buffer.from(JSON.stringify({ tenantId: CONTOSO, offset: 1 })).toString("base64url"),
    "%%%",
    "x".repeat(5_000),
  ])("a forged continuation token %# → 400 INVALID_CONTINUATION_TOKEN (items and runs)", async (token) => {
    for (const list of ["items", "runs"]) {
      const answer = await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/${list}?continuationToken=${encodeURIComponent(token)}`);
      expect([400]).toContain(answer.status);
      expect(["INVALID_CONTINUATION_TOKEN", "VALIDATION_FAILED"]).toContain(answer.body.code);
      if (token.length < 1_000) expectProblem(answer, 400, "INVALID_CONTINUATION_TOKEN");
    }
  });

  it("a continuation token of tenant A used on tenant B → 400 INVALID_CONTINUATION_TOKEN", async () => {
    for (const list of ["items", "runs"]) {
      const page = await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/${list}?limit=1`);
      expect(page.status).toBe(200);
      const token = page.body.continuationToken as string;
      expect(token).toEqual(expect.any(String));
      // Valid where it was issued …
      expect((await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/${list}?limit=1&continuationToken=${encodeURIComponent(token)}`)).status).toBe(200);
      // … refused on another tenant.
      expectProblem(
        await http("GET", `${e2e.baseUrl}/tenants/${FABRIKAM}/inventory/${list}?limit=1&continuationToken=${encodeURIComponent(token)}`),
        400,
        "INVALID_CONTINUATION_TOKEN",
      );
    }
  });

  it("none of the refused requests started or recorded a run", async () => {
    expect(await runCount()).toBe(runsBefore);
  });
});
