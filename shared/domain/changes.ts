import { z } from "zod";
import { differingDigests } from "./canonical";
import { PolicyTypeKeySchema } from "./policyTypes";
import type { PolicyTypeKey } from "./policyTypes";
import type { RunDocument } from "./run";

/**
 * Change sets (docs/api.md "Changes"): what a run observed compared with the previous completed
 * runs of the same selection. Nothing here keeps a copy of an item: each item stores, per
 * selection, the id of the last run that saw it (`seenBy`, which "missing" already needs) and
 * the digests of its compared fields as that run saw them (`fieldDigests`, canonical.ts). The
 * writer classifies an observation when it merges it into the stored document it has just read,
 * and finalisation finds the removed items by one query. So a run costs one write per observed
 * item (as before) plus one per change.
 */

export const ChangeKindSchema = z.enum(["added", "changed", "removed", "reappeared"]);
export type ChangeKind = z.infer<typeof ChangeKindSchema>;
export const CHANGE_KINDS = ChangeKindSchema.options;

export const ChangeCountsSchema = z.object({
  added: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  reappeared: z.number().int().nonnegative(),
});
export type ChangeCounts = z.infer<typeof ChangeCountsSchema>;
export const NO_CHANGES: ChangeCounts = { added: 0, changed: 0, removed: 0, reappeared: 0 };

/** One change as the API serves it (docs/api.md "Change"). */
export const ChangeSchema = z.object({
  kind: ChangeKindSchema,
  runId: z.string(),
  detectedAt: z.string(),
  policyType: PolicyTypeKeySchema,
  externalId: z.string(),
  itemId: z.string(),
  displayName: z.string(),
  /** Compared fields that differ from the selection's last view (`displayName`, `meta.version`, `assignments` …); empty for added and removed. */
  changedFields: z.array(z.string()),
});
export type Change = z.infer<typeof ChangeSchema>;

/** The stored change: in the tenant's partition of `syncRuns`, expiring by Cosmos TTL. */
export const ChangeDocumentSchema = ChangeSchema.extend({
  id: z.string(),
  docType: z.literal("change"),
  tenantId: z.string(),
  selectionHash: z.string(),
  /** Seconds; absent: kept until deleted (the container's default TTL is -1, "never"). */
  ttl: z.number().int().positive().optional(),
});
export type ChangeDocument = z.infer<typeof ChangeDocumentSchema>;

/**
 * Deterministic per (run, item): a write the writer re-does after a conflict or a lost answer,
 * or a retried activity, overwrites the same document instead of adding a second change.
 */
export function changeDocumentId(runId: string, itemId: string): string {
  return `change.${runId}.${itemId}`;
}

export function toChangeView(doc: ChangeDocument): Change {
  return ChangeSchema.parse(doc);
}

/**
 * For one policy type, the earlier completed runs of the selection an item may have been last
 * seen by without being reported removed: newest first, back to (and including) the newest one
 * that enumerated the type completely. An item last seen by a run outside the window was absent
 * when that complete enumeration ran, so it was reported removed then.
 */
export interface ChangeWindow {
  runs: string[];
  /** Whether an earlier run enumerated the type completely (the last of `runs`). Without one the type has no baseline yet. */
  complete: boolean;
}

/** The runs of a selection as change windows need them. */
export type RunOutline = Pick<RunDocument, "id"> & {
  policyTypes: { policyType: PolicyTypeKey; status: "success" | "failed" }[];
};

/** Windows of `types` from the selection's earlier completed runs, newest first (see ChangeWindow). */
export function changeWindows(
  runsNewestFirst: readonly RunOutline[],
  types: readonly PolicyTypeKey[],
): Map<PolicyTypeKey, ChangeWindow> {
  const windows = new Map<PolicyTypeKey, ChangeWindow>(types.map((t) => [t, { runs: [], complete: false }]));
  for (const run of runsNewestFirst) {
    for (const [type, window] of windows) {
      if (window.complete) continue;
      window.runs.push(run.id);
      if (run.policyTypes.some((p) => p.policyType === type && p.status === "success"))
        window.complete = true;
    }
  }
  return windows;
}

/** Whether every window is closed (no older run can change any of them). */
export function windowsComplete(windows: ReadonlyMap<PolicyTypeKey, ChangeWindow>): boolean {
  return [...windows.values()].every((w) => w.complete);
}

/** What the selection knew of an item before this run: its last run and field digests (both absent for an item it never saw). */
export interface PriorView {
  runId: string | undefined;
  digests: Readonly<Record<string, string>> | undefined;
}

/**
 * The change one observation makes for a selection, or null.
 * - Seen by this very run already: nothing (a re-done write; its change, if any, is stored).
 * - Never seen by the selection: `added`, once the type has a baseline (some earlier run read it
 *   completely); a selection's first complete read of a type is its baseline, not 10,000 additions.
 * - Last seen before the window: it was reported removed since, so `reappeared` (with the fields
 *   that differ from how it was last seen).
 * - Otherwise `changed` when a compared field's digest differs; an item stored before change sets
 *   existed has no digests and is only recorded.
 */
export function classifyObservation(
  prior: PriorView,
  current: Readonly<Record<string, string>>,
  runId: string,
  window: ChangeWindow,
): { kind: ChangeKind; changedFields: string[] } | null {
  if (prior.runId === runId) return null;
  if (prior.runId === undefined) return window.complete ? { kind: "added", changedFields: [] } : null;
  if (window.complete && !window.runs.includes(prior.runId)) {
    return {
      kind: "reappeared",
      changedFields: prior.digests ? differingDigests(prior.digests, current) : [],
    };
  }
  if (!prior.digests) return null;
  const changedFields = differingDigests(prior.digests, current);
  return changedFields.length > 0 ? { kind: "changed", changedFields } : null;
}

/** Types of the run's scope it did not enumerate completely: nothing of them is called removed. */
export function incompleteTypes(run: Pick<RunDocument, "scope" | "policyTypes">): PolicyTypeKey[] {
  const complete = new Set(run.policyTypes.filter((p) => p.status === "success").map((p) => p.policyType));
  return run.scope.filter((t) => !complete.has(t));
}
