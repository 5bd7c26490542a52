import type { Container, SqlParameter } from "@azure/cosmos";
import { InventoryItemDocumentSchema, POLICY_TYPES, deriveMissingReport, referenceKey, toItemView } from "../domain";
import type {
  DriftCandidate,
  InventoryItem,
  InventoryItemDocument,
  MissingItem,
  MissingReport,
  PolicyTypeKey,
  RunDocument,
} from "../domain";
import type { CoverageRow, DependencyQuery, ItemFilters, ItemQuery, ItemRepository, Page, RunRepository, WriterContext } from "./ports";
import { queryFingerprint } from "./continuationToken";
import { queryAll, queryPage, withoutSystemProperties } from "./cosmosQuery";
import { CosmosItemWriter, containerBulkTransport } from "./itemWriter";
import type { ItemWriterOptions } from "./itemWriter";
import { statusOf, toStoreError } from "./storeErrors";

/** Items read per store page while exporting: the unit of the export's memory (~1–2 MB). */
const ITERATE_PAGE_SIZE = 1_000;
/** Candidates read per store page for the missing report (its export streams page by page). */
const MISSING_PAGE_SIZE = 500;
/** Runs read to attribute a per-type "last run" in coverage, newest first, before giving up. */
const COVERAGE_RUN_LOOKBACK = 200;
/** Per-type aggregate queries in flight for coverage. */
const COVERAGE_CONCURRENCY = 8;

export class CosmosItemRepository implements ItemRepository {
  constructor(
    private readonly container: () => Promise<Container>,
    private readonly runs: RunRepository & {
      completedRunsNewestFirst(tenantId: string, max: number): Promise<RunDocument[]>;
    },
    private readonly writerOptions: ItemWriterOptions = {},
  ) {}

  /**
   * The container is resolved on the first flush, so this stays synchronous. Returns the
   * concrete writer so callers that care (tests, benchmarks) can read `stats()`.
   */
  createWriter(ctx: WriterContext, options: ItemWriterOptions = {}): CosmosItemWriter {
    return new CosmosItemWriter(containerBulkTransport(this.container), ctx, {
      ...this.writerOptions,
      ...options,
    });
  }

  async list(tenantId: string, query: ItemQuery): Promise<Page<InventoryItem>> {
    const { where, parameters } = itemFilter(tenantId, query);
    const fingerprint = queryFingerprint("items", {
      policyType: query.policyType ?? null,
      category: query.category ?? null,
      platform: query.platform ?? null,
      q: query.q ?? null,
    });
    // Ordered by id (policyType-prefixed, unique): a stable order whose continuation never
    // depends on ties, and a single-property ORDER BY needs no composite index.
    const page = await queryPage<InventoryItemDocument>(
      await this.resolve(),
      { query: `SELECT * FROM c WHERE ${where.join(" AND ")} ORDER BY c.id`, parameters },
      { tenantId, fingerprint, limit: query.limit, continuationToken: query.continuationToken },
      "list inventory items",
    );
    return { items: page.items.map((doc) => toItemView(doc)), continuationToken: page.continuationToken };
  }

  /**
   * Every matching item, one store page at a time (exports). In store order, not by id: the
   * in-process Cosmos-compatible server sorts the whole partition again for every page of an
   * ORDER BY query (10,000 items in pages of 500: 27.6 s ordered, 5.6 s unordered, on a loaded
   * machine), and a spreadsheet sorts anyway.
   */
  async *iterate(tenantId: string, filters: ItemFilters): AsyncGenerator<InventoryItem> {
    const { where, parameters } = itemFilter(tenantId, filters);
    const iterator = (await this.resolve()).items.query<InventoryItemDocument>(
      { query: `SELECT * FROM c WHERE ${where.join(" AND ")}`, parameters },
      { partitionKey: tenantId, maxItemCount: ITERATE_PAGE_SIZE },
    );
    while (iterator.hasMoreResults()) {
      let page: InventoryItemDocument[];
      try {
        page = (await iterator.fetchNext()).resources ?? [];
      } catch (error) {
        throw toStoreError(error, "export inventory items");
      }
      for (const doc of page) yield toItemView(doc);
    }
  }

