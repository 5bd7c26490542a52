import { currentItems, evaluateDrift, recordOfDrift } from "../../domain/baseline";
import type { BaselineWithItems, DriftCandidate, DriftReport, DriftRecord, TypeRead } from "../../domain/baseline";
import type { PolicyTypeKey } from "../../domain/policyTypes";
import type { RunDocument } from "../../domain/run";
import type { StructuredLogger } from "../../observability";
import type { RunLogger } from "../runEvents";
import { recordTenantDrift } from "./tenantSummary";
import type { Stores } from "../../store/ports";

/**
 * Drift of a tenant against its baselines: evaluated on demand (GET …/drift) and after every
 * finished run of the tenant (the last post-run step, after the change set and the tenant
 * summary; see activities.ts finalizeRun). A failing evaluation never fails or un-finishes the
 * run: it is logged, and the next run evaluates again.
 */

/** Completed runs read to find, per covered type, the latest run that covered it. */
const TYPE_READ_LOOKBACK = 50;

/** Per type: how the newest completed run whose scope included it ended for it (null: never read). */
export function typeReadsOf(runsNewestFirst: readonly RunDocument[], types: readonly PolicyTypeKey[]): Map<PolicyTypeKey, TypeRead | null> {
  const reads = new Map<PolicyTypeKey, TypeRead | null>();
  for (const type of types) {
    const run = runsNewestFirst.find((r) => r.scope.includes(type));
    reads.set(
      type,
      run
        ? {
            runId: run.id,
            selectionHash: run.selectionHash,
            finishedAt: run.finishedAt,
            // No outcome for a type in scope: a run-level failure before it was read.
            complete: run.policyTypes.some((p) => p.policyType === type && p.status === "success"),
          }
        : null,
    );
  }
  return reads;
}

/**
 * What a tenant has now of these types (see the domain's currentItems): one single-partition
 * query of the types' items (their compared fields and `seenBy`), filtered by the runs that
 * read each type. On Cosmos DB that query costs about what the items it returns weigh; on the
 * Cosmos-compatible server it reads the container once (linear, patches/; docs/performance.md).
 * An earlier version read per-type snapshots that every run of a tenant with baselines wrote
 * beside its items, to avoid the unpatched server's quadratic scan: 46 writes and 46 reads per
 * run, which were most of drift's cost in the nightly.
 * Also returns how the latest covering run read each type: compare and capture judge from it.
 */
export async function currentInventoryAndReads(
  stores: Pick<Stores, "items" | "runs">,
  tenantId: string,
  types: readonly PolicyTypeKey[],
): Promise<{ items: DriftCandidate[]; reads: Map<PolicyTypeKey, TypeRead | null> }> {
  if (types.length === 0) return { items: [], reads: new Map() };
  const reads = typeReadsOf(await stores.runs.completedRunsNewestFirst(tenantId, TYPE_READ_LOOKBACK), types);
  return { items: currentItems(await stores.items.compared(tenantId, types), reads), reads };
}

/** The drift report of a tenant against a baseline, from the tenant's partition and the baseline's. */
export async function evaluateTenantDrift(
  stores: Pick<Stores, "items" | "runs">,
  tenantId: string,
  baseline: BaselineWithItems,
  now: Date,
): Promise<DriftReport> {
  const { items, reads } = await currentInventoryAndReads(stores, tenantId, baseline.coveredTypes);
  return evaluateDrift({ baseline, candidates: items, typeReads: reads, evaluatedAt: now.toISOString() });
}

export interface DriftStepServices {
  stores: Stores;
  /** Where `InventoryDriftEvaluated` is written. */
  logger: StructuredLogger;
  /** A failed evaluation is reported as `InventoryAfterRunStepFailed` (step "drift"). */
  log: Pick<RunLogger, "afterRunStepFailed">;
  now(): Date;
}

/**
 * The post-run step: evaluates every baseline assigned to the run's tenant, records the compact
 * record per baseline, emits `InventoryDriftEvaluated`, and gives the portfolio's tenant summary
 * the figures of the tenant's first (primary) baseline. Never throws: a failure is reported and
 * the next finished run evaluates again. Returns the records written.
 */
