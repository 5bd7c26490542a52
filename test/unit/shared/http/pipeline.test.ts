import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProblemDetailsSchema } from "../../../../shared/http/problem";
import { TENANT, call, createWorld, servicesOf } from "../../../support/httpFakes";
import type { ApiResponse } from "../../../../shared/http/pipeline";

/** Input never causes a 5xx; every 4xx is a well-formed problem; every answer has a correlation id. */
function expectNo5xx(response: ApiResponse): void {
  expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
  expect(response.headers["x-correlation-id"]).toBeTruthy();
  if (response.status >= 400) ProblemDetailsSchema.parse(response.body);
}

const POLICY_WORDS = ["deviceConfiguration", "mobileApp", "roleScopeTag", "apps", "compliance", "foundations", "", "x", "__proto__", "constructor"];
const word = fc.oneof(fc.constantFrom(...POLICY_WORDS), fc.string({ maxLength: 20 }));
// "." and ".." are path navigation, resolved by URL parsing before any route is matched.
const tenantSegment = fc.oneof(
  fc.constant(TENANT),
  fc.constant(TENANT.toUpperCase()),
  fc.uuid(),
  fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s !== "." && s !== ".."),
);

const syncBody = fc.oneof(
  fc.record(
    {
      policyTypes: fc.oneof(fc.array(word, { maxLength: 120 }), word, fc.integer()),
      categories: fc.oneof(fc.array(word, { maxLength: 120 }), fc.constant(null)),
      includeFoundations: fc.oneof(fc.boolean(), fc.string(), fc.constant(null)),
      waitForSlotSeconds: fc.oneof(fc.integer({ min: -10, max: 5000 }), fc.double(), fc.string()),
      extra: fc.anything(),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
);

const contentType = fc.constantFrom(undefined, "application/json", "application/json; charset=utf-8", "text/plain", "application/problem+json", "application/json; charset=latin1", "");

describe("property: no input makes a route answer 5xx", () => {
  it("POST …/sync with arbitrary tenants, bodies and content types", async () => {
    await fc.assert(
      fc.asyncProperty(tenantSegment, syncBody, contentType, fc.boolean(), async (tenant, body, type, asText) => {
        const world = createWorld();
        const headers: Record<string, string> = type === undefined ? {} : { "content-type": type };
        const raw = asText ? JSON.stringify(body) ?? "" : undefined;
        const response = await call(
          "POST",
          `/api/tenants/${encodeURIComponent(tenant)}/inventory/sync`,
          raw === undefined ? { body, headers } : { rawBody: raw, headers },
          servicesOf(world),
        );
        expectNo5xx(response);
        if (response.status === 202) expect(world.starts).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });

  it("POST …/sync with arbitrary raw bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        expectNo5xx(await call("POST", `/api/tenants/${TENANT}/inventory/sync`, { rawBody: bytes, headers: { "content-type": "application/json" } }));
      }),
      { numRuns: 200 },
    );
  });

  const queryKey = fc.constantFrom("limit", "continuationToken", "policyType", "category", "platform", "q", "status", "selectionHash", "policyTypes", "categories", "includeFoundations", "code", "unknown", "__proto__");
  const queryValue = fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String), fc.constantFrom("0", "50", "200", "201", "-1", "1e3", "true", "mobileApp", "apps", "windows", "success", "a".repeat(64)));

  it.each(["items", "runs", "missing", "coverage", "runs/some-run"])("GET …/inventory/%s with arbitrary query strings", async (list) => {
    await fc.assert(
      fc.asyncProperty(tenantSegment, fc.array(fc.tuple(queryKey, queryValue), { maxLength: 6 }), async (tenant, pairs) => {
        const query = new URLSearchParams(pairs).toString();
        expectNo5xx(await call("GET", `/api/tenants/${encodeURIComponent(tenant)}/inventory/${list}?${query}`));
      }),
      { numRuns: 150 },
    );
  });

  it("any x-correlation-id or principal header", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 100 }), fc.string({ maxLength: 200 }), async (correlation, principal) => {
        const world = createWorld();
        const response = await call(
          "GET",
          "/api/policy-types",
          { headers: { "x-correlation-id": correlation, "x-ms-client-principal": principal } },
          servicesOf(world),
        );
        expectNo5xx(response);
        expect(response.headers["x-correlation-id"]).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
      }),
      { numRuns: 200 },
    );
  });
});