  /**
   * One indexed predicate in the tenant's partition: every item document carries `refs`, the
   * flat list of `group:`, `filter:` and `scopeTag:` keys it references (itemReferences), and
   * Cosmos indexes each element of a scalar array, so `ARRAY_CONTAINS(c.refs, @ref)` is an index
   * lookup. The alternative — `EXISTS(SELECT VALUE t FROM t IN c.assignments.targets WHERE …)`
   * plus a second clause for scope tags in meta — is a self-join per document, costs more RU as
   * items grow, and needs a subquery the in-process Cosmos stand-in does not run. The price is
   * a few dozen bytes per document, written with the item (no extra write).
   */
  async dependencies(tenantId: string, query: DependencyQuery): Promise<Page<InventoryItem>> {
    const ref = referenceKey(query.kind, query.id);
    const page = await queryPage<InventoryItemDocument>(
      await this.resolve(),
      {
        query: 'SELECT * FROM c WHERE c.docType = "item" AND c.tenantId = @tenantId AND ARRAY_CONTAINS(c.refs, @ref) ORDER BY c.id',
        parameters: [
          { name: "@tenantId", value: tenantId },
          { name: "@ref", value: ref },
        ],
      },
      { tenantId, fingerprint: queryFingerprint("dependencies", { ref }), limit: query.limit, continuationToken: query.continuationToken },
      "list dependencies",
    );
    return { items: page.items.map((doc) => toItemView(doc)), continuationToken: page.continuationToken };
  }

  async get(tenantId: string, id: string): Promise<InventoryItem | null> {
    const doc = await this.readDocument(tenantId, id);
    return doc ? toItemView(doc) : null;
  }

  /** The stored document including `seenBy` (engine and tests; not served by the API). */
  async readDocument(tenantId: string, id: string): Promise<InventoryItemDocument | null> {
    const container = await this.resolve();
    try {
      const { resource, statusCode } = await container.item(id, tenantId).read<Record<string, unknown>>();
      if (statusCode === 404 || !resource) return null;
      const parsed = InventoryItemDocumentSchema.safeParse(withoutSystemProperties(resource));
      return parsed.success && parsed.data.tenantId === tenantId ? parsed.data : null;
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw toStoreError(error, "read inventory item");
    }
  }

  async missing(tenantId: string, selectionHash: string): Promise<MissingReport> {
    const { report, items } = await this.missingStream(tenantId, selectionHash);
    const all: MissingItem[] = [];
    for await (const item of items) all.push(item);
    return { ...report, items: all };
  }

  /**
   * The missing report with its items as a stream, read one store page at a time (exports). The
   * candidates are the items in the run's scope not stamped by that run for this selection; the
   * domain re-checks each one, so the query only has to be a superset.
   */
  async missingStream(tenantId: string, selectionHash: string): Promise<{ report: Omit<MissingReport, "items">; items: AsyncIterable<MissingItem> }> {
    const latestRun = await this.runs.latestCompleted(tenantId, selectionHash);
    const empty = deriveMissingReport(selectionHash, latestRun, []);
    const report = { selectionHash: empty.selectionHash, latestRun: empty.latestRun, confidence: empty.confidence };
    if (!latestRun) return { report, items: (async function* () {})() };
    const container = await this.resolve();
    const iterator = container.items.query<InventoryItemDocument>(
      {
        query:
          'SELECT * FROM c WHERE c.docType = "item" AND c.tenantId = @tenantId AND ARRAY_CONTAINS(@scope, c.policyType) ' +
          "AND (NOT IS_DEFINED(c.seenBy[@hash]) OR c.seenBy[@hash] != @runId)",
        parameters: [
          { name: "@tenantId", value: tenantId },
          { name: "@scope", value: latestRun.scope },
          { name: "@hash", value: selectionHash },
          { name: "@runId", value: latestRun.id },
        ],
      },
      { partitionKey: tenantId, maxItemCount: MISSING_PAGE_SIZE },
    );
    async function* pages(): AsyncGenerator<MissingItem> {
      while (iterator.hasMoreResults()) {
        let page: InventoryItemDocument[];
        try {
          page = (await iterator.fetchNext()).resources ?? [];
        } catch (error) {
          throw toStoreError(error, "query missing items");
        }
        const docs = page.map((doc) => withoutSystemProperties(doc as unknown as Record<string, unknown>) as unknown as InventoryItemDocument);
        yield* deriveMissingReport(selectionHash, latestRun, docs).items;
      }
    }
    return { report, items: pages() };
  }

