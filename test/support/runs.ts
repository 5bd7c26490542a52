import { randomUUID } from "node:crypto";
import { finish, newRun, skip, startRunning } from "../../shared/domain";
import type { ObservedItem, PolicyTypeKey, PolicyTypeOutcome, RunDocument, RunErrorCode, Selection } from "../../shared/domain";
import type { TestStores } from "./stores";

/** A queued run of `selection` for `tenantId`, built by the domain's lifecycle as the starter builds it. */
export function queuedRun(tenantId: string, selection: Selection, requestedAt: string): RunDocument {
  return newRun({
    id: randomUUID(),
    tenantId,
    selection,
    trigger: "api",
    correlationId: randomUUID(),
    requestedAt,
    leaseUntil: null,
    orchestrationInstanceId: null,
  });
}

/** A run refused at admission (lock, limit, disabled tenant). */
export function skippedRun(
  tenantId: string,
  selection: Selection,
  at: string,
  error: { code: RunErrorCode; message: string },
  activeRunId?: string,
): RunDocument {
  const run = skip(queuedRun(tenantId, selection, at), error, at, activeRunId);
  if (!run) throw new Error("a queued run can always be skipped");
  return run;
}

export function observed(
  policyType: PolicyTypeKey,
  externalId: string,
  displayName = `Policy ${externalId}`,
): ObservedItem {
  return { policyType, category: "configuration", externalId, displayName, platform: "windows", meta: {} };
}

/**
 * Simulates one whole sync through the repositories and the domain's lifecycle: queue the run,
 * write what it observed through the writer, start it, then finish it with one outcome per type
 * — the calls the engine makes. `failedTypes` fail with GRAPH_FORBIDDEN; `hadErrors` without
 * failed types means an object failed its type's contract. The expected `status` is checked
 * against what the lifecycle aggregated, so a test cannot ask for a run the engine never makes.
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
  const queued = queuedRun(tenantId, selection, at);
  const run = await stores.runs.create(outcome.scope ? { ...queued, scope: outcome.scope } : queued);
  const writer = stores.items.createWriter({
    tenantId,
    runId: run.id,
    selectionHash: run.selectionHash,
    observedAt: at,
  });
  for (const item of items) await writer.add(item);
  await writer.close();
  const failed = new Set(outcome.failedTypes ?? []);
  const invalidOnly = (outcome.hadErrors ?? false) && failed.size === 0;
  const outcomes: PolicyTypeOutcome[] = run.scope.map((policyType, i) => ({
    policyType,
    status: failed.has(policyType) ? "failed" : "success",
    itemsObserved: failed.has(policyType) ? 0 : items.filter((o) => o.policyType === policyType).length,
    itemsUpserted: 0,
    itemsInvalid: invalidOnly && i === 0 ? 1 : 0,
    itemsCreated: 0,
    pages: 1,
    errorCode: failed.has(policyType) ? "GRAPH_FORBIDDEN" : null,
    errorMessage: failed.has(policyType) ? "forbidden" : null,
    durationMs: 1,
  }));
  const finished = await stores.runs.update(tenantId, run.id, (r) => {
    const running = startRunning(r, new Date(at), 60);
    return running && finish(running, outcomes, at);
  });
  const expected = outcome.status ?? "success";
  if (finished.status !== expected) throw new Error(`simulated run is ${finished.status}, the test expected ${expected}`);
  return finished;
}
