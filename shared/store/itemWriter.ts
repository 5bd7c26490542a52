import type { Container, JSONObject, OperationInput, OperationResponse } from "@azure/cosmos";
import { CodedError, UNKNOWN_ASSIGNMENTS, changeDocumentId, classifyObservation, fieldDigests, itemDocumentId, itemReferences } from "../domain";
import type { ChangeDocument, InventoryItemDocument, ObservedItem } from "../domain";
import type { ItemWriter, WriterContext } from "./ports";
import { backoffMs, sleep, toStoreError } from "./storeErrors";
import { withoutSystemProperties } from "./cosmosQuery";

/**
 * Why this shape (docs/design.md §3, measured on @azure/cosmos 4.10):
 * - `items.executeBulkOperations` ends every call with `sleep(intervalForPartialBatchInMs)`
 *   (1,000 ms, not configurable) before it looks at partial batches again, so each call costs
 *   ≥ 1 s whatever its size (100 ops 1.05 s, 3,000 ops 1.19 s on the in-process server).
 * - `items.bulk` (older, still supported) sends one HTTP batch request per ≤ 100 operations of
 *   one partition with no timer: 3,000 upserts in ~0.27 s with 4 requests in flight.
 * - Neither the in-process server nor `bulk` on it supports Patch inside a batch, and a blind
 *   Upsert would erase `firstSeenAt` and other selections' `seenBy` entries.
 * So a flush is read-merge-write: bulk Read the batch, then bulk Create (new) or bulk Replace
 * with `ifMatch` (existing), 100 operations per request, several requests in flight. A 412
 * (someone else wrote in between: another selection's run), 409 (created concurrently) or a
 * per-operation 429 re-enters the next round for that id only. No write can drop another
 * writer's `seenBy` entry, and `firstSeenAt` is never changed once set.
 * A bulk request lost in transport (connection reset, "socket hang up" on a pooled keep-alive
 * socket the server had just closed, timeout, 5xx) re-runs its whole round: every write is
 * conditional, so a write that did land before its answer was lost comes back as 409 or 412
 * and the next round settles it. Retrying here costs one store round trip; failing the type
 * instead made the activity enumerate the type from Graph again (measured: 75 re-enumerations,
 * 70 extra Graph calls in a 60-tenant nightly on a loaded machine).
 */
export interface ItemWriterOptions {
  /** Distinct items buffered before a background flush starts. */
  batchSize?: number;
  /** Flushes allowed in flight; `add` waits when this many are running (back-pressure). */
  maxInFlightBatches?: number;
  /** HTTP bulk requests (≤ 100 ops each) in flight per flush. */
  requestConcurrency?: number;
  /** Read-merge-write rounds for conflicts and per-operation throttling. */
  maxRounds?: number;
  /** Wraps the bulk transport (fault injection, tracing). */
  wrapTransport?: (transport: BulkTransport) => BulkTransport;
  /** Where change documents go (the runs container); without it a run's changes are not written. */
  changeTransport?: BulkTransport;
}

/** Sends ≤ 100 operations of one partition as one bulk request; results in input order. */
export type BulkTransport = (operations: OperationInput[]) => Promise<OperationResponse[]>;

export interface ItemWriterStats {
  /** Bulk HTTP requests sent (reads and writes). */
  bulkCalls: number;
  flushes: number;
  /** Largest number of items ever held in the buffer. */
  maxBuffered: number;
  /** Largest number of items held by buffer + in-flight flushes together. */
  maxHeld: number;
  /** Documents created or replaced. */
  upserted: number;
  created: number;
  replaced: number;
  /** Operations re-done because of 412/409/429. */
  retriedOperations: number;
  /** Rounds re-run because a bulk request was lost in transport. */
  transportRetries: number;
  /** Change documents written (one per change; re-sends after a conflict counted again). */
  changesWritten: number;
}

/**
 * With `items.bulk` there is no per-call timer, so a batch does not have to be huge: a smaller
 * final flush shortens the tail after the last Graph page (measured on a 2,500-object type at
 * 50 ms/page: 250 ≈ 500 within noise, both ~0.3–0.6 s over a no-op store). Memory stays bounded
 * by batchSize × (maxInFlightBatches + 1) items.
 */
export const DEFAULT_WRITER_OPTIONS = {
  batchSize: 250,
  maxInFlightBatches: 2,
  requestConcurrency: 4,
  maxRounds: 8,
} as const;

/** Operations per bulk request: the service's limit for one partition key range. */
const OPS_PER_REQUEST = 100;

