import { randomUUID } from "node:crypto";
import { defaultNightlySelection } from "../shared/sync/activities";
import { captureBaselineItems, itemDocumentId, normaliseGraphObject, policyTypesInScope } from "../shared/domain";
import type { ComparedItem, PolicyTypeKey } from "../shared/domain";
import type { Stores } from "../shared/store/ports";
import { seedObjects } from "../local/simulator/seedData";
import type { Scenario } from "./scenarios";
import { runStatuses, startScenarioStack, storedItemCounts } from "./stack";
import { selfTimeByComponent, startCpuProfile, topSelfTime } from "./cpuProfile";
import type { ComponentShare, SelfTimeEntry } from "./cpuProfile";
import { cpuWindow } from "./cpuUsage";
import type { CpuSplit } from "./cpuUsage";
import type { LocalEngine } from "../local/runtime/localEngine";

/** What one engine run of a scenario measured (in its own process and stack). */
export interface EngineMeasurement {
  wallMs: number;
  graphCalls: number;
  graph429s: number;
  /** The simulator's answers by status, requests it was asked twice, its slowest answer. */
  graphLog: { statuses: Record<string, number>; repeats: number; maxDurationMs: number; retriesByStatus: Record<string, number> };
  /** Counted in the store (single tenant) or summed from the run documents (nightly; see stack.ts). */
  itemsStored: number;
  runs: { success: number; partial: number; failed: number; skipped: number };
  /** Error codes of runs that were not a clean success, with how often each occurred. */
  errorCodes: Record<string, number>;
  tenantsSkipped: number;
  maxConcurrentTenants: number;
  maxActivitiesInFlight: number;
  /** CPU used during the measured window: the sync process, and each stand-in process. */
  cpu: CpuSplit;
  /** Requests the Cosmos stand-in served during the measured window, by kind. */
  cosmosRequests: Record<string, number>;
  /** Peak RSS of each stand-in process (its own report), MiB. */
  standInPeakRssMiB: Record<string, number>;
  /** Present when the run was profiled: where the profile is, and its top self-time functions. */
  profile: { file: string; topSelf: SelfTimeEntry[]; byComponent: ComponentShare[] } | null;
}

function requestsSince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, n]) => [k, n - (before[k] ?? 0)] as const).filter(([, n]) => n > 0));
}

export interface EngineRunOptions {
  /** Write a CPU profile of the measured window (the sync process only) to this file. */
  profileFile?: string;
}

const FULL_CATALOG = defaultNightlySelection;

/**
 * One baseline for every tenant: the first tenant's objects as the simulator seeds them (the
 * same seed as bench/stack.ts), captured the way PUT /api/baselines captures a gold tenant. The
 * other tenants' seeded names differ, so their drift is real work: every expected item missing,
 * every item of theirs extra.
 */
async function putBenchBaseline(stores: Stores, scenario: Scenario, goldTenantId: string, now: string): Promise<string> {
  const items: ComparedItem[] = [];
  for (const [type, count] of Object.entries(scenario.sizes) as [PolicyTypeKey, number][]) {
    for (const raw of seedObjects(goldTenantId, type, count, { seed: 1_000 })) {
      const parsed = normaliseGraphObject(type, raw);
      if (parsed.ok) items.push({ ...parsed.item, id: itemDocumentId(type, parsed.item.externalId) });
    }
  }
  const captured = captureBaselineItems(items);
  const coveredTypes = policyTypesInScope(FULL_CATALOG);
  await stores.baselines.put({ baselineId: "bench-gold", displayName: "Bench gold", coveredTypes, source: null, items: captured.items }, now);
  return "bench-gold";
}

/**
 * Runs the scenario through the real engine on the local driver: one API-triggered sync of the
 * full catalog for a single tenant, or the nightly walk over every registered tenant. The
 * clock starts when the sync is requested and stops when its orchestration completes; stack
 * start-up and tenant registration are outside it, result checks after it.
 */
export async function measureEngine(scenario: Scenario, options: EngineRunOptions = {}): Promise<EngineMeasurement> {
  const scenarioStack = await startScenarioStack(scenario);
  const { stack, standIns, tenantIds } = scenarioStack;
  try {
    const now = new Date().toISOString();
    const baselines = scenario.driftBaseline ? [await putBenchBaseline(stack.stores, scenario, tenantIds[0] as string, now)] : undefined;
    for (const [i, tenantId] of tenantIds.entries()) {
      await stack.stores.tenants.put({ tenantId, displayName: `Bench tenant ${i + 1}`, enabled: true, selections: [], ...(baselines && { baselines }) }, now);
    }
    const { engine } = stack;
    let wallMs: number;
    const profiler = options.profileFile ? await startCpuProfile() : null;
    const cosmosRequestsBefore = await standIns.cosmosRequests();
    const cpu = await cpuWindow(standIns);
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
    const cpuSplit = await cpu.stop();
    const cosmosRequestsInWindow = requestsSince(cosmosRequestsBefore, await standIns.cosmosRequests());
    let profile: EngineMeasurement["profile"] = null;
    if (profiler && options.profileFile) {
      const written = await profiler.stop(options.profileFile);
      profile = { file: options.profileFile, topSelf: topSelfTime(written, 5), byComponent: selfTimeByComponent(written) };
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
    const graphLog = await standIns.simulator.logSummary();
    const standInUsage = await standIns.usage();
    return {
      wallMs: Math.round(wallMs),
      graphCalls: graphLog.requests,
      graph429s: graphLog.status429,
      graphLog: { statuses: graphLog.statuses, repeats: graphLog.repeats, maxDurationMs: graphLog.maxDurationMs, retriesByStatus: { ...scenarioStack.graphRetries } },
      itemsStored,
      runs,
      errorCodes,
      tenantsSkipped,
      maxConcurrentTenants: graphLog.maxConcurrentTenants,
      // The bench runs on the offline driver (its env sets no DURABLE_ENGINE).
      maxActivitiesInFlight: (engine as LocalEngine).driver.stats().maxConcurrentActivities,
      cpu: cpuSplit,
      cosmosRequests: cosmosRequestsInWindow,
      standInPeakRssMiB: Object.fromEntries(Object.entries(standInUsage).map(([k, u]) => [k, Math.round((u.maxRssKiB / 1024) * 10) / 10])),
      profile,
    };
  } finally {
    await scenarioStack.close();
  }
}
