import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { policyTypeDefinition } from "../../../../shared/domain";
import { createSimulatorToken } from "../../../../shared/graph/simulatorToken";
import { SPECIAL_IDS, startGraphSimulator } from "../../../../local/simulator";
import type { GraphSimulator } from "../../../../local/simulator";

const A = "11111111-1111-4111-8111-111111111111";
const B = "22222222-2222-4222-8222-222222222222";

let sim: GraphSimulator;
beforeAll(async () => {
  sim = await startGraphSimulator({
    tenants: { [A]: { seed: 7, sizes: { deviceConfiguration: 30, settingsCatalogPolicy: 60 } }, [B]: { seed: 7, sizes: { deviceConfiguration: 5 } } },
    pageSizes: { deviceCompliancePolicy: 7 },
    throttle: false,
  });
});
afterAll(() => sim.close());

const auth = (tenantId: string) => ({ authorization: `Bearer ${createSimulatorToken(tenantId, Date.now()).token}` });
async function get(path: string, tenantId: string | null = A, init: RequestInit = {}) {
  const res = await fetch(path.startsWith("http") ? path : `${sim.baseUrl}${path}`, {
    ...init,
    headers: { ...(tenantId ? auth(tenantId) : {}), ...(init.headers as Record<string, string> | undefined) },
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> & { value?: Record<string, unknown>[] } };
}

describe("Graph tenant simulator", () => {
  it("tells tenants apart by the token's tid and answers 401 without a valid token", async () => {
    const a = await get("/beta/deviceManagement/deviceConfigurations", A);
    const b = await get("/beta/deviceManagement/deviceConfigurations", B);
    expect(a.body.value).toHaveLength(30);
    expect(b.body.value).toHaveLength(5);
    expect((await get("/beta/deviceManagement/deviceConfigurations", null)).status).toBe(401);
    expect((await get("/beta/deviceManagement/deviceConfigurations", "33333333-3333-4333-8333-333333333333")).status).toBe(401);
  });

  it("answers a 403 that names the read permission the catalog gives the type, as real Graph names the missing scope", async () => {
    sim.control.fault(A, "mobileApp", { status: 403, times: 1 });
    sim.control.fault(A, "roleScopeTag", { status: 403, times: 1 });
    const apps = await get("/beta/deviceAppManagement/mobileApps");
    const tags = await get("/beta/deviceManagement/roleScopeTags");
    expect(apps.status).toBe(403);
    expect(JSON.stringify(apps.body)).toContain(policyTypeDefinition("mobileApp").readPermission);
    expect(JSON.stringify(apps.body)).toContain("DeviceManagementApps.Read.All");
    expect(JSON.stringify(tags.body)).toContain("DeviceManagementRBAC.Read.All");
    expect(JSON.stringify(tags.body)).not.toContain("DeviceManagementConfiguration.Read.All");
  });

  it("serves the same deterministic data for the same tenant and seed", async () => {
    const again = await startGraphSimulator({ tenants: { [A]: { seed: 7, sizes: { deviceConfiguration: 30 } } }, throttle: false });
    try {
      expect(again.control.objects(A, "deviceConfiguration")).toEqual(sim.control.objects(A, "deviceConfiguration"));
      expect(sim.control.objects(B, "deviceConfiguration")[0]).not.toEqual(sim.control.objects(A, "deviceConfiguration")[0]);
    } finally {
      await again.close();
    }
  });

  it("pages the settings catalog at 25 with an absolute nextLink on its own origin carrying an opaque $skiptoken", async () => {
    const page1 = await get("/beta/deviceManagement/configurationPolicies");
    expect(page1.body.value).toHaveLength(25);
    const next = String(page1.body["@odata.nextLink"]);
    expect(next.startsWith(`${sim.baseUrl}/beta/deviceManagement/configurationPolicies?`)).toBe(true);
    expect(new URL(next).searchParams.get("$skiptoken")).toMatch(/^[A-Za-z0-9_-]+$/);
    const page2 = await get(next);
    const page3 = await get(String(page2.body["@odata.nextLink"]));
    expect(page2.body.value).toHaveLength(25);
    expect(page3.body.value).toHaveLength(10);
    expect(page3.body["@odata.nextLink"]).toBeUndefined();
  });

  it("honours $top up to the type's maximum and keeps it in the nextLink", async () => {
    const small = await get("/beta/deviceManagement/deviceConfigurations?$top=4");
    expect(small.body.value).toHaveLength(4);
    expect(new URL(String(small.body["@odata.nextLink"])).searchParams.get("$top")).toBe("4");
    const big = await get("/beta/deviceManagement/configurationPolicies?$top=999");
    expect(big.body.value).toHaveLength(25);
    expect((await get("/beta/deviceManagement/deviceConfigurations?$top=0")).status).toBe(400);
  });

  it("honours $select (id and @odata.type always come back) unless told to ignore it", async () => {
    const selected = await get("/beta/deviceManagement/deviceConfigurations?$select=id,displayName");
    expect(Object.keys(selected.body.value![0]!).sort()).toEqual(["@odata.type", "displayName", "id"]);
    sim.control.ignoreSelect(B, "deviceConfiguration");
    const all = await get("/beta/deviceManagement/deviceConfigurations?$select=id,displayName", B);
    expect(all.body.value![0]).toHaveProperty("secretSettingsBlob");
    // A navigation property: never in a listing unless expanded, $select or not.
    expect(all.body.value![0]).not.toHaveProperty("assignments");
  });

  it("seeds realistic shapes: name vs displayName, derived @odata.type, dates, scope tags, awkward ids", () => {
    const catalog = sim.control.objects(A, "settingsCatalogPolicy") as Record<string, unknown>[];
    expect(catalog[0]).toHaveProperty("name");
    expect(catalog[0]).not.toHaveProperty("displayName");
    expect(catalog[0]!.platforms).toEqual(expect.any(String));
    const configs = sim.control.objects(A, "deviceConfiguration") as Record<string, unknown>[];
    expect(new Set(configs.map((o) => o["@odata.type"])).size).toBeGreaterThan(2);
    expect(Date.parse(String(configs[0]!.lastModifiedDateTime))).not.toBeNaN();
    expect(configs[0]!.roleScopeTagIds).toEqual(expect.arrayContaining(["0"]));
    expect(configs.map((o) => o.id)).toEqual(expect.arrayContaining([...SPECIAL_IDS]));
    expect(policyTypeDefinition("settingsCatalogPolicy").nameField).toBe("name");
  });

  it("serves every catalog path under /beta and /v1.0", async () => {
    const path = policyTypeDefinition("roleScopeTag").graphPath;
    expect((await get(`/beta${path}`)).status).toBe(200);
    expect((await get(`/v1.0${path}`)).status).toBe(200);
    expect((await get("/beta/deviceManagement/nothingHere")).status).toBe(404);
  });

  describe("assignments, served as Graph serves a navigation property", () => {
    type Assigned = { id: string; assignments?: { target: Record<string, unknown>; intent?: string }[] };

    it("expands them on a collection that supports it, on every page, and keeps the expand in the nextLink", async () => {
      const first = await get("/beta/deviceManagement/deviceConfigurations?$select=id,displayName&$expand=assignments&$top=10");
      expect(first.status).toBe(200);
      const seeded = sim.control.objects(A, "deviceConfiguration") as Assigned[];
      expect(first.body.value!.map((o) => o.assignments)).toEqual(seeded.slice(0, 10).map((o) => o.assignments));
      const next = String(first.body["@odata.nextLink"]);
      expect(new URL(next).searchParams.get("$expand")).toBe("assignments");
      expect((await get(next)).body.value![0]).toHaveProperty("assignments");
    });

    it("answers 400 to the expand where the collection does not support it, so a wrong catalog entry cannot pass", async () => {
      for (const type of ["iosManagedAppProtection", "deviceEnrollmentConfiguration", "policySet", "assignmentFilter"] as const) {
        const res = await get(`/beta${policyTypeDefinition(type).graphPath}?$expand=assignments`);
        expect(res.status, type).toBe(400);
      }
      expect((await get("/beta/deviceManagement/deviceConfigurations?$expand=settings")).status).toBe(400);
    });

    it("has the intents defect: the expand answers empty lists, the per-object read the real ones", async () => {
      const intents = sim.control.objects(A, "endpointSecurityIntent") as Assigned[];
      const assigned = intents.find((o) => (o.assignments?.length ?? 0) > 0);
      if (!assigned) throw new Error("the seed assigns no intent");
      const listed = await get("/beta/deviceManagement/intents?$expand=assignments");
      expect(listed.status).toBe(200);
      expect(listed.body.value!.every((o) => Array.isArray(o.assignments) && (o.assignments as unknown[]).length === 0)).toBe(true);
      const one = await get(`/beta/deviceManagement/intents/${encodeURIComponent(assigned.id)}/assignments`);
      expect(one.body.value).toEqual(assigned.assignments);
    });

    it("serves one object's assignments at {collection}/{id}/assignments, awkward ids included; 404 for an unknown id, 400 for a type without them", async () => {
      const special = (sim.control.objects(A, "deviceConfiguration") as Assigned[]).find((o) => o.id === SPECIAL_IDS[0]);
      const res = await get(`/beta/deviceManagement/deviceConfigurations/${encodeURIComponent(SPECIAL_IDS[0])}/assignments`);
      expect(res.status).toBe(200);
      expect(res.body.value).toEqual(special?.assignments);
      expect((await get("/beta/deviceManagement/deviceConfigurations/no-such-id/assignments")).status).toBe(404);
      const filter = (sim.control.objects(A, "assignmentFilter") as Assigned[])[0]!;
      expect((await get(`/beta/deviceManagement/assignmentFilters/${encodeURIComponent(filter.id)}/assignments`)).status).toBe(400);
    });

    it("seeds every kind of target: group include and exclude, all licensed users, all devices, filters both ways, app intents", () => {
      const targets = (["deviceConfiguration", "settingsCatalogPolicy", "mobileApp"] as const).flatMap((t) =>
        (sim.control.objects(A, t) as Assigned[]).flatMap((o) => o.assignments ?? []),
      );
      const types = new Set(targets.map((a) => String(a.target["@odata.type"]).replace("#microsoft.graph.", "")));
      expect([...types].sort()).toEqual(["allDevicesAssignmentTarget", "allLicensedUsersAssignmentTarget", "exclusionGroupAssignmentTarget", "groupAssignmentTarget"]);
      expect(new Set(targets.map((a) => a.target.deviceAndAppManagementAssignmentFilterType))).toEqual(new Set(["include", "exclude", "none"]));
      expect(new Set(targets.map((a) => a.intent).filter(Boolean))).toEqual(new Set(["required", "available", "uninstall"]));
    });
  });

  it("applies mutations between reads: add, remove, rename", async () => {
    const before = sim.control.objects(B, "deviceConfiguration") as { id: string; displayName: string }[];
    const { added } = sim.control.mutate(B, "deviceConfiguration", {
      add: 2,
      remove: [before[0]!.id],
      rename: { [before[1]!.id]: "Renamed policy" },
    });
    const after = (await get("/beta/deviceManagement/deviceConfigurations", B)).body.value!;
    expect(after).toHaveLength(before.length + 1);
    expect(after.map((o) => o.id)).not.toContain(before[0]!.id);
    expect(after.find((o) => o.id === before[1]!.id)?.displayName).toBe("Renamed policy");
    expect(after.map((o) => o.id)).toEqual(expect.arrayContaining(added.map((o) => o.id)));
  });

  it("injects faults on a chosen page for a number of times, with Retry-After and a Graph error body", async () => {
    sim.control.fault(A, "deviceCompliancePolicy", { status: 429, onPage: 1, times: 1, retryAfter: 2 });
    const first = await get("/beta/deviceManagement/deviceCompliancePolicies");
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("2");
    expect(first.body).toMatchObject({ error: { code: "TooManyRequests" } });
    const second = await get("/beta/deviceManagement/deviceCompliancePolicies");
    expect(second.status).toBe(200);
    expect(second.body.value).toHaveLength(6);
  });

  it("refuses writes and logs methods, tenants and per-tenant concurrency", async () => {
    sim.log.clear();
    const write = await get("/beta/deviceManagement/deviceConfigurations", A, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(write.status).toBe(405);
    // Long enough that the four requests overlap even on a loaded machine (40 ms did not, under
    // the full suite on 2 shared cores): the log must see them in flight together.
    sim.control.latency(A, null, 500);
    sim.control.latency(B, null, 500);
    await Promise.all([1, 2, 3].map(() => get("/beta/deviceManagement/roleScopeTags", A)).concat([get("/beta/deviceManagement/roleScopeTags", B)]));
    sim.control.reset(A);
    sim.control.reset(B);
    expect(sim.log.methods()).toEqual(["GET", "POST"]);
    expect(sim.log.maxConcurrency(A)).toBe(3);
    expect(sim.log.maxConcurrentTenants()).toBe(2);
    expect(sim.log.count({ tenantId: A, policyType: "roleScopeTag" })).toBe(3);
    expect(sim.log.entries().every((e) => e.hadAuthorization)).toBe(true);
  });

  it("throttles a tenant like Intune once its window budget is spent", async () => {
    const tight = await startGraphSimulator({ tenants: { [A]: {} }, throttle: { limit: 3, windowMs: 60_000 } });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i += 1) {
        const res = await fetch(`${tight.baseUrl}/beta/deviceManagement/roleScopeTags`, { headers: auth(A) });
        statuses.push(res.status);
        retryAfter ??= res.headers.get("retry-after");
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      await tight.close();
    }
  });
});
