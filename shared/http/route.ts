import type { z } from "zod";
import { isCodedError } from "../domain/errorCodes";
import type { ApiErrorCode } from "../domain/errorCodes";
import type { ApiRequest, ApiResponse, HttpMethod } from "./apiTypes";
import { parseJsonBody } from "./body";
import { CORRELATION_HEADER, correlationIdOf } from "./correlation";
import { authorize } from "./principal";
import type { ApiRole } from "./principal";
import { ApiProblem, PROBLEM_CONTENT_TYPE, problemBody } from "./problem";
import { queryObject } from "./query";
import type { AppServices, ServiceProvider } from "./services";
import { parseInput } from "./validation";

type AnySchema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** A documented response of a route, for the OpenAPI document. */
export interface ResponseDoc {
  description: string;
  schema?: AnySchema;
  /** Response headers worth documenting (Location, Retry-After). */
  headers?: readonly ("Location" | "Retry-After")[];
}

export interface RouteSpec<P extends AnySchema | undefined, Q extends AnySchema | undefined, B extends AnySchema | undefined> {
  /** Function name in Azure, operationId in OpenAPI. */
  name: string;
  method: HttpMethod;
  /** Functions route syntax, without the /api prefix: `tenants/{tenantId}/inventory/sync`. */
  route: string;
  authLevel: "anonymous" | "function";
  /** Any one of these roles is enough; empty for anonymous routes. */
  roles: readonly ApiRole[];
  summary: string;
  description?: string;
  tags: readonly string[];
  request: {
    params?: P;
    query?: Q;
    /** A body is validated when present; `required` makes an empty body a 400. */
    body?: { schema: B & AnySchema; required: boolean };
  };
  /** Success responses; the problem responses of the pipeline are added by the generator. */
  responses: Readonly<Record<number, ResponseDoc>>;
  /** Problem codes this route can answer with besides the pipeline's own (validation, auth, 500). */
  problems: readonly ApiErrorCode[];
  /**
   * The path's `tenantId` must name a registered tenant, else 404 TENANT_NOT_FOUND before the
   * handler runs (docs/api.md: an empty answer must never stand for a mistyped tenant). Costs one
   * registry point read per request.
   */
  registeredTenant?: boolean;
  handler(input: HandlerInput<Out<P>, Out<Q>, Out<B>>): Promise<ApiResponse>;
}

export interface HandlerInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  request: ApiRequest;
  correlationId: string;
  /** Resolves the services; lazy so that routes that need none never build them. */
  services(): Promise<AppServices>;
}

/** Per-request environment a host passes to a route. */
export interface RequestEnv {
  services: ServiceProvider;
  /** Where unexpected failures are reported (the host's logger); the caller only sees a 500. */
  onUnexpectedError?(error: unknown, correlationId: string, routeName: string): void;
}

/** A route as hosts iterate it: everything but the handler's types erased. */
export interface ApiRoute {
  readonly name: string;
  readonly methods: readonly HttpMethod[];
  readonly route: string;
  readonly authLevel: "anonymous" | "function";
  readonly roles: readonly ApiRole[];
  readonly spec: RouteSpec<AnySchema | undefined, AnySchema | undefined, AnySchema | undefined>;
  /** Never rejects: every failure becomes a problem response carrying the correlation id. */
  handler(request: ApiRequest, env: RequestEnv): Promise<ApiResponse>;
}

const BASE_HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff" };

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body };
}

export function problemResponse(problem: ApiProblem, correlationId: string): ApiResponse {
  const body = problemBody(problem, correlationId);
  return {
    status: body.status,
    headers: { ...problem.headers, "content-type": `${PROBLEM_CONTENT_TYPE}; charset=utf-8`, [CORRELATION_HEADER]: correlationId, ...BASE_HEADERS },
    body,
  };
}

/**
 * Errors that are not the caller's fault but are not bugs either: the store being throttled or
 * down is a 503 the caller may retry. Everything unknown is a 500 whose message never leaves.
 */