/** `items.bulk` on a container resolved at first use (containers are created lazily). */
export function containerBulkTransport(container: () => Promise<Container>): BulkTransport {
  return async (operations) => (await container()).items.bulk(operations, { continueOnError: true });
}

/** The stored document for an observation: new, or merged into what is stored. */
export function mergeObservation(
  ctx: WriterContext,
  item: ObservedItem,
  existing: InventoryItemDocument | null,
  id: string = itemDocumentId(item.policyType, item.externalId),
): InventoryItemDocument {
  const assignments = item.assignments ?? UNKNOWN_ASSIGNMENTS;
  return {
    id,
    docType: "item",
    tenantId: ctx.tenantId,
    policyType: item.policyType,
    category: item.category,
    externalId: item.externalId,
    displayName: item.displayName,
    platform: item.platform,
    // Meta is replaced as a whole: a key Graph stopped sending must not linger.
    meta: item.meta,
    // Replaced as a whole like meta: an unread list is stored as `unknown`, never kept from an
    // earlier run (it would claim a read that did not happen).
    assignments,
    refs: itemReferences(assignments, scopeTagsOf(item.meta)),
    firstSeenAt: existing?.firstSeenAt ?? ctx.observedAt,
    lastSeenAt: ctx.observedAt,
    lastSeenRunId: ctx.runId,
    seenBy: { ...(existing?.seenBy ?? {}), [ctx.selectionHash]: ctx.runId },
    // This selection's view of the compared fields, for its next run's change set.
    fieldDigests: { ...(existing?.fieldDigests ?? {}), [ctx.selectionHash]: selectionView(item, existing?.fieldDigests?.[ctx.selectionHash]) },
  };
}

/**
 * The digests a selection keeps of an observation. Assignments this run could not read are not
 * a value: the last read ones are kept, so a change across an unread run is still seen.
 */
function selectionView(item: ObservedItem, prior: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const digests = fieldDigests(item);
  const lastRead = prior?.assignments;
  if (digests.assignments === undefined && lastRead !== undefined) digests.assignments = lastRead;
  return digests;
}

/**
 * The change document an observation makes for the writer's run, or null: classified against
 * the selection's last view kept on the stored document (changes.ts classifyObservation).
 */
export function changeOfObservation(
  ctx: WriterContext,
  existing: InventoryItemDocument | null,
  merged: InventoryItemDocument,
): ChangeDocument | null {
  if (!ctx.changes) return null;
  const change = classifyObservation(
    { runId: existing?.seenBy[ctx.selectionHash], digests: existing?.fieldDigests?.[ctx.selectionHash] },
    merged.fieldDigests?.[ctx.selectionHash] ?? {},
    ctx.runId,
    ctx.changes.window,
  );
  if (!change) return null;
  return {
    id: changeDocumentId(ctx.runId, merged.id),
    docType: "change",
    tenantId: ctx.tenantId,
    selectionHash: ctx.selectionHash,
    runId: ctx.runId,
    kind: change.kind,
    detectedAt: ctx.observedAt,
    policyType: merged.policyType,
    externalId: merged.externalId,
    itemId: merged.id,
    displayName: merged.displayName,
    changedFields: change.changedFields,
    ...(ctx.changes.retentionSeconds !== null && { ttl: ctx.changes.retentionSeconds }),
  };
}

/** Scope tags live in meta: `roleScopeTagIds` on most types, `roleScopeTags` on filters and policy sets. */
function scopeTagsOf(meta: Record<string, unknown>): string[] {
  const tags = meta.roleScopeTagIds ?? meta.roleScopeTags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
}

export class CosmosItemWriter implements ItemWriter {
  private readonly options: Required<Omit<ItemWriterOptions, "wrapTransport" | "changeTransport">>;
  private readonly bulk: BulkTransport;
  private readonly changeBulk: BulkTransport | null;
  /** Keyed by document id: the same object twice before a flush is written once (last wins). */
  private buffer = new Map<string, ObservedItem>();
  private readonly inFlight = new Set<Promise<void>>();
  private inFlightItems = 0;
  private failure: CodedError | null = null;
  private closed = false;
  private readonly counters: ItemWriterStats = {
    bulkCalls: 0,
    flushes: 0,
    maxBuffered: 0,
    maxHeld: 0,
    upserted: 0,
    created: 0,
    replaced: 0,
    retriedOperations: 0,
    transportRetries: 0,
    changesWritten: 0,
  };

