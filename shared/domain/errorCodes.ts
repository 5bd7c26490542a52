import { z } from "zod";

/** Codes an HTTP caller can see in a problem-details body (docs/api.md "Errors"). */
export const ApiErrorCodeSchema = z.enum([
  "VALIDATION_FAILED",
  "TENANT_NOT_FOUND",
  "TENANT_DISABLED",
  "RUN_NOT_FOUND",
  "ITEM_NOT_FOUND",
  "BASELINE_NOT_FOUND",
  "INVALID_CONTINUATION_TOKEN",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "LOCK_HELD",
  "INTERNAL_ERROR",
  "SELECTION_AMBIGUOUS",
  "BASELINE_SOURCE_INCOMPLETE",
  "BASELINE_TOO_LARGE",
  // Answered by the host around the routes (no route, wrong method, refused Host/Origin, headers
  // over the limit), so that every error a caller sees has a code.
  "ROUTE_NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "HOST_NOT_ALLOWED",
  "ORIGIN_NOT_ALLOWED",
  "HEADERS_TOO_LARGE",
]);
export type ApiErrorCode = z.infer<typeof ApiErrorCodeSchema>;

/** Codes persisted on runs and per-type outcomes (docs/api.md "Errors"). */
export const RunErrorCodeSchema = z.enum([
  "GRAPH_THROTTLED",
  "GRAPH_UNAVAILABLE",
  "GRAPH_TIMEOUT",
  "GRAPH_UNAUTHORIZED",
  "GRAPH_FORBIDDEN",
  "GRAPH_NOT_LICENSED",
  "GRAPH_NOT_FOUND",
  "GRAPH_BAD_RESPONSE",
  "GRAPH_UNSAFE_NEXT_LINK",
  "ITEM_INVALID",
  "STORE_THROTTLED",
  "STORE_UNAVAILABLE",
  "CREDENTIAL_UNAVAILABLE",
  "LOCK_HELD",
  "CONCURRENCY_LIMIT_GLOBAL",
  "CONCURRENCY_LIMIT_TENANT",
  "TENANT_DISABLED",
  "INTERNAL_ERROR",
]);
export type RunErrorCode = z.infer<typeof RunErrorCodeSchema>;

/** Codes a gate (lock / concurrency) refusal carries. */
export const GateRefusalCodeSchema = z.enum(["LOCK_HELD", "CONCURRENCY_LIMIT_GLOBAL", "CONCURRENCY_LIMIT_TENANT"]);
export type GateRefusalCode = z.infer<typeof GateRefusalCodeSchema>;

/**
 * An error as a value with a stable code. Adapters throw or return these at boundaries; the
 * message is already redacted and short enough to persist.
 */
export class CodedError<C extends string = RunErrorCode | ApiErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly details: { status?: number; retryable?: boolean } = {},
  ) {
    super(message);
    this.name = "CodedError";
  }
}

export function isCodedError(value: unknown): value is CodedError<string> {
  return value instanceof CodedError;
}

/** Coerces any thrown value to a run error code; unknown failures are INTERNAL_ERROR. */
export function runErrorCodeOf(error: unknown): RunErrorCode {
  if (isCodedError(error)) {
    const parsed = RunErrorCodeSchema.safeParse(error.code);
    if (parsed.success) return parsed.data;
  }
  return "INTERNAL_ERROR";
}
