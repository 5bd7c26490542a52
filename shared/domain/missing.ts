import { z } from "zod";
import { InventoryItemSchema } from "./item";
import { UNKNOWN_ASSIGNMENTS } from "./assignments";
import type { InventoryItem, InventoryItemDocument } from "./item";
import { COMPLETED_STATUSES, RunStatusSchema } from "./run";
import type { RunDocument, RunStatus } from "./run";

export const ConfidenceSchema = z.enum(["high", "low"]);
export type Confidence = z.infer<typeof ConfidenceSchema>;

export const MissingItemSchema = InventoryItemSchema.extend({ typeComplete: z.boolean() });
export type MissingItem = z.infer<typeof MissingItemSchema>;

export const MissingReportSchema = z.object({
  selectionHash: z.string(),
  latestRun: z
    .object({ id: z.string(), status: RunStatusSchema, hadErrors: z.boolean(), finishedAt: z.string().nullable() })
    .nullable(),
  confidence: ConfidenceSchema.nullable(),
  items: z.array(MissingItemSchema),
});
export type MissingReport = z.infer<typeof MissingReportSchema>;

export function isCompletedStatus(status: RunStatus): boolean {
  return (COMPLETED_STATUSES as readonly RunStatus[]).includes(status);
}

/** Low when the run that decides "missing" was not a clean success. */
export function missingConfidence(run: Pick<RunDocument, "status" | "hadErrors">): Confidence {
  return run.status === "success" && !run.hadErrors ? "high" : "low";
}

/**
 * Missing for selection S: the item's type is in the scope the latest completed run of S
 * recorded when it was queued (its own scope, never today's catalog), that run did not observe
 * the item, and S has read the type — the run enumerated it completely, or an earlier run of S
 * observed this item. Without that last condition, the first run after a type joins the
 * catalog and fails on it (say a 403 until the tenant consents to its permission) would call
 * every item other selections saw of that type missing. Only S's own observation counts
 * (selection isolation).
 */
export function isMissing(
  item: Pick<InventoryItemDocument, "policyType" | "seenBy">,
  latestRun: Pick<RunDocument, "id" | "selectionHash" | "scope" | "policyTypes">,
): boolean {
  if (!latestRun.scope.includes(item.policyType)) return false;
  const seen = item.seenBy[latestRun.selectionHash];
  if (seen === latestRun.id) return false;
  return seen !== undefined || typeEnumeratedCompletely(latestRun, item.policyType);
}

function typeEnumeratedCompletely(run: Pick<RunDocument, "policyTypes">, policyType: string): boolean {
  return run.policyTypes.some((p) => p.policyType === policyType && p.status === "success");
}

/** Builds the report from the latest completed run and the candidate items of its scope. */
export function deriveMissingReport(
  selectionHash: string,
  latestRun: RunDocument | null,
  candidates: readonly InventoryItemDocument[],
): MissingReport {
  if (!latestRun || !isCompletedStatus(latestRun.status) || latestRun.selectionHash !== selectionHash) {
    return { selectionHash, latestRun: null, confidence: null, items: [] };
  }
  const complete = new Set(latestRun.policyTypes.filter((p) => p.status === "success").map((p) => p.policyType));
  const items = candidates
    .filter((item) => isMissing(item, latestRun))
    .map((item) => ({ ...toItemView(item), typeComplete: complete.has(item.policyType) }));
  return {
    selectionHash,
    latestRun: { id: latestRun.id, status: latestRun.status, hadErrors: latestRun.hadErrors, finishedAt: latestRun.finishedAt },
    confidence: missingConfidence(latestRun),
    items,
  };
}

/** The served item: what is stored, without store fields; no stored assignments read as `unknown`. */
export function toItemView(doc: InventoryItemDocument): InventoryItem {
  const item = InventoryItemSchema.parse(doc);
  return { ...item, assignments: item.assignments ?? UNKNOWN_ASSIGNMENTS };
}
