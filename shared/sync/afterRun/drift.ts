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
 * What a tenant has now of these types (see the domain's currentItems). A type whose latest
 * covering run read it completely and left a snapshot (tenants with baselines) is taken from
 * that snapshot — one point read; only the others are queried, in one single-partition query.
 * In the nightly every type is complete, so drift costs point reads, not a scan of the partition.
 * Also returns how the latest covering run read each type: compare and capture judge from it.
 */
export async function currentInventoryAndReads(
  stores: Pick<Stores, "items" | "runs">,
  tenantId: string,
  types: readonly PolicyTypeKey[],
): Promise<{ items: DriftCandidate[]; reads: Map<PolicyTypeKey, TypeRead | null> }> {
  const runs = types.length > 0 ? await stores.runs.completedRunsNewestFirst(tenantId, TYPE_READ_LOOKBACK) : [];
  const reads = typeReadsOf(runs, types);
  const complete = types.filter((t) => reads.get(t)?.complete);
  const snapshots = complete.length > 0 ? await stores.items.readSnapshots(tenantId, complete) : new Map();
  const fromSnapshots: DriftCandidate[] = [];
  const toQuery: PolicyTypeKey[] = [];
  for (const type of types) {
    const read = reads.get(type);
    const snapshot = snapshots.get(type);
    if (read?.complete && snapshot && snapshot.runId === read.runId) {
      const seenBy = { [read.selectionHash]: read.runId };
      for (const item of snapshot.items) fromSnapshots.push({ ...item, seenBy });
    } else {
      toQuery.push(type);
    }
  }
  const queried = toQuery.length > 0 ? await stores.items.compared(tenantId, toQuery) : [];
  return { items: [...fromSnapshots, ...currentItems(queried, reads)], reads };
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
  const recorded: DriftRecord[] = [];
  let baselineIds: readonly string[];
  try {
    baselineIds = (await services.stores.tenants.get(run.tenantId))?.baselines ?? [];
  } catch (error) {
    services.log.afterRunStepFailed(run, "drift", error);
    return recorded;
  }
  // One try per baseline: a baseline that cannot be read or evaluated must not keep the
  // tenant's other baselines from being evaluated (it is reported, and retried next run).
  for (const baselineId of baselineIds) {
    try {
      const baseline = await services.stores.baselines.getWithItems(baselineId);
      // A deleted baseline is still named by the registration until it is edited: skip it.
      if (!baseline) continue;
      const report = await evaluateTenantDrift(services.stores, run.tenantId, baseline, services.now());
      const previous = await services.stores.driftRecords.get(run.tenantId, baselineId);
      const record = recordOfDrift(run.tenantId, report, previous);
      await services.stores.driftRecords.put(record);
      recorded.push(record);
      services.logger.event("InventoryDriftEvaluated", {
        tenantId: run.tenantId,
        runId: run.id,
        correlationId: run.correlationId,
        baselineId,
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
    } catch (error) {
      services.log.afterRunStepFailed(run, "drift", error);
    }
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

const pick = (c: DriftRecord["counts"]) => ({ missing: c.missing, extra: c.extra, changed: c.changed });
