import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLICY_TYPES, itemDocumentId, normaliseAssignments, policyTypeDefinition } from "../../../../shared/domain";
import type { InventoryItem, PolicyTypeKey } from "../../../../shared/domain";
import { createGraphClient } from "../../../../shared/graph/graphClient";
import { enumeratePolicyType } from "../../../../shared/sync/enumerate";
import { SPECIAL_IDS, simulatorGraphSettings, startGraphSimulator } from "../../../../local/simulator";
import type { GraphSimulator } from "../../../../local/simulator";
import { SIMULATED_ASSIGNMENTS } from "../../../../local/simulator/assignments";
import { createTestStores, newTenantId } from "../../../support/stores";

const stores = createTestStores();
let sim: GraphSimulator;
const HASH = "c".repeat(64);

beforeAll(async () => {
  sim = await startGraphSimulator({ tenants: {}, pageSizes: { deviceCompliancePolicy: 7 }, throttle: false });
});
afterAll(async () => {
  await sim.close();
  stores.dispose();
});

/** A tenant of its own on the simulator and in the store, so tests never see each other's items. */
function tenant(sizes: Partial<Record<PolicyTypeKey, number>>): string {
  const tenantId = newTenantId();
  sim.control.addTenant(tenantId, { sizes, seed: 42 });
  return tenantId;
}

async function sync(tenantId: string, policyType: PolicyTypeKey, runId = randomUUID()) {
  const { outcome, sleeps } = await syncWithClient(tenantId, policyType, runId);
  return { outcome, sleeps, runId };
}

