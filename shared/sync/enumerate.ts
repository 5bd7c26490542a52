import { PolicyTypeOutcomeSchema, UNKNOWN_ASSIGNMENTS, normaliseAssignments, normaliseGraphObject, policyTypeDefinition, runErrorCodeOf, safeMessage } from "../domain";
import type { ObservedItem, PolicyTypeDefinition, PolicyTypeKey, PolicyTypeOutcome } from "../domain";
import type { ItemWriter, WriterContext } from "../store/ports";
import type { GraphPageSource, GraphRetryInfo, PageHooks } from "../graph/pageIterator";

/**
 * The enumerate-and-write loop of the syncPolicyType activity. Syncs one policy type of one tenant for one run: streams Graph's pages, turns each object
 * into an item through the type's contract, and writes through the store's write-behind
 * buffer while the next page is already on its way. Never throws for Graph or store failures:
 * the outcome carries the stable code and a redacted message.
 *
 * Memory: one page in hand, one page of look-ahead, the writer's buffer — and the set of ids
 * seen in this type, which is what makes "the same object on two pages is one item" exact.
 * That set grows with the type (about 100 bytes per id: ~1 MB for 10,000 objects); we accept
 * it over the alternative of counting duplicates as observations.
 */

/** What is enumerated: one policy type of one tenant, for one run of one selection. */
export interface EnumerationTarget {
  tenantId: string;
  runId: string;
  selectionHash: string;
  policyType: PolicyTypeKey;
}

export interface EnumerationDeps {
  /** The tenant's Graph pages (called inside the guard, so a credential failure becomes an outcome). */
  graphFor: (tenantId: string) => GraphPageSource;
  writerFor: (ctx: WriterContext) => ItemWriter;
  now: () => Date;
  /** Told of every retried Graph request of this type (throttling telemetry). */
  onRetry?: (info: GraphRetryInfo) => void;
  /** What the writer needs to record this run's changes of the type (read inside the guard: a store failure becomes the outcome). */
  changeContext?: () => Promise<WriterContext["changes"]>;
  /** Per-object assignment reads in flight for one page (`perObject` types); default 4. */
  assignmentReadConcurrency?: number;
}

/**
 * Workers per type for per-object reads. The tenant-wide bound is the Graph client's
 * (DEFAULT_ASSIGNMENT_READS_IN_FLIGHT, all types together); this one keeps a type from queueing
 * more reads than it could start, so a tripped circuit (below) stops the rest at once.
 */
export const DEFAULT_ASSIGNMENT_READ_CONCURRENCY = 4;
/**
 * After this many failed per-object reads in a row the type stops reading (its remaining items
 * stay `unknown`): a tenant that throttles or refuses every read should not spend its budget,
 * and the run's time, on retries that will fail the same way.
 */
export const ASSIGNMENT_READ_CIRCUIT = 5;

/**
 * Reads the assignments of a page's items one object at a time, `concurrency` at a time. A
 * failed read leaves that item `unknown` (never an empty list, never a failed type).
 */
function perObjectReader(graph: GraphPageSource, def: PolicyTypeDefinition, concurrency: number, hooks: PageHooks) {
  let failuresInARow = 0;
  const readOne = async (item: ObservedItem): Promise<void> => {
    if (failuresInARow >= ASSIGNMENT_READ_CIRCUIT) return;
    try {
      item.assignments = normaliseAssignments(await graph.assignmentsOf(def, item.externalId, hooks));
      failuresInARow = 0;
    } catch {
      item.assignments = UNKNOWN_ASSIGNMENTS;
      failuresInARow += 1;
    }
  };
  return async (items: ObservedItem[]): Promise<void> => {
    let next = 0;
    const worker = async () => {
      while (next < items.length) await readOne(items[next++] as ObservedItem);
    };
    await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, worker));
  };
}

export async function enumeratePolicyType(deps: EnumerationDeps, input: EnumerationTarget): Promise<PolicyTypeOutcome> {
  const startedAt = deps.now();
  const def = policyTypeDefinition(input.policyType);
  const seen = new Set<string>();
  let pages = 0;
  let invalid = 0;
  let upserted = 0;
  let created = 0;
  let failure: unknown = null;
  let writer: ItemWriter | null = null;

  try {
    const changes = await deps.changeContext?.();
    writer = deps.writerFor({
      tenantId: input.tenantId,
      runId: input.runId,
      selectionHash: input.selectionHash,
      observedAt: startedAt.toISOString(),
      ...(changes && { changes }),
    });
    const graph = deps.graphFor(input.tenantId);
    const hooks: PageHooks = { onRetry: deps.onRetry };
    const readAssignments =
      def.assignments === "perObject"
        ? perObjectReader(graph, def, deps.assignmentReadConcurrency ?? DEFAULT_ASSIGNMENT_READ_CONCURRENCY, hooks)
        : null;
    for await (const page of graph.pages(def, hooks)) {
      pages = page.pageNumber;
      const fresh: ObservedItem[] = [];
      for (const raw of page.values) {
        const result = normaliseGraphObject(input.policyType, raw);
        if (!result.ok) {
          invalid += 1;
          continue;
        }
        // Graph may repeat an object on the next page when the listing shifts under paging.
        if (seen.has(result.item.externalId)) continue;
        seen.add(result.item.externalId);
        fresh.push(result.item);
      }
      // The next page is already on its way (one page of look-ahead) while these reads run.
      if (readAssignments) await readAssignments(fresh);
      for (const item of fresh) await writer.add(item);
    }
  } catch (error) {
    failure = error;
  }

  // Always flush: what earlier pages delivered is stored even when a later page failed.
  if (writer) {
    try {
      const written = await writer.close();
      upserted = written.upserted;
      created = written.created ?? 0;
    } catch (error) {
      failure ??= error;
    }
  }

  const errorCode = failure === null ? null : runErrorCodeOf(failure);
  const errorMessage =
    failure === null ? null : safeMessage(failure instanceof Error ? failure.message : String(failure)) || (errorCode as string);
  return PolicyTypeOutcomeSchema.parse({
    policyType: input.policyType,
    status: failure === null ? "success" : "failed",
    itemsObserved: seen.size,
    itemsUpserted: upserted,
    itemsInvalid: invalid,
    itemsCreated: created,
    pages,
    errorCode,
    errorMessage,
    durationMs: Math.max(0, deps.now().getTime() - startedAt.getTime()),
  });
}
