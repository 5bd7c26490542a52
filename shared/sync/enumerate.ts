import { PolicyTypeOutcomeSchema, normaliseGraphObject, policyTypeDefinition, runErrorCodeOf, safeMessage } from "../domain";
import type { PolicyTypeKey, PolicyTypeOutcome } from "../domain";
import type { ItemWriter, WriterContext } from "../store/ports";
import type { GraphPageSource, GraphRetryInfo } from "../graph/pageIterator";

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
    for await (const page of graph.pages(def, { onRetry: deps.onRetry })) {
      pages = page.pageNumber;
      for (const raw of page.values) {
        const result = normaliseGraphObject(input.policyType, raw);
        if (!result.ok) {
          invalid += 1;
          continue;
        }
        // Graph may repeat an object on the next page when the listing shifts under paging.
        if (seen.has(result.item.externalId)) continue;
        seen.add(result.item.externalId);
        await writer.add(result.item);
      }
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
