import { z } from "zod";
import { InventoryItemSchema } from "./item";
import type { InventoryItem, InventoryItemDocument } from "./item";
import { COMPLETED_STATUSES, RunStatusSchema } from "./run";
import type { RunDocument, RunStatus } from "./run";

export const ConfidenceSchema = z.enum(["high", "low"]);
export type Confidence = z.infer<typeof ConfidenceSchema>;

export const MissingItemSchema = InventoryItemSchema.extend({ typeComplete: z.boolean() });

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
 * Missing for selection S: the item's type is in S's scope and the latest completed run of S
 * did not observe it. Only S's own observation counts (selection isolation).
 */
export function isMissing(
  item: Pick<InventoryItemDocument, "policyType" | "seenBy">,
  latestRun: Pick<RunDocument, "id" | "selectionHash" | "scope">,
): boolean {
  return latestRun.scope.includes(item.policyType) && item.seenBy[latestRun.selectionHash] !== latestRun.id;
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

export function toItemView(doc: InventoryItemDocument): InventoryItem {
  return InventoryItemSchema.parse(doc);
}
