import { createServer } from "node:http";
import { AuthenticationError } from "@azure/identity";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CodedError, policyTypeDefinition } from "../../../../shared/domain";
import type { PolicyTypeKey } from "../../../../shared/domain";
import { createGraphClient } from "../../../../shared/graph/graphClient";
import type { GraphClientSettings } from "../../../../shared/graph/graphClient";
import { simulatorGraphSettings, startGraphSimulator } from "../../../../local/simulator";
import type { GraphSimulator } from "../../../../local/simulator";

const T = "aaaaaaaa-0000-4000-8000-000000000001";
let sim: GraphSimulator;

beforeAll(async () => {
  sim = await startGraphSimulator({
    tenants: { [T]: { seed: 1, sizes: { settingsCatalogPolicy: 60, deviceCompliancePolicy: 30, deviceConfiguration: 10, mobileApp: 3 } } },
    pageSizes: { deviceCompliancePolicy: 7 },
    throttle: false,
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.control.reset();
  sim.log.clear();
});

/** A client with recorded (not real) sleeps, so retry waits are asserted without waiting. */
function client(overrides: Partial<GraphClientSettings> = {}, random = () => 0.5) {
  const sleeps: number[] = [];
  const graph = createGraphClient({
    settings: simulatorGraphSettings(sim.baseUrl, overrides),
    tenantId: T,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random,
  });
  return { graph, sleeps };
}

async function enumerate(type: PolicyTypeKey, overrides: Partial<GraphClientSettings> = {}) {
  const { graph, sleeps } = client(overrides);
  const pages: unknown[][] = [];
  let error: CodedError | null = null;
  try {
    for await (const page of graph.pages(policyTypeDefinition(type))) pages.push(page.values);
  } catch (e) {
    if (!(e instanceof CodedError)) throw e;
    error = e;
  }
  return { pages, error, sleeps, stats: graph.stats() };
}

describe("Graph client against the simulator", () => {
  it("follows every page of a 25-per-page type, asking with $select and without $top", async () => {
    const { pages, error } = await enumerate("settingsCatalogPolicy");
    expect(error).toBeNull();
    expect(pages.map((p) => p.length)).toEqual([25, 25, 10]);
    const requests = sim.log.entries({ policyType: "settingsCatalogPolicy" });
    expect(requests).toHaveLength(3);
    expect(requests[0]!.query).toContain("$select=id,name,");
    expect(requests.every((r) => !r.query.includes("$top"))).toBe(true);
  });

  it("asks for $expand=assignments only where the catalog reads them with the listing, on every page", async () => {
    await enumerate("deviceCompliancePolicy");
    await enumerate("iosManagedAppProtection");
    expect(sim.log.entries({ policyType: "deviceCompliancePolicy" }).every((r) => decodeURIComponent(r.query).includes("$expand=assignments"))).toBe(true);
    expect(sim.log.entries({ policyType: "iosManagedAppProtection" }).some((r) => decodeURIComponent(r.query).includes("$expand"))).toBe(false);
  });

  it("reads one object's assignments at its path-encoded id, retrying a 429 like a page, and counts the calls", async () => {
    const { graph, sleeps } = client();
    const [obj] = sim.control.objects(T, "iosManagedAppProtection") as { id: string; assignments: unknown[] }[];
    sim.control.fault(T, "iosManagedAppProtection", { status: 429, onPage: 0, times: 1, retryAfter: 2 });
    const assignments = await graph.assignmentsOf(policyTypeDefinition("iosManagedAppProtection"), obj!.id);
    expect(assignments).toEqual(obj!.assignments);
    expect(sleeps).toEqual([2_000]);
    const [request] = sim.log.entries({ policyType: "iosManagedAppProtection" });
    expect(request!.path).toBe(`/beta/deviceAppManagement/iosManagedAppProtections/${encodeURIComponent(obj!.id)}/assignments`);
    expect(graph.stats()).toMatchObject({ requests: 1, assignmentRequests: 1, attempts: 2 });
    // An id with / # ? and unicode stays one path segment.
    await expect(graph.assignmentsOf(policyTypeDefinition("deviceConfiguration"), "policy/with/slashes")).resolves.toEqual(
      (sim.control.objects(T, "deviceConfiguration") as { id: string; assignments: unknown[] }[]).find((o) => o.id === "policy/with/slashes")!.assignments,
    );
  });

  it("keeps at most 4 per-object reads of a tenant in flight, whatever the callers ask for", async () => {
    const { graph } = client();
    sim.control.latency(T, "iosManagedAppProtection", 30);
    sim.control.latency(T, "deviceConfiguration", 30);
    const protection = sim.control.objects(T, "iosManagedAppProtection") as { id: string }[];
    const configs = sim.control.objects(T, "deviceConfiguration") as { id: string }[];
    // Two types' worth of reads at once, 12 callers: the client's bound is per tenant, not per caller.
    await Promise.all([
      ...protection.map((o) => graph.assignmentsOf(policyTypeDefinition("iosManagedAppProtection"), o.id)),
      ...configs.map((o) => graph.assignmentsOf(policyTypeDefinition("deviceConfiguration"), o.id)),
    ]);
    expect(protection.length + configs.length).toBeGreaterThan(8);
    expect(sim.log.maxConcurrency(T)).toBeLessThanOrEqual(4);
    expect(graph.stats().assignmentRequests).toBe(protection.length + configs.length);
  });

  it("follows every page of a 7-per-page type", async () => {
    const { pages } = await enumerate("deviceCompliancePolicy");
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 2]);
    expect(sim.log.count({ policyType: "deviceCompliancePolicy" })).toBe(5);
  });

  it("waits what Retry-After says (seconds) and then succeeds", async () => {
    sim.control.fault(T, "deviceCompliancePolicy", { status: 429, onPage: 2, times: 2, retryAfter: 3 });
    const { pages, error, sleeps, stats } = await enumerate("deviceCompliancePolicy");
    expect(error).toBeNull();
    expect(pages.flat()).toHaveLength(30);
    expect(sleeps).toEqual([3_000, 3_000]);
    expect(stats).toMatchObject({ requests: 5, attempts: 7 });
  });

  it("waits until a Retry-After HTTP date", async () => {
    const at = new Date(Math.ceil((Date.now() + 5_000) / 1000) * 1000);
    sim.control.fault(T, "mobileApp", { status: 503, times: 1, retryAfter: at.toUTCString() });
    const { error, sleeps } = await enumerate("mobileApp");
    expect(error).toBeNull();
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(3_000);
    expect(sleeps[0]).toBeLessThanOrEqual(6_000);
  });

  it("without Retry-After backs off with full jitter, growing per attempt", async () => {
    sim.control.fault(T, "mobileApp", { status: 504, times: 3 });
    const { error, sleeps } = await enumerate("mobileApp");
    expect(error).toBeNull();
    expect(sleeps).toEqual([250, 500, 1_000]);
  });

  it("gives up after GRAPH_MAX_ATTEMPTS: GRAPH_THROTTLED for 429, GRAPH_UNAVAILABLE for 503", async () => {
    sim.control.fault(T, "mobileApp", { status: 429, retryAfter: 0 });
    const throttled = await enumerate("mobileApp", { GRAPH_MAX_ATTEMPTS: 3 });
    expect(throttled.error?.code).toBe("GRAPH_THROTTLED");
    expect(sim.log.count({ policyType: "mobileApp" })).toBe(3);
    sim.control.reset();
    sim.control.fault(T, "mobileApp", { status: 503 });
    expect((await enumerate("mobileApp", { GRAPH_MAX_ATTEMPTS: 2 })).error?.code).toBe("GRAPH_UNAVAILABLE");
  });

  it.each([
    [401, "GRAPH_UNAUTHORIZED"],
    [403, "GRAPH_FORBIDDEN"],
    [404, "GRAPH_NOT_FOUND"],
  ] as const)("classifies %i as %s without retrying", async (status, code) => {
    sim.control.fault(T, "deviceConfiguration", { status });
    const { error } = await enumerate("deviceConfiguration");
    expect(error?.code).toBe(code);
    expect(sim.log.count({ policyType: "deviceConfiguration" })).toBe(1);
  });

  it("classifies Intune's not-licensed answer as GRAPH_NOT_LICENSED", async () => {
    sim.control.notLicensed(T, "mobileApp");
    expect((await enumerate("mobileApp")).error?.code).toBe("GRAPH_NOT_LICENSED");
    sim.control.reset();
    sim.control.notLicensed(T, "mobileApp", { status: 403 });
    expect((await enumerate("mobileApp")).error?.code).toBe("GRAPH_NOT_LICENSED");
  });

  it("classifies a non-JSON or wrongly shaped 200 as GRAPH_BAD_RESPONSE", async () => {
    sim.control.fault(T, "deviceConfiguration", { status: 200, body: "<html>maintenance</html>" });
    expect((await enumerate("deviceConfiguration")).error?.code).toBe("GRAPH_BAD_RESPONSE");
    sim.control.reset();
    sim.control.fault(T, "deviceConfiguration", { status: 200, body: { value: "not an array" } });
    expect((await enumerate("deviceConfiguration")).error?.code).toBe("GRAPH_BAD_RESPONSE");
  });

  it("times out a slow answer as GRAPH_TIMEOUT after its bounded retries", async () => {
    sim.control.latency(T, "deviceConfiguration", 400);
    const { error } = await enumerate("deviceConfiguration", { GRAPH_REQUEST_TIMEOUT_MS: 50, GRAPH_MAX_ATTEMPTS: 2 });
    expect(error?.code).toBe("GRAPH_TIMEOUT");
  });

  it("reports an unreachable Graph as GRAPH_UNAVAILABLE", async () => {
    const { graph } = client({ GRAPH_BASE_URL: "http://127.0.0.1:1", GRAPH_MAX_ATTEMPTS: 2 });
    const iterator = graph.pages(policyTypeDefinition("deviceConfiguration"))[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({ code: "GRAPH_UNAVAILABLE" });
  });

  it("a credential Entra refuses yields GRAPH_UNAUTHORIZED before any request, without the secret", async () => {
    const graph = createGraphClient({
      settings: simulatorGraphSettings(sim.baseUrl),
      tenantId: T,
      credential: {
        getToken: async () => {
          throw new AuthenticationError(401, { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret. client_secret=VerySecret123" });
        },
      },
    });
    const iterator = graph.pages(policyTypeDefinition("deviceConfiguration"))[Symbol.asyncIterator]();
    const error = await iterator.next().then(() => null, (e: unknown) => e as CodedError);
    expect(error?.code).toBe("GRAPH_UNAUTHORIZED");
    expect(error?.message).toContain("AADSTS7000215");
    expect(error?.message).not.toContain("VerySecret123");
    expect(sim.log.count()).toBe(0);
  });

  it("refuses a nextLink to another origin and never sends the token there", async () => {
    const foreign: { authorization?: string }[] = [];
    const listener = createServer((req, res) => {
      foreign.push({ authorization: req.headers.authorization });
      res.writeHead(200, { "content-type": "application/json" }).end('{"value":[]}');
    });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    const port = (listener.address() as AddressInfo).port;
    try {
      // Same host, other port: only scheme + host + port equality is safe.
      sim.control.foreignNextLink(T, "deviceCompliancePolicy", `http://127.0.0.1:${port}/beta/deviceManagement/deviceCompliancePolicies?$skiptoken=x`);
      const { pages, error } = await enumerate("deviceCompliancePolicy");
      expect(error?.code).toBe("GRAPH_UNSAFE_NEXT_LINK");
      expect(pages).toHaveLength(1);
      expect(foreign).toEqual([]);
    } finally {
      listener.close();
    }
  });

  it("keeps tokens and secrets from an error body out of the error message", async () => {
    const jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ0ZW5hbnQifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    sim.control.fault(T, "deviceConfiguration", {
      status: 403,
      body: { error: { code: "Forbidden", message: `token ${jwt} rejected; request was client_secret=abc123XYZ&grant_type=client_credentials` } },
    });
    const { error } = await enumerate("deviceConfiguration");
    expect(error?.code).toBe("GRAPH_FORBIDDEN");
    expect(error?.message).not.toContain(jwt);
    expect(error?.message).not.toContain("abc123XYZ");
  });
});
