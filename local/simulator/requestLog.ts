/**
 * Every request the simulator saw, so tests can prove what a sync did and did not do: only
 * GETs, never a token outside Graph, how many tenants and requests were in flight at once.
 */
export interface RequestLogEntry {
  seq: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: string;
  /** From the token's tid; null when the request had no valid token. */
  tenantId: string | null;
  policyType: string | null;
  hadAuthorization: boolean;
  status: number;
  startedAt: number;
  durationMs: number;
  /** Requests of this tenant in flight when this one started (itself included). */
  tenantConcurrency: number;
  /** Distinct tenants with a request in flight when this one started. */
  tenantsInFlight: number;
}

/**
 * Entries kept by default: a test's whole conversation (a 200-tenant nightly is ~6,000 requests)
 * while a long-running local host cannot grow without bound (~250 bytes an entry). Beyond it the
 * oldest entries go; the concurrency maxima are counters and stay exact.
 */
export const DEFAULT_REQUEST_LOG_CAPACITY = 50_000;

export class RequestLog {
  private list: RequestLogEntry[] = [];
  /** Entries dropped because the log was full. */
  dropped = 0;
  private readonly inFlight = new Map<string, number>();
  private readonly maxPerTenant = new Map<string, number>();
  private maxTenants = 0;
  private seq = 0;

  constructor(readonly capacity: number = DEFAULT_REQUEST_LOG_CAPACITY) {}

  /** Marks a request as started; call the returned function when it has been answered. */
  begin(
    entry: Omit<RequestLogEntry, "seq" | "status" | "durationMs" | "tenantConcurrency" | "tenantsInFlight">,
    now: () => number,
  ): (status: number, tenantId?: string | null, policyType?: string | null) => void {
    const key = entry.tenantId ?? "";
    const record: RequestLogEntry = { ...entry, seq: ++this.seq, status: 0, durationMs: 0, tenantConcurrency: 0, tenantsInFlight: 0 };
    if (entry.tenantId) this.enter(key, record);
    let done = false;
    return (status, tenantId, policyType) => {
      if (done) return;
      done = true;
      record.status = status;
      record.durationMs = now() - entry.startedAt;
      if (tenantId !== undefined) record.tenantId = tenantId;
      if (policyType !== undefined) record.policyType = policyType;
      if (entry.tenantId) this.leave(key);
      this.list.push(record);
      // Trimmed in steps of a quarter, so keeping the bound costs O(1) per request amortised.
      if (this.list.length > this.capacity + Math.ceil(this.capacity / 4)) {
        this.dropped += this.list.length - this.capacity;
        this.list = this.list.slice(this.list.length - this.capacity);
      }
    };
  }

  private enter(tenantId: string, record: RequestLogEntry): void {
    const n = (this.inFlight.get(tenantId) ?? 0) + 1;
    this.inFlight.set(tenantId, n);
    this.maxPerTenant.set(tenantId, Math.max(this.maxPerTenant.get(tenantId) ?? 0, n));
    this.maxTenants = Math.max(this.maxTenants, this.inFlight.size);
    record.tenantConcurrency = n;
    record.tenantsInFlight = this.inFlight.size;
  }

  private leave(tenantId: string): void {
    const n = (this.inFlight.get(tenantId) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(tenantId);
    else this.inFlight.set(tenantId, n);
  }

  entries(filter: Partial<Pick<RequestLogEntry, "tenantId" | "policyType" | "method" | "status">> = {}): RequestLogEntry[] {
    return this.list.filter((e) => Object.entries(filter).every(([k, v]) => e[k as keyof RequestLogEntry] === v));
  }

  count(filter: Partial<Pick<RequestLogEntry, "tenantId" | "policyType" | "method" | "status">> = {}): number {
    return this.entries(filter).length;
  }

  /** Highest number of simultaneous requests of one tenant. */
  maxConcurrency(tenantId: string): number {
    return this.maxPerTenant.get(tenantId) ?? 0;
  }

  /** Highest number of distinct tenants that had requests in flight at the same moment. */
  maxConcurrentTenants(): number {
    return this.maxTenants;
  }

  /** Distinct HTTP methods seen, sorted. */
  methods(): string[] {
    return [...new Set(this.list.map((e) => e.method))].sort();
  }

  clear(): void {
    this.list.length = 0;
    this.dropped = 0;
    this.maxPerTenant.clear();
    this.maxTenants = 0;
  }
}
