import { z } from "zod";
import { RunErrorCodeSchema } from "./errorCodes";
import type { RunErrorCode } from "./errorCodes";
import { addSecondsIso } from "./isoTime";
import { ChangeCountsSchema } from "./changes";
import { PolicyTypeKeySchema } from "./policyTypes";
import { SelectionSchema, normaliseSelection, policyTypesInScope, selectionHash } from "./selection";
import type { Selection, SelectionInput } from "./selection";
import type { ChangeCounts } from "./changes";

export const RunStatusSchema = z.enum(["queued", "running", "success", "partial", "failed", "skipped"]);
export type RunStatus = z.infer<typeof RunStatusSchema>;

/** Statuses that count as "completed" for missing computation (not running, queued or skipped). */
export const COMPLETED_STATUSES = ["success", "partial", "failed"] as const satisfies readonly RunStatus[];
export const TERMINAL_STATUSES = ["success", "partial", "failed", "skipped"] as const satisfies readonly RunStatus[];
export const ACTIVE_STATUSES = ["queued", "running"] as const satisfies readonly RunStatus[];

export function isTerminalStatus(status: RunStatus): boolean {
  return (TERMINAL_STATUSES as readonly RunStatus[]).includes(status);
}

function isActiveStatus(status: RunStatus): boolean {
  return (ACTIVE_STATUSES as readonly RunStatus[]).includes(status);
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
  /** Of the documents written, how many were new (the tenant summary's item count grows by these). */
  itemsCreated: z.number().int().nonnegative().default(0),
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
  policyTypes: z.array(PolicyTypeOutcomeSchema.omit({ errorMessage: true, itemsInvalid: true, itemsCreated: true })),
  orchestrationInstanceId: z.string().nullable(),
  /** What this run changed relative to `baseRunId` (docs/api.md "Changes"); null until it finishes, and for skipped runs. */
  changes: ChangeCountsSchema.nullable().default(null),
  /** The previous completed run of the same selection, or null (its first run: the baseline). */
  baseRunId: z.string().nullable().default(null),
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

// ── the run lifecycle ─────────────────────────────────────────────────────────────────────────
// Every change of a run's status goes through these functions: queued → running → success |
// partial | failed, or queued → skipped, or any active status → failed. Each transition from a
// status it does not apply to returns null ("leave the document alone"), which is what the
// repository's read-modify-write `update` expects, so a retried activity or a late watchdog can
// never move a terminal run again. A terminal run never keeps a lease.

export interface NewRunFields {
  id: string;
  tenantId: string;
  selection: SelectionInput | Selection;
  trigger: Trigger;
  correlationId: string;
  /** ISO time of the request. */
  requestedAt: string;
  /** When the run is abandoned if it has not finished (the watchdog's deadline). */
  leaseUntil: string | null;
  orchestrationInstanceId: string | null;
}

/** A queued run: the selection normalised and hashed, its scope fixed. */
export function newRun(fields: NewRunFields): RunDocument {
  const selection = normaliseSelection(fields.selection);
  return {
    id: fields.id,
    docType: "run",
    tenantId: fields.tenantId,
    selectionHash: selectionHash(selection),
    selection,
    scope: policyTypesInScope(selection),
    status: "queued",
    trigger: fields.trigger,
    correlationId: fields.correlationId,
    requestedAt: fields.requestedAt,
    startedAt: null,
    finishedAt: null,
    hadErrors: false,
    counts: { itemsObserved: 0, itemsUpserted: 0, errors: 0 },
    errorCodes: [],
    errors: [],
    policyTypes: [],
    orchestrationInstanceId: fields.orchestrationInstanceId,
    changes: null,
    baseRunId: null,
    leaseUntil: fields.leaseUntil,
    activeRunId: null,
  };
}

/** queued → running (running again is a renewal: the first start time is kept). */
export function startRunning(run: RunDocument, now: Date, leaseSeconds: number): RunDocument | null {
  if (!isActiveStatus(run.status)) return null;
  return {
    ...run,
    status: "running",
    startedAt: run.startedAt ?? now.toISOString(),
    leaseUntil: addSecondsIso(now, leaseSeconds),
    orchestrationInstanceId: run.orchestrationInstanceId ?? run.id,
  };
}

/** A run that never started: a lock, a concurrency limit or a disabled tenant refused it. */
export function skip(run: RunDocument, error: { code: RunErrorCode; message: string }, at: string, activeRunId?: string): RunDocument | null {
  if (!isActiveStatus(run.status)) return null;
  return {
    ...run,
    status: "skipped",
    hadErrors: true,
    finishedAt: at,
    leaseUntil: null,
    errorCodes: [error.code],
    errors: [{ code: error.code, message: error.message }],
    counts: { itemsObserved: 0, itemsUpserted: 0, errors: 1 },
    activeRunId: activeRunId ?? run.activeRunId,
  };
}

/** An active run that cannot go on (its orchestration never started, or it outlived its lease). */
export function fail(run: RunDocument, error: { code: RunErrorCode; message: string }, at: string): RunDocument | null {
  if (!isActiveStatus(run.status)) return null;
  return {
    ...run,
    status: "failed",
    hadErrors: true,
    finishedAt: at,
    leaseUntil: null,
    errorCodes: [...new Set([...run.errorCodes, error.code])].sort(),
    errors: [...run.errors, { code: error.code, message: error.message }].slice(0, MAX_RUN_ERRORS),
    counts: { ...run.counts, errors: run.counts.errors + 1 },
  };
}

/** The run's result from its per-type outcomes (see `aggregateRun`). */
export function finish(
  run: RunDocument,
  outcomes: readonly PolicyTypeOutcome[],
  at: string,
  runLevelError?: { code: RunErrorCode; message: string },
  changeSet?: { changes: ChangeCounts; baseRunId: string | null },
): RunDocument | null {
  if (!isActiveStatus(run.status)) return null;
  return {
    ...run,
    ...aggregateRun(outcomes, runLevelError),
    ...(changeSet && { changes: changeSet.changes, baseRunId: changeSet.baseRunId }),
    startedAt: run.startedAt ?? at,
    finishedAt: at,
    leaseUntil: null,
  };
}