async function syncWithClient(tenantId: string, policyType: PolicyTypeKey, runId = randomUUID()) {
  const sleeps: number[] = [];
  const graph = createGraphClient({
    settings: simulatorGraphSettings(sim.baseUrl, { GRAPH_MAX_ATTEMPTS: 3 }),
    tenantId,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  const outcome = await enumeratePolicyType(
    { graphFor: () => graph, writerFor: (ctx) => stores.items.createWriter(ctx), now: () => new Date() },
    { tenantId, runId, selectionHash: HASH, policyType },
  );
  return { outcome, sleeps, runId, stats: graph.stats() };
}

async function storedItems(tenantId: string, policyType: PolicyTypeKey): Promise<InventoryItem[]> {
  const all: InventoryItem[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await stores.items.list(tenantId, { policyType, limit: 200, continuationToken });
    all.push(...page.items);
    continuationToken = page.continuationToken ?? undefined;
  } while (continuationToken);
  return all;
}

const idsOf = (objects: unknown[]) => objects.map((o) => (o as { id: string }).id).sort();

describe("enumeratePolicyType (the syncPolicyType activity's loop) against the simulator and the store", () => {
  it("stores every page of a 25-per-page type and of a 7-per-page type", async () => {
    const t = tenant({ settingsCatalogPolicy: 60, deviceCompliancePolicy: 30 });
    const catalog = await sync(t, "settingsCatalogPolicy");
    const compliance = await sync(t, "deviceCompliancePolicy");
    expect(catalog.outcome).toMatchObject({ status: "success", pages: 3, itemsObserved: 60, itemsUpserted: 60, errorCode: null });
    expect(compliance.outcome).toMatchObject({ status: "success", pages: 5, itemsObserved: 30, itemsUpserted: 30 });
    expect((await storedItems(t, "settingsCatalogPolicy")).map((i) => i.externalId).sort()).toEqual(idsOf(sim.control.objects(t, "settingsCatalogPolicy")));
    expect(await storedItems(t, "deviceCompliancePolicy")).toHaveLength(30);
  });

  it("stores the same object on two pages as one item", async () => {
    const t = tenant({ deviceCompliancePolicy: 30 });
    sim.control.duplicateAcrossPages(t, "deviceCompliancePolicy");
    const { outcome } = await sync(t, "deviceCompliancePolicy");
    expect(outcome).toMatchObject({ status: "success", pages: 5, itemsObserved: 30 });
    expect(await storedItems(t, "deviceCompliancePolicy")).toHaveLength(30);
  });

  it("round-trips ids with / # ? \\ spaces and unicode", async () => {
    const t = tenant({ deviceConfiguration: 40 });
    const { outcome } = await sync(t, "deviceConfiguration");
    expect(outcome.itemsObserved).toBe(40);
    for (const id of SPECIAL_IDS) {
      const item = await stores.items.get(t, itemDocumentId("deviceConfiguration", id));
      expect(item?.externalId).toBe(id);
    }
  });

  it("drops meta keys outside the type's whitelist even when Graph sends every property", async () => {
    const t = tenant({ deviceConfiguration: 5, settingsCatalogPolicy: 5 });
    sim.control.ignoreSelect(t, "deviceConfiguration");
    sim.control.ignoreSelect(t, "settingsCatalogPolicy");
    for (const type of ["deviceConfiguration", "settingsCatalogPolicy"] as const) {
      await sync(t, type);
      const allowed = new Set<string>(policyTypeDefinition(type).metaKeys);
      for (const item of await storedItems(t, type)) {
        expect(Object.keys(item.meta).every((k) => allowed.has(k))).toBe(true);
        expect(JSON.stringify(item)).not.toMatch(/secretSettingsBlob|supportsScopeTags/);
        // Graph's raw assignment objects never land in meta; the normalised list is its own field.
        expect(JSON.stringify(item.meta)).not.toMatch(/assignments|@odata.type":"#microsoft.graph.groupAssignmentTarget/);
        expect(item.meta.roleScopeTagIds).toEqual(expect.arrayContaining(["0"]));
      }
    }
    const catalogItem = (await storedItems(t, "settingsCatalogPolicy"))[0]!;
    expect(catalogItem.displayName).toMatch(/\d{4}$/);
  });

  it("counts malformed objects as invalid and stores the rest of their page", async () => {
    const t = tenant({ deviceConfiguration: 20 });
    sim.control.malformed(t, "deviceConfiguration", 4);
    const { outcome } = await sync(t, "deviceConfiguration");
    expect(outcome).toMatchObject({ status: "success", itemsInvalid: 4, itemsObserved: 20, errorCode: null });
    expect(await storedItems(t, "deviceConfiguration")).toHaveLength(20);
  });

  it("waits out a 429 with Retry-After and then succeeds", async () => {
    const t = tenant({ deviceCompliancePolicy: 20 });
    sim.control.fault(t, "deviceCompliancePolicy", { status: 429, onPage: 2, times: 1, retryAfter: 1 });
    const { outcome, sleeps } = await sync(t, "deviceCompliancePolicy");
    expect(sleeps).toEqual([1_000]);
    expect(outcome).toMatchObject({ status: "success", pages: 3, itemsObserved: 20 });
  });

  it("fails a type Graph forbids with GRAPH_FORBIDDEN", async () => {
    const t = tenant({ mobileApp: 5 });
    sim.control.fault(t, "mobileApp", { status: 403 });
    const { outcome } = await sync(t, "mobileApp");
    expect(outcome).toMatchObject({ status: "failed", errorCode: "GRAPH_FORBIDDEN", pages: 0, itemsObserved: 0 });
    expect(outcome.errorMessage).toContain("403");
  });

  it("fails a tenant without Intune with GRAPH_NOT_LICENSED", async () => {
    const t = tenant({ mobileApp: 5 });
    sim.control.notLicensed(t, "mobileApp");
    expect((await sync(t, "mobileApp")).outcome.errorCode).toBe("GRAPH_NOT_LICENSED");
  });

  it("refuses a foreign nextLink with GRAPH_UNSAFE_NEXT_LINK; no request with a token reaches the foreign listener", async () => {
    const seen: (string | undefined)[] = [];
    const foreign = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { "content-type": "application/json" }).end('{"value":[]}');
    });
    await new Promise<void>((resolve) => foreign.listen(0, "localhost", resolve));
    try {
      const t = tenant({ deviceCompliancePolicy: 20 });
      const url = `http://localhost:${(foreign.address() as AddressInfo).port}/beta/deviceManagement/deviceCompliancePolicies?$skiptoken=steal`;
      sim.control.foreignNextLink(t, "deviceCompliancePolicy", url, { onPage: 2 });
      const { outcome } = await sync(t, "deviceCompliancePolicy");
      expect(outcome).toMatchObject({ status: "failed", errorCode: "GRAPH_UNSAFE_NEXT_LINK", pages: 2, itemsObserved: 14 });
      expect(seen).toEqual([]);
      expect(sim.log.entries({ tenantId: t }).every((e) => e.method === "GET")).toBe(true);
    } finally {
      foreign.close();
    }
  });

  it("leaves no trace of a JWT or client_secret from an error body in the outcome", async () => {
    const t = tenant({ deviceConfiguration: 3 });
    const jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ2aWN0aW0ifQ.ZmFrZS1zaWduYXR1cmUtdmFsdWU";
    sim.control.fault(t, "deviceConfiguration", {
      status: 401,
      body: { error: { code: "InvalidAuthenticationToken", message: `Bearer ${jwt} expired; client_secret=p4ssw0rd-VALUE&client_id=x` } },
    });
    const { outcome } = await sync(t, "deviceConfiguration");
    expect(outcome.errorCode).toBe("GRAPH_UNAUTHORIZED");
    const text = JSON.stringify(outcome);
    expect(text).not.toContain(jwt);
    expect(text).not.toContain("eyJ0eXAi");
    expect(text).not.toContain("p4ssw0rd-VALUE");
  });

  it("a failure on page 3 of 5 fails the type with pages 1–2 stored; the rerun stores everything once", async () => {
    const t = tenant({ deviceCompliancePolicy: 35 });
    sim.control.fault(t, "deviceCompliancePolicy", { status: 503, onPage: 3, times: 3 });
    const first = await sync(t, "deviceCompliancePolicy");
    expect(first.outcome).toMatchObject({ status: "failed", errorCode: "GRAPH_UNAVAILABLE", pages: 2, itemsObserved: 14, itemsUpserted: 14 });
    const afterFailure = await storedItems(t, "deviceCompliancePolicy");
    expect(afterFailure.map((i) => i.externalId).sort()).toEqual(idsOf(sim.control.objects(t, "deviceCompliancePolicy").slice(0, 14)));

    const rerun = await sync(t, "deviceCompliancePolicy");
    expect(rerun.outcome).toMatchObject({ status: "success", pages: 5, itemsObserved: 35 });
    const stored = await storedItems(t, "deviceCompliancePolicy");
    expect(stored).toHaveLength(35);
    expect(new Set(stored.map((i) => i.externalId)).size).toBe(35);
    expect(stored.every((i) => i.lastSeenRunId === rerun.runId)).toBe(true);
  });

  it("picks up renames and additions between runs; a removed object keeps its last observation", async () => {
    const t = tenant({ deviceConfiguration: 8 });
    const first = await sync(t, "deviceConfiguration");
    const [gone, renamed] = idsOf(sim.control.objects(t, "deviceConfiguration"));
    sim.control.mutate(t, "deviceConfiguration", { add: 2, remove: [gone!], rename: { [renamed!]: "Renamed between runs" } });
    const second = await sync(t, "deviceConfiguration");
    expect(second.outcome.itemsObserved).toBe(9);
    expect((await stores.items.get(t, itemDocumentId("deviceConfiguration", renamed!)))?.displayName).toBe("Renamed between runs");
    expect((await stores.items.get(t, itemDocumentId("deviceConfiguration", gone!)))?.lastSeenRunId).toBe(first.runId);
    expect(await storedItems(t, "deviceConfiguration")).toHaveLength(10);
  });
});