export async function evaluateDriftAfterRun(services: DriftStepServices, run: RunDocument): Promise<DriftRecord[]> {
  if (run.status !== "success" && run.status !== "partial" && run.status !== "failed") return [];
  const { stores } = services;
  const recorded: DriftRecord[] = [];
  let baselineIds: readonly string[];
  try {
    baselineIds = (await stores.tenants.get(run.tenantId))?.baselines ?? [];
  } catch (error) {
    services.log.afterRunStepFailed(run, "drift", error);
    return recorded;
  }
  if (baselineIds.length === 0) return recorded;
  try {
    // The step runs inside the run's finalisation, which holds the run's concurrency slot: the
    // reads that do not depend on each other go out together, and the tenant's items are read
    // once for all its baselines (measured: one read after the other, the nightly with drift
    // took 28–37 % longer than without, at load 10 on 2 cores — the slots waited on round trips).
    // Each baseline's own reads settle on their own: one that cannot be read or evaluated must
    // not keep the tenant's other baselines from being evaluated (it is reported, retried next run).
    const [baselines, runs, previousRecords] = await Promise.all([
      Promise.allSettled(baselineIds.map(async (id) => stores.baselines.getWithItems(id))),
      stores.runs.completedRunsNewestFirst(run.tenantId, TYPE_READ_LOOKBACK),
      Promise.allSettled(baselineIds.map(async (id) => stores.driftRecords.get(run.tenantId, id))),
    ]);
    const covered = [...new Set(baselines.flatMap((b) => (b.status === "fulfilled" ? (b.value?.coveredTypes ?? []) : [])))];
    const stored = covered.length > 0 ? await stores.items.compared(run.tenantId, covered) : [];
    const evaluatedAt = services.now().toISOString();
    const records = await Promise.all(
      baselines.map(async (read, i): Promise<DriftRecord | null> => {
        try {
          const baseline = settledValue(read);
          // A deleted baseline is still named by the registration until it is edited: skip it.
          if (!baseline) return null;
          const typeReads = typeReadsOf(runs, baseline.coveredTypes);
          const report = evaluateDrift({ baseline, candidates: currentItems(stored, typeReads), typeReads, evaluatedAt });
          const record = recordOfDrift(run.tenantId, report, settledValue(previousRecords[i]!) ?? null);
          await stores.driftRecords.put(record);
          return record;
        } catch (error) {
          services.log.afterRunStepFailed(run, "drift", error);
          return null;
        }
      }),
    );
    for (const record of records) {
      if (!record) continue;
      recorded.push(record);
      services.logger.event("InventoryDriftEvaluated", {
        tenantId: run.tenantId,
        runId: run.id,
        correlationId: run.correlationId,
        baselineId: record.baselineId,
        baselineVersion: record.baselineVersion,
        basedOnRunId: record.basedOnRunId,
        confidence: record.confidence,
        missing: record.counts.missing,
        extra: record.counts.extra,
        changed: record.counts.changed,
        matching: record.counts.matching,
        drifted: record.counts.missing + record.counts.extra + record.counts.changed,
        newDrift: record.newDrift,
      });
    }
  } catch (error) {
    // The tenant's runs or items could not be read: nothing can be evaluated this time.
    services.log.afterRunStepFailed(run, "drift", error);
  }
  try {
    const primary = recorded[0];
    if (primary) {
      await recordTenantDrift(services, run.tenantId, { baselineId: primary.baselineId, ...pick(primary.counts) });
    }
  } catch (error) {
    services.log.afterRunStepFailed(run, "drift", error);
  }
  return recorded;
}

/** The value of a settled read, or its error thrown where the caller handles it. */
function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === "rejected") throw result.reason;
  return result.value;
}

const pick = (c: DriftRecord["counts"]) => ({ missing: c.missing, extra: c.extra, changed: c.changed });
