/**
 * Intune-like request budget per tenant: about 1,000 requests per 20 seconds per app per
 * tenant (docs/design.md §4). A sliding window of request times; over the limit → 429 with a
 * Retry-After of the seconds until the oldest request leaves the window. Throttled requests
 * still count, as Graph keeps counting usage while a client is throttled.
 */
export interface ThrottleOptions {
  limit: number;
  windowMs: number;
}

export const INTUNE_THROTTLE: ThrottleOptions = { limit: 1_000, windowMs: 20_000 };

export class TenantThrottle {
  private readonly windows = new Map<string, number[]>();

  constructor(private readonly opts: ThrottleOptions) {}

  /** Records a request; returns null when allowed, else the Retry-After in seconds. */
  admit(tenantId: string, nowMs: number): number | null {
    let times = this.windows.get(tenantId);
    if (!times) {
      times = [];
      this.windows.set(tenantId, times);
    }
    const horizon = nowMs - this.opts.windowMs;
    let drop = 0;
    while (drop < times.length && (times[drop] as number) <= horizon) drop += 1;
    if (drop > 0) times.splice(0, drop);
    times.push(nowMs);
    if (times.length <= this.opts.limit) return null;
    const oldest = times[times.length - 1 - this.opts.limit] as number;
    return Math.max(1, Math.ceil((oldest + this.opts.windowMs - nowMs) / 1000));
  }

  reset(tenantId?: string): void {
    if (tenantId) this.windows.delete(tenantId);
    else this.windows.clear();
  }
}
