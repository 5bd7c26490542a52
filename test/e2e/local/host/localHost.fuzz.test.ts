import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProblemDetailsSchema } from "../../../../shared/http/problem";
import { CONTOSO, http, startE2eHost, waitForIdle } from "../../../support/hostFixture";
import type { E2eHost, HttpAnswer } from "../../../support/hostFixture";

/**
 * Property: whatever arrives over the wire, the host answers below 500, with a correlation id,
 * and every 4xx is problem+json (an API problem with a stable code, or the host's own
 * about:blank 404/405). Bounded: ~100 runs per property, each a real HTTP request.
 */
let e2e: E2eHost;
beforeAll(async () => {
  e2e = await startE2eHost();
});
afterAll(async () => {
  if (e2e) await waitForIdle(e2e.host);
  await e2e?.close();
});

function expectSane(answer: HttpAnswer): void {
  expect(answer.status, answer.text.slice(0, 500)).toBeLessThan(500);
  expect(answer.headers.get("x-correlation-id")).toBeTruthy();
  if (answer.status >= 400) {
    expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    if (answer.body?.type === "about:blank") expect([404, 405]).toContain(answer.status);
    else ProblemDetailsSchema.parse(answer.body);
  }
}

const WORDS = ["deviceConfiguration", "mobileApp", "roleScopeTag", "apps", "compliance", "foundations", "", "x", "__proto__", "constructor"];
const word = fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 20 }));
const tenantSegment = fc.oneof(
  fc.constant(CONTOSO),
  fc.constant(CONTOSO.toUpperCase()),
  fc.uuid(),
  fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== "" && s !== "." && s !== ".."),
);
const syncBody = fc.oneof(
  fc.record(
    {
      policyTypes: fc.oneof(fc.array(word, { maxLength: 40 }), word, fc.integer()),
      categories: fc.oneof(fc.array(word, { maxLength: 40 }), fc.constant(null)),
      includeFoundations: fc.oneof(fc.boolean(), fc.string(), fc.constant(null)),
      waitForSlotSeconds: fc.oneof(fc.integer({ min: -10, max: 5000 }), fc.double(), fc.string()),
      extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
);
const contentType = fc.constantFrom(undefined, "application/json", "application/json; charset=utf-8", "text/plain", "application/json; charset=latin1");

describe("property over real HTTP: no input makes the host answer 5xx", () => {
  it("POST …/sync with arbitrary tenants, bodies and content types", async () => {
    await fc.assert(
      fc.asyncProperty(tenantSegment, syncBody, contentType, async (tenant, body, type) => {
        const headers: Record<string, string> = type === undefined ? {} : { "content-type": type };
        expectSane(await http("POST", `${e2e.baseUrl}/tenants/${encodeURIComponent(tenant)}/inventory/sync`, { raw: JSON.stringify(body) ?? "", headers }));
      }),
      { numRuns: 100 },
    );
  });

  const queryKey = fc.constantFrom("limit", "continuationToken", "policyType", "category", "platform", "q", "status", "selectionHash", "policyTypes", "categories", "includeFoundations", "unknown", "__proto__");
  const queryValue = fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String), fc.constantFrom("0", "50", "200", "201", "-1", "1e3", "true", "mobileApp", "apps", "windows", "success", "a".repeat(64)));

  it("GET the lists (items, runs, missing, coverage, a run) with arbitrary tenants and query strings", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("items", "runs", "missing", "coverage", "runs/some-run"),
        tenantSegment,
        fc.array(fc.tuple(queryKey, queryValue), { maxLength: 6 }),
        async (list, tenant, pairs) => {
          const query = new URLSearchParams(pairs).toString();
          expectSane(await http("GET", `${e2e.baseUrl}/tenants/${encodeURIComponent(tenant)}/inventory/${list}?${query}`));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("arbitrary methods and paths under /api", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
        fc.array(fc.oneof(fc.constantFrom("tenants", CONTOSO, "inventory", "sync", "runs", "items", "health"), fc.string({ minLength: 1, maxLength: 12 })), { minLength: 0, maxLength: 5 }),
        async (method, segments) => {
          const path = segments.map((s) => encodeURIComponent(s)).join("/");
          const answer = await http(method, `${e2e.baseUrl}/${path}`, method === "GET" || method === "DELETE" ? {} : { json: {} });
          expectSane(answer);
          if (answer.status === 405) expect(answer.headers.get("allow")).toBeTruthy();
        },
      ),
      { numRuns: 100 },
    );
  });
});
