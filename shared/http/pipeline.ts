import { randomUUID } from "node:crypto";
import { z } from "zod";
import { publicOriginOf } from "../config/settings";
import type { Settings } from "../config/settings";
import { isCodedError } from "../domain/errorCodes";
import type { ApiErrorCode } from "../domain/errorCodes";
import type { Stores } from "../store/ports";
import type { DurableClient } from "../sync/durableClient";
import type { SyncStarter } from "../sync/start";
import { ApiProblem, PROBLEM_CONTENT_TYPE, problemBody } from "./problem";
import type { FieldError } from "./problem";

/**
 * The HTTP pipeline, framework-neutral: the request/response model every handler speaks, body
 * reading with a cap, the correlation id, query and input validation, authorisation by app
 * role, and `defineRoute`, which runs them in order around a handler. The Azure Functions
 * adapter (functions/http.ts) and the local host translate to and from this model, so the same
 * code serves Azure, the local runtime and the unit tests.
 */

// ── the request/response model ───────────────────────────────────────────────────────────────
export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";

/** Functions serves every HTTP route under this prefix (host.json keeps the default). */
export const API_PREFIX = "/api";

export interface ApiRequest {
  method: string;
  /** The absolute request URL; its origin is used for absolute `Location` headers. */
  url: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string>>;
  /** Route parameters as the host matched them (`{tenantId}` → `params.tenantId`). */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /**
   * The body as UTF-8 text, at most MAX_BODY_BYTES; rejects with a CodedError
   * PAYLOAD_TOO_LARGE beyond that (see `readLimitedText`).
   */
  bodyText(): Promise<string>;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** Serialised as JSON by the adapters; absent for 204. */
  body?: unknown;
  /**
   * A body streamed as it is produced (exports, shared/http/exports.ts), instead of `body`. The
   * adapters pipe it with back-pressure; an error while streaming cuts the transfer.
   */
  stream?: AsyncIterable<Uint8Array>;
  /**
   * Sent as it is instead of `body` (the console's static files); its content type is the
   * route's own header.
   */
  bytes?: Uint8Array;
}

// ── body ────────────────────────────────────────────────────────────────────────────────────

/** Request bodies are small JSON documents; 64 KiB is far above any valid one. */
export const MAX_BODY_BYTES = 64 * 1024;

export type BodySource = AsyncIterable<Uint8Array | string> | null | undefined;

const tooLarge = (limit: number) => new ApiProblem("PAYLOAD_TOO_LARGE", `The request body exceeds ${limit} bytes.`);

/**
 * Reads a body stream as UTF-8 text and stops reading as soon as it passes `limit`, so an
 * oversized body costs at most `limit` bytes of memory. A declared Content-Length above the
 * limit is refused before reading. Invalid UTF-8 is a 400, not a silently mangled string.
 */
export async function readLimitedText(
  source: BodySource,
  contentLength: string | undefined,
  limit = MAX_BODY_BYTES,
): Promise<string> {
  if (contentLength !== undefined && /^\d+$/.test(contentLength.trim()) && Number(contentLength) > limit) {
    throw tooLarge(limit);
  }
  if (!source) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    size += bytes.byteLength;
    if (size > limit) throw tooLarge(limit);
    chunks.push(bytes);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new ApiProblem("VALIDATION_FAILED", "The request body is not valid UTF-8.", {
      errors: [{ path: "body", message: "invalid UTF-8" }],
    });
  }
}

/** `application/json` or any `+json` type; a charset, if given, must be UTF-8. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const [mediaType = "", ...params] = value.split(";").map((p) => p.trim().toLowerCase());
  const json = mediaType === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
  const charset = params.find((p) => p.startsWith("charset="));
  return json && (!charset || /^charset="?utf-8"?$/.test(charset));
}

/**
 * The JSON body of a request. Empty → `undefined` (the caller decides whether a body is
 * required). Non-empty → it must be declared JSON (415) and parse (400).
 */
