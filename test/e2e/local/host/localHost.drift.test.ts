/**
 * Baselines and drift through the API, against the local host (embedded stores, simulated Graph
 * with fault injection): a baseline captured from a gold tenant, held against a customer whose
 * items were renamed, removed, added, changed and reordered — and, above all, no false alarm
 * when a type could not be read (403, 429 past the retries).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryLogSink, createStructuredLogger } from "../../../../shared/observability";
import { expectProblem, http, startE2eHost } from "../../../support/hostFixture";
import type { E2eHost } from "../../../support/hostFixture";
import { CUSTOMER, GOLD, GOLD_TENANTS, addObjects, deviceConfiguration, settingsCatalogPolicy, syncAndWait } from "../../../support/goldTenants";
import type { GraphObject } from "../../../../local/simulator";

const logs = createMemoryLogSink();
let e2e: E2eHost;
const url = (path: string) => `${e2e.baseUrl}${path}`;
const simulator = () => e2e.host.stack.simulator!;
const driftOf = (tenantId: string, baselineId: string) => http("GET", url(`/tenants/${tenantId}/drift?baselineId=${baselineId}`));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const rows = (body: any, status: string) =>
  body.items.filter((i: { status: string }) => i.status === status).map((i: { displayName: string }) => i.displayName).sort();
const driftEvents = () => logs.events("InventoryDriftEvaluated").map((r) => r.properties);
/**
 * The post-run step runs after the run is finished (a run answers 200 a moment before its drift
 * is recorded), so wait — bounded — for the events it writes.
 */
