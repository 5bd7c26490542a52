import { z } from "zod";
import { ConfidenceSchema } from "../domain/missing";
import { GateRefusalCodeSchema, RunErrorCodeSchema } from "../domain/errorCodes";
import { PolicyTypeKeySchema } from "../domain/policyTypes";
import { TriggerSchema } from "../domain/run";

/**
 * The catalog of structured events. Each event is one trace in Application Insights whose
 * message is `"<EventName> <json>"` (see logger.ts); the JSON holds the fields below, flat
 * (string, number, boolean or null) so that they become customDimensions wherever a sink
 * forwards properties (OpenTelemetry) and stay trivially parseable with `parse_json` in KQL.
 *
 * The workbook and the alert rules in infra/monitoring/ query these names and fields;
 * test/unit/infra/main.test.ts fails when a query names an event or a field that is not here.
 */

const id = z.string().min(1).max(128);
const count = z.number().int().nonnegative();
const durationMs = z.number().nonnegative();
const selectionHash = z.string().regex(/^[0-9a-f]{64}$/, "expected a 64-character lower-case hex sha256");
const correlationId = z.string().min(1).max(128);
const errorCode = RunErrorCodeSchema;

/** Fields every run transition carries: which run, of which tenant and selection, for which caller. */
const RunBase = z.object({
  tenantId: id,
  runId: id,
  selectionHash,
  correlationId,
  trigger: TriggerSchema,
});

/** Counts of a run or a policy type, flattened (no nested `counts` object). */
const Counts = {
  itemsObserved: count,
  itemsUpserted: count,
  errors: count,
};

export const EVENT_SCHEMAS = {
  /** A run document was written with status queued and its orchestration was started. */
  InventoryRunQueued: RunBase.extend({
    status: z.literal("queued"),
    policyTypeCount: count,
  }).strict(),

  /** The orchestration acquired the gate and marked the run running. `durationMs`: time spent queued. */
  InventoryRunRunning: RunBase.extend({
    status: z.literal("running"),
    policyTypeCount: count,
    durationMs,
  }).strict(),

  /**
   * The run reached a completed status. `durationMs`: requestedAt → finishedAt. `errorCode`: the
   * first error code (or null); `errorCodes`: every distinct code, comma-separated ("" if none).
   */
  InventoryRunFinalized: RunBase.extend({
    status: z.enum(["success", "partial", "failed"]),
    durationMs,
    ...Counts,
    hadErrors: z.boolean(),
    policyTypeCount: count,
    policyTypesFailed: count,
    errorCode: errorCode.nullable(),
    errorCodes: z.string().regex(/^([A-Z][A-Z0-9_]*(,[A-Z][A-Z0-9_]*)*)?$/, "expected comma-separated codes"),
    /** The change set relative to `baseRunId` (the previous completed run of the selection; null: its first run). */
    baseRunId: id.nullable(),
    changesAdded: count,
    changesChanged: count,
    changesRemoved: count,
    changesReappeared: count,
  }).strict(),

  /** The request never ran: lock held, concurrency limit reached, or tenant disabled. */
  InventoryRunSkipped: RunBase.extend({
    status: z.literal("skipped"),
    errorCode: z.union([GateRefusalCodeSchema, z.literal("TENANT_DISABLED")]),
    activeRunId: id.nullable(),
  }).strict(),

  /** One policy type of a run finished enumerating (authoritative when status is success). */
  InventoryPolicyTypeCompleted: z
    .object({
      tenantId: id,
      runId: id,
      selectionHash,
      correlationId,
      policyType: PolicyTypeKeySchema,
      status: z.enum(["success", "failed"]),
      durationMs,
      ...Counts,
      pages: count,
      errorCode: errorCode.nullable(),
    })
    .strict(),

  /**
   * A Graph request is retried (throttling 429, 503/504, timeouts: statusCode 0). `retryAfterMs`:
   * the wait chosen (Retry-After honoured, else backoff). `runId`/`correlationId` when known.
   */
  InventoryGraphRetry: z
    .object({
      tenantId: id,
      runId: id.nullable(),
      correlationId: correlationId.nullable(),
      policyType: PolicyTypeKeySchema,
      statusCode: z.number().int().min(0).max(599),
      attempt: z.number().int().min(1),
      retryAfterMs: durationMs,
      errorCode: errorCode.nullable(),
    })
    .strict(),

  /**
   * A post-run step (shared/sync/afterRun/) failed after the run finished. The run keeps its
   * status; the step's figures catch up with the tenant's next run. `step`: which one.
   */
  InventoryAfterRunStepFailed: RunBase.extend({
    step: z.enum(["changeSet", "tenantSummary", "drift"]),
    errorCode,
  }).strict(),

  /** The missing view of a selection was computed (API or report); confidence null: no completed run. */
  InventoryMissingReported: z
    .object({
      tenantId: id,
      selectionHash,
      correlationId,
      runId: id.nullable(),
      missingCount: count,
      confidence: ConfidenceSchema.nullable(),
    })
    .strict(),

  /**
   * After a finished run, the tenant's drift against one of its baselines was evaluated and
   * recorded. `runId`: the run that triggered it; `basedOnRunId`: the newest run that read a
   * covered type. `drifted` = missing + extra + changed. `newDrift`: high confidence, something
   * drifted, and not the same drift as the last high-confidence evaluation (what the alert
   * fires on). A low-confidence evaluation never reports new drift.
   */
  InventoryDriftEvaluated: z
    .object({
      tenantId: id,
      runId: id,
      correlationId,
      baselineId: id,
      baselineVersion: z.number().int().positive(),
      basedOnRunId: id.nullable(),
      confidence: ConfidenceSchema,
      missing: count,
      extra: count,
      changed: count,
      matching: count,
      drifted: count,
      newDrift: z.boolean(),
    })
    .strict(),
} as const;

export type EventName = keyof typeof EVENT_SCHEMAS;
export const EVENT_NAMES = Object.keys(EVENT_SCHEMAS) as EventName[];
/** What a caller passes to `logger.event(name, …)`. */
export type EventProperties<N extends EventName> = z.input<(typeof EVENT_SCHEMAS)[N]>;

/** A flat customDimensions value. */
export type FlatValue = string | number | boolean | null;

/** The fields of an event, for tests and tooling (KQL field checks). */
export function eventFields(name: EventName): string[] {
  return Object.keys(EVENT_SCHEMAS[name].shape);
}

/** Joins run error codes the way InventoryRunFinalized.errorCodes expects (distinct, in order). */
export function joinErrorCodes(codes: readonly string[]): string {
  return [...new Set(codes)].join(",");
}
