import type { z } from "zod";
import { isCodedError } from "../domain/errorCodes";
import type { ApiErrorCode } from "../domain/errorCodes";
import type { ApiRequest, ApiResponse, HttpMethod } from "./apiTypes";
import { isJsonContentType, parseJsonBody } from "./body";
import { publicOriginOf } from "../config/settings";
import { CORRELATION_HEADER, correlationIdOf } from "./correlation";
import { OPEN_ACCESS, authorize } from "./principal";
import type { ApiRole, TenantAccess } from "./principal";
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
  /**
   * Which tenants the caller may see. The pipeline already answered 404 TENANT_NOT_FOUND for a
   * `{tenantId}` the caller may not act on; cross-tenant routes filter with it.
   */
  access: TenantAccess;
  /** An absolute URL of `path` on the configured public origin (never the request's Host). */
  publicUrl(path: string): Promise<string>;
}

/** Per-request environment a host passes to a route. */
export interface RequestEnv {
  services: ServiceProvider;
  /** Where unexpected failures are reported (the host's logger); the caller only sees a 500. */
  onUnexpectedError?(error: unknown, correlationId: string, routeName: string): void;
  /**
   * The origin for absolute URLs when settings name none (the local host's listening address).
   * Settings win: PUBLIC_BASE_URL, then WEBSITE_HOSTNAME.
   */
  fallbackOrigin?: string;
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
    const publicUrl = async (path: string): Promise<string> => {
      let origin: string | null = null;
      try {
        origin = publicOriginOf((await getServices()).settings);
      } catch {
        // Settings unavailable (openapi.json answers anyway): fall back below.
      }
      origin ??= env.fallbackOrigin ?? null;
      // Without a configured origin a relative reference (RFC 9110 §10.2.2) beats guessing from Host.
      return origin ? new URL(path, origin).toString() : path;
    };
    try {
      let access: TenantAccess = OPEN_ACCESS;
      if (spec.roles.length > 0) {
        const { settings } = await getServices();
        access = authorize(request.headers, spec.roles, settings.AUTH_REQUIRE_PRINCIPAL);
      }
      // Every state-changing request declares JSON, an empty body too: a browser form or a
      // "simple" cross-site request cannot, so it never reaches a handler.
      if ((request.method === "POST" || request.method === "PUT") && !isJsonContentType(request.headers["content-type"])) {
        throw new ApiProblem("UNSUPPORTED_MEDIA_TYPE", "Send the request as application/json (UTF-8), an empty body included.");
      }
      const params = spec.request.params ? parseInput(spec.request.params, request.params, "path") : undefined;
      const tenantId = (params as { tenantId?: unknown } | undefined)?.tenantId;
      if (access.principal && typeof tenantId === "string") {
        const tenant = await (await getServices()).stores.tenants.get(tenantId);
        // A tenant the caller may not act on looks exactly like one that is not registered.
        if (tenant && !access.mayAccess(tenant)) throw new ApiProblem("TENANT_NOT_FOUND", "The tenant is not registered.");
      }
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
        access,
        publicUrl,
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

/** `/api/tenants/{t}/inventory/runs/{id}`: the path of a run (links and Location). */
export function runPath(tenantId: string, runId: string): string {
  return `/api/tenants/${encodeURIComponent(tenantId)}/inventory/runs/${encodeURIComponent(runId)}`;
}
