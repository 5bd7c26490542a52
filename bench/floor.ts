/**
 * The Graph floor: the least wall time any client could take, given Graph's paging.
 *
 * Pages of one policy type form a chain (each nextLink comes from the previous page), so a
 * type costs ceil(size / pageSize) round trips; types run in parallel, so a tenant's floor is
 * its slowest chain. A nightly of N tenants with at most L runs in flight needs ceil(N / L)
 * waves of one tenant's floor. Pure arithmetic: no clock, no I/O.
 */

export type Sizes = Readonly<Record<string, number>>;

/** Round trips one type needs: an empty collection still costs one request. */
export function pagesOf(size: number, pageSize: number): number {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`size must be a non-negative integer, got ${size}`);
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  return Math.max(1, Math.ceil(size / pageSize));
}

/** Extra answers per type that are not pages (429s retried), and how long each one makes the client wait. */
export interface RetryLoad {
  retries: Readonly<Record<string, number>>;
  /** The wait each retry costs on top of its round trip (Retry-After). */
  waitMs: number;
}

/** Pages needed per type (no retries). */
export function pagesNeeded(sizes: Sizes, pageSizes: Sizes): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [type, size] of Object.entries(sizes)) {
    const pageSize = pageSizes[type];
    if (pageSize === undefined) throw new Error(`no page size for ${type}`);
    out[type] = pagesOf(size, pageSize);
  }
  return out;
}

export function totalPages(sizes: Sizes, pageSizes: Sizes): number {
  return Object.values(pagesNeeded(sizes, pageSizes)).reduce((n, p) => n + p, 0);
}

/**
 * Types whose assignments are read one object at a time (`…/{id}/assignments`), `concurrency`
 * at a time: each object is one more request, and a page's reads hold that type's chain.
 */
export interface PerObjectReads {
  types: ReadonlySet<string>;
  concurrency: number;
}

/** Per-object assignment reads a tenant of these sizes needs: one per object of a per-object type. */
export function assignmentReadsNeeded(sizes: Sizes, perObject: PerObjectReads): number {
  return Object.entries(sizes).reduce((n, [type, size]) => n + (perObject.types.has(type) ? size : 0), 0);
}

/** Per type: its chain of round trips × latency, plus what its retries and per-object reads cost. */
export function typeFloorsMs(sizes: Sizes, pageSizes: Sizes, latencyMs: number, retry?: RetryLoad, perObject?: PerObjectReads): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [type, pages] of Object.entries(pagesNeeded(sizes, pageSizes))) {
    const retries = retry?.retries[type] ?? 0;
    const reads = perObject?.types.has(type) ? Math.ceil((sizes[type] ?? 0) / Math.max(1, perObject.concurrency)) : 0;
    out[type] = (pages + retries + reads) * latencyMs + retries * (retry?.waitMs ?? 0);
  }
  return out;
}

/** One tenant: the slowest type's chain (types run in parallel). */
export function tenantFloorMs(sizes: Sizes, pageSizes: Sizes, latencyMs: number, retry?: RetryLoad): number {
  return Math.max(0, ...Object.values(typeFloorsMs(sizes, pageSizes, latencyMs, retry)));
}

/** Many tenants of the same shape, at most `globalLimit` runs in flight: ceil(N / L) waves. */
export function nightlyFloorMs(tenants: number, globalLimit: number, oneTenantFloorMs: number): number {
  if (tenants <= 0) return 0;
  if (!Number.isInteger(globalLimit) || globalLimit < 1) throw new RangeError("globalLimit must be a positive integer");
  return Math.ceil(tenants / globalLimit) * oneTenantFloorMs;
}

/**
 * The same tenant when at most `parallel` types run at once, started in the given order (the
 * orchestrator's sliding window: a slot goes to the next type as soon as one finishes). Greedy
 * list scheduling; equals the slowest chain unless the small types together outlast it.
 */