  constructor(
    transport: BulkTransport,
    private readonly ctx: WriterContext,
    options: ItemWriterOptions = {},
  ) {
    this.options = {
      batchSize: Math.max(1, options.batchSize ?? DEFAULT_WRITER_OPTIONS.batchSize),
      maxInFlightBatches: Math.max(
        1,
        options.maxInFlightBatches ?? DEFAULT_WRITER_OPTIONS.maxInFlightBatches,
      ),
      requestConcurrency: Math.max(
        1,
        options.requestConcurrency ?? DEFAULT_WRITER_OPTIONS.requestConcurrency,
      ),
      maxRounds: Math.max(1, options.maxRounds ?? DEFAULT_WRITER_OPTIONS.maxRounds),
    };
    this.bulk = options.wrapTransport ? options.wrapTransport(transport) : transport;
    const changeTransport = options.changeTransport ?? null;
    this.changeBulk = changeTransport && options.wrapTransport ? options.wrapTransport(changeTransport) : changeTransport;
  }

  async add(item: ObservedItem): Promise<void> {
    if (this.closed) throw new CodedError("INTERNAL_ERROR", "item writer used after close()");
    if (this.failure) throw this.failure;
    this.buffer.set(itemDocumentId(item.policyType, item.externalId), item);
    this.counters.maxBuffered = Math.max(this.counters.maxBuffered, this.buffer.size);
    this.counters.maxHeld = Math.max(this.counters.maxHeld, this.buffer.size + this.inFlightItems);
    if (this.buffer.size >= this.options.batchSize) {
      // Back-pressure: hold the caller (the Graph pager) until a flush slot is free, so memory
      // is bounded by batchSize × (maxInFlightBatches + 1) items, whatever the tenant's size.
      while (this.inFlight.size >= this.options.maxInFlightBatches) await Promise.race(this.inFlight);
      if (this.failure) throw this.failure;
      this.startFlush();
    }
  }

