import type { z } from "zod";
import type { InventoryItem, MissingReport, Run } from "../shared/domain";
import type { SelectionInput } from "../shared/domain/selection";
import { parseRetryAfter } from "../shared/domain/retryAfter";
import {
  BaselineViewSchema,
  PortfolioSchema,
  CompareResultSchema,
  CoverageSchema,
  DriftReportViewSchema,
  ItemPageSchema,
  ItemViewSchema,
  MissingReportViewSchema,
  PolicyTypeListSchema,
  RunChangesSchema,
  RunPageSchema,
  RunViewSchema,
  SyncAcceptedSchema,
  TenantListSchema,
  TenantViewSchema,
} from "../shared/http/schemas";
import { ProblemSchema } from "./responses";
import type { BaselineView, CompareResult, Coverage, DriftReport, ItemPage, PolicyTypeView, Portfolio, RunChanges, RunPage, SyncAccepted, TenantView as Tenant } from "./responses";
import { UsageError } from "./exitCodes";

/**
 * A failed call: the API's stable problem `code` when it sent one, else a client code. Carries
 * what a person needs to act on it (field errors, the active run of a LOCK_HELD, the
 * correlation id to find the server's logs) and never the function key.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly info: {
      status?: number;
      fieldErrors?: { path: string; message: string }[];
      runId?: string;
      activeRunId?: string;
      correlationId?: string;
    } = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** Worth retrying while polling: the run goes on whether or not one GET failed. */
  get transient(): boolean {
    const status = this.info.status;
    return (
      this.code === "NETWORK_ERROR" ||
      this.code === "TIMEOUT" ||
      status === 429 ||
      (status !== undefined && status >= 500)
    );
  }
}

export type ClientFetch = (input: string, init: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** From `resolveBaseUrl`: absolute, no trailing slash. */
  baseUrl: string;
  /** Function key, sent as `x-functions-key`; the local host needs none. */
  key?: string;
  /** One per CLI command, so every request of a `sync --wait` shares it in the server's logs. */
  correlationId: string;
  timeoutMs: number;
  fetch: ClientFetch;
}

export const DEFAULT_API_URL = "http://127.0.0.1:7071/api";

/**
 * Accepts what people paste: the `/api` base, or just the app's origin (Functions serves every
 * route under `/api`, so a bare host gets it appended). Query and fragment make no sense on a
 * base and are refused rather than silently dropped.
 */
