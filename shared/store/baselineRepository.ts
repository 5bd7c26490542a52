import { randomUUID } from "node:crypto";
import type { Container } from "@azure/cosmos";
import { z } from "zod";
import { BaselineItemSchema, BaselineSchema, CodedError, MAX_BASELINE_ITEMS } from "../domain";
import type { Baseline, BaselineItem, BaselineWithItems } from "../domain";
import { withoutSystemProperties } from "./cosmosQuery";
import type { BaselineInput, BaselineRepository } from "./ports";
import { backoffMs, sleep, statusOf, toStoreError } from "./storeErrors";

/**
 * Baselines in their own container, partitioned on `/baselineId` (see names.ts). One baseline is
 * a head document (`id: "head"`: name, version, counts) plus its items in chunks per version
 * (`id: "v<version>.<write>.<n>"`, `write` unique per attempt so two racing updates never touch
 * each other's chunks). An update writes the new version's chunks first and then switches
 * the head with an ETag precondition, so a reader sees one whole version or the other, never a
 * mix; the previous version's chunks are kept for readers that read the old head a moment ago.
 */

/**
 * Items per chunk document. A captured item is ~0.3–1 KiB in cross-tenant form (meta without
 * volatile keys, assignment targets), so 500 stay far below Cosmos's 2 MiB document limit.
 */
const CHUNK_ITEMS = 500;
const HEAD_ID = "head";
const MAX_CAS_ATTEMPTS = 20;
/** Versions whose items are cached in this process (items of a version never change). */
const ITEM_CACHE_SIZE = 32;

const HeadDocumentSchema = BaselineSchema.extend({
  id: z.literal(HEAD_ID),
  docType: z.literal("baseline"),
  chunkCount: z.number().int().nonnegative(),
  writeId: z.string(),
});
type HeadDocument = z.infer<typeof HeadDocumentSchema>;
const ChunkDocumentSchema = z.object({
  id: z.string(),
  baselineId: z.string(),
  docType: z.literal("baselineItems"),
  version: z.number().int().positive(),
  writeId: z.string(),
  index: z.number().int().nonnegative(),
  items: z.array(BaselineItemSchema),
});
const BaselineItemsSchema = z.array(BaselineItemSchema).max(MAX_BASELINE_ITEMS);

const chunkId = (version: number, writeId: string, index: number) => `v${version}.${writeId}.${index}`;
const toBaseline = (head: HeadDocument): Baseline => BaselineSchema.parse(head);

export class CosmosBaselineRepository implements BaselineRepository {
  private readonly itemCache = new Map<string, BaselineItem[]>();

  constructor(private readonly container: () => Promise<Container>) {}

  private async resolve(): Promise<Container> {
    try {
      return await this.container();
    } catch (error) {
      throw toStoreError(error, "open baselines container");
    }
  }

  async get(baselineId: string): Promise<Baseline | null> {
    const head = await this.readHead(baselineId);
    return head ? toBaseline(head.doc) : null;
  }

