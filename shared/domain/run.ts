import { z } from "zod";
import { RunErrorCodeSchema } from "./errorCodes";
import type { RunErrorCode } from "./errorCodes";
import { PolicyTypeKeySchema } from "./policyTypes";
import { SelectionSchema } from "./selection";

export const RunStatusSchema = z.enum(["queued", "running", "success", "partial", "failed", "skipped"]);
export type RunStatus = z.infer<typeof RunStatusSchema>;

/** Statuses that count as "completed" for missing computation (not running, queued or skipped). */
export const COMPLETED_STATUSES = ["success", "partial", "failed"] as const satisfies readonly RunStatus[];
export const TERMINAL_STATUSES = ["success", "partial", "failed", "skipped"] as const satisfies readonly RunStatus[];
export const ACTIVE_STATUSES = ["queued", "running"] as const satisfies readonly RunStatus[];

export function isTerminalStatus(status: RunStatus): boolean {
  return (TERMINAL_STATUSES as readonly RunStatus[]).includes(status);
}

export const TriggerSchema = z.enum(["http", "timer", "api"]);
export type Trigger = z.infer<typeof TriggerSchema>;

export const PolicyTypeOutcomeSchema = z.object({
  policyType: PolicyTypeKeySchema,
  status: z.enum(["success", "failed"]),
  itemsObserved: z.number().int().nonnegative(),
  itemsUpserted: z.number().int().nonnegative(),
  /** Objects Graph returned that failed the type's contract (ITEM_INVALID); not an enumeration failure. */
  itemsInvalid: z.number().int().nonnegative().default(0),
  pages: z.number().int().nonnegative(),
  errorCode: RunErrorCodeSchema.nullable(),
  /** Redacted, capped. */
  errorMessage: z.string().max(600).nullable().default(null),
  durationMs: z.number().nonnegative(),
});
export type PolicyTypeOutcome = z.infer<typeof PolicyTypeOutcomeSchema>;

export const RunErrorSchema = z.object({
  code: RunErrorCodeSchema,
  policyType: PolicyTypeKeySchema.optional(),
  message: z.string().max(600),
});
export type RunError = z.infer<typeof RunErrorSchema>;

export const MAX_RUN_ERRORS = 50;

export const RunCountsSchema = z.object({
  itemsObserved: z.number().int().nonnegative(),
  itemsUpserted: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
});

/** The run as served by the API (docs/api.md "Run"). */
export const RunSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  selectionHash: z.string(),
  selection: SelectionSchema,
  status: RunStatusSchema,
  trigger: TriggerSchema,
  correlationId: z.string(),
  requestedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  hadErrors: z.boolean(),
  counts: RunCountsSchema,
  errorCodes: z.array(RunErrorCodeSchema),
  errors: z.array(RunErrorSchema),
  policyTypes: z.array(PolicyTypeOutcomeSchema.omit({ errorMessage: true, itemsInvalid: true })),
  orchestrationInstanceId: z.string().nullable(),
});
export type Run = z.infer<typeof RunSchema>;

/** The stored run document adds what the engine needs but callers do not. */
export const RunDocumentSchema = RunSchema.extend({
  docType: z.literal("run"),
  /** Scope of the run (policy types), fixed when the run is queued. */
  scope: z.array(PolicyTypeKeySchema),
  /** When a queued/running run is considered abandoned (lease), for the watchdog. */
  leaseUntil: z.string().nullable(),
  activeRunId: z.string().nullable().default(null),
});
export type RunDocument = z.infer<typeof RunDocumentSchema>;

/**
 * Aggregates per-type outcomes into the run's final fields. success = every type enumerated
 * completely; partial = at least one type succeeded and one failed; failed = none succeeded or
 * a run-level failure (for example credentials).
 */
export function aggregateRun(
  outcomes: readonly PolicyTypeOutcome[],
  runLevelError?: { code: RunErrorCode; message: string },
): Pick<Run, "status" | "hadErrors" | "counts" | "errorCodes" | "errors"> & { policyTypes: Run["policyTypes"] } {
  const succeeded = outcomes.filter((o) => o.status === "success").length;
  const failedTypes = outcomes.length - succeeded;
  const errors: RunError[] = [];
  if (runLevelError) errors.push({ code: runLevelError.code, message: runLevelError.message });
  for (const o of outcomes) {
    if (o.errorCode) errors.push({ code: o.errorCode, policyType: o.policyType, message: o.errorMessage ?? o.errorCode });
    if (o.itemsInvalid > 0 && o.errorCode !== "ITEM_INVALID") {
      errors.push({ code: "ITEM_INVALID", policyType: o.policyType, message: `${o.itemsInvalid} object(s) failed the ${o.policyType} contract and were skipped` });
    }
  }
  const status: RunStatus = runLevelError
    ? "failed"
    : outcomes.length === 0 || failedTypes === 0
      ? "success"
      : succeeded === 0
        ? "failed"
        : "partial";
  const invalid = outcomes.reduce((n, o) => n + o.itemsInvalid, 0);
  return {
    status,
    hadErrors: errors.length > 0,
    counts: {
      itemsObserved: outcomes.reduce((n, o) => n + o.itemsObserved, 0),
      itemsUpserted: outcomes.reduce((n, o) => n + o.itemsUpserted, 0),
      errors: failedTypes + invalid + (runLevelError ? 1 : 0),
    },
    errorCodes: [...new Set(errors.map((e) => e.code))].sort(),
    errors: errors.slice(0, MAX_RUN_ERRORS),
    policyTypes: outcomes.map((o) => ({
      policyType: o.policyType,
      status: o.status,
      itemsObserved: o.itemsObserved,
      itemsUpserted: o.itemsUpserted,
      pages: o.pages,
      errorCode: o.errorCode,
      durationMs: o.durationMs,
    })),
  };
}

/** Strips engine-only fields so the API serves exactly the documented Run shape. */
export function toRunView(doc: RunDocument): Run {
  return RunSchema.parse(doc);
}
