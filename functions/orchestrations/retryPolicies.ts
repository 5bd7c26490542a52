import * as df from "durable-functions";

/*
 * Durable retries, for activities that *throw* (a crash, a host restart, a store failure the
 * activity does not turn into an outcome). Graph 429/503 and short Cosmos throttling are retried
 * inside the activities first (Graph client: Retry-After or jittered back-off; syncPolicyType:
 * two more enumerations after 1 s and 4 s), so what reaches these is an outage of minutes.
 */

/**
 * Store-touching bookkeeping (markRunning, finalizeRun, the nightly's registry and admission
 * reads). Cosmos 429 storms and 503s during a regional failover last from seconds to a few
 * minutes: 2 s, 4 s, 8 s … capped at 60 s between attempts, 8 attempts (about 3 min of
 * back-off), and never past 10 min after the first attempt, so a run is finalised or failed
 * well within its 30-minute lease.
 */
export const STORE_RETRY = retry({ firstMs: 2_000, coefficient: 2, maxIntervalMs: 60_000, attempts: 8, timeoutMs: 10 * 60_000 });

/**
 * One policy type's enumeration crashed (the worker died, functionTimeout, an unexpected throw).
 * The rerun is idempotent (upserts by id) but may repeat a 30-minute type, so few attempts with
 * long gaps: 15 s, 45 s, 135 s, capped at 5 min; 4 attempts within 2 h.
 */
export const TYPE_RETRY = retry({ firstMs: 15_000, coefficient: 3, maxIntervalMs: 5 * 60_000, attempts: 4, timeoutMs: 2 * 60 * 60_000 });

function retry(o: { firstMs: number; coefficient: number; maxIntervalMs: number; attempts: number; timeoutMs: number }): df.RetryOptions {
  const options = new df.RetryOptions(o.firstMs, o.attempts);
  options.backoffCoefficient = o.coefficient;
  options.maxRetryIntervalInMilliseconds = o.maxIntervalMs;
  options.retryTimeoutInMilliseconds = o.timeoutMs;
  return options;
}
