import { z } from "zod";
import { PolicyTypeKeySchema, PolicyTypeOutcomeSchema, RunErrorCodeSchema } from "../domain";
import type { RunDocument, SelectionInput, Trigger } from "../domain";

/**
 * The contracts of the sync slice: what the starters ask for and get, and what the orchestrators
 * and activities pass each other through Durable history (zod schemas: history is data, parsed
 * on the way in).
 */

/** What the HTTP and timer starters ask of the slice. */
export interface StartSyncRequest {
  tenantId: string;
  selection: SelectionInput;
  /** Not part of the selection hash: how long a run refused by a concurrency limit waits for a slot. */
  waitForSlotSeconds: number;
  trigger: Trigger;
  correlationId: string;
}

export type StartSyncResult =
  | { kind: "accepted"; run: RunDocument }
  /** A queued or running run exists for the tenant + selection; `run` is the skipped run recorded for this request. */
  | { kind: "lockHeld"; run: RunDocument; activeRunId: string }
  | { kind: "tenantNotFound" }
  /** A skipped run (TENANT_DISABLED) was recorded. */
  | { kind: "tenantDisabled"; run: RunDocument };

/** Names shared by registrations, the local driver and the starters: one place to rename. */
export const ORCHESTRATIONS = {
  inventorySync: "inventorySync",
  inventorySyncLane: "inventorySyncLane",
  nightlySync: "nightlySync",
  nightlySyncLane: "nightlySyncLane",
} as const;

/**
 * The orchestration logic this deployment writes into every new instance's input. An instance
 * is replayed only by the logic version it was started with (functions/orchestrations/
 * versioning.ts); bump it whenever a change alters the actions an orchestrator asks for, and
 * keep the previous version's code until its instances are gone (docs/deploy.md). Inputs
 * written before versioning existed carry none and count as version 1.
 */
export const ORCHESTRATION_LOGIC_VERSION = 3;
const LogicVersionSchema = z.number().int().positive().default(1);
export const ACTIVITIES = {
  markRunning: "markRunning",
  syncPolicyType: "syncPolicyType",
  finalizeRun: "finalizeRun",
  listNightlyWork: "listNightlyWork",
  prepareNightlyRun: "prepareNightlyRun",
  reportNightly: "reportNightly",
} as const;

/**
 * Orchestration input: ids, scope and limits only, never Graph data. Limits travel in the
 * input because orchestrator code must not read settings (replays must see the same values).
 */
export const InventorySyncInputSchema = z.object({
  logicVersion: LogicVersionSchema,
  runId: z.string(),
  tenantId: z.string(),
  selectionHash: z.string(),
  policyTypes: z.array(PolicyTypeKeySchema),
  correlationId: z.string(),
  waitForSlotSeconds: z.number().int().min(0).max(86_400),
  limits: z.object({
    maxGlobal: z.number().int().positive(),
    maxPerTenant: z.number().int().positive(),
    maxParallelTypes: z.number().int().positive(),
    leaseSeconds: z.number().int().positive(),
  }),
});
export type InventorySyncInput = z.infer<typeof InventorySyncInputSchema>;

export const InventorySyncResultSchema = z.object({
  runId: z.string(),
  status: z.enum(["success", "partial", "failed", "skipped"]),
  itemsObserved: z.number().int(),
  errorCode: RunErrorCodeSchema.nullable(),
});
export type InventorySyncResult = z.infer<typeof InventorySyncResultSchema>;

export const MarkRunningInputSchema = z.object({
  tenantId: z.string(),
  runId: z.string(),
  leaseSeconds: z.number().int().positive(),
});

export const SyncPolicyTypeInputSchema = z.object({
  tenantId: z.string(),
  runId: z.string(),
  selectionHash: z.string(),
  policyType: PolicyTypeKeySchema,
  correlationId: z.string(),
  /** When set, the activity keeps the run's store and gate leases alive while it enumerates. */
  leaseSeconds: z.number().int().positive().optional(),
});

export const FinalizeRunInputSchema = z.object({
  tenantId: z.string(),
  runId: z.string(),
  selectionHash: z.string(),
  outcomes: z.array(PolicyTypeOutcomeSchema),
  /** A refusal by the gate: the run never started. */
  skipped: z.object({ code: RunErrorCodeSchema, message: z.string() }).optional(),
  /** A failure of the whole run (for example an orchestration error). */
  runLevelError: z.object({ code: RunErrorCodeSchema, message: z.string() }).optional(),
});

/** One lane of a run: pulls policy types from the run's work queue until none is left. */
export const InventorySyncLaneInputSchema = z.object({
  logicVersion: LogicVersionSchema,
  runId: z.string(),
  tenantId: z.string(),
  selectionHash: z.string(),
  correlationId: z.string(),
  leaseSeconds: z.number().int().positive(),
  lane: z.number().int().min(0),
});
export type InventorySyncLaneInput = z.infer<typeof InventorySyncLaneInputSchema>;

export const NightlySummarySchema = z.object({
  tenants: z.number().int(),
  started: z.number().int(),
  success: z.number().int(),
  partial: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
});
export type NightlySummary = z.infer<typeof NightlySummarySchema>;
export const emptyNightlySummary = (): NightlySummary => ({ tenants: 0, started: 0, success: 0, partial: 0, failed: 0, skipped: 0 });

export const NightlyInputSchema = z.object({
  logicVersion: LogicVersionSchema,
  /** Registry rows read per page. */
  batchSize: z.number().int().positive(),
  /** Lanes, each with at most one run in flight: the global limit of concurrent runs. */
  maxInFlight: z.number().int().positive(),
  correlationId: z.string(),
});
export type NightlyInput = z.infer<typeof NightlyInputSchema>;

export const NightlyLaneInputSchema = z.object({
  logicVersion: LogicVersionSchema,
  /** The nightly instance: key of the walk's work queue and seed of the run ids. */
  walkId: z.string(),
  lane: z.number().int().min(0),
  batchSize: z.number().int().positive(),
  correlationId: z.string(),
  /** Runs per generation before continueAsNew keeps the lane's history small. */
  runsPerGeneration: z.number().int().positive(),
  summary: NightlySummarySchema,
});
export type NightlyLaneInput = z.infer<typeof NightlyLaneInputSchema>;

export const ListNightlyWorkInputSchema = z.object({
  /** Store continuation token of the page; null for the first. */
  cursor: z.string().nullable(),
  limit: z.number().int().positive(),
});

export const NightlyWorkItemSchema = z.object({
  tenantId: z.string(),
  selectionIndex: z.number().int().min(0),
});
export type NightlyWorkItem = z.infer<typeof NightlyWorkItemSchema>;
export const NightlyWorkPageSchema = z.object({
  items: z.array(NightlyWorkItemSchema),
  /** Distinct enabled tenants in this page. */
  tenants: z.number().int(),
  /** Where the next page starts; null when this was the last. */
  cursor: z.string().nullable(),
  done: z.boolean(),
});
export type NightlyWorkPage = z.infer<typeof NightlyWorkPageSchema>;

export const PreparedRunSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("start"), input: InventorySyncInputSchema }),
  z.object({ kind: z.literal("skipped"), runId: z.string(), code: RunErrorCodeSchema }),
]);
export type PreparedRun = z.infer<typeof PreparedRunSchema>;