describe("assignments for each catalog type, against the simulator and the store", () => {
  const SIZE = 12;

  it("stores every type's assignments as Graph holds them: expanded with the listing, read per object, or not applicable", async () => {
    const t = tenant(Object.fromEntries(POLICY_TYPES.map((d) => [d.key, SIZE])));
    for (const def of POLICY_TYPES) {
      const { outcome, stats } = await syncWithClient(t, def.key);
      expect(outcome, def.key).toMatchObject({ status: "success", itemsObserved: SIZE });
      const seeded = new Map((sim.control.objects(t, def.key) as { id: string; assignments: unknown }[]).map((o) => [o.id, o.assignments]));
      for (const item of await storedItems(t, def.key)) {
        const expected = SIMULATED_ASSIGNMENTS[def.key] === "none" ? { status: "notApplicable", targets: [] } : normaliseAssignments(seeded.get(item.externalId));
        expect(item.assignments, `${def.key} ${item.externalId}`).toEqual(expected);
      }
      // The call budget: an expand costs nothing extra; a per-object type costs one call per object.
      const perObjectCalls = def.assignments === "perObject" ? SIZE : 0;
      expect(stats.requests, def.key).toBe(outcome.pages + perObjectCalls);
      expect(stats.assignmentRequests, def.key).toBe(perObjectCalls);
    }
  });

  it("a failed per-object read leaves that item unknown — never an empty list — and the type successful", async () => {
    const t = tenant({ androidManagedAppProtection: 5 });
    sim.control.fault(t, "androidManagedAppProtection", { status: 403, onPage: 0, times: 1 });
    const { outcome } = await sync(t, "androidManagedAppProtection");
    expect(outcome).toMatchObject({ status: "success", itemsObserved: 5, errorCode: null });
    const items = await storedItems(t, "androidManagedAppProtection");
    expect(items.filter((i) => i.assignments?.status === "unknown")).toHaveLength(1);
    expect(items.filter((i) => i.assignments?.status === "known")).toHaveLength(4);
  });
});
