import { describe, expect, it } from "vitest";
import { ApiErrorCodeSchema, CodedError } from "../../../../shared/domain/errorCodes";
import { correlationIdOf } from "../../../../shared/http/pipeline";
import { PROBLEM_STATUS, ProblemDetailsSchema } from "../../../../shared/http/problem";
import { API_ROUTES } from "../../../../shared/http/routes/index";
import { TENANT, call, createWorld, problemOf, servicesOf, requestEnv } from "../../../support/httpFakes";

describe("problem details (RFC 9457)", () => {
  it("every API error code has one status and title", () => {
    for (const code of ApiErrorCodeSchema.options) {
      expect(PROBLEM_STATUS[code].status).toBeGreaterThanOrEqual(400);
      expect(PROBLEM_STATUS[code].title.length).toBeGreaterThan(0);
    }
  });

  it("a 4xx is application/problem+json with type, title, status, code, detail, errors and correlationId", async () => {
    const response = await call("GET", `/api/tenants/not-a-guid/inventory/items`);
    expect(response.status).toBe(400);
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    const body = ProblemDetailsSchema.parse(response.body);
    expect(body).toMatchObject({ status: 400, code: "VALIDATION_FAILED", type: "urn:tenant-inventory:problem:VALIDATION_FAILED" });
    expect(body.errors).toEqual([{ path: "path.tenantId", message: expect.stringContaining("GUID") }]);
    expect(body.correlationId).toBe(response.headers["x-correlation-id"]);
  });

  it("an unexpected exception is a 500 INTERNAL_ERROR that does not leak its message", async () => {
    const world = createWorld();
    world.stores.items.coverage = async () => {
      throw new Error("secret connection string AccountKey=abc");
    };
    const reported: unknown[] = [];
    const route = API_ROUTES.find((r) => r.name === "inventoryCoverage")!;
    const response = await route.handler(
      {
        method: "GET",
        url: `https://x.example/api/tenants/${TENANT}/inventory/coverage`,
        headers: { "x-correlation-id": "c-500" },
        params: { tenantId: TENANT },
        query: new URLSearchParams(),
        bodyText: async () => "",
      },
      { ...requestEnv(servicesOf(world)), onUnexpectedError: (e, id) => reported.push([e, id]) },
    );
    expect(response.status).toBe(500);
    expect(problemOf(response)).toMatchObject({ code: "INTERNAL_ERROR", correlationId: "c-500" });
    expect(JSON.stringify(response.body)).not.toContain("AccountKey");
    expect(response.headers["x-correlation-id"]).toBe("c-500");
    expect(reported).toHaveLength(1);
  });

  it("failing service construction (bad settings) is a 500 problem, not a thrown error", async () => {
    const response = await call("GET", `/api/tenants/${TENANT}/inventory/coverage`, {}, async () => {
      throw new Error("Invalid settings: COSMOS_ENDPOINT");
    });
    expect(response.status).toBe(500);
    expect(problemOf(response).detail).not.toContain("COSMOS");
  });

  it("a throttled or unavailable store is a retryable 503, not a 500", async () => {
    const world = createWorld();
    world.stores.items.coverage = async () => {
      throw new CodedError("STORE_THROTTLED", "429 from Cosmos");
    };
    const response = await call("GET", `/api/tenants/${TENANT}/inventory/coverage`, {}, servicesOf(world));
    expect(response.status).toBe(503);
    expect(response.headers["retry-after"]).toBe("10");
    expect(problemOf(response).code).toBe("INTERNAL_ERROR");
  });

  it("a store's INVALID_CONTINUATION_TOKEN is a 400 with that code", async () => {
    const response = await call("GET", `/api/tenants/${TENANT}/inventory/items?continuationToken=forged`);
    expect(response.status).toBe(400);
    expect(problemOf(response)).toMatchObject({ code: "INVALID_CONTINUATION_TOKEN", errors: [{ path: "query.continuationToken" }] });
  });
});

describe("x-correlation-id", () => {
  it("accepts 1–64 characters of [A-Za-z0-9._-]", () => {
    for (const id of ["a", "A.b_c-9", "x".repeat(64)]) expect(correlationIdOf({ "x-correlation-id": id })).toBe(id);
  });

  it("replaces anything else with a new id", () => {
    for (const id of ["", "x".repeat(65), "has space", "semi;colon", "ünïcode", "a\r\nInjected: 1"]) {
      const got = correlationIdOf({ "x-correlation-id": id }, () => "generated");
      expect(got).toBe("generated");
    }
    expect(correlationIdOf({})).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("is echoed on success, on 4xx and on 5xx, and passed to the starter", async () => {
    const world = createWorld();
    const ok = await call("GET", "/api/policy-types", { headers: { "x-correlation-id": "ok-1" } }, servicesOf(world));
    expect(ok.status).toBe(200);
    expect(ok.headers["x-correlation-id"]).toBe("ok-1");

    const bad = await call("GET", "/api/tenants/nope", { headers: { "x-correlation-id": "bad-1" } }, servicesOf(world));
    expect(bad.headers["x-correlation-id"]).toBe("bad-1");

    const started = await call("POST", `/api/tenants/${TENANT}/inventory/sync`, { headers: { "x-correlation-id": "sync-1" } }, servicesOf(world));
    expect(started.headers["x-correlation-id"]).toBe("sync-1");
    expect(world.starts[0]?.correlationId).toBe("sync-1");

    const generated = await call("GET", "/api/health", { headers: { "x-correlation-id": "no good" } }, servicesOf(world));
    expect(generated.headers["x-correlation-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});
