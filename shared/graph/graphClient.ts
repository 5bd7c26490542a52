import { Client, ResponseType } from "@microsoft/microsoft-graph-client";
import pLimit from "p-limit";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials";
import type { TokenCredential } from "@azure/identity";
import type { Settings } from "../config/settings";
import { CodedError } from "../domain";
import type { RunErrorCode } from "../domain";
import { GRAPH_SCOPE, createTenantCredential, credentialFailure } from "./credentials";
import { graphError, graphHttpError } from "./graphErrors";
import { OriginBoundAuthMiddleware, RequestTrace, RetryMiddleware, TimedFetchMiddleware, throwThroughSdk, unwrapSdkError } from "./graphMiddleware";
import type { FetchLike, Sleep } from "./graphMiddleware";
import { iteratePages } from "./pageIterator";
import type { GraphListDef, GraphPage, GraphPageSource, PageHooks } from "./pageIterator";
import { DEFAULT_BACKOFF } from "./retryPolicy";
import type { BackoffOptions } from "./retryPolicy";

/**
 * A read-only Microsoft Graph client for one customer tenant, on the official SDK
 * (`Client.initWithMiddleware`) with our own middleware chain (see graphMiddleware.ts).
 */

export type GraphClientSettings = Pick<
  Settings,
  | "GRAPH_BASE_URL"
  | "GRAPH_AUTH_MODE"
  | "GRAPH_CLIENT_ID"
  | "GRAPH_CLIENT_SECRET"
  | "GRAPH_CLIENT_CERTIFICATE_PATH"
  | "GRAPH_FEDERATED_CLIENT_ID"
  | "GRAPH_REQUEST_TIMEOUT_MS"
  | "GRAPH_MAX_ATTEMPTS"
>;

export interface GraphClientOptions {
  settings: GraphClientSettings;
  tenantId: string;
  /** Defaults to the credential GRAPH_AUTH_MODE describes for this tenant. */
  credential?: TokenCredential;
  fetchImpl?: FetchLike;
  sleep?: Sleep;
  random?: () => number;
  now?: () => number;
  backoff?: BackoffOptions;
  /** Per-object assignment reads in flight for this tenant, all types together (default 4). */
  assignmentReadsInFlight?: number;
}

/**
 * The tenant's budget, not a type's, bounds per-object reads: Intune allows about 1,000 requests
 * per 20 s per app and tenant (50/s; docs/design.md §4). Four in flight at Graph's usual
 * 150–300 ms per request is 13–27 requests/s, which leaves the listings of the other lanes room;
 * a 429 anyway is retried after its Retry-After by the middleware. One client serves one tenant
 * in one process, so the bound holds per instance.
 */
export const DEFAULT_ASSIGNMENT_READS_IN_FLIGHT = 4;

export interface GraphClientStats {
  /** Pages asked for, listings and per-object assignment reads alike (a retried page counts once). */
  requests: number;
  /** Of those, per-object assignment pages (`…/{id}/assignments`). */
  assignmentRequests: number;
  /** HTTP exchanges, retries included. */
  attempts: number;
  /** Time spent waiting between attempts. */
  waitedMs: number;
}

export interface GraphClient extends GraphPageSource {
  readonly tenantId: string;
  pages(def: GraphListDef, hooks?: PageHooks): AsyncIterable<GraphPage>;
  stats(): GraphClientStats;
}

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Base URL without a trailing slash; its path (if any) prefixes every Graph path. */
function normaliseBase(baseUrl: string): URL {
  const url = new URL(baseUrl);
  url.pathname = url.pathname.replace(/\/+$/, "");
  url.search = "";
  url.hash = "";
  return url;
}

