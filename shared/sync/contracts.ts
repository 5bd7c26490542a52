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
export const ORCHESTRATIONS = { inventorySync: "inventorySync", nightlySync: "nightlySync" } as const;
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

export const NightlyInputSchema = z.object({
  /** Position in the registry walk; continueAsNew carries it forward. */
  offset: z.number().int().min(0),
  batchSize: z.number().int().positive(),
  maxInFlight: z.number().int().positive(),
  correlationId: z.string(),
  summary: z.object({
    tenants: z.number().int(),
    started: z.number().int(),
    success: z.number().int(),
    partial: z.number().int(),
    failed: z.number().int(),
    skipped: z.number().int(),
  }),
});
export type NightlyInput = z.infer<typeof NightlyInputSchema>;
export type NightlySummary = NightlyInput["summary"];

export const NightlyWorkItemSchema = z.object({
  tenantId: z.string(),
  selectionIndex: z.number().int().min(0),
});
export const NightlyWorkPageSchema = z.object({
  items: z.array(NightlyWorkItemSchema),
  /** Distinct tenants in this page. */
  tenants: z.number().int(),
  done: z.boolean(),
});
export type NightlyWorkPage = z.infer<typeof NightlyWorkPageSchema>;

export const PreparedRunSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("start"), input: InventorySyncInputSchema }),
  z.object({ kind: z.literal("skipped"), runId: z.string(), code: RunErrorCodeSchema }),
]);
export type PreparedRun = z.infer<typeof PreparedRunSchema>;
