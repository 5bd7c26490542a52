/**
 * Retry back-off as the Durable Task Framework computes it (RetryInterceptor.ComputeNextDelay):
 * delay = firstRetryInterval * backoffCoefficient ^ failedAttemptIndex, capped by
 * maxRetryInterval, and no further retry once retryTimeout has passed since the first attempt.
 * The framework schedules a retry timer after every failure, the last one included, and the
 * durable-functions engine waits for that timer before it reports the final failure.
 */
import type { RetryOptions } from "durable-functions";

export interface RetryDecision {
  /** Virtual milliseconds until the next attempt (or until the final failure is reported). */
  delayMs: number;
  /** False once retryTimeout has run out: the remaining attempts must not run. */
  mayRetry: boolean;
}

function positive(value: number | undefined): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;
}

export function nextRetry(
  options: RetryOptions,
  failedAttemptIndex: number,
  firstAttemptAt: Date,
  now: Date,
): RetryDecision {
  const timeout = positive(options.retryTimeoutInMilliseconds);
  if (timeout !== undefined && now.getTime() >= firstAttemptAt.getTime() + timeout) {
    return { delayMs: 0, mayRetry: false };
  }
  const coefficient = positive(options.backoffCoefficient) ?? 1;
  const raw = options.firstRetryIntervalInMilliseconds * Math.pow(coefficient, failedAttemptIndex);
  const cap = positive(options.maxRetryIntervalInMilliseconds);
  return { delayMs: cap !== undefined ? Math.min(raw, cap) : raw, mayRetry: true };
}