export function createGraphClient(opts: GraphClientOptions): GraphClient {
  const { settings, tenantId } = opts;
  const base = normaliseBase(settings.GRAPH_BASE_URL);
  const basePath = base.pathname === "/" ? "" : base.pathname;
  const credential = opts.credential ?? createTenantCredential(settings, tenantId, { now: opts.now });
  const auth = new TokenCredentialAuthenticationProvider(credential, { scopes: [GRAPH_SCOPE] });
  const getToken = async (): Promise<string> => {
    try {
      return await auth.getAccessToken();
    } catch (error) {
      return throwThroughSdk(credentialFailure(error, tenantId));
    }
  };
  const stats: GraphClientStats = { requests: 0, assignmentRequests: 0, attempts: 0, waitedMs: 0 };
  const assignmentReads = pLimit(Math.max(1, opts.assignmentReadsInFlight ?? DEFAULT_ASSIGNMENT_READS_IN_FLIGHT));
  const client = Client.initWithMiddleware({
    baseUrl: `${base.origin}${basePath}`,
    middleware: [
      new RetryMiddleware({
        maxAttempts: settings.GRAPH_MAX_ATTEMPTS,
        backoff: opts.backoff ?? DEFAULT_BACKOFF,
        sleep: opts.sleep ?? realSleep,
        random: opts.random ?? Math.random,
        now: opts.now ?? Date.now,
      }),
      new OriginBoundAuthMiddleware(base.origin, getToken),
      new TimedFetchMiddleware(opts.fetchImpl ?? ((input, init) => fetch(input, init)), settings.GRAPH_REQUEST_TIMEOUT_MS),
    ],
  });

  /** Splits a same-origin URL into what the SDK composes: version + path + query. */
  const sdkPath = (url: URL): { version: string; path: string } => {
    const rest = url.pathname.startsWith(`${basePath}/`) ? url.pathname.slice(basePath.length) : null;
    const match = rest === null ? null : /^\/([^/]+)(\/.*)$/.exec(rest);
    if (!match) throw graphError("GRAPH_UNSAFE_NEXT_LINK", "refused a link outside GRAPH_BASE_URL's path; the token was not sent");
    return { version: match[1] ?? "", path: `${match[2] ?? ""}${url.search}` };
  };

  const fetchPage = async (url: URL, hooks?: PageHooks): Promise<unknown> => {
    const { version, path } = sdkPath(url);
    const trace = new RequestTrace(hooks?.onRetry);
    stats.requests += 1;
    let response: Response;
    try {
      response = (await client.api(path).version(version).responseType(ResponseType.RAW).middlewareOptions([trace]).get()) as Response;
    } catch (error) {
      const cause = unwrapSdkError(error);
      if (cause instanceof CodedError) throw cause;
      throw graphError("INTERNAL_ERROR", `Graph request failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    } finally {
      stats.attempts += trace.attempts;
      stats.waitedMs += trace.waitedMs;
    }
    const text = await response.text();
    if (response.status < 200 || response.status > 299) throw graphHttpError(response.status, text, trace.attempts);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new CodedError<RunErrorCode>("GRAPH_BAD_RESPONSE", `Graph answered ${response.status} with a body that is not JSON`, {
        status: response.status,
      });
    }
  };

  return {
    tenantId,
    pages(def, hooks) {
      const first = new URL(`${base.origin}${basePath}/${def.graphVersion}${def.graphPath}`);
      // $select from the catalog keeps pages small; $top is left to Graph (page sizes differ per type).
      const query: string[] = [];
      if (def.select.length > 0) query.push(`$select=${def.select.join(",")}`);
      // Assignments in the same page: no extra call where the collection supports it (docs/policy-types.md).
      if (def.assignments === "expand") query.push("$expand=assignments");
      if (query.length > 0) first.search = `?${query.join("&")}`;
      return iteratePages((url) => fetchPage(url, hooks), first, base.origin);
    },
    assignmentsOf(def, externalId, hooks) {
      // The id is one path segment whatever it holds (`/`, `#`, `?`, unicode): encoded, never spliced.
      const first = new URL(`${base.origin}${basePath}/${def.graphVersion}${def.graphPath}/${encodeURIComponent(externalId)}/assignments`);
      return assignmentReads(async () => {
        const values: unknown[] = [];
        for await (const page of iteratePages(
          (url) => {
            stats.assignmentRequests += 1;
            return fetchPage(url, hooks);
          },
          first,
          base.origin,
        )) {
          values.push(...page.values);
        }
        return values;
      });
    },
    stats: () => ({ ...stats }),
  };
}