export function scheduledFloorMs(typeFloors: readonly number[], parallel: number): number {
  if (!Number.isInteger(parallel) || parallel < 1) throw new RangeError("parallel must be a positive integer");
  const slots = new Array<number>(Math.min(parallel, Math.max(1, typeFloors.length))).fill(0);
  for (const cost of typeFloors) {
    let earliest = 0;
    for (let i = 1; i < slots.length; i++) if ((slots[i] as number) < (slots[earliest] as number)) earliest = i;
    slots[earliest] = (slots[earliest] as number) + cost;
  }
  return Math.max(0, ...slots);
}

/** wall ÷ floor, rounded to two decimals; null when the floor is 0. */
export function ratioToFloor(wallMs: number, floorMs: number): number | null {
  return floorMs > 0 ? Math.round((wallMs / floorMs) * 100) / 100 : null;
}

/**
 * The nightly's floors beyond Graph's paging, so the docs can say which one binds.
 *
 * - Intune's budget (1,000 requests / 20 s per app per tenant; 2,000 for all apps) is per
 *   tenant, so tenants never share it: a tenant that needs R requests waits for
 *   ceil(R / budget) − 1 extra windows, whatever the number of tenants.
 * - Graph's global limit (130,000 requests / 10 s per app across all tenants) is shared.
 * - Cosmos: every item costs request units (a read, then a create or a replace), and the
 *   container serves a fixed number per second (serverless: 5,000 RU/s per container).
 * - CPU: the sync process spends a measured amount of CPU per tenant; one event loop cannot
 *   finish sooner than the sum of it.
 */
export interface WindowBudget {
  requests: number;
  windowMs: number;
}

/** Extra time a budget of `budget.requests` per window imposes on `requests` requests (windows are bursts). */
export function budgetFloorMs(requests: number, budget: WindowBudget): number {
  if (!Number.isInteger(budget.requests) || budget.requests < 1) throw new RangeError("budget.requests must be a positive integer");
  return requests <= 0 ? 0 : (Math.ceil(requests / budget.requests) - 1) * budget.windowMs;
}

export interface NightlyFloorInput {
  tenants: number;
  globalLimit: number;
  /** One tenant's Graph floor (its slowest chain). */
  tenantFloorMs: number;
  /** Graph requests (pages) one tenant's sync needs. */
  requestsPerTenant: number;
  itemsPerTenant: number;
  intuneBudget: WindowBudget;
  graphGlobalBudget: WindowBudget;
  ruPerItem: number;
  cosmosRuPerSecond: number;
  /** Measured CPU of the sync process per tenant (ms), when known. */
  cpuMsPerTenant?: number;
}

export interface NightlyFloors {
  /** Today's definition: ceil(tenants / global limit) waves of one tenant's floor. */
  wavesMs: number;
  /** Every tenant at once, each inside its own Intune budget: its chain, or the windows its requests need. */
  intuneBudgetMs: number;
  graphGlobalMs: number;
  cosmosMs: number;
  cpuMs: number | null;
  binding: "waves" | "intuneBudget" | "graphGlobal" | "cosmos" | "cpu";
}

export function nightlyFloors(input: NightlyFloorInput): NightlyFloors {
  const floors = {
    waves: nightlyFloorMs(input.tenants, input.globalLimit, input.tenantFloorMs),
    intuneBudget: Math.max(input.tenantFloorMs, budgetFloorMs(input.requestsPerTenant, input.intuneBudget)),
    graphGlobal: budgetFloorMs(input.requestsPerTenant * input.tenants, input.graphGlobalBudget),
    cosmos: Math.round((input.tenants * input.itemsPerTenant * input.ruPerItem * 1000) / input.cosmosRuPerSecond),
    cpu: input.cpuMsPerTenant === undefined ? null : Math.round(input.tenants * input.cpuMsPerTenant),
  };
  const binding = (Object.entries(floors) as [NightlyFloors["binding"], number | null][]).reduce((a, b) => ((b[1] ?? -1) > (a[1] ?? -1) ? b : a))[0];
  return { wavesMs: floors.waves, intuneBudgetMs: floors.intuneBudget, graphGlobalMs: floors.graphGlobal, cosmosMs: floors.cosmos, cpuMs: floors.cpu, binding };
}
