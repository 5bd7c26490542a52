import { randomUUID } from "node:crypto";
import { defaultNightlySelection } from "../shared/sync/activities";
import type { Scenario } from "./scenarios";
import { runStatuses, startScenarioStack, storedItemCounts } from "./stack";
import type { LocalEngine } from "../local/runtime/localEngine";

/** What one engine run of a scenario measured (in its own process and stack). */
export interface EngineMeasurement {
  wallMs: number;
  graphCalls: number;
  graph429s: number;
  /** Counted in the store (single tenant) or summed from the run documents (nightly; see stack.ts). */
  itemsStored: number;
  runs: { success: number; partial: number; failed: number; skipped: number };
  /** Error codes of runs that were not a clean success, with how often each occurred. */
  errorCodes: Record<string, number>;
  tenantsSkipped: number;
  maxConcurrentTenants: number;
  maxActivitiesInFlight: number;
}

const FULL_CATALOG = defaultNightlySelection;

/**
 * Runs the scenario through the real engine on the local driver: one API-triggered sync of the
 * full catalog for a single tenant, or the nightly walk over every registered tenant. The
 * clock starts when the sync is requested and stops when its orchestration completes; stack
 * start-up and tenant registration are outside it, result checks after it.
 */
export async function measureEngine(scenario: Scenario): Promise<EngineMeasurement> {
  const { stack, tenantIds } = await startScenarioStack(scenario);
  try {
    const now = new Date().toISOString();
    for (const [i, tenantId] of tenantIds.entries()) {
      await stack.stores.tenants.put({ tenantId, displayName: `Bench tenant ${i + 1}`, enabled: true, selections: [] }, now);
    }
    const simulator = stack.simulator!;
    const { engine } = stack;
    let wallMs: number;
    if (scenario.kind === "single") {
      const started = performance.now();
      const answer = await engine.startSync({
        tenantId: tenantIds[0] as string,
        selection: FULL_CATALOG,
        waitForSlotSeconds: 0,
        trigger: "api",
        correlationId: randomUUID(),
      });
      if (answer.kind !== "accepted") throw new Error(`the bench sync was not accepted: ${answer.kind}`);
      const status = await engine.client.waitForCompletion(answer.run.id, 30 * 60_000);
      wallMs = performance.now() - started;
      if (status.runtimeStatus !== "Completed") throw new Error(`the sync orchestration ended ${status.runtimeStatus}`);
    } else {
      const started = performance.now();
      const { instanceId, started: begun } = await engine.startNightly(new Date());
      if (!begun) throw new Error("the nightly walk did not start");
      const status = await engine.client.waitForCompletion(instanceId, 60 * 60_000);
      wallMs = performance.now() - started;
      if (status.runtimeStatus !== "Completed") throw new Error(`the nightly orchestration ended ${status.runtimeStatus}`);
    }

    const runs = { success: 0, partial: 0, failed: 0, skipped: 0 };
    const completedTenants = new Set<string>();
    let itemsUpserted = 0;
    const errorCodes: Record<string, number> = {};
    for (const { tenantId, status, itemsUpserted: upserted, errorCodes: codes } of await runStatuses(stack)) {
      for (const code of codes ?? []) errorCodes[code] = (errorCodes[code] ?? 0) + 1;
      if (status in runs) runs[status as keyof typeof runs] += 1;
      itemsUpserted += upserted ?? 0;
      if (status === "success" || status === "partial" || status === "failed") completedTenants.add(tenantId);
    }
    const tenantsSkipped = tenantIds.filter((t) => !completedTenants.has(t)).length;
    let itemsStored = itemsUpserted;
    if (scenario.kind === "single") {
      const counts = await storedItemCounts(stack);
      itemsStored = tenantIds.reduce((n, t) => n + (counts.get(t) ?? 0), 0);
    }
    return {
      wallMs: Math.round(wallMs),
      graphCalls: simulator.log.count(),
      graph429s: simulator.log.count({ status: 429 }),
      itemsStored,
      runs,
      errorCodes,
      tenantsSkipped,
      maxConcurrentTenants: simulator.log.maxConcurrentTenants(),
      // The bench runs on the offline driver (its env sets no DURABLE_ENGINE).
      maxActivitiesInFlight: (engine as LocalEngine).driver.stats().maxConcurrentActivities,
    };
  } finally {
    await stack.close();
  }
}
