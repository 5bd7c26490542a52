import { CodedError, isCodedError, safeMessage } from "../domain";

/** Status code of an SDK error (Cosmos `code`, Tables `statusCode`), if any. */
export function statusOf(error: unknown): number | undefined {
  if (!error || typeof error !== "object") return undefined;
  const e = error as { code?: unknown; statusCode?: unknown };
  if (typeof e.statusCode === "number") return e.statusCode;
  if (typeof e.code === "number") return e.code;
  return undefined;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "REQUEST_SEND_ERROR",
]);

/**
 * Maps a storage failure to a stable code. Throttling that survived the SDK's own retries is
 * STORE_THROTTLED; network, timeout and 5xx failures are STORE_UNAVAILABLE (the caller may retry
 * later); anything else is a bug or a contract breach (INTERNAL_ERROR). Messages are redacted
 * because SDK errors can echo request URLs and headers.
 */
export function toStoreError(error: unknown, action: string): CodedError {
  if (isCodedError(error)) return error as CodedError;
  const status = statusOf(error);
  const raw = error instanceof Error ? error.message : String(error);
  const message = safeMessage(`${action}: ${raw.split("\n")[0] ?? raw}`, 300);
  if (status === 429) return new CodedError("STORE_THROTTLED", message, { status, retryable: true });
  const code = error && typeof error === "object" ? (error as { code?: unknown }).code : undefined;
  if (
    status === undefined ||
    status === 408 ||
    status === 401 ||
    status === 403 ||
    status === 449 ||
    status >= 500 ||
    (typeof code === "string" && NETWORK_CODES.has(code))
  ) {
    return new CodedError("STORE_UNAVAILABLE", message, { status, retryable: true });
  }
  return new CodedError("INTERNAL_ERROR", message, { status, retryable: false });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Full-jitter backoff for optimistic-concurrency and per-operation throttling retries. */
export function backoffMs(attempt: number, baseMs = 20, capMs = 2_000): number {
  return Math.floor(Math.random() * Math.min(capMs, baseMs * 2 ** attempt));
}
