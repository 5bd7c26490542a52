import { GraphClientError } from "@microsoft/microsoft-graph-client";
import type { Context, Middleware, MiddlewareOptions } from "@microsoft/microsoft-graph-client";
import { CodedError } from "../domain";
import type { RunErrorCode } from "../domain";
import { graphError } from "./graphErrors";
import { RETRYABLE_STATUSES, retryDelay } from "./retryPolicy";
import type { BackoffOptions } from "./retryPolicy";

/**
 * The middleware chain our Graph client runs, in order: retry → origin-bound authentication →
 * fetch with a timeout. We replace the SDK's defaults because its RetryHandler has no full
 * jitter (it adds at most one second of randomness) and no per-request timeout, and its
 * AuthenticationHandler only recognises https Graph hosts by name — it could neither talk to a
 * loopback simulator nor compare the port of a custom base URL.
 */

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;
export type Sleep = (ms: number) => Promise<void>;

/** Per-request bookkeeping the chain fills in, read back by the client to word its errors. */
export class RequestTrace implements MiddlewareOptions {
  attempts = 0;
  waitedMs = 0;
  constructor(readonly onRetry?: (info: { statusCode: number; attempt: number; waitMs: number }) => void) {}
}

/** CodedErrors thrown inside the chain travel through the SDK wrapped in its own error type. */
export function throwThroughSdk(error: CodedError<RunErrorCode>): never {
  const wrapped = new GraphClientError(error.message);
  wrapped.customError = error;
  throw wrapped;
}

export function unwrapSdkError(error: unknown): unknown {
  if (error instanceof GraphClientError && error.customError instanceof CodedError) return error.customError;
  return error;
}

function requestUrl(context: Context): string {
  return typeof context.request === "string" ? context.request : context.request.url;
}

function traceOf(context: Context): RequestTrace | undefined {
  return context.middlewareControl?.getMiddlewareOptions(RequestTrace) as RequestTrace | undefined;
}

abstract class Link implements Middleware {
  protected next!: Middleware;
  setNext(next: Middleware): void {
    this.next = next;
  }
  abstract execute(context: Context): Promise<void>;
}

export interface RetryOptions {
  maxAttempts: number;
  backoff: BackoffOptions;
  sleep: Sleep;
  random: () => number;
  now: () => number;
}

/**
 * Retries 429/503/504, timeouts and connection failures up to `maxAttempts` in total, waiting
 * what Retry-After says (seconds or HTTP date) or else a full-jitter back-off. The last answer
 * is handed back unchanged so the caller classifies it (GRAPH_THROTTLED, GRAPH_UNAVAILABLE …).
 */
export class RetryMiddleware extends Link {
  constructor(private readonly opts: RetryOptions) {
    super();
  }

  async execute(context: Context): Promise<void> {
    const trace = traceOf(context);
    for (let attempt = 1; ; attempt += 1) {
      if (trace) trace.attempts = attempt;
      context.response = undefined;
      let failure: unknown = null;
      try {
        await this.next.execute(context);
      } catch (error) {
        failure = error;
      }
      const coded = unwrapSdkError(failure);
      const transientFailure = coded instanceof CodedError && coded.details.retryable === true;
      if (failure !== null && !transientFailure) throw failure;
      const response = context.response as Response | undefined;
      const status = response?.status;
      const retryable = transientFailure || (status !== undefined && RETRYABLE_STATUSES.has(status));
      if (!retryable || attempt >= this.opts.maxAttempts) {
        if (failure !== null) throw failure;
        return;
      }
      const wait = retryDelay(attempt, response?.headers.get("retry-after"), this.opts.now(), this.opts.random, this.opts.backoff);
      if (trace) {
        trace.waitedMs += wait;
        // Observability must never break a sync.
        try {
          trace.onRetry?.({ statusCode: status ?? 0, attempt, waitMs: wait });
        } catch {
          /* ignored */
        }
      }
      await this.opts.sleep(wait);
    }
  }
}

/**
 * Attaches the bearer token only to requests whose scheme, host and port are GRAPH_BASE_URL's.
 * The page iterator already refuses foreign nextLinks before asking for them; this is the
 * second line, so no code path can ever send the token elsewhere.
 */
export class OriginBoundAuthMiddleware extends Link {
  constructor(
    private readonly allowedOrigin: string,
    private readonly getToken: () => Promise<string>,
  ) {
    super();
  }

  async execute(context: Context): Promise<void> {
    const options = (context.options ??= {});
    const headers = new Headers(options.headers as ConstructorParameters<typeof Headers>[0]);
    headers.delete("authorization");
    let origin: string | null = null;
    try {
      origin = new URL(requestUrl(context)).origin;
    } catch {
      origin = null;
    }
    if (origin !== this.allowedOrigin) {
      throwThroughSdk(graphError("GRAPH_UNSAFE_NEXT_LINK", "refused a request outside GRAPH_BASE_URL's origin; the token was not sent"));
    }
    headers.set("authorization", `Bearer ${await this.getToken()}`);
    options.headers = headers;
    await this.next.execute(context);
  }
}

/**
 * The terminal link: one HTTP exchange, headers and body, under one timeout. The body is read
 * here so a server that stalls mid-page is a timeout too; a page is what we hold in memory
 * anyway. Redirects are not followed: Graph does not redirect collection reads, and following
 * one could carry the request somewhere we did not check.
 */
export class TimedFetchMiddleware implements Middleware {
  constructor(
    private readonly fetchImpl: FetchLike,
    private readonly timeoutMs: number,
  ) {}

  async execute(context: Context): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    const init = { ...(context.options as RequestInit), redirect: "manual", signal: controller.signal } satisfies RequestInit;
    try {
      const response = await this.fetchImpl(requestUrl(context), init);
      const body = await response.text();
      context.response = new Response(response.status === 204 || response.status === 304 ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      if (controller.signal.aborted) {
        throwThroughSdk(graphError("GRAPH_TIMEOUT", `Graph did not answer within ${this.timeoutMs} ms`, { retryable: true }));
      }
      const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throwThroughSdk(graphError("GRAPH_UNAVAILABLE", `Graph could not be reached (${cause})`, { retryable: true }));
    } finally {
      clearTimeout(timer);
    }
  }
}