  /** The baseline with the items of exactly the version its head names. */
  async getWithItems(baselineId: string): Promise<BaselineWithItems | null> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const head = await this.readHead(baselineId);
      if (!head) return null;
      const items = await this.readItems(head.doc);
      // The version was replaced and its chunks collected between the two reads: read again.
      if (items) return { ...toBaseline(head.doc), items };
    }
    throw new CodedError("STORE_UNAVAILABLE", `baseline ${baselineId} changed during every read`, { retryable: true });
  }

  /** Every baseline, by id: the one cross-partition query of this container (tens per MSP). */
  async list(): Promise<Baseline[]> {
    const container = await this.resolve();
    try {
      const { resources } = await container.items
        .query<Record<string, unknown>>({ query: 'SELECT * FROM c WHERE c.docType = "baseline"' })
        .fetchAll();
      return resources
        .map((r) => HeadDocumentSchema.safeParse(withoutSystemProperties(r)))
        .flatMap((p) => (p.success ? [toBaseline(p.data)] : []))
        .sort((a, b) => (a.baselineId < b.baselineId ? -1 : 1));
    } catch (error) {
      throw toStoreError(error, "list baselines");
    }
  }

  /** Creates version 1 or the next version; returns the head and whether it was created. */
  async put(input: BaselineInput, now: string): Promise<{ baseline: Baseline; created: boolean }> {
    // Validated on write with the schemas the read side parses with: what is stored can always
    // be read back (an unreadable chunk made every read of the baseline, and every drift step, fail).
    const items = BaselineItemsSchema.parse(input.items);
    const container = await this.resolve();
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.readHead(input.baselineId);
      const version = (current?.doc.version ?? 0) + 1;
      const writeId = randomUUID();
      const chunks: BaselineItem[][] = [];
      for (let i = 0; i < items.length; i += CHUNK_ITEMS) chunks.push(items.slice(i, i + CHUNK_ITEMS));
      try {
        for (const [index, chunk] of chunks.entries()) {
          await container.items.upsert({ id: chunkId(version, writeId, index), baselineId: input.baselineId, docType: "baselineItems", version, writeId, index, items: chunk });
        }
      } catch (error) {
        throw toStoreError(error, "write baseline items");
      }
      const head: HeadDocument = {
        id: HEAD_ID,
        docType: "baseline",
        baselineId: input.baselineId,
        displayName: input.displayName,
        version,
        itemCount: items.length,
        coveredTypes: input.coveredTypes,
        source: input.source,
        createdAt: current?.doc.createdAt ?? now,
        updatedAt: now,
        chunkCount: chunks.length,
        writeId,
      };
      try {
        if (current) await container.item(HEAD_ID, input.baselineId).replace(head, { accessCondition: { type: "IfMatch", condition: current.etag } });
        else await container.items.create(head);
      } catch (error) {
        const status = statusOf(error);
        if (status !== 409 && status !== 412) throw toStoreError(error, "write baseline");
        // Another update won this version number: drop what was written for it and go again.
        await this.deleteChunks(input.baselineId, (c) => c.writeId === writeId).catch(() => undefined);
        await sleep(backoffMs(attempt));
        continue;
      }
      // Keep the previous version for readers that just read its head; older ones go.
      await this.deleteChunks(input.baselineId, (c) => c.version < version - 1 || (c.version === version && c.writeId !== writeId)).catch(() => undefined);
      return { baseline: toBaseline(head), created: !current };
    }
    throw new CodedError("STORE_UNAVAILABLE", `baseline ${input.baselineId}: too many concurrent updates`, { retryable: true });
  }

  async delete(baselineId: string): Promise<boolean> {
    const container = await this.resolve();
    try {
      await container.item(HEAD_ID, baselineId).delete();
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw toStoreError(error, "delete baseline");
    }
    await this.deleteChunks(baselineId, () => true);
    return true;
  }

  private async readHead(baselineId: string): Promise<{ doc: HeadDocument; etag: string } | null> {
    const container = await this.resolve();
    try {
      const { resource, statusCode, etag } = await container.item(HEAD_ID, baselineId).read<Record<string, unknown>>();
      if (statusCode === 404 || !resource) return null;
      const parsed = HeadDocumentSchema.safeParse(withoutSystemProperties(resource));
      return parsed.success ? { doc: parsed.data, etag: etag ?? String(resource._etag) } : null;
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw toStoreError(error, "read baseline");
    }
  }

  /** The items of the head's version, or null when its chunks are no longer all there. */
  private async readItems(head: HeadDocument): Promise<BaselineItem[] | null> {
    const cacheKey = `${head.baselineId}\u0000${head.writeId}`;
    const cached = this.itemCache.get(cacheKey);
    if (cached) return cached;
    const container = await this.resolve();
    let resources: Record<string, unknown>[];
    try {
      ({ resources } = await container.items
        .query<Record<string, unknown>>(
          {
            query: 'SELECT * FROM c WHERE c.docType = "baselineItems" AND c.baselineId = @id AND c.writeId = @writeId',
            parameters: [
              { name: "@id", value: head.baselineId },
              { name: "@writeId", value: head.writeId },
            ],
          },
          { partitionKey: head.baselineId },
        )
        .fetchAll());
    } catch (error) {
      throw toStoreError(error, "read baseline items");
    }
    const chunks = resources.map((r) => ChunkDocumentSchema.parse(withoutSystemProperties(r))).sort((a, b) => a.index - b.index);
    if (chunks.length !== head.chunkCount) return null;
    const items = chunks.flatMap((c) => c.items);
    if (this.itemCache.size >= ITEM_CACHE_SIZE) this.itemCache.delete(this.itemCache.keys().next().value as string);
    this.itemCache.set(cacheKey, items);
    return items;
  }

  private async deleteChunks(baselineId: string, which: (chunk: { version: number; writeId: string }) => boolean): Promise<void> {
    const container = await this.resolve();
    try {
      const { resources } = await container.items
        .query<{ id: string; version: number; writeId: string }>(
          { query: 'SELECT c.id, c.version, c.writeId FROM c WHERE c.docType = "baselineItems" AND c.baselineId = @id', parameters: [{ name: "@id", value: baselineId }] },
          { partitionKey: baselineId },
        )
        .fetchAll();
      for (const chunk of resources.filter((r) => which(r))) {
        await container
          .item(chunk.id, baselineId)
          .delete()
          .catch((error: unknown) => {
            if (statusOf(error) !== 404) throw error;
          });
      }
    } catch (error) {
      throw toStoreError(error, "delete baseline items");
    }
  }
}