  async flush(): Promise<void> {
    if (this.buffer.size > 0) {
      while (this.inFlight.size >= this.options.maxInFlightBatches) await Promise.race(this.inFlight);
      this.startFlush();
    }
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  /**
   * `upserted` counts document writes performed (creates + replaces). An object added twice
   * before its flush is written and counted once; added again after its first flush (a Graph
   * duplicate pages apart) it is written and counted again — still one document.
   */
  async close(): Promise<{ upserted: number; created: number }> {
    if (!this.closed) {
      try {
        await this.flush();
      } finally {
        this.closed = true;
      }
    }
    return { upserted: this.counters.upserted, created: this.counters.created };
  }

  stats(): ItemWriterStats {
    return { ...this.counters };
  }

  private startFlush(): void {
    const batch = this.buffer;
    this.buffer = new Map();
    this.inFlightItems += batch.size;
    this.counters.flushes += 1;
    const task: Promise<void> = this.writeBatch(batch)
      .catch((error: unknown) => {
        this.failure ??= toStoreError(error, "write inventory items");
      })
      .finally(() => {
        this.inFlightItems -= batch.size;
        this.inFlight.delete(task);
      });
    this.inFlight.add(task);
  }

  private async writeBatch(batch: Map<string, ObservedItem>): Promise<void> {
    let pending = [...batch.entries()];
    let throttled = false;
    let lost: CodedError | null = null;
    for (let round = 0; pending.length > 0; round++) {
      if (round >= this.options.maxRounds) {
        if (lost) throw lost;
        throw throttled
          ? new CodedError("STORE_THROTTLED", `inventory writes still throttled after ${round} rounds`, {
              status: 429,
              retryable: true,
            })
          : new CodedError("STORE_UNAVAILABLE", `inventory writes still conflicting after ${round} rounds`, {
              retryable: true,
            });
      }
      if (round > 0) await sleep(backoffMs(round, lost ? 100 : throttled ? 200 : 20));
      try {
        pending = await this.writeRound(pending, (t) => (throttled = t));
        lost = null;
      } catch (error) {
        const coded = toStoreError(error, "write inventory items");
        if (coded.code !== "STORE_UNAVAILABLE") throw coded;
        lost = coded;
        this.counters.transportRetries += 1;
      }
    }
  }

  /**
   * One read-merge-write round; returns the entries the next round must write again. A change
   * is written before its item: were the item written first and the change lost, the retried
   * write would find the item already seen by this run and the change would be gone for good.
   * An item whose change write failed is not written this round (both come back next round).
   */
  private async writeRound(
    pending: [string, ObservedItem][],
    setThrottled: (throttled: boolean) => void,
  ): Promise<[string, ObservedItem][]> {
    const stored = await this.readExisting(pending.map(([id]) => id));
    const merged = pending.map(([id, item]) => {
      const existing = stored.get(id);
      // The id was derived once, when the item entered the buffer (a SHA-256 per item).
      const doc = mergeObservation(this.ctx, item, existing?.doc ?? null, id);
      return { id, existing, doc, change: this.changeBulk ? changeOfObservation(this.ctx, existing?.doc ?? null, doc) : null };
    });
    const deferred = new Set<number>();
    let throttled = false;
    const withChange = merged.flatMap((m, index) => (m.change ? [{ index, change: m.change }] : []));
    if (withChange.length > 0 && this.changeBulk) {
      const changeResponses = await this.execute(
        withChange.map(({ change }) => ({ operationType: "Upsert", partitionKey: this.ctx.tenantId, resourceBody: change as unknown as JSONObject })),
        this.changeBulk,
      );
      changeResponses.forEach((response, i) => {
        const status = response?.statusCode ?? 0;
        const index = withChange[i]?.index as number;
        if (status === 200 || status === 201) this.counters.changesWritten += 1;
        else if (status === 429 || status === 449 || status === 409) {
          if (status === 429) throttled = true;
          deferred.add(index);
        } else throw toStoreError({ code: status, message: `bulk Upsert of a change answered ${status}` }, "write changes");
      });
    }
    const writable = merged.map((m, index) => ({ ...m, index })).filter((m) => !deferred.has(m.index));
    const operations: OperationInput[] = writable.map(({ id, existing, doc }) =>
      existing
        ? {
            operationType: "Replace",
            id,
            partitionKey: this.ctx.tenantId,
            ifMatch: existing.etag,
            resourceBody: doc as unknown as JSONObject,
          }
        : { operationType: "Create", partitionKey: this.ctx.tenantId, resourceBody: doc as unknown as JSONObject },
    );
    const responses = await this.execute(operations);
    const retry: [string, ObservedItem][] = [...deferred].map((index) => pending[index] as [string, ObservedItem]);
    responses.forEach((response, index) => {
      const entry = pending[writable[index]?.index ?? -1];
      if (!entry) return;
      const status = response?.statusCode ?? 0;
      if (status === 200 || status === 201) {
        this.counters.upserted += 1;
        if (status === 201) this.counters.created += 1;
        else this.counters.replaced += 1;
      } else if (status === 412 || status === 409 || status === 404 || status === 429 || status === 449) {
        if (status === 429) throttled = true;
        retry.push(entry);
      } else {
        throw toStoreError(
          {
            code: status,
            message: `bulk ${operations[index]?.operationType ?? "write"} answered ${status}`,
          },
          "write inventory items",
        );
      }
    });
    setThrottled(throttled);
    this.counters.retriedOperations += retry.length;
    return retry;
  }

  private async readExisting(
    ids: string[],
  ): Promise<Map<string, { doc: InventoryItemDocument; etag: string }>> {
    const responses = await this.execute(
      ids.map((id) => ({ operationType: "Read", id, partitionKey: this.ctx.tenantId })),
    );
    const found = new Map<string, { doc: InventoryItemDocument; etag: string }>();
    responses.forEach((response, index) => {
      const id = ids[index];
      if (!id || !response) return;
      if (response.statusCode === 200 && response.resourceBody) {
        const body = response.resourceBody as Record<string, unknown>;
        const etag = response.eTag ?? (body._etag as string | undefined);
        if (etag)
          found.set(id, { doc: withoutSystemProperties(body) as unknown as InventoryItemDocument, etag });
      } else if (response.statusCode !== 404) {
        // A throttled or failed read: treat as unknown and let the write round decide. A Create
        // on an existing id answers 409 and comes back here next round.
        if (response.statusCode >= 500) {
          throw toStoreError(
            { code: response.statusCode, message: `bulk Read answered ${response.statusCode}` },
            "read inventory items",
          );
        }
      }
    });
    return found;
  }

  /** Runs operations in requests of ≤ 100, `requestConcurrency` at a time; results in input order. */
  private async execute(operations: OperationInput[], transport: BulkTransport = this.bulk): Promise<(OperationResponse | undefined)[]> {
    const results: (OperationResponse | undefined)[] = new Array(operations.length);
    const chunks: number[] = [];
    for (let start = 0; start < operations.length; start += OPS_PER_REQUEST) chunks.push(start);
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const start = chunks[next++] as number;
        const slice = operations.slice(start, start + OPS_PER_REQUEST);
        this.counters.bulkCalls += 1;
        let responses: OperationResponse[];
        try {
          responses = await transport(slice);
        } catch (error) {
          throw toStoreError(error, "bulk request");
        }
        responses.forEach((r, i) => (results[start + i] = r));
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.options.requestConcurrency, chunks.length) }, worker),
    );
    return results;
  }
}