  async lastSeenByAnyOf(
    tenantId: string,
    selectionHash: string,
    policyTypes: readonly PolicyTypeKey[],
    runIds: readonly string[],
  ): Promise<Pick<InventoryItem, "id" | "policyType" | "externalId" | "displayName">[]> {
    if (runIds.length === 0 || policyTypes.length === 0) return [];
    return queryAll(
      await this.resolve(),
      {
        query:
          "SELECT c.id, c.policyType, c.externalId, c.displayName FROM c " +
          'WHERE c.docType = "item" AND c.tenantId = @tenantId AND ARRAY_CONTAINS(@policyTypes, c.policyType) AND ARRAY_CONTAINS(@runIds, c.seenBy[@hash])',
        parameters: [
          { name: "@tenantId", value: tenantId },
          { name: "@policyTypes", value: [...policyTypes] },
          { name: "@runIds", value: [...runIds] },
          { name: "@hash", value: selectionHash },
        ],
      },
      tenantId,
      "query removed items",
    );
  }

  async coverage(tenantId: string): Promise<CoverageRow[]> {
    const [runs, aggregates] = await Promise.all([
      this.runs.completedRunsNewestFirst(tenantId, COVERAGE_RUN_LOOKBACK),
      this.countByType(tenantId),
    ]);
    return POLICY_TYPES.map((def) => {
      const agg = aggregates.get(def.key) ?? { itemCount: 0, lastObservedAt: null };
      return { policyType: def.key, category: def.category, ...agg, lastRun: lastRunOfType(runs, def.key) };
    });
  }

  async count(tenantId: string): Promise<number> {
    const [n] = await queryAll<number>(
      await this.resolve(),
      { query: 'SELECT VALUE COUNT(1) FROM c WHERE c.docType = "item" AND c.tenantId = @tenantId', parameters: [{ name: "@tenantId", value: tenantId }] },
      tenantId,
      "count items",
    );
    return n ?? 0;
  }