function toProblem(error: unknown): ApiProblem | null {
  if (error instanceof ApiProblem) return error;
  if (isCodedError(error)) {
    if (error.code === "INVALID_CONTINUATION_TOKEN") {
      return new ApiProblem("INVALID_CONTINUATION_TOKEN", "The continuation token was not issued by this list for this tenant.", {
        errors: [{ path: "query.continuationToken", message: "not a continuation token of this list" }],
      });
    }
    if (error.code === "STORE_THROTTLED" || error.code === "STORE_UNAVAILABLE") {
      return new ApiProblem("INTERNAL_ERROR", "The inventory store is temporarily unavailable; retry later.", { status: 503 }, { "retry-after": "10" });
    }
  }
  return null;
}

/**
 * The pipeline every route runs: correlation id → services (only if the route is role-gated) →
 * authorisation → path, query, body validation → handler → headers. Authorisation comes first
 * so an unauthenticated caller learns nothing from validation messages.
 */
export function defineRoute<P extends AnySchema | undefined, Q extends AnySchema | undefined, B extends AnySchema | undefined>(
  spec: RouteSpec<P, Q, B>,
): ApiRoute {
  const handler = async (request: ApiRequest, env: RequestEnv): Promise<ApiResponse> => {
    const correlationId = correlationIdOf(request.headers);
    let services: Promise<AppServices> | null = null;
    const getServices = () => (services ??= env.services());
    try {
      if (spec.roles.length > 0) {
        const { settings } = await getServices();
        authorize(request.headers, spec.roles, settings.AUTH_REQUIRE_PRINCIPAL);
      }
      const params = spec.request.params ? parseInput(spec.request.params, request.params, "path") : undefined;
      if (spec.registeredTenant) await requireRegisteredTenant(params, getServices);
      const query = spec.request.query ? parseInput(spec.request.query, queryObject(request.query), "query") : undefined;
      let body: unknown;
      if (spec.request.body) {
        const raw = parseJsonBody(await request.bodyText(), request.headers["content-type"]);
        if (raw === undefined && spec.request.body.required) {
          throw new ApiProblem("VALIDATION_FAILED", "A JSON body is required.", { errors: [{ path: "body", message: "required" }] });
        }
        body = parseInput(spec.request.body.schema, raw === undefined ? {} : raw, "body");
      }
      const response = await spec.handler({
        params: params as Out<P>,
        query: query as Out<Q>,
        body: body as Out<B>,
        request,
        correlationId,
        services: getServices,
      });
      return { ...response, headers: { ...response.headers, [CORRELATION_HEADER]: correlationId, ...BASE_HEADERS } };
    } catch (error) {
      const problem = toProblem(error);
      if (problem) return problemResponse(problem, correlationId);
      env.onUnexpectedError?.(error, correlationId, spec.name);
      return problemResponse(new ApiProblem("INTERNAL_ERROR", "An unexpected error occurred. Quote the correlation id when reporting it."), correlationId);
    }
  };
  return {
    name: spec.name,
    methods: [spec.method],
    route: spec.route,
    authLevel: spec.authLevel,
    roles: spec.roles,
    spec: spec as unknown as ApiRoute["spec"],
    handler,
  };
}

export const tenantNotFound = (): ApiProblem => new ApiProblem("TENANT_NOT_FOUND", "The tenant is not registered; register it with PUT /api/tenants/{tenantId}.");

async function requireRegisteredTenant(params: unknown, services: () => Promise<AppServices>): Promise<void> {
  const tenantId = (params as { tenantId?: unknown } | undefined)?.tenantId;
  if (typeof tenantId !== "string") throw new Error("registeredTenant needs a tenantId path parameter");
  const { stores } = await services();
  if (!(await stores.tenants.get(tenantId))) throw tenantNotFound();
}

/** `/api/tenants/{t}/inventory/runs/{id}`: the path of a run (links and Location). */
export function runPath(tenantId: string, runId: string): string {
  return `/api/tenants/${encodeURIComponent(tenantId)}/inventory/runs/${encodeURIComponent(runId)}`;
}

/** An absolute URL on the origin the request came in on. */
export function absoluteUrl(request: ApiRequest, path: string): string {
  return new URL(path, new URL(request.url).origin).toString();
}
