import { currentItems, evaluateDrift, summariseDrift } from "../../domain/baseline";
import type { BaselineWithItems, DriftCandidate, DriftReport, DriftSummary, TypeRead } from "../../domain/baseline";
import type { PolicyTypeKey } from "../../domain/policyTypes";
import type { RunDocument } from "../../domain/run";
import type { StructuredLogger } from "../../observability";
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

/** What a tenant has now of these types (see the domain's currentItems): a baseline capture reads this. */
export async function currentInventory(stores: Pick<Stores, "items" | "runs">, tenantId: string, types: readonly PolicyTypeKey[]): Promise<DriftCandidate[]> {
  const [candidates, runs] = await Promise.all([stores.items.compared(tenantId, types), stores.runs.completedRunsNewestFirst(tenantId, TYPE_READ_LOOKBACK)]);
  return currentItems(candidates, typeReadsOf(runs, types));
}

/** The drift report of a tenant against a baseline, from the tenant's partition and the baseline's. */
export async function evaluateTenantDrift(
  stores: Pick<Stores, "items" | "runs">,
  tenantId: string,
  baseline: BaselineWithItems,
  now: Date,
): Promise<DriftReport> {
  const [candidates, runs] = await Promise.all([
    stores.items.compared(tenantId, baseline.coveredTypes),
    stores.runs.completedRunsNewestFirst(tenantId, TYPE_READ_LOOKBACK),
  ]);
  return evaluateDrift({ baseline, candidates, typeReads: typeReadsOf(runs, baseline.coveredTypes), evaluatedAt: now.toISOString() });
}

export interface DriftStepServices {
  stores: Stores;
  logger: StructuredLogger;
  now(): Date;
}

/**
 * The post-run step: evaluates every baseline assigned to the run's tenant, records the compact
 * summary and emits `InventoryDriftEvaluated`. Never throws. Returns the recorded summaries
 * (the tenant summary of the portfolio reads them).
 */
export async function evaluateDriftAfterRun(services: DriftStepServices, run: Pick<RunDocument, "tenantId" | "id" | "correlationId" | "status">): Promise<DriftSummary[]> {
  if (run.status !== "success" && run.status !== "partial" && run.status !== "failed") return [];
  const recorded: DriftSummary[] = [];
  try {
    const tenant = await services.stores.tenants.get(run.tenantId);
    for (const baselineId of tenant?.baselines ?? []) {
      try {
        const baseline = await services.stores.baselines.getWithItems(baselineId);
        // A deleted baseline is still named by the registration until it is edited: skip it.
        if (!baseline) continue;
        const report = await evaluateTenantDrift(services.stores, run.tenantId, baseline, services.now());
        const previous = await services.stores.driftSummaries.get(run.tenantId, baselineId);
        const summary = summariseDrift(run.tenantId, report, previous);
        await services.stores.driftSummaries.put(summary);
        recorded.push(summary);
        services.logger.event("InventoryDriftEvaluated", {
          tenantId: run.tenantId,
          runId: run.id,
          correlationId: run.correlationId,
          baselineId,
          baselineVersion: summary.baselineVersion,
          basedOnRunId: summary.basedOnRunId,
          confidence: summary.confidence,
          missing: summary.counts.missing,
          extra: summary.counts.extra,
          changed: summary.counts.changed,
          matching: summary.counts.matching,
          drifted: summary.counts.missing + summary.counts.extra + summary.counts.changed,
          newDrift: summary.newDrift,
        });
      } catch (error) {
        services.logger.warn("drift evaluation failed; the next run evaluates again", {
          tenantId: run.tenantId,
          runId: run.id,
          baselineId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  } catch (error) {
    services.logger.warn("drift evaluation failed; the next run evaluates again", {
      tenantId: run.tenantId,
      runId: run.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return recorded;
}