  async countByType(tenantId: string): Promise<Map<PolicyTypeKey, { itemCount: number; lastObservedAt: string | null }>> {
    const container = await this.resolve();
    // No GROUP BY on the in-process server: one small aggregate query per catalog type.
    const aggregates = new Map<PolicyTypeKey, { itemCount: number; lastObservedAt: string | null }>();
    const keys = POLICY_TYPES.map((t) => t.key);
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const policyType = keys[next++] as PolicyTypeKey;
        const [row] = await queryAll<{ n?: number; last?: string }>(
          container,
          {
            query:
              'SELECT COUNT(1) AS n, MAX(c.lastSeenAt) AS last FROM c WHERE c.docType = "item" AND c.tenantId = @tenantId AND c.policyType = @policyType',
            parameters: [
              { name: "@tenantId", value: tenantId },
              { name: "@policyType", value: policyType },
            ],
          },
          tenantId,
          "coverage aggregate",
        );
        aggregates.set(policyType, {
          itemCount: row?.n ?? 0,
          lastObservedAt: typeof row?.last === "string" ? row.last : null,
        });
      }
    };
    await Promise.all(Array.from({ length: COVERAGE_CONCURRENCY }, worker));
    return aggregates;
  }

  async compared(tenantId: string, policyTypes: readonly PolicyTypeKey[]): Promise<DriftCandidate[]> {
    if (policyTypes.length === 0) return [];
    // A projection: meta and assignments are what is compared; timestamps and run fields are not
    // read. Measured on the in-process server, 10k items: see docs/performance.md "Compare".
    const rows = await queryAll<Record<string, unknown>>(
      await this.resolve(),
      {
        query:
          "SELECT c.id, c.externalId, c.policyType, c.displayName, c.platform, c.meta, c.assignments, c.seenBy FROM c " +
          'WHERE c.docType = "item" AND c.tenantId = @tenantId AND ARRAY_CONTAINS(@types, c.policyType)',
        parameters: [
          { name: "@tenantId", value: tenantId },
          { name: "@types", value: [...policyTypes] },
        ],
      },
      tenantId,
      "read items to compare",
      // Pages as large as the service allows (Cosmos caps a page at 4 MB): with the SDK's default
      // of 100 items a page, 10k items are 100 round trips, and the in-process server re-scans
      // the container for each (measured: compare of 10k per side 24.9 s with the default).
      { maxItemCount: -1 },
    );
    // The writer validated every document; only the shape compare relies on is checked here
    // (a zod parse of 10k items would cost more than the query's own decoding).
    return rows.flatMap((r) =>
      typeof r.id === "string" && typeof r.policyType === "string" && typeof r.displayName === "string"
        ? [
            {
              id: r.id,
              externalId: String(r.externalId ?? ""),
              policyType: r.policyType as PolicyTypeKey,
              displayName: r.displayName,
              platform: String(r.platform ?? "unknown"),
              meta: (r.meta && typeof r.meta === "object" ? r.meta : {}) as Record<string, unknown>,
              ...(r.assignments && typeof r.assignments === "object" ? { assignments: r.assignments as DriftCandidate["assignments"] } : {}),
              seenBy: (r.seenBy && typeof r.seenBy === "object" ? r.seenBy : {}) as Record<string, string>,
            },
          ]
        : [],
    );
  }

  private async resolve(): Promise<Container> {
    try {
      return await this.container();
    } catch (error) {
      throw toStoreError(error, "open inventory container");
    }
  }
}

function itemFilter(tenantId: string, query: ItemFilters): { where: string[]; parameters: SqlParameter[] } {
  const where = ['c.docType = "item"', "c.tenantId = @tenantId"];
  const parameters: SqlParameter[] = [{ name: "@tenantId", value: tenantId }];
  if (query.policyType) {
    where.push("c.policyType = @policyType");
    parameters.push({ name: "@policyType", value: query.policyType });
  }
  if (query.category) {
    where.push("c.category = @category");
    parameters.push({ name: "@category", value: query.category });
  }
  if (query.platform) {
    where.push("c.platform = @platform");
    parameters.push({ name: "@platform", value: query.platform });
  }
  if (query.q) {
    // Two-argument CONTAINS on LOWER: the in-process server lacks CONTAINS(…, true).
    where.push("CONTAINS(LOWER(c.displayName), @q)");
    parameters.push({ name: "@q", value: query.q.toLowerCase() });
  }
  return { where, parameters };
}

/** The newest completed run that covered the type, with that type's own outcome. */
export function lastRunOfType(
  runsNewestFirst: readonly RunDocument[],
  policyType: PolicyTypeKey,
): CoverageRow["lastRun"] {
  const run = runsNewestFirst.find((r) => r.scope.includes(policyType));
  if (!run) return null;
  const outcome = run.policyTypes.find((p) => p.policyType === policyType);
  if (outcome) return { id: run.id, status: outcome.status, errorCode: outcome.errorCode };
  // In scope but no outcome: a run-level failure (credentials) before the type was enumerated.
  return { id: run.id, status: run.status, errorCode: run.errorCodes[0] ?? null };
}
