import type {
  Baseline,
  BaselineItem,
  BaselineWithItems,
  Category,
  Change,
  ChangeCounts,
  ChangeDocument,
  ChangeKind,
  ChangeWindow,
  DriftCandidate,
  DriftRecord,
  InventoryItem,
  MissingItem,
  MissingReport,
  ObservedItem,
  Platform,
  PolicyTypeKey,
  RunDocument,
  RunOutline,
  RunStatus,
  Selection,
  Tenant,
  TenantSummaryDocument,
} from "../domain";

/**
 * What the rest of the system needs from storage. Every method takes the tenant id first and
 * touches one partition only; adapters live beside this file (Cosmos, Table Storage).
 */

export interface Page<T> {
  items: T[];
  /** Opaque, bound to the tenant it was issued for; null when there is no further page. */
  continuationToken: string | null;
}

export interface WriterContext {
  tenantId: string;
  runId: string;
  selectionHash: string;
  /** ISO time of the observation (the activity's clock). */
  observedAt: string;
  /**
   * Record this run's changes of the type (docs/api.md "Changes"): the type's change window of
   * the selection and how long change documents are kept. Absent: fields are recorded, no
   * change documents are written (tools, benchmarks).
   */
  changes?: { window: ChangeWindow; retentionSeconds: number | null };
}

/**
 * Write-behind buffer for one policy type of one run. `add` returns quickly and only waits when
 * the buffer is full (back-pressure keeps memory bounded by the buffer, not by the tenant).
 * Flushes happen in large bulk batches while the caller fetches the next pages.
 */
export interface ItemWriter {
  add(item: ObservedItem): Promise<void>;
  /** Waits for everything added so far to be stored; throws CodedError STORE_* on failure. */
  flush(): Promise<void>;
  /**
   * flush() and report; the writer cannot be used afterwards. `created`: how many of the writes
   * made a new document (the tenant summary counts documents from it).
   */
  close(): Promise<{ upserted: number; created?: number }>;
}

export interface ItemFilters {
  policyType?: PolicyTypeKey;
  category?: Category;
  platform?: Platform;
  /** Case-insensitive substring of displayName. */
  q?: string;
}

export interface ItemQuery extends ItemFilters {
  limit: number;
  continuationToken?: string;
}

/** What an item may reference: an assignment target group, an assignment filter, a scope tag. */
export interface DependencyQuery {
  kind: "group" | "filter" | "scopeTag";
  id: string;
  limit: number;
  continuationToken?: string;
}

export interface CoverageRow {
  policyType: PolicyTypeKey;
  category: Category;
  itemCount: number;
  lastObservedAt: string | null;
  lastRun: { id: string; status: RunStatus; errorCode: string | null } | null;
}

export interface ItemRepository {
  createWriter(ctx: WriterContext): ItemWriter;
  list(tenantId: string, query: ItemQuery): Promise<Page<InventoryItem>>;
  /** Every matching item, read one store page at a time, in store order (exports). */
  iterate(tenantId: string, filters: ItemFilters): AsyncIterable<InventoryItem>;
  get(tenantId: string, id: string): Promise<InventoryItem | null>;
  /** Items that reference a group, filter or scope tag, in id order, one page. */
  dependencies(tenantId: string, query: DependencyQuery): Promise<Page<InventoryItem>>;
  /** The missing report of a selection, from its latest completed run. */
  missing(tenantId: string, selectionHash: string): Promise<MissingReport>;
  /** The same report with its items read one store page at a time (exports). */
  missingStream(tenantId: string, selectionHash: string): Promise<{ report: Omit<MissingReport, "items">; items: AsyncIterable<MissingItem> }>;
  coverage(tenantId: string): Promise<CoverageRow[]>;
  /**
   * Stored documents per policy type (one aggregate query per type). Seeds a tenant summary once;
   * never on a request path of the portfolio.
   */
  countByType(tenantId: string): Promise<Map<PolicyTypeKey, { itemCount: number; lastObservedAt: string | null }>>;
  /** Stored documents of the tenant, one aggregate query (decides whether a summary needs countByType). */
  count(tenantId: string): Promise<number>;
  /**
   * Every item of the given types, with only what compare and drift use (compared fields, ids,
   * `seenBy`): one single-partition query, no paging (compare reads 10k items per side).
   */
  compared(tenantId: string, policyTypes: readonly PolicyTypeKey[]): Promise<DriftCandidate[]>;
  /** Items of `policyTypes` whose last run of the selection is one of `runIds` (the removed items of a change set). */
  lastSeenByAnyOf(
    tenantId: string,
    selectionHash: string,
    policyTypes: readonly PolicyTypeKey[],
    runIds: readonly string[],
  ): Promise<Pick<InventoryItem, "id" | "policyType" | "externalId" | "displayName">[]>;
}