export function resolveBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--api-url "${raw}" is not a URL (expected e.g. ${DEFAULT_API_URL})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--api-url must be http or https, got ${url.protocol}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new UsageError(
      "--api-url must not carry a query, fragment or credentials (pass the key with --key)",
    );
  }
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.origin}${path === "" ? "/api" : path}`;
}

/** Whole seconds from a `Retry-After` header (the domain's reading, rounded up); null when absent or unreadable. */
export function retryAfterSeconds(value: string | null, nowMs: number): number | null {
  const ms = parseRetryAfter(value, nowMs);
  return ms === null ? null : Math.ceil(ms / 1000);
}

export interface RunPoll {
  run: Run;
  /** 200: the run reached success, partial, failed or skipped. */
  finished: boolean;
  retryAfterSeconds: number | null;
}

export interface RunsQuery {
  status?: string;
  selectionHash?: string;
  limit?: number;
  continuationToken?: string;
}

export interface ChangesQuery {
  kind?: string;
  policyType?: string;
  limit?: number;
  continuationToken?: string;
}

export interface ItemsQuery {
  policyType?: string;
  category?: string;
  platform?: string;
  q?: string;
  limit?: number;
  continuationToken?: string;
}

/** Exactly one of group, filter, scope tag (the command line checks it; so does the API). */
export interface DependenciesQuery {
  groupId?: string;
  filterId?: string;
  scopeTagId?: string;
  limit?: number;
  continuationToken?: string;
}

/** By hash (or prefix), by selection, or `latest`: the selection of the tenant's most recent completed run. */
export type MissingQuery = { selectionHash: string } | { selection: SelectionInput } | { latest: true };

type Query = Record<string, string | number | boolean | undefined>;

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  url: string;
}

const seg = (value: string): string => encodeURIComponent(value);

/** A selection as the comma lists the routes take (normalised and hashed like a sync body there). */
const selectionQuery = (selection: SelectionInput): Query => ({
  policyTypes: selection.policyTypes?.length ? selection.policyTypes.join(",") : undefined,
  categories: selection.categories?.length ? selection.categories.join(",") : undefined,
  includeFoundations: selection.includeFoundations ? "true" : undefined,
});

/** A small fetch-based client for the routes of docs/api.md. */
export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  get correlationId(): string {
    return this.options.correlationId;
  }

  async getTenant(tenantId: string): Promise<Tenant | null> {
    try {
      const answer = await this.send("GET", `/tenants/${seg(tenantId)}`, {}, [200]);
      return this.parse(TenantViewSchema, answer, "tenant");
    } catch (error) {
      if (error instanceof ApiError && error.info.status === 404) return null;
      throw error;
    }
  }

  async putTenant(
    tenantId: string,
    body: { displayName: string; enabled: boolean; selections?: SelectionInput[]; baselines?: string[] },
  ): Promise<{ created: boolean; tenant: Tenant }> {
    const answer = await this.send("PUT", `/tenants/${seg(tenantId)}`, { body }, [200, 201]);
    return { created: answer.status === 201, tenant: this.parse(TenantViewSchema, answer, "tenant") };
  }

  /** `DELETE /tenants/{id}`: the registration only; its inventory and runs stay. */
  async deleteTenant(tenantId: string): Promise<void> {
    await this.send("DELETE", `/tenants/${seg(tenantId)}`, {}, [204]);
  }

  async listPolicyTypes(): Promise<PolicyTypeView[]> {
    const answer = await this.send("GET", "/policy-types", {}, [200]);
    return this.parse(PolicyTypeListSchema, answer, "policy type list").items;
  }

  async listTenants(): Promise<Tenant[]> {
    const answer = await this.send("GET", "/tenants", {}, [200]);
    return this.parse(TenantListSchema, answer, "tenant list").items;
  }

  async startSync(
    tenantId: string,
    body: SelectionInput & { waitForSlotSeconds?: number },
    nowMs: number,
  ): Promise<{ accepted: SyncAccepted; retryAfterSeconds: number | null; location: string | null }> {
    const answer = await this.send("POST", `/tenants/${seg(tenantId)}/inventory/sync`, { body }, [202]);
    return {
      accepted: this.parse(SyncAcceptedSchema, answer, "sync response"),
      retryAfterSeconds: retryAfterSeconds(answer.headers.get("retry-after"), nowMs),
      location: answer.headers.get("location"),
    };
  }

  /**
   * Polls by tenant and run id against our own base URL rather than following `Location`:
   * the function key must only ever go to the host the user named.
   */
  async getRun(tenantId: string, runId: string, nowMs: number, signal?: AbortSignal): Promise<RunPoll> {
    const answer = await this.send(
      "GET",
      `/tenants/${seg(tenantId)}/inventory/runs/${seg(runId)}`,
      { signal },
      [200, 202],
    );
    return {
      run: this.parse(RunViewSchema, answer, "run"),
      finished: answer.status === 200,
      retryAfterSeconds: retryAfterSeconds(answer.headers.get("retry-after"), nowMs),
    };
  }

  async listRuns(tenantId: string, query: RunsQuery): Promise<RunPage> {
    const answer = await this.send(
      "GET",
      `/tenants/${seg(tenantId)}/inventory/runs`,
      { query: { ...query } },
      [200],
    );
    return this.parse(RunPageSchema, answer, "run list");
  }

  async runChanges(tenantId: string, runId: string, query: ChangesQuery): Promise<RunChanges> {
    const answer = await this.send(
      "GET",
      `/tenants/${seg(tenantId)}/inventory/runs/${seg(runId)}/changes`,
      { query: { ...query } },
      [200],
    );
    return this.parse(RunChangesSchema, answer, "run changes");
  }

  async listItems(tenantId: string, query: ItemsQuery): Promise<ItemPage> {
    const answer = await this.send(
      "GET",
      `/tenants/${seg(tenantId)}/inventory/items`,
      { query: { ...query } },
      [200],
    );
    return this.parse(ItemPageSchema, answer, "item list");
  }

  async getItem(tenantId: string, itemId: string): Promise<InventoryItem> {
    const answer = await this.send("GET", `/tenants/${seg(tenantId)}/inventory/items/${seg(itemId)}`, {}, [200]);
    return this.parse(ItemViewSchema, answer, "item");
  }

  async dependencies(tenantId: string, query: DependenciesQuery): Promise<ItemPage> {
    const answer = await this.send("GET", `/tenants/${seg(tenantId)}/inventory/dependencies`, { query: { ...query } }, [200]);
    return this.parse(ItemPageSchema, answer, "dependency list");
  }

  async coverage(tenantId: string): Promise<Coverage> {
    const answer = await this.send("GET", `/tenants/${seg(tenantId)}/inventory/coverage`, {}, [200]);
    return this.parse(CoverageSchema, answer, "coverage");
  }

  async portfolio(): Promise<Portfolio> {
    const answer = await this.send("GET", "/portfolio", {}, [200]);
    return this.parse(PortfolioSchema, answer, "portfolio");
  }

  async missing(tenantId: string, query: MissingQuery): Promise<MissingReport> {
    // The route takes the selection as comma lists, normalised and hashed like a sync body.
    const q: Query =
      "latest" in query
        ? {}
        : "selectionHash" in query
          ? { selectionHash: query.selectionHash }
          : selectionQuery(query.selection);
    const answer = await this.send("GET", `/tenants/${seg(tenantId)}/inventory/missing`, { query: q }, [200]);
    return this.parse(MissingReportViewSchema, answer, "missing report");
  }

  /** `GET /compare`: the selection as comma lists, like `missing`. */
  async compare(left: string, right: string, selection: SelectionInput): Promise<CompareResult> {
    const answer = await this.send(
      "GET",
      "/compare",
      { query: { left, right, ...selectionQuery(selection) } },
      [200],
    );
    return this.parse(CompareResultSchema, answer, "comparison");
  }

  /** `PUT /baselines/{id}`: capture from a tenant (`source`) or list the items. */
  async putBaseline(baselineId: string, body: { displayName: string; source: { tenantId: string } & SelectionInput }): Promise<BaselineView> {
    const answer = await this.send("PUT", `/baselines/${seg(baselineId)}`, { body }, [200, 201]);
    return this.parse(BaselineViewSchema, answer, "baseline");
  }

  async drift(tenantId: string, baselineId: string | undefined): Promise<DriftReport> {
    const answer = await this.send(
      "GET",
      `/tenants/${seg(tenantId)}/drift`,
      { query: { baselineId } },
      [200],
    );
    return this.parse(DriftReportViewSchema, answer, "drift report");
  }

  private async send(
    method: string,
    path: string,
    request: { query?: Query; body?: unknown; signal?: AbortSignal },
    expected: number[],
  ): Promise<Answer> {
    const url = new URL(`${this.options.baseUrl}${path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      accept: "application/json, application/problem+json",
      "x-correlation-id": this.options.correlationId,
    };
    if (this.options.key) headers["x-functions-key"] = this.options.key;
    // Every POST and PUT says it is JSON, an empty body included: the API refuses a write
    // without a content type (415) rather than guess.
    if (request.body !== undefined || method === "POST" || method === "PUT")
      headers["content-type"] = "application/json";
    const target = `${method} ${url.origin}${url.pathname}`;

    let response: Response;
    let text: string;
    try {
      // One signal for the whole exchange, so a server that stalls mid-body also times out.
      const timeout = AbortSignal.timeout(this.options.timeoutMs);
      const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
      response = await this.options.fetch(url.href, {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal,
        redirect: "manual",
      });
      text = await response.text();
    } catch (error) {
      // The caller stopped watching (Ctrl-C): its reason, not a network error, is the outcome.
      request.signal?.throwIfAborted();
      throw this.transportError(error, target);
    }

    let body: unknown = undefined;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    if (!expected.includes(response.status)) throw this.problemError(response, body, target);
    if (text.length > 0 && body === undefined) {
      throw new ApiError(
        "BAD_RESPONSE",
        `${target} answered ${response.status} with a body that is not JSON`,
        {
          status: response.status,
          correlationId: this.options.correlationId,
        },
      );
    }
    return { status: response.status, headers: response.headers, body, url: target };
  }

  private parse<S extends z.ZodType>(schema: S, answer: Answer, what: string): z.infer<S> {
    const parsed = schema.safeParse(answer.body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join(".") : "body";
    throw new ApiError(
      "BAD_RESPONSE",
      `${answer.url} answered an unexpected ${what} (${where}: ${issue?.message ?? "invalid"})`,
      {
        status: answer.status,
        correlationId: this.options.correlationId,
      },
    );
  }

  private transportError(error: unknown, target: string): ApiError {
    const name = error instanceof Error ? error.name : "";
    if (name === "TimeoutError" || name === "AbortError") {
      return new ApiError("TIMEOUT", `${target} did not answer within ${this.options.timeoutMs / 1000}s`, {
        correlationId: this.options.correlationId,
      });
    }
    // undici puts the socket error (ECONNREFUSED, ENOTFOUND …) on `cause`.
    const cause =
      error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
    const reason =
      typeof cause?.code === "string"
        ? cause.code
        : typeof cause?.message === "string"
          ? cause.message
          : String(error);
    return new ApiError("NETWORK_ERROR", `cannot reach ${target}: ${reason}`, {
      correlationId: this.options.correlationId,
    });
  }

  private problemError(response: Response, body: unknown, target: string): ApiError {
    const parsed = ProblemSchema.safeParse(body);
    const problem = parsed.success ? parsed.data : {};
    const status = response.status;
    const code = problem.code ?? fallbackCode(status);
    const detail =
      problem.detail ?? problem.title ?? (response.statusText || "no problem details in the response");
    return new ApiError(code, `${target} → ${status} ${code}: ${detail}`, {
      status,
      fieldErrors: problem.errors,
      runId: problem.runId,
      activeRunId: problem.activeRunId,
      correlationId:
        problem.correlationId ?? response.headers.get("x-correlation-id") ?? this.options.correlationId,
    });
  }
}

/** Azure's own 401 (missing function key) and gateway errors come without a problem body. */
function fallbackCode(status: number): string {
  if (status === 401) return "UNAUTHORIZED";
  if (status === 403) return "FORBIDDEN";
  if (status === 404) return "NOT_FOUND";
  return "HTTP_ERROR";
}
