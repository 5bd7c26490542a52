import { runErrorCodeOf } from "../domain";
import type { PolicyTypeKey, PolicyTypeOutcome, RunDocument } from "../domain";
import type { StructuredLogger } from "../observability";

/** Run transitions as the engine reports them; the observability adapter turns them into log events. */
export interface RunLogger {
  runQueued(run: RunDocument): void;
  runRunning(run: RunDocument): void;
  runFinalized(run: RunDocument): void;
  runSkipped(run: RunDocument): void;
  /** A post-run step failed; the run stays as it finished (the next run's step catches up). */
  afterRunStepFailed(run: RunDocument, step: "changeSet" | "tenantSummary" | "drift", error: unknown): void;
  policyTypeCompleted(run: { tenantId: string; runId: string; selectionHash: string; correlationId: string }, outcome: PolicyTypeOutcome): void;
  graphRetry(
    run: { tenantId: string; runId: string; correlationId: string; policyType: PolicyTypeKey },
    info: { statusCode: number; attempt: number; waitMs: number },
  ): void;
}

export const silentRunLogger: RunLogger = {
  runQueued: () => undefined,
  runRunning: () => undefined,
  runFinalized: () => undefined,
  runSkipped: () => undefined,
  afterRunStepFailed: () => undefined,
  policyTypeCompleted: () => undefined,
  graphRetry: () => undefined,
};

const durationBetween = (from: string | null, to: string | null) =>
  from && to ? Math.max(0, Date.parse(to) - Date.parse(from)) : 0;

const base = (run: RunDocument) => ({
  tenantId: run.tenantId,
  runId: run.id,
  selectionHash: run.selectionHash,
  correlationId: run.correlationId,
  trigger: run.trigger,
});

/** Turns the engine's run transitions into the catalog's structured events (one per transition). */
export function createRunEventLogger(logger: StructuredLogger): RunLogger {
  return {
    runQueued(run) {
      logger.event("InventoryRunQueued", { ...base(run), status: "queued", policyTypeCount: run.scope.length });
    },
    runRunning(run) {
      logger.event("InventoryRunRunning", {
        ...base(run),
        status: "running",
        policyTypeCount: run.scope.length,
        durationMs: durationBetween(run.requestedAt, run.startedAt),
      });
    },
    runFinalized(run) {
      if (run.status !== "success" && run.status !== "partial" && run.status !== "failed") return;
      logger.event("InventoryRunFinalized", {
        ...base(run),
        status: run.status,
        durationMs: durationBetween(run.requestedAt, run.finishedAt),
        itemsObserved: run.counts.itemsObserved,
        itemsUpserted: run.counts.itemsUpserted,
        errors: run.counts.errors,
        hadErrors: run.hadErrors,
        policyTypeCount: run.scope.length,
        policyTypesFailed: run.policyTypes.filter((p) => p.status === "failed").length,
        errorCode: run.errorCodes[0] ?? null,
        errorCodes: run.errorCodes.join(","),
        baseRunId: run.baseRunId,
        changesAdded: run.changes?.added ?? 0,
        changesChanged: run.changes?.changed ?? 0,
        changesRemoved: run.changes?.removed ?? 0,
        changesReappeared: run.changes?.reappeared ?? 0,
      });
    },
    runSkipped(run) {
      const code = run.errorCodes[0];
      const errorCode =
        code === "LOCK_HELD" || code === "CONCURRENCY_LIMIT_GLOBAL" || code === "CONCURRENCY_LIMIT_TENANT" || code === "TENANT_DISABLED"
          ? code
          : "LOCK_HELD";
      logger.event("InventoryRunSkipped", { ...base(run), status: "skipped", errorCode, activeRunId: run.activeRunId ?? null });
    },
    afterRunStepFailed(run, step, error) {
      logger.event("InventoryAfterRunStepFailed", { ...base(run), step, errorCode: runErrorCodeOf(error) });
    },
    graphRetry(run, info) {
      logger.event("InventoryGraphRetry", {
        tenantId: run.tenantId,
        runId: run.runId,
        correlationId: run.correlationId,
        policyType: run.policyType,
        statusCode: info.statusCode,
        attempt: info.attempt,
        retryAfterMs: info.waitMs,
        errorCode: info.statusCode === 429 ? "GRAPH_THROTTLED" : info.statusCode === 0 ? "GRAPH_TIMEOUT" : "GRAPH_UNAVAILABLE",
      });
    },
    policyTypeCompleted(run, outcome) {
      logger.event("InventoryPolicyTypeCompleted", {
        tenantId: run.tenantId,
        runId: run.runId,
        selectionHash: run.selectionHash,
        correlationId: run.correlationId,
        policyType: outcome.policyType,
        status: outcome.status,
        durationMs: outcome.durationMs,
        itemsObserved: outcome.itemsObserved,
        itemsUpserted: outcome.itemsUpserted,
        errors: (outcome.errorCode ? 1 : 0) + outcome.itemsInvalid,
        pages: outcome.pages,
        errorCode: outcome.errorCode,
      });
    },
  };
}
