import { randomUUID } from "node:crypto";
import { policyTypesInScope, selectionHash } from "../../shared/domain";
import type { ObservedItem, PolicyTypeKey, RunDocument, Selection } from "../../shared/domain";
import type { NewRun } from "../../shared/store";
import type { TestStores } from "./stores";

/** A queued run of `selection` for `tenantId`, as the starter would create it. */
export function newRun(tenantId: string, selection: Selection, requestedAt: string): NewRun {
  return {
    id: randomUUID(),
    tenantId,
    selection,
    selectionHash: selectionHash(selection),
    scope: policyTypesInScope(selection),
    trigger: "api",
    correlationId: randomUUID(),
    requestedAt,
    leaseUntil: null,
    orchestrationInstanceId: null,
  };
}

export function observed(
  policyType: PolicyTypeKey,
  externalId: string,
  displayName = `Policy ${externalId}`,
): ObservedItem {
  return { policyType, category: "configuration", externalId, displayName, platform: "windows", meta: {} };
}

/**
 * Simulates one whole sync through the repositories: queue the run, write what it observed
 * through the writer, then finalise it with `update` — the calls the engine makes.
 */
export async function simulateRun(
  stores: TestStores,
  tenantId: string,
  selection: Selection,
  at: string,
  items: ObservedItem[],
  outcome: {
    status?: "success" | "partial" | "failed";
    hadErrors?: boolean;
    failedTypes?: PolicyTypeKey[];
    /** The scope the run recorded when queued (default: today's catalog), e.g. an older catalog's. */
    scope?: PolicyTypeKey[];
  } = {},
): Promise<RunDocument> {
  const queued = newRun(tenantId, selection, at);
  const run = await stores.runs.createQueued(outcome.scope ? { ...queued, scope: outcome.scope } : queued);
  const writer = stores.items.createWriter({
    tenantId,
    runId: run.id,
    selectionHash: run.selectionHash,
    observedAt: at,
  });
  for (const item of items) await writer.add(item);
  const { upserted } = await writer.close();
  const failed = new Set(outcome.failedTypes ?? []);
  return stores.runs.update(tenantId, run.id, (r) => ({
    ...r,
    status: outcome.status ?? "success",
    hadErrors: outcome.hadErrors ?? false,
    startedAt: at,
    finishedAt: at,
    counts: { itemsObserved: items.length, itemsUpserted: upserted, errors: failed.size },
    policyTypes: r.scope.map((policyType) => ({
      policyType,
      status: failed.has(policyType) ? "failed" : "success",
      itemsObserved: items.filter((i) => i.policyType === policyType).length,
      itemsUpserted: 0,
      pages: 1,
      errorCode: failed.has(policyType) ? "GRAPH_FORBIDDEN" : null,
      durationMs: 1,
    })),
  }));
}