export function parseJsonBody(text: string, contentType: string | undefined): unknown {
  if (text.trim() === "") return undefined;
  if (!isJsonContentType(contentType)) {
    throw new ApiProblem("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json (UTF-8).");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiProblem("VALIDATION_FAILED", "The request body is not valid JSON.", {
      errors: [{ path: "body", message: "invalid JSON" }],
    });
  }
}

// ── correlation id ──────────────────────────────────────────────────────────────────────────

export const CORRELATION_HEADER = "x-correlation-id";
const ACCEPTABLE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The caller's correlation id when it is 1–64 characters of `[A-Za-z0-9._-]` (safe to log and
 * to echo in a header), else a new one. Never rejects a request: a bad id is replaced, not a 400.
 */
export function correlationIdOf(headers: Readonly<Record<string, string>>, generate: () => string = randomUUID): string {
  const offered = headers[CORRELATION_HEADER];
  return offered !== undefined && ACCEPTABLE.test(offered) ? offered : generate();
}

// ── query and input validation ──────────────────────────────────────────────────────────────

/**
 * Query parameters the Functions host itself consumes: `code` carries the function key when a
 * caller cannot send the `x-functions-key` header. They never reach validation.
 */
const HOST_PARAMETERS = new Set(["code"]);

/**
 * URLSearchParams → plain object for zod. A parameter given twice is a 400 rather than
 * "last one wins", so a caller never gets a filter it did not mean.
 */
export function queryObject(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const repeated: string[] = [];
  for (const [key, value] of query) {
    if (HOST_PARAMETERS.has(key)) continue;
    if (Object.prototype.hasOwnProperty.call(out, key)) repeated.push(key);
    out[key] = value;
  }
  if (repeated.length > 0) {
    throw new ApiProblem("VALIDATION_FAILED", "A query parameter was given more than once.", {
      errors: [...new Set(repeated)].slice(0, 20).map((key) => ({ path: `query.${key}`, message: "given more than once" })),
    });
  }
  return { ...out };
}

export type InputLocation = "path" | "query" | "body";

