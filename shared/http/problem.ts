import { z } from "zod";
import { ApiErrorCodeSchema, CodedError } from "../domain/errorCodes";
import type { ApiErrorCode } from "../domain/errorCodes";

/**
 * RFC 9457 problem details. Written here rather than taken from a package: the one npm
 * library for it (`http-problem-details`) is a 0.x builder for the older RFC 7807 with few
 * users, and our body is a plain object whose schema must be zod anyway so the same schema
 * feeds the OpenAPI document.
 */
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export const FieldErrorSchema = z.object({
  path: z.string().meta({ description: "Where the bad value is, e.g. `body.policyTypes.0` or `query.limit`." }),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldErrorSchema>;

export const ProblemDetailsSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: ApiErrorCodeSchema,
    detail: z.string(),
    errors: z.array(FieldErrorSchema).optional(),
    correlationId: z.string(),
    runId: z.string().optional().meta({ description: "LOCK_HELD / TENANT_DISABLED: the skipped run recorded for this request." }),
    activeRunId: z.string().optional().meta({ description: "LOCK_HELD: the queued or running run that holds the lock." }),
    incompleteTypes: z
      .array(z.string())
      .optional()
      .meta({ description: "BASELINE_SOURCE_INCOMPLETE: the types of the capture's scope the source's latest runs did not enumerate completely." }),
  })
  .meta({ id: "ProblemDetails" });
export type ProblemDetails = z.infer<typeof ProblemDetailsSchema>;

/** Status and title per code: one place, so a code always means the same HTTP answer. */
export const PROBLEM_STATUS: Record<ApiErrorCode, { status: number; title: string }> = {
  VALIDATION_FAILED: { status: 400, title: "The request is not valid" },
  INVALID_CONTINUATION_TOKEN: { status: 400, title: "The continuation token is not valid here" },
  SELECTION_AMBIGUOUS: { status: 400, title: "The selection hash prefix matches several selections" },
  UNAUTHORIZED: { status: 401, title: "Authentication required" },
  FORBIDDEN: { status: 403, title: "The caller lacks the required role" },
  TENANT_NOT_FOUND: { status: 404, title: "Tenant not registered" },
  RUN_NOT_FOUND: { status: 404, title: "Run not found" },
  ITEM_NOT_FOUND: { status: 404, title: "Item not found" },
  BASELINE_NOT_FOUND: { status: 404, title: "Baseline not found" },
  BASELINE_SOURCE_INCOMPLETE: { status: 409, title: "The source tenant's latest runs did not read every type of the baseline completely" },
  BASELINE_TOO_LARGE: { status: 422, title: "The baseline would expect more items than a baseline may hold" },
  TENANT_DISABLED: { status: 409, title: "Tenant is disabled" },
  LOCK_HELD: { status: 409, title: "A sync of this selection is already queued or running" },
  PAYLOAD_TOO_LARGE: { status: 413, title: "The request body is too large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Unsupported content type" },
  INTERNAL_ERROR: { status: 500, title: "Internal error" },
  ROUTE_NOT_FOUND: { status: 404, title: "No route serves this path" },
  METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed on this route" },
  HOST_NOT_ALLOWED: { status: 421, title: "This host name is not served here" },
  ORIGIN_NOT_ALLOWED: { status: 403, title: "Cross-origin state-changing request refused" },
  HEADERS_TOO_LARGE: { status: 431, title: "Request headers too large" },
};

/** A stable URI per code; it names the code, it is not fetched. */
export const problemType = (code: ApiErrorCode): string => `urn:tenant-inventory:problem:${code}`;

/**
 * An API error as a value: thrown by validation helpers and handlers, turned into a problem
 * response by the route pipeline. `extra` carries documented extension members (runId …).
 */
export class ApiProblem extends CodedError<ApiErrorCode> {
  constructor(
    code: ApiErrorCode,
    detail: string,
    readonly extra: { errors?: FieldError[]; runId?: string; activeRunId?: string; incompleteTypes?: string[]; status?: number } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(code, detail, { status: extra.status ?? PROBLEM_STATUS[code].status });
    this.name = "ApiProblem";
  }
}

export function problemBody(problem: ApiProblem, correlationId: string): ProblemDetails {
  const status = problem.details.status ?? PROBLEM_STATUS[problem.code].status;
  const body: ProblemDetails = {
    type: problemType(problem.code),
    title: PROBLEM_STATUS[problem.code].title,
    status,
    code: problem.code,
    detail: problem.message,
    correlationId,
  };
  if (problem.extra.errors) body.errors = problem.extra.errors;
  if (problem.extra.runId) body.runId = problem.extra.runId;
  if (problem.extra.activeRunId) body.activeRunId = problem.extra.activeRunId;
  if (problem.extra.incompleteTypes) body.incompleteTypes = problem.extra.incompleteTypes;
  return body;
}
