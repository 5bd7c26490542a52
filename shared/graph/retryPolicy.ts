import { parseRetryAfter } from "../domain/retryAfter";
/**
 * Pure retry arithmetic for Graph calls: when to retry, and how long to wait. Kept free of I/O
 * and clocks (callers pass `nowMs` and `random`) so every branch is unit-testable.
 */

/** Statuses Graph documents as transient: throttling, service unavailable, gateway timeout. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503, 504]);

export interface BackoffOptions {
  /** First back-off ceiling in ms; the ceiling doubles per attempt. */
  baseMs: number;
  /** No single wait exceeds this, whatever the attempt or Retry-After says. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 60_000 };

/**
 * Exponential back-off with full jitter: a uniform wait in [0, min(cap, base · 2^(attempt-1))).
 * Full jitter spreads retries of many callers (hundreds of tenants, eight types each) instead
 * of synchronising them on the same schedule.
 */
export function fullJitterDelay(attempt: number, random: () => number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(exponent, 30));
  return Math.floor(random() * ceiling);
}

/** The wait before retry `attempt` (1-based): Retry-After when Graph gave one, else full jitter. */
export function retryDelay(
  attempt: number,
  retryAfterHeader: string | null | undefined,
  nowMs: number,
  random: () => number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const told = parseRetryAfter(retryAfterHeader, nowMs);
  if (told !== null) return Math.min(told, opts.capMs);
  return fullJitterDelay(attempt, random, opts);
}