export interface ChangeQuery {
  kind?: ChangeKind;
  policyType?: PolicyTypeKey;
  limit: number;
  continuationToken?: string;
}

export interface TenantChangeQuery extends ChangeQuery {
  /** ISO; inclusive. */
  since?: string;
  /** ISO; exclusive. */
  until?: string;
}

/** Change documents (docs/api.md "Changes"), in the tenant's partition of the runs container. */
export interface ChangeRepository {
  /** Upserts (idempotent per run and item); every document is of `tenantId`. */
  write(tenantId: string, docs: readonly ChangeDocument[]): Promise<void>;
  countByRun(tenantId: string, runId: string): Promise<ChangeCounts>;
  /** One run's changes, newest first. */
  listForRun(tenantId: string, runId: string, query: ChangeQuery): Promise<Page<Change>>;
  /** The tenant's changes across runs and selections, newest first. */
  list(tenantId: string, query: TenantChangeQuery): Promise<Page<Change>>;
}

export interface RunListQuery {
  selectionHash?: string;
  status?: RunStatus;
  limit: number;
  continuationToken?: string;
}

export interface SelectionActivity {
  selectionHash: string;
  selection: Selection;
  lastRequestedAt: string;
  latestRun: { id: string; status: RunStatus; finishedAt: string | null } | null;
}

export type ClaimResult = { ok: true } | { ok: false; activeRunId: string };

export interface RunRepository {
  /**
   * Stores a new run document, as the domain's lifecycle built it (`newRun`, or `skip` of one).
   * Idempotent for one id: re-creating a stored run (a retried starter) returns the stored one.
   */
  create(run: RunDocument): Promise<RunDocument>;
  get(tenantId: string, runId: string): Promise<RunDocument | null>;
  /**
   * Read-modify-write with ETag optimistic concurrency: `mutate` is re-applied to a fresh copy
   * on a precondition failure, so a lost update is impossible. Returning null leaves it unchanged.
   */
  update(tenantId: string, runId: string, mutate: (run: RunDocument) => RunDocument | null): Promise<RunDocument>;
  list(tenantId: string, query: RunListQuery): Promise<Page<RunDocument>>;
  latestCompleted(tenantId: string, selectionHash: string): Promise<RunDocument | null>;
  /** Completed runs of every selection of a tenant, newest first, at most `max`. */
  completedRunsNewestFirst(tenantId: string, max: number): Promise<RunDocument[]>;
  /**
   * Every selection the tenant has runs of, with its newest run (`latestRun`: the newest that was
   * not skipped) and when it was last requested, newest activity first. Reads the run documents'
   * few selection fields, page by page; memory is one entry per distinct selection.
   */
  selectionActivity(tenantId: string): Promise<SelectionActivity[]>;
  /**
   * The selection's completed runs, newest first, as change windows need them (`RunOutline`),
   * read a page at a time until `enough` says so or `max` runs were read.
   */
  completedOutlines(
    tenantId: string,
    selectionHash: string,
    enough: (runsSoFar: readonly RunOutline[]) => boolean,
    max: number,
  ): Promise<RunOutline[]>;
  /** Queued or running runs of a tenant (for the watchdog), oldest first. */
  listActive(tenantId: string): Promise<RunDocument[]>;
  /**
   * Queued or running runs of every tenant, registered or not, oldest first, at most `limit`:
   * the watchdog's one cross-partition read (runs of deleted tenants must be finalised too).
   */
  listActiveAcrossTenants(limit: number): Promise<RunDocument[]>;
  /** The run holding the claim of (tenant, selection), or null when nobody does. */
  claimHolder(tenantId: string, selectionHash: string): Promise<{ runId: string; leaseUntil: string } | null>;
  /**
   * Atomic claim of (tenant, selection) for a run: of any number of simultaneous claims exactly
   * one succeeds; the others learn the active run. A claim whose run is terminal, or whose
   * lease expired, can be taken over.
   */
  claim(tenantId: string, selectionHash: string, runId: string, leaseUntil: string, now: string): Promise<ClaimResult>;
  /** Releases the claim if `runId` still holds it. */
  releaseClaim(tenantId: string, selectionHash: string, runId: string): Promise<void>;
}