/** Zod issues as `{path, message}` with the location first (`query.limit`, `body.policyTypes.0`). */
export function fieldErrors(location: InputLocation, issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.slice(0, 20).map((issue) => ({
    path: [location, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
}

/** Parses one part of the request; any mismatch is a 400 VALIDATION_FAILED naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, location: InputLocation): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ApiProblem("VALIDATION_FAILED", `The request ${location === "path" ? "path" : location} is not valid.`, {
    errors: fieldErrors(location, parsed.error.issues),
  });
}

// ── authorisation (App Service principal and app roles) ─────────────────────────────────────

/** The app roles the API checks (app registration `appRoles`). */
export const ApiRoleSchema = z.enum(["Inventory.Read", "Inventory.Sync", "Tenants.Manage"]);
export type ApiRole = z.infer<typeof ApiRoleSchema>;

export const PRINCIPAL_HEADER = "x-ms-client-principal";

/** Role claim type Entra ID tokens carry when App Service authentication reports no `role_typ`. */
const ENTRA_ROLE_CLAIM = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
/** A principal header is a few KiB at most; anything larger is not one App Service wrote. */
const MAX_PRINCIPAL_HEADER = 16 * 1024;

/** What App Service authentication (Easy Auth) puts, base64-encoded, in `x-ms-client-principal`. */
const ClientPrincipalSchema = z.object({
  auth_typ: z.string().optional(),
  name_typ: z.string().optional(),
  role_typ: z.string().optional(),
  claims: z.array(z.object({ typ: z.string(), val: z.string() })).max(1_000),
});

/** What the API reads from a principal: its app roles, its Entra group object ids (lower case) and a display name. */
export interface Principal {
  roles: Set<string>;
  groups: Set<string>;
  /** The claim App Service names in `name_typ` (else `name`), for the console's "signed in as". */
  name: string | null;
}

/** Group claim type: `groups` in Entra tokens (App Service passes claims through as they are). */
const GROUP_CLAIM_TYPES = new Set(["groups", "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"]);

/** The App Service principal, or null when the header is absent or garbled. */
export function parsePrincipal(headerValue: string | undefined): Principal | null {
  if (!headerValue || headerValue.length > MAX_PRINCIPAL_HEADER) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(headerValue, "base64").toString("utf8"));
  } catch {
    return null;
  }
  const parsed = ClientPrincipalSchema.safeParse(decoded);
  if (!parsed.success) return null;
  const roleTypes = new Set(["roles", "role", ENTRA_ROLE_CLAIM, parsed.data.role_typ ?? ENTRA_ROLE_CLAIM]);
  const nameTypes = new Set(["name", parsed.data.name_typ ?? "name"]);
  return {
    roles: new Set(parsed.data.claims.filter((c) => roleTypes.has(c.typ)).map((c) => c.val)),
    groups: new Set(parsed.data.claims.filter((c) => GROUP_CLAIM_TYPES.has(c.typ)).map((c) => c.val.toLowerCase())),
    name: parsed.data.claims.find((c) => nameTypes.has(c.typ))?.val.slice(0, 256) ?? null,
  };
}

/** The roles of the App Service principal, or null when the header is absent or garbled. */
export function principalRoles(headerValue: string | undefined): Set<string> | null {
  return parsePrincipal(headerValue)?.roles ?? null;
}

/**
 * Who may act on which tenant. Open when principals are not required (the function key is the
 * gate); otherwise a tenant is open to the principal when it names no access groups, or when
 * one of the principal's `groups` claims is among them.
 */
export interface TenantAccess {
  readonly principal: Principal | null;
  mayAccess(tenant: { accessGroups?: readonly string[] | undefined }): boolean;
}

export const OPEN_ACCESS: TenantAccess = { principal: null, mayAccess: () => true };

export function tenantAccessOf(principal: Principal): TenantAccess {
  return {
    principal,
    mayAccess: (tenant) =>
      !tenant.accessGroups || tenant.accessGroups.length === 0 || tenant.accessGroups.some((g) => principal.groups.has(g.toLowerCase())),
  };
}

/** Sent with every 401: App Service authentication (Entra ID bearer tokens) is the scheme. */
export const WWW_AUTHENTICATE = 'Bearer realm="tenant-inventory", error="invalid_token"';

/**
 * Enforces a route's roles when the deployment requires an App Service principal. Only
 * trustworthy behind App Service authentication, which strips a caller-supplied header of the
 * same name; without it the function key is the only gate (see docs/api.md). Returns what the
 * principal may see.
 */
export function authorize(
  headers: Readonly<Record<string, string>>,
  acceptedRoles: readonly ApiRole[],
  requirePrincipal: boolean,
): TenantAccess {
  if (!requirePrincipal || acceptedRoles.length === 0) return OPEN_ACCESS;
  const principal = parsePrincipal(headers[PRINCIPAL_HEADER]);
  if (!principal) {
    throw new ApiProblem("UNAUTHORIZED", "A valid App Service authentication principal is required.", {}, { "www-authenticate": WWW_AUTHENTICATE });
  }
  if (!acceptedRoles.some((r) => principal.roles.has(r))) {
    throw new ApiProblem("FORBIDDEN", `This route requires the role ${acceptedRoles.join(" or ")}.`);
  }
  return tenantAccessOf(principal);
}

// ── routes ──────────────────────────────────────────────────────────────────────────────────

/** What the handlers use, built once per process by the composition root (shared/compositionRoot.ts). */
export interface AppServices {
  stores: Stores;
  starter: SyncStarter;
  now(): Date;
}

type AnySchema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** A documented response of a route, for the OpenAPI document. */
export interface ResponseDoc {
  description: string;
  schema?: AnySchema;
  /** Response headers worth documenting (Location, Retry-After). */
  headers?: readonly ("Location" | "Retry-After")[];
  /** Also answered as a streamed CSV or NDJSON export (shared/http/exports.ts). */
  exports?: boolean;
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
  /**
   * False for routes that are not part of the HTTP contract (the console's page and files): they
   * are served from the same table, so Azure and the local host agree, but OpenAPI leaves them out.
   */
  openApi?: false;
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
  /** The process-wide services; lazy so that routes that need none (openapi.json) never build them. */
  services(): Promise<AppServices>;
  /** This invocation's Durable client (in Azure it is bound to the invocation). */
  durableClient(): DurableClient;
  /** The validated settings (limits a route enforces). */
  settings(): Settings;
  /**
   * Which tenants the caller may see. The pipeline already answered 404 TENANT_NOT_FOUND for a
   * `{tenantId}` the caller may not act on; cross-tenant routes filter with it.
   */
  access: TenantAccess;
  /** An absolute URL of `path` on the configured public origin (never the request's Host). */
  publicUrl(path: string): string;
}

/** Per-request environment a host passes to a route. */
export interface RequestEnv {
  /**
   * The validated settings. Authorisation reads AUTH_REQUIRE_PRINCIPAL from here before any
   * service is built, so an unauthorised caller never causes a store or client to be created.
   */
  settings(): Settings;
  services(): Promise<AppServices>;
  durableClient(): DurableClient;
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
 * The pipeline every route runs: correlation id → authorisation (from settings alone) →
 * path, query, body validation → handler → headers. Authorisation comes first
 * so an unauthenticated caller learns nothing from validation messages.
 */
export function defineRoute<P extends AnySchema | undefined, Q extends AnySchema | undefined, B extends AnySchema | undefined>(
  spec: RouteSpec<P, Q, B>,
): ApiRoute {
  const handler = async (request: ApiRequest, env: RequestEnv): Promise<ApiResponse> => {
    const correlationId = correlationIdOf(request.headers);
    let services: Promise<AppServices> | null = null;
    const getServices = () => (services ??= env.services());
    const publicUrl = (path: string): string => {
      let origin: string | null = null;
      try {
        origin = publicOriginOf(env.settings());
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
        access = authorize(request.headers, spec.roles, env.settings().AUTH_REQUIRE_PRINCIPAL);
      }
      // Every state-changing request declares JSON, an empty body too: a browser form or a
      // "simple" cross-site request cannot, so it never reaches a handler.
      if ((request.method === "POST" || request.method === "PUT") && !isJsonContentType(request.headers["content-type"])) {
        throw new ApiProblem("UNSUPPORTED_MEDIA_TYPE", "Send the request as application/json (UTF-8), an empty body included.");
      }
      const params = spec.request.params ? parseInput(spec.request.params, request.params, "path") : undefined;
      if (spec.registeredTenant) await requireRegisteredTenant(params, getServices);
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
        durableClient: () => env.durableClient(),
        settings: () => env.settings(),
        access,
        publicUrl,
      });
      // The route's own caching wins (the console's fingerprinted files are immutable); API
      // answers set none and stay no-store.
      return { ...response, headers: { ...BASE_HEADERS, ...response.headers, [CORRELATION_HEADER]: correlationId } };
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

/**
 * The authLevel a host registers a route with. When the App Service principal is the gate
 * (AUTH_REQUIRE_PRINCIPAL=true behind App Service authentication, see `principalIsTheGate`), a
 * function key would only shut out a signed-in browser, which can never hold one: every request
 * is then authenticated by App Service and every role-bearing route checks the principal's role,
 * so routes are registered anonymous at the Functions level (docs/api.md "Keys and roles").
 */
export function hostAuthLevel(route: Pick<ApiRoute, "authLevel">, principalGate: boolean): "anonymous" | "function" {
  return principalGate ? "anonymous" : route.authLevel;
}

export const tenantNotFound = (): ApiProblem =>
  new ApiProblem("TENANT_NOT_FOUND", "The tenant is not registered; register it with PUT /api/tenants/{tenantId}.");

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
