import { afterEach, describe, expect, it } from "vitest";
import { POLICY_TYPE_KEYS, POLICY_TYPES } from "../../../../shared/domain";
import type { PolicyTypeKey } from "../../../../shared/domain";
import type { HostScheduleEntry } from "../../../../local/durable";
import { startEngineFixture, startAcceptedRun } from "../../../support/engine";
import type { EngineFixture } from "../../../support/engine";

/*
 * What the Durable host would receive: the driver interprets every episode's action list as the
 * extension's out-of-process shim does (every leaf of every Task.any/Task.all, each taking the
 * next sequence number) and logs each leaf. On main before issue 10 a 26-type run handed the
 * host 180 syncPolicyType leaves for 26 types.
 */
let fixture: EngineFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

const ONE_EACH = Object.fromEntries(POLICY_TYPE_KEYS.map((k) => [k, 2])) as Record<PolicyTypeKey, number>;
const ACTIVITY = 1; // CallActivityWithRetry
const SUB_ORCHESTRATION = 2; // CallSubOrchestrator

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
const scheduled = (f: EngineFixture): readonly HostScheduleEntry[] => f.engine.driver.hostSchedule();

describe("what the Durable host is asked to schedule", () => {
  it("receives exactly one syncPolicyType schedule per policy type of a full-catalog run (all 46 types), and one start per lane", async () => {
    fixture = await startEngineFixture({ sizes: ONE_EACH, settings: { SYNC_MAX_PARALLEL_TYPES: "8" } });
    const f = fixture;
    const tenantId = f.tenants[0]!;
    const runId = await startAcceptedRun(f, tenantId, { includeFoundations: true }, "host-count");
    const run = await f.waitForRun(tenantId, runId);
    expect(run.status).toBe("success");
    await f.engine.driver.idle();

    const typeLeaves = scheduled(f).filter((e) => e.functionName === "syncPolicyType");
    expect(typeLeaves).toHaveLength(POLICY_TYPES.length);
    const perType = countBy(typeLeaves, (e) => (e.input as { policyType: string }).policyType);
    expect([...perType.keys()].sort()).toEqual([...POLICY_TYPE_KEYS].sort());
    expect([...perType.values()].every((n) => n === 1)).toBe(true);

    // Every activity and sub-orchestration the host receives is distinct work.
    const work = scheduled(f).filter((e) => e.actionType === ACTIVITY || e.actionType === SUB_ORCHESTRATION);
    const perWork = countBy(work, (e) => `${e.functionName}|${e.target ?? ""}|${JSON.stringify(e.input)}`);
    expect([...perWork.entries()].filter(([, n]) => n > 1)).toEqual([]);
    const lanes = work.filter((e) => e.functionName === "inventorySyncLane");
    expect(lanes).toHaveLength(8);
    expect(f.engine.driver.stats().hostProtocolFailures).toBe(0);
  });

  it("receives exactly one inventorySync start per tenant of a 10-tenant nightly", async () => {
    fixture = await startEngineFixture({
      tenants: 10,
      sizes: { deviceConfiguration: 1 },
      settings: { SYNC_MAX_CONCURRENT_RUNS: "3" },
      engine: { driver: { timeScale: 0.01 } },
    });
    const f = fixture;
    const { instanceId } = await f.engine.startNightly(new Date("2026-11-25T02:00:00Z"));
    const status = await f.engine.client.waitForCompletion(instanceId, 120_000);
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toMatchObject({ tenants: 10, started: 10, success: 10, skipped: 0 });
    await f.engine.driver.idle();

    const runs = scheduled(f).filter((e) => e.actionType === SUB_ORCHESTRATION && e.functionName === "inventorySync");
    expect(runs).toHaveLength(10);
    expect(new Set(runs.map((e) => e.target)).size).toBe(10);
    const tenantsStarted = runs.map((e) => (e.input as { tenantId: string }).tenantId).sort();
    expect(tenantsStarted).toEqual([...f.tenants].sort());
    const prepares = scheduled(f).filter((e) => e.functionName === "prepareNightlyRun");
    expect(prepares).toHaveLength(10);
    const work = scheduled(f).filter((e) => e.actionType === ACTIVITY || e.actionType === SUB_ORCHESTRATION);
    const perWork = countBy(work, (e) => `${e.functionName}|${e.target ?? ""}|${JSON.stringify(e.input)}`);
    expect([...perWork.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(f.engine.driver.stats().hostProtocolFailures).toBe(0);
  });
});
