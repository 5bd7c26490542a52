import { changeDocumentId, changeWindows, windowsComplete } from "../../domain";
import type {
  ChangeCounts,
  ChangeDocument,
  ChangeWindow,
  PolicyTypeKey,
  PolicyTypeOutcome,
  RunDocument,
} from "../../domain";
import type { Stores } from "../../store/ports";
import type { RunLogger } from "../runEvents";
import { recordTenantChanges } from "./tenantSummary";

/**
 * The change set of a run (docs/api.md "Changes"), the first post-run step: `added`, `changed`
 * and `reappeared` were written by the item writer as it merged each observation into the stored
 * document; what is left at the end is `removed` and the counts the run document carries.
 */

/**
 * Earlier runs read, at most, to close a type's change window (changes.ts ChangeWindow). A type
 * that failed this many runs in a row has no baseline in reach: nothing of it is called added,
 * removed or reappeared until it is read completely again (changed still is).
 */
export const CHANGE_WINDOW_MAX_RUNS = 100;

/** The change windows of `types` for a run of the selection, and the run's base (its previous completed run). */
export async function changeWindowsOf(
  stores: Pick<Stores, "runs">,
  tenantId: string,
  selectionHash: string,
  types: readonly PolicyTypeKey[],
): Promise<{ windows: Map<PolicyTypeKey, ChangeWindow>; baseRunId: string | null }> {
  const runs = await stores.runs.completedOutlines(
    tenantId,
    selectionHash,
    (sofar) => windowsComplete(changeWindows(sofar, types)),
    CHANGE_WINDOW_MAX_RUNS,
  );
  return { windows: changeWindows(runs, types), baseRunId: runs[0]?.id ?? null };
}

/** Seconds a change is kept (Cosmos TTL), from the retention setting in days. */
export function changeRetentionSeconds(days: number): number {
  return days * 86_400;
}

/**
 * Writes the run's `removed` changes and counts all of them. Removed: for each type this run
 * enumerated completely, the items the selection last saw within the type's window and this run
 * did not see. Types not enumerated completely are left alone (the API lists them as
 * `incompleteTypes`). Call it before the finish update (the run must still be active: its own id
 * is not among the completed runs). Idempotent: change ids are per (run, item).
 */
export async function computeChangeSet(
  stores: Pick<Stores, "runs" | "items" | "changes">,
  run: Pick<RunDocument, "id" | "tenantId" | "selectionHash">,
  outcomes: readonly PolicyTypeOutcome[],
  detectedAt: string,
  retentionSeconds: number | null,
): Promise<{ changes: ChangeCounts; baseRunId: string | null }> {
  const complete = outcomes.filter((o) => o.status === "success").map((o) => o.policyType);
  const { windows, baseRunId } = await changeWindowsOf(stores, run.tenantId, run.selectionHash, complete);
  // Types sharing a window (usually all: the previous run read them all) are asked in one query.
  const byWindow = new Map<string, { runs: string[]; types: PolicyTypeKey[] }>();
  for (const type of complete) {
    const runs = windows.get(type)?.runs ?? [];
    if (runs.length === 0) continue;
    const key = runs.join(",");
    const group = byWindow.get(key) ?? { runs, types: [] };
    group.types.push(type);
    byWindow.set(key, group);
  }
  const removed: ChangeDocument[] = [];
  for (const { runs, types } of byWindow.values()) {
    for (const item of await stores.items.lastSeenByAnyOf(run.tenantId, run.selectionHash, types, runs)) {
      removed.push({
        id: changeDocumentId(run.id, item.id),
        docType: "change",
        tenantId: run.tenantId,
        selectionHash: run.selectionHash,
        runId: run.id,
        kind: "removed",
        detectedAt,
        policyType: item.policyType,
        externalId: item.externalId,
        itemId: item.id,
        displayName: item.displayName,
        changedFields: [],
        ...(retentionSeconds !== null && { ttl: retentionSeconds }),
      });
    }
  }
  await stores.changes.write(run.tenantId, removed);
  return { changes: await stores.changes.countByRun(run.tenantId, run.id), baseRunId };
}

/**
 * Hands a finished run's change counts to the tenant summary (the portfolio's `changesLast24h`).
 * A failure is logged and swallowed: the run is final and its changes are stored; only the
 * portfolio's figure lags until the next run.
 */
export async function reportChangesToSummary(
  deps: { stores: Pick<Stores, "summaries">; log: Pick<RunLogger, "afterRunStepFailed">; now(): Date },
  run: RunDocument,
  changes: ChangeCounts,
): Promise<void> {
  try {
    await recordTenantChanges(deps, run.tenantId, {
      runId: run.id,
      at: run.finishedAt ?? deps.now().toISOString(),
      total: changes.added + changes.changed + changes.removed + changes.reappeared,
    });
  } catch (error) {
    deps.log.afterRunStepFailed(run, "changeSet", error);
  }
}
