/**
 * The portfolio (docs/api.md "Portfolio") over real HTTP against the local stack: one row per
 * registered tenant, worst first, built from the per-tenant summary that finishing runs keep up
 * to date — item and missing counts from the runs' own figures, never from reading items.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordTenantChanges, recordTenantDrift } from "../../../../shared/sync/afterRun/tenantSummary";
import { followLocation, http, startE2eHost, syncUrl } from "../../../support/hostFixture";
import type { E2eHost } from "../../../support/hostFixture";

const T = {
  failed: "10000000-0000-4000-8000-000000000001",
  neverRun: "10000000-0000-4000-8000-000000000002",
  staleOk: "10000000-0000-4000-8000-000000000003",
  partial: "10000000-0000-4000-8000-000000000004",
  drifted: "10000000-0000-4000-8000-000000000005",
  healthy: "10000000-0000-4000-8000-000000000006",
  disabled: "10000000-0000-4000-8000-000000000007",
};
const NAMES: Record<string, string> = {
  [T.failed]: "Failed Ltd",
  [T.neverRun]: "Never Run Ltd",
  [T.staleOk]: "Stale Ltd",
  [T.partial]: "Partial Ltd",
  [T.drifted]: "Drifted Ltd",
  [T.healthy]: "Healthy Ltd",
  [T.disabled]: "Disabled Ltd",
};

let e2e: E2eHost;
const url = (path: string) => `${e2e.baseUrl}${path}`;

/**
 * Syncs and waits for the run's post-run steps: the run reads final a moment before finalizeRun
 * has folded it into the tenant's summary (the same activity, right after), so wait for that.
 */