async function waitForDriftEvents(count: number): Promise<ReturnType<typeof driftEvents>> {
  const deadline = Date.now() + 15_000;
  while (driftEvents().length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return driftEvents();
}

function mobileApp(displayName: string, overrides: GraphObject = {}): GraphObject {
  return {
    "@odata.type": "#microsoft.graph.win32LobApp",
    id: `20000000-0000-4000-8000-${displayName.length.toString().padStart(4, "0")}${Math.random().toString(16).slice(2, 10)}`,
    displayName,
    description: "",
    publisher: "Microsoft",
    publishingState: "published",
    isAssigned: true,
    createdDateTime: "2024-01-01T00:00:00Z",
    lastModifiedDateTime: "2024-01-01T00:00:00Z",
    roleScopeTagIds: ["0"],
    ...overrides,
  };
}

let customerFirewallId = "";
let customerPortalId = "";

beforeAll(async () => {
  // Two attempts per Graph request: a 429 that keeps coming exhausts the retries quickly.
  e2e = await startE2eHost({ demoTenants: GOLD_TENANTS, env: { GRAPH_MAX_ATTEMPTS: "2" }, logger: createStructuredLogger(logs.sink, { strict: true }) });
  addObjects(e2e, GOLD, "deviceConfiguration", [
    deviceConfiguration("Firewall Baseline", { roleScopeTagIds: ["0", "12"] }),
    deviceConfiguration("BitLocker"),
    deviceConfiguration("Edge Settings"),
    deviceConfiguration("Defender AV"),
    deviceConfiguration("Wi-Fi Corp"),
  ]);
  addObjects(e2e, GOLD, "settingsCatalogPolicy", [settingsCatalogPolicy("Office Updates")]);
  addObjects(e2e, GOLD, "mobileApp", [mobileApp("Company Portal")]);
  const firewall = deviceConfiguration("Firewall Baseline", { roleScopeTagIds: ["31", "0"], version: 7, lastModifiedDateTime: "2025-09-09T00:00:00Z" });
  const portal = mobileApp("Company Portal", { lastModifiedDateTime: "2025-01-01T00:00:00Z" });
  customerFirewallId = String(firewall.id);
  customerPortalId = String(portal.id);
  // Listed in another order than the gold tenant's, with the volatile fields moved on.
  addObjects(e2e, CUSTOMER, "deviceConfiguration", [
    deviceConfiguration("wi-fi corp", { description: "Wi-Fi Corp (standard)" }),
    deviceConfiguration("Customer Local"),
    deviceConfiguration("BitLocker", { description: "BitLocker (relaxed for kiosks)" }),
    deviceConfiguration("Defender AV v2"),
    firewall,
    deviceConfiguration("WI-FI CORP", { description: "a second policy with the same name" }),
  ]);
  addObjects(e2e, CUSTOMER, "settingsCatalogPolicy", [settingsCatalogPolicy("Office Updates")]);
  addObjects(e2e, CUSTOMER, "mobileApp", [portal]);
  await syncAndWait(e2e, GOLD);
  await syncAndWait(e2e, CUSTOMER);
}, 180_000);
afterAll(async () => {
  await e2e?.close();
});

describe("baselines and drift", () => {
  it("captures a baseline from the gold tenant's inventory (a subset of categories), versioned, listed and readable", async () => {
    const put = await http("PUT", url("/baselines/gold-std"), {
      json: { displayName: "Gold standard", source: { tenantId: GOLD, categories: ["configuration", "apps"] } },
    });
    expect(put.status, put.text).toBe(201);
    expect(put.headers.get("location")).toMatch(/\/api\/baselines\/gold-std$/);
    expect(put.body).toMatchObject({ baselineId: "gold-std", version: 1, itemCount: 7, source: { tenantId: GOLD, categories: ["apps", "configuration"] } });
    expect(put.body.coveredTypes).toEqual(expect.arrayContaining(["deviceConfiguration", "settingsCatalogPolicy", "mobileApp"]));
    const again = await http("PUT", url("/baselines/gold-std"), {
      json: { displayName: "Gold standard", source: { tenantId: GOLD, categories: ["configuration", "apps"] } },
    });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(2);
    const list = await http("GET", url("/baselines"));
    expect(list.body.items.map((b: { baselineId: string }) => b.baselineId)).toEqual(["gold-std"]);
    const one = await http("GET", url("/baselines/gold-std"));
    expect(one.body.items.map((i: { displayName: string }) => i.displayName).sort()).toEqual(
      ["BitLocker", "Company Portal", "Defender AV", "Edge Settings", "Firewall Baseline", "Office Updates", "Wi-Fi Corp"],
    );
  });

  it("assigns baselines through the registry and refuses one that does not exist", async () => {
    expectProblem(await http("PUT", url(`/tenants/${CUSTOMER}`), { json: { displayName: "Customer Tenant", baselines: ["nope"] } }), 400, "VALIDATION_FAILED", "body.baselines.0");
    expectProblem(await http("PUT", url(`/tenants/${CUSTOMER}`), { json: { displayName: "Customer Tenant", baselines: ["Not Valid"] } }), 400, "VALIDATION_FAILED");
    const put = await http("PUT", url(`/tenants/${CUSTOMER}`), { json: { displayName: "Customer Tenant", baselines: ["gold-std"] } });
    expect(put.status, put.text).toBe(200);
    expect(put.body.baselines).toEqual(["gold-std"]);
  });

  it("reports missing, extra (a rename, a local policy, a second policy of the name) and changed; a reordering or a volatile bump never differs", async () => {
    const answer = await driftOf(CUSTOMER, "gold-std");
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toMatchObject({ baselineId: "gold-std", baselineVersion: 2, confidence: "high", incompleteTypes: [] });
    expect(answer.body.counts).toEqual({ missing: 2, extra: 3, changed: 1, matching: 4 });
    expect(rows(answer.body, "missing")).toEqual(["Defender AV", "Edge Settings"]);
    expect(rows(answer.body, "extra")).toEqual(["Customer Local", "Defender AV v2", "WI-FI CORP"]);
    expect(answer.body.items.find((i: { status: string }) => i.status === "changed")).toMatchObject({ displayName: "BitLocker", differences: ["meta.description"] });
    expect(rows(answer.body, "matching")).toEqual(["Company Portal", "Firewall Baseline", "Office Updates", "wi-fi corp"]);
    // The one assigned baseline is the default.
    expect((await http("GET", url(`/tenants/${CUSTOMER}/drift`))).body.counts).toEqual(answer.body.counts);
  });

  it("is evaluated after every finished run and recorded with InventoryDriftEvaluated; the same drift is new only once", async () => {
    await waitForDriftEvents(0);
    logs.clear();
    const first = await syncAndWait(e2e, CUSTOMER);
    await waitForDriftEvents(1);
    const second = await syncAndWait(e2e, CUSTOMER);
    const events = await waitForDriftEvents(2);
    expect(events.map((e) => [e.runId, e.confidence, e.missing, e.extra, e.changed, e.matching, e.drifted, e.newDrift])).toEqual([
      [first.id, "high", 2, 3, 1, 4, 6, true],
      [second.id, "high", 2, 3, 1, 4, 6, false],
    ]);
    expect(events[0]).toMatchObject({ tenantId: CUSTOMER, baselineId: "gold-std", baselineVersion: 2, basedOnRunId: first.id });
    // The portfolio shows the drift of the tenant's (first) baseline.
    const portfolio = await http("GET", url("/portfolio"));
    expect(portfolio.body.items.find((t: { tenantId: string }) => t.tenantId === CUSTOMER).drift).toEqual({ baselineId: "gold-std", missing: 2, extra: 3, changed: 1 });
    // The gold tenant has no baseline assigned: nothing is evaluated for it.
    await syncAndWait(e2e, GOLD);
    expect(driftEvents().filter((e) => e.tenantId === GOLD)).toEqual([]);
  });

  it("never calls an item of a type that answered 403 missing: the confidence is low and the type is named", async () => {
    simulator().control.mutate(CUSTOMER, "mobileApp", { remove: [customerPortalId] });
    simulator().control.fault(CUSTOMER, "mobileApp", { status: 403 });
    await waitForDriftEvents(2);
    logs.clear();
    const run = await syncAndWait(e2e, CUSTOMER);
    expect(run).toMatchObject({ status: "partial", errorCodes: ["GRAPH_FORBIDDEN"] });
    const answer = await driftOf(CUSTOMER, "gold-std");
    expect(answer.body).toMatchObject({ confidence: "low", incompleteTypes: ["mobileApp"], basedOnRunId: run.id });
    expect(rows(answer.body, "missing")).toEqual(["Defender AV", "Edge Settings"]);
    expect(answer.body.items.some((i: { displayName: string; status: string }) => i.displayName === "Company Portal" && i.status === "missing")).toBe(false);
    expect(await waitForDriftEvents(1)).toMatchObject([{ runId: run.id, confidence: "low", missing: 2, newDrift: false }]);
  });

  it("never calls an item of a type throttled past its retries (429) missing", async () => {
    simulator().control.reset(CUSTOMER);
    simulator().control.fault(CUSTOMER, "mobileApp", { status: 403 });
    simulator().control.mutate(CUSTOMER, "deviceConfiguration", { remove: [customerFirewallId] });
    simulator().control.fault(CUSTOMER, "deviceConfiguration", { status: 429, retryAfter: 0 });
    const run = await syncAndWait(e2e, CUSTOMER);
    expect(run.status).toBe("partial");
    expect(run.errorCodes).toContain("GRAPH_THROTTLED");
    const answer = await driftOf(CUSTOMER, "gold-std");
    expect(answer.body.confidence).toBe("low");
    expect(answer.body.incompleteTypes).toEqual(["deviceConfiguration", "mobileApp"]);
    // Neither the deleted firewall policy nor anything else of the unread types is called missing or extra.
    expect(rows(answer.body, "missing")).toEqual([]);
    expect(rows(answer.body, "extra")).toEqual([]);
  });

  it("once the types are read completely again, what was really deleted is missing, with high confidence", async () => {
    simulator().control.reset(CUSTOMER);
    await waitForDriftEvents(2);
    logs.clear();
    const run = await syncAndWait(e2e, CUSTOMER);
    expect(run.status).toBe("success");
    const answer = await driftOf(CUSTOMER, "gold-std");
    expect(answer.body.confidence).toBe("high");
    expect(rows(answer.body, "missing")).toEqual(["Company Portal", "Defender AV", "Edge Settings", "Firewall Baseline"]);
    expect(await waitForDriftEvents(1)).toMatchObject([{ runId: run.id, confidence: "high", missing: 4, newDrift: true }]);
  });

  it("a listed baseline expects only the meta it names", async () => {
    const put = await http("PUT", url("/baselines/listed"), {
      json: {
        displayName: "Listed",
        items: [
          { policyType: "deviceConfiguration", displayName: "bitlocker", meta: { description: "BitLocker (standard)" } },
          { policyType: "deviceConfiguration", displayName: "Customer Local" },
        ],
      },
    });
    expect(put.status, put.text).toBe(201);
    const answer = await driftOf(CUSTOMER, "listed");
    expect(answer.body.items.find((i: { displayName: string }) => i.displayName === "BitLocker")).toMatchObject({ status: "changed", differences: ["meta.description"] });
    expect(rows(answer.body, "matching")).toEqual(["Customer Local"]);
    expectProblem(
      await http("PUT", url("/baselines/listed"), { json: { displayName: "Twice", items: [{ policyType: "deviceConfiguration", displayName: "A" }, { policyType: "deviceConfiguration", displayName: " a " }] } }),
      400,
      "VALIDATION_FAILED",
      "body.items.1.displayName",
    );
    expectProblem(await http("PUT", url("/baselines/listed"), { json: { displayName: "Neither" } }), 400, "VALIDATION_FAILED");
  });

  it("a drift read while the baseline is being updated always uses one whole version, and names it", async () => {
    // Odd versions expect one item the customer has; even versions also one it does not.
    const body = (version: number) => ({
      displayName: "Flip",
      items: [
        { policyType: "deviceConfiguration", displayName: "Customer Local" },
        ...(version % 2 === 0 ? [{ policyType: "deviceConfiguration", displayName: `Absent ${version}` }] : []),
      ],
    });
    expect((await http("PUT", url("/baselines/flip"), { json: body(1) })).status).toBe(201);
    let writing = true;
    const writer = (async () => {
      for (let version = 2; version <= 12; version++) {
        const put = await http("PUT", url("/baselines/flip"), { json: body(version) });
        expect(put.body.version).toBe(version);
      }
      writing = false;
    })();
    const seen = new Set<number>();
    const extras = new Set<number>();
    try {
      while (writing || seen.size === 0) {
        const answer = await driftOf(CUSTOMER, "flip");
        expect(answer.status, answer.text).toBe(200);
        const v = answer.body.baselineVersion as number;
        seen.add(v);
        // The customer's other device configurations are extra whatever the version.
        extras.add(answer.body.counts.extra);
        expect({ missing: answer.body.counts.missing, matching: answer.body.counts.matching }, `version ${v}`).toEqual({ missing: v % 2 === 0 ? 1 : 0, matching: 1 });
      }
    } finally {
      await writer;
    }
    expect(extras.size).toBe(1);
    expect(seen.size).toBeGreaterThan(1);
  });

  it("deleting a baseline: 204, then 404 BASELINE_NOT_FOUND for it and for drift against it", async () => {
    expect((await http("DELETE", url("/baselines/listed"))).status).toBe(204);
    expectProblem(await http("GET", url("/baselines/listed")), 404, "BASELINE_NOT_FOUND");
    expectProblem(await http("DELETE", url("/baselines/listed")), 404, "BASELINE_NOT_FOUND");
    expectProblem(await driftOf(CUSTOMER, "listed"), 404, "BASELINE_NOT_FOUND");
    expectProblem(await http("PUT", url("/baselines/gold-x"), { json: { displayName: "X", source: { tenantId: "33333333-cccc-4ccc-8ccc-333333333333" } } }), 404, "TENANT_NOT_FOUND");
  });
});

describe("a baseline is never captured from a read that was not complete", () => {
  const NEVER_SYNCED = "44444444-dddd-4ddd-8ddd-444444444444";

  it("refuses a capture from a tenant never synced: 409 BASELINE_SOURCE_INCOMPLETE naming every type, nothing stored", async () => {
    expect((await http("PUT", url(`/tenants/${NEVER_SYNCED}`), { json: { displayName: "Never synced" } })).status).toBeLessThan(300);
    const put = await http("PUT", url("/baselines/from-nothing"), { json: { displayName: "Empty", source: { tenantId: NEVER_SYNCED, categories: ["configuration"] } } });
    expectProblem(put, 409, "BASELINE_SOURCE_INCOMPLETE", "body.source");
    expect(put.body.incompleteTypes).toEqual(expect.arrayContaining(["deviceConfiguration", "settingsCatalogPolicy"]));
    expect(put.body.runId).toBeUndefined();
    expect(put.body.detail).toMatch(/Sync the source again, or capture with policyTypes \/ categories that leave those types out/);
    expectProblem(await http("GET", url("/baselines/from-nothing")), 404, "BASELINE_NOT_FOUND");
  });

  it("refuses a capture whose scope holds a type the source's latest run could not read (403), names the run, and captures once it is left out", async () => {
    simulator().control.fault(GOLD, "mobileApp", { status: 403 });
    let run;
    try {
      run = await syncAndWait(e2e, GOLD);
      expect(run).toMatchObject({ status: "partial", errorCodes: ["GRAPH_FORBIDDEN"] });
    } finally {
      simulator().control.reset(GOLD);
    }
    const refused = await http("PUT", url("/baselines/gold-partial"), { json: { displayName: "Partial", source: { tenantId: GOLD, categories: ["configuration", "apps"] } } });
    expectProblem(refused, 409, "BASELINE_SOURCE_INCOMPLETE", "body.source");
    expect(refused.body).toMatchObject({ runId: run.id, incompleteTypes: ["mobileApp"] });
    expect(refused.body.errors).toEqual([{ path: "body.source", message: `mobileApp: run ${run.id} did not enumerate it completely` }]);
    // Without the unread type the capture is sound.
    const put = await http("PUT", url("/baselines/gold-partial"), { json: { displayName: "Partial", source: { tenantId: GOLD, categories: ["configuration"] } } });
    expect(put.status, put.text).toBe(201);
    expect(put.body.coveredTypes).not.toContain("mobileApp");
    // And once the source is read completely again, the whole scope can be captured.
    await syncAndWait(e2e, GOLD);
    const whole = await http("PUT", url("/baselines/gold-partial"), { json: { displayName: "Whole", source: { tenantId: GOLD, categories: ["configuration", "apps"] } } });
    expect(whole.status, whole.text).toBe(200);
    expect(whole.body.coveredTypes).toContain("mobileApp");
  });
});