export interface TenantRegistry {
  get(tenantId: string): Promise<Tenant | null>;
  /** Creates or replaces; returns whether it was created. */
  put(tenant: Omit<Tenant, "createdAt" | "updatedAt">, now: string): Promise<{ tenant: Tenant; created: boolean }>;
  list(): Promise<Tenant[]>;
  /**
   * One page of the registry in key order, resumed by the store's continuation token (never an
   * offset): a tenant added or removed mid-walk neither shifts nor repeats the others.
   */
  listPage(options: { limit: number; continuationToken?: string | null }): Promise<{ tenants: Tenant[]; continuationToken: string | null }>;
  delete(tenantId: string): Promise<boolean>;
}

/** One small summary document per tenant (the portfolio), in the tenant's partition. */
export interface TenantSummaryRepository {
  get(tenantId: string): Promise<TenantSummaryDocument | null>;
  /** Summaries of these tenants (absent ones are left out): the portfolio's one read across partitions. */
  getMany(tenantIds: readonly string[]): Promise<Map<string, TenantSummaryDocument>>;
  /**
   * Read-modify-write with ETag optimistic concurrency (created when absent): `mutate` is
   * re-applied to a fresh copy on a conflict. Returning null leaves it unchanged.
   */
  update(
    tenantId: string,
    mutate: (current: TenantSummaryDocument | null) => Promise<TenantSummaryDocument | null> | TenantSummaryDocument | null,
  ): Promise<TenantSummaryDocument | null>;
}

export type BaselineInput = Omit<Baseline, "version" | "itemCount" | "createdAt" | "updatedAt"> & { items: BaselineItem[] };

/** Baselines (their own container, partitioned on the baseline id): versioned on every put. */
export interface BaselineRepository {
  get(baselineId: string): Promise<Baseline | null>;
  /** The head and the items of exactly the version it names (never a mix of two versions). */
  getWithItems(baselineId: string): Promise<BaselineWithItems | null>;
  list(): Promise<Baseline[]>;
  put(input: BaselineInput, now: string): Promise<{ baseline: Baseline; created: boolean }>;
  delete(baselineId: string): Promise<boolean>;
}

/** The compact drift record per tenant and baseline, in the tenant's partition. */
export interface DriftRecordRepository {
  get(tenantId: string, baselineId: string): Promise<DriftRecord | null>;
  put(record: DriftRecord): Promise<void>;
}

export interface Stores {
  items: ItemRepository;
  runs: RunRepository;
  tenants: TenantRegistry;
  summaries: TenantSummaryRepository;
  baselines: BaselineRepository;
  driftRecords: DriftRecordRepository;
  changes: ChangeRepository;
  /** Health probes for /api/health. */
  check(): Promise<{ cosmos: "ok" | "failed"; tables: "ok" | "failed" }>;
}