async function sync(tenantId: string, policyTypes: string[]): Promise<{ status: string; id: string }> {
  const started = await http("POST", syncUrl(e2e.baseUrl, tenantId), { json: { policyTypes } });
  expect(started.status, started.text).toBe(202);
  const run = (await followLocation(started.headers.get("location")!)).final.body as { status: string; id: string };
  const deadline = Date.now() + 15_000;
  while (!(await e2e.host.stack.stores.summaries.get(tenantId))?.appliedRunIds.includes(run.id)) {
    if (Date.now() > deadline) throw new Error(`run ${run.id} never reached the tenant summary`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return run;
}

beforeAll(async () => {
  e2e = await startE2eHost({ demoTenants: [] });
  for (const [tenantId, displayName] of Object.entries(NAMES)) {
    const put = await http("PUT", url(`/tenants/${tenantId}`), { json: { displayName, enabled: tenantId !== T.disabled } });
    expect(put.status, put.text).toBe(201);
  }
});
afterAll(async () => {
  await e2e?.close();
});

describe("GET /api/portfolio", () => {
  it("lists every registered tenant worst first: failed, stale, partial, drift, healthy, disabled", async () => {
    const sim = e2e.host.stack.simulator!.control;
    sim.fault(T.failed, "deviceConfiguration", { status: 403 });
    expect((await sync(T.failed, ["deviceConfiguration"])).status).toBe("failed");
    // Partial after a success (without one it would be stale, which ranks higher).
    expect((await sync(T.partial, ["deviceConfiguration", "deviceShellScript"])).status).toBe("success");
    sim.fault(T.partial, "deviceShellScript", { status: 403 });
    expect((await sync(T.partial, ["deviceConfiguration", "deviceShellScript"])).status).toBe("partial");
    for (const t of [T.staleOk, T.drifted, T.healthy]) expect((await sync(t, ["deviceConfiguration"])).status).toBe("success");
    // A success 30 hours ago: the summary as that run would have left it.
    const stores = e2e.host.stack.stores;
    const longAgo = new Date(Date.now() - 30 * 3_600_000).toISOString();
    await stores.summaries.update(T.staleOk, (s) => s && { ...s, lastSuccessAt: longAgo, lastRun: s.lastRun && { ...s.lastRun, finishedAt: longAgo } });
    // The drift step's entry point (issue 16 fills it after each run).
    await recordTenantDrift({ stores, now: () => new Date() }, T.drifted, { baselineId: "baseline-a", missing: 1, extra: 0, changed: 2 });

    // The change-set step's entry point (issue 15's change sets fill it after each run).
    const healthyRun = (await stores.summaries.get(T.healthy))!.lastRun!;
    await recordTenantChanges({ stores, now: () => new Date() }, T.healthy, { runId: healthyRun.id, at: healthyRun.finishedAt!, total: 4 });

    const answer = await http("GET", url("/portfolio"));
    expect(answer.status, answer.text).toBe(200);
    const rows = answer.body.items as { tenantId: string; stale: boolean; lastRun: { status: string } | null; drift: unknown; changesLast24h: unknown }[];
    expect(rows.map((r) => NAMES[r.tenantId])).toEqual([
      "Failed Ltd",
      "Never Run Ltd", // stale, never succeeded: before one that succeeded 30 h ago
      "Stale Ltd",
      "Partial Ltd",
      "Drifted Ltd",
      "Healthy Ltd",
      "Disabled Ltd",
    ]);
    const byId = new Map(rows.map((r) => [r.tenantId, r]));
    expect(byId.get(T.failed)).toMatchObject({ stale: true, lastRun: { status: "failed", errorCodes: ["GRAPH_FORBIDDEN"] }, lastSuccessAt: null });
    expect(byId.get(T.neverRun)).toMatchObject({ stale: true, lastRun: null, itemCount: 0, missingCount: 0, changesLast24h: null, drift: null });
    expect(byId.get(T.staleOk)).toMatchObject({ stale: true, lastSuccessAt: longAgo, lastRun: { status: "success" } });
    expect(byId.get(T.partial)).toMatchObject({ stale: false, lastRun: { status: "partial", errorCodes: ["GRAPH_FORBIDDEN"] } });
    expect(byId.get(T.drifted)).toMatchObject({ stale: false, drift: { baselineId: "baseline-a", missing: 1, extra: 0, changed: 2 } });
    expect(byId.get(T.healthy)).toMatchObject({ stale: false, enabled: true, lastRun: { status: "success", errorCodes: [] }, changesLast24h: 4 });
    expect(byId.get(T.disabled)).toMatchObject({ enabled: false });
    expect(Date.parse(answer.body.generatedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("counts items and missing items from the finished runs' figures, across runs", async () => {
    const sim = e2e.host.stack.simulator!.control;
    const tenantId = T.healthy;
    const listed = sim.objects(tenantId, "deviceConfiguration") as { id: string }[];
    expect(listed.length).toBeGreaterThan(1);
    const row = async () =>
      ((await http("GET", url("/portfolio"))).body.items as { tenantId: string; itemCount: number; missingCount: number }[]).find(
        (r) => r.tenantId === tenantId,
      )!;
    expect(await row()).toMatchObject({ itemCount: listed.length, missingCount: 0 });

    sim.mutate(tenantId, "deviceConfiguration", { remove: [listed[0]!.id], add: 2 });
    expect((await sync(tenantId, ["deviceConfiguration"])).status).toBe("success");
    // Two created, one no longer in Graph: documents stay (an inventory keeps the last observed).
    expect(await row()).toMatchObject({ itemCount: listed.length + 2, missingCount: 1 });
    const missing = await http("GET", url(`/tenants/${tenantId}/inventory/missing?policyTypes=deviceConfiguration`));
    expect(missing.body.items).toHaveLength(1);

    // A second selection over a type never synced before: its documents join the count.
    expect((await sync(tenantId, ["deviceShellScript"])).status).toBe("success");
    const shellScripts = sim.objects(tenantId, "deviceShellScript").length;
    expect(await row()).toMatchObject({ itemCount: listed.length + 2 + shellScripts, missingCount: 0 });
  });

  it("seeds the summary from the stored documents once when a tenant has items but no summary yet", async () => {
    const tenantId = T.drifted;
    const stores = e2e.host.stack.stores;
    const before = (await stores.summaries.get(tenantId))!;
    // As after an upgrade: items exist, the summary does not (drift figures recorded since are kept).
    const container = (await stores.containers()).runs;
    await container.item("tenantSummary", tenantId).delete();
    await recordTenantDrift({ stores, now: () => new Date() }, tenantId, before.drift);
    expect((await sync(tenantId, ["deviceShellScript"])).status).toBe("success");
    const after = (await stores.summaries.get(tenantId))!;
    const expected = (await stores.items.coverage(tenantId)).reduce((n, r) => n + r.itemCount, 0);
    expect(after.itemCount).toBe(expected);
    expect(after.drift).toEqual(before.drift);
  });
});
