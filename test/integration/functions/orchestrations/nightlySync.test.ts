import { afterEach, describe, expect, it } from "vitest";
import { POLICY_TYPE_KEYS, normaliseSelection, policyTypesInScope } from "../../../../shared/domain";
import type { PolicyTypeKey } from "../../../../shared/domain";
import { startEngineFixture } from "../../../support/engine";
import type { EngineFixture } from "../../../support/engine";

let fixture: EngineFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

const ONE_EACH = Object.fromEntries(POLICY_TYPE_KEYS.map((k) => [k, 1])) as Record<PolicyTypeKey, number>;

describe("nightly scheduler", () => {
  it("walks 50 tenants with a global limit of 5: none skipped, never more than 5 in flight, history kept small", async () => {
    fixture = await startEngineFixture({
      tenants: 50,
      sizes: ONE_EACH,
      simulator: { latencyMs: 40 }, // runs long enough against the lanes' per-run overhead that the window visibly fills under load
      settings: { SYNC_MAX_CONCURRENT_RUNS: "5", SYNC_MAX_CONCURRENT_RUNS_PER_TENANT: "2" },
      engine: { driver: { timeScale: 0.01 } },
    });
    const f = fixture;
    // One disabled tenant is not walked at all.
    const disabled = f.tenants[49]!;
    const now = new Date().toISOString();
    await f.stores.tenants.put({ tenantId: disabled, displayName: "Disabled", enabled: false, selections: [] }, now);
    // Tenant 0 keeps the default nightly selection (everything); the others sync their scripts.
    const scripts = normaliseSelection({ categories: ["scripts"] });
    for (const [i, tenantId] of f.tenants.slice(1, 49).entries()) {
      await f.stores.tenants.put({ tenantId, displayName: `Scripts ${i}`, enabled: true, selections: [scripts] }, now);
    }

    const startedAt = Date.now();
    const { instanceId, started } = await f.engine.startNightly(new Date("2026-11-24T02:00:00Z"));
    expect(started).toBe(true);
    // The timer firing twice does not start a second walk.
    expect((await f.engine.startNightly(new Date("2026-11-24T02:00:05Z"))).started).toBe(false);
    const status = await f.engine.client.waitForCompletion(instanceId, 120_000);
    const wallMs = Date.now() - startedAt;
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toEqual({ tenants: 49, started: 49, success: 49, partial: 0, failed: 0, skipped: 0 });
    expect(f.simulator.log.maxConcurrentTenants()).toBeLessThanOrEqual(5);
    expect(f.simulator.log.maxConcurrentTenants()).toBeGreaterThanOrEqual(3);
    for (const tenantId of f.tenants.slice(0, 49)) {
      const runs = await f.stores.runs.list(tenantId, { limit: 5 });
      expect(runs.items.map((r) => [r.status, r.trigger])).toEqual([["success", "timer"]]);
      // The default nightly selection covers every catalog type, foundations included.
      expect(runs.items[0]?.scope).toEqual(tenantId === f.tenants[0] ? POLICY_TYPE_KEYS : policyTypesInScope(scripts));
    }
    expect((await f.stores.runs.list(disabled, { limit: 5 })).items).toEqual([]);
    const stats = f.engine.driver.stats();
    expect(stats.continuedAsNew).toBeGreaterThanOrEqual(1);
    const nightlyHistory = Math.max(stats.maxHistoryLength.nightlySync ?? 0, stats.maxHistoryLength.nightlySyncLane ?? 0);
    const syncHistory = stats.maxHistoryLength.inventorySync ?? 0;
    // Reported in the closing note of the issue; bounded by the batch, not by the tenant count.
    console.log(`nightly 50 tenants: ${wallMs} ms, largest nightly history ${nightlyHistory} events, largest run history ${syncHistory} events`);
    expect(nightlyHistory).toBeLessThan(400);
    // The walk's own wait above is 120 s; the file's default timeout (60 s) would cut it short
    // on a loaded machine (measured: 19 s alone, > 60 s inside the full suite at load ~20 on 2 CPUs).
  }, 150_000);

  it("walks a nightly over 10 tenants: none skipped, each started once (twin of the real-engine scenario, for its wall time)", async () => {
    fixture = await startEngineFixture({
      tenants: 10,
      sizes: ONE_EACH,
      simulator: { latencyMs: 5 },
      settings: { SYNC_MAX_CONCURRENT_RUNS: "3", SYNC_MAX_CONCURRENT_RUNS_PER_TENANT: "2" },
    });
    const f = fixture;
    const scripts = normaliseSelection({ categories: ["scripts"] });
    const now = new Date().toISOString();
    for (const [i, tenantId] of f.tenants.entries()) {
      await f.stores.tenants.put({ tenantId, displayName: `Scripts ${i}`, enabled: true, selections: [scripts] }, now);
    }
    const startedAt = Date.now();
    const { instanceId } = await f.engine.startNightly(new Date("2026-11-24T02:00:00Z"));
    const status = await f.engine.client.waitForCompletion(instanceId, 120_000);
    const wallMs = Date.now() - startedAt;
    expect(status.output).toEqual({ tenants: 10, started: 10, success: 10, partial: 0, failed: 0, skipped: 0 });
    for (const tenantId of f.tenants) {
      expect((await f.stores.runs.list(tenantId, { limit: 5 })).items.map((r) => r.status)).toEqual(["success"]);
    }
    console.log(`offline driver: nightly over 10 tenants (global limit 3) took ${wallMs} ms`);
  });
});
