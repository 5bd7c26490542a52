import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { API_PREFIX } from "../../shared/http/pipeline";
import type { ApiRequest, ApiResponse } from "../../shared/http/pipeline";
import { readLimitedText } from "../../shared/http/pipeline";
import { CORRELATION_HEADER, correlationIdOf } from "../../shared/http/pipeline";
import { PROBLEM_CONTENT_TYPE } from "../../shared/http/problem";
import type { ApiRoute, RequestEnv } from "../../shared/http/pipeline";

export type RouteMatch =
  | { kind: "matched"; route: ApiRoute; params: Record<string, string> }
  /** The path exists for other methods (a host answers 405 with `Allow`). */
  | { kind: "methodNotAllowed"; allow: string[] }
  | { kind: "notFound" };

const decode = (segment: string): string | null => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
};

/**
 * Matches a request path (`/api/...`) against the Functions route templates of a table, as the
 * Functions host does for the routes used here: literal segments compare case-insensitively,
 * `{name}` takes one non-empty segment, URL-decoded. For hosts other than Azure (local/).
 */
export function matchRoute(routes: readonly ApiRoute[], method: string, pathname: string): RouteMatch {
  const prefix = `${API_PREFIX}/`;
  if (!pathname.toLowerCase().startsWith(prefix)) return { kind: "notFound" };
  const segments = pathname.slice(prefix.length).replace(/\/+$/, "").split("/");
  const allow = new Set<string>();
  for (const route of routes) {
    const template = route.route.split("/");
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = template.every((part, i) => {
      const actual = segments[i] ?? "";
      const param = /^\{([A-Za-z0-9_]+)\}$/.exec(part);
      if (!param) return part.toLowerCase() === actual.toLowerCase();
      const value = decode(actual);
      if (value === null || value === "") return false;
      params[param[1] ?? ""] = value;
      return true;
    });
    if (!ok) continue;
    if (route.methods.includes(method.toUpperCase() as never)) return { kind: "matched", route, params };
    for (const m of route.methods) allow.add(m);
  }
  return allow.size > 0 ? { kind: "methodNotAllowed", allow: [...allow] } : { kind: "notFound" };
}

/**
 * node:http ↔ the framework-neutral ApiRequest / ApiResponse, for the local host. The route table
 * and its handlers are the ones Azure registers (shared/http/routes/index.ts); this file only does what
 * the Functions host does around them: route matching under /api, 404 / 405 for what no route
 * serves, the body stream, and serialisation.
 */

/** Handles what is not an API route (the admin endpoint); null lets the API routes try. */
export type PreRouteHandler = (request: ApiRequest, pathname: string) => Promise<ApiResponse | null>;

export interface HostHandlerOptions {
  routes: readonly ApiRoute[];
  env: RequestEnv;
  preRoute?: PreRouteHandler;
  /** Called once per answered request (access log). */
  onResponse?(entry: { method: string; path: string; status: number; durationMs: number; correlationId: string }): void;
  /** Failures of the host itself (never of a handler: handlers answer 500 problems on their own). */
  onHostError?(error: unknown): void;
}

const BASE_HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff" };

/**
 * A problem for what the host answers itself (no route, wrong method). These are not API
 * errors, so they carry no API code: RFC 9457's `about:blank` type with the HTTP status title.
 */
export function hostProblem(
  status: number,
  title: string,
  detail: string,
  correlationId: string,
  headers: Record<string, string> = {},
): ApiResponse {
  return {
    status,
    headers: {
      ...headers,
      "content-type": `${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
      [CORRELATION_HEADER]: correlationId,
      ...BASE_HEADERS,
    },
    body: { type: "about:blank", title, status, detail, correlationId },
  };
}

const HOST_HEADER = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/** node's request → ApiRequest; the body is read at most once, capped by readLimitedText. */
export function fromNodeRequest(req: IncomingMessage, fallbackOrigin: string): { request: ApiRequest; url: URL; bodyRead: () => boolean } {
  const headers = lowerCaseHeaders(req);
  // Location headers are built from the request's origin, as in Azure: the Host the caller used.
  const host = headers.host !== undefined && HOST_HEADER.test(headers.host) ? headers.host : null;
  let url: URL;
  try {
    url = new URL(req.url ?? "/", host ? `http://${host}` : fallbackOrigin);
  } catch {
    url = new URL("/", fallbackOrigin);
  }
  let text: Promise<string> | null = null;
  const request: ApiRequest = {
    method: (req.method ?? "GET").toUpperCase(),
    url: url.toString(),
    headers,
    params: {},
    query: url.searchParams,
    bodyText: () => (text ??= readLimitedText(req, headers["content-length"])),
  };
  return { request, url, bodyRead: () => text !== null };
}

/**
 * A body the handler did not read (refused before reading, e.g. a declared 1 MiB) is discarded by
 * node after the response, so the connection stays usable; one cut off mid-stream (over the limit
 * while reading) ends its connection, as the stream is destroyed.
 */
function send(res: ServerResponse, response: ApiResponse, closeConnection: boolean): void {
  const payload = response.body === undefined ? undefined : Buffer.from(JSON.stringify(response.body), "utf8");
  const headers: Record<string, string | number> = { ...response.headers };
  if (payload) headers["content-length"] = payload.byteLength;
  if (closeConnection) headers.connection = "close";
  res.writeHead(response.status, headers);
  res.end(payload);
}

export function createHostRequestListener(options: HostHandlerOptions, origin: () => string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const started = Date.now();
    const { request, url, bodyRead } = fromNodeRequest(req, origin());
    const correlationId = correlationIdOf(request.headers);
    const answer = async (): Promise<ApiResponse> => {
      const early = await options.preRoute?.(request, url.pathname);
      if (early) return early;
      const match = matchRoute(options.routes, request.method, url.pathname);
      if (match.kind === "notFound") {
        return hostProblem(404, "Not Found", `No route serves ${url.pathname}.`, correlationId);
      }
      if (match.kind === "methodNotAllowed") {
        return hostProblem(405, "Method Not Allowed", `${request.method} is not allowed here; use ${match.allow.join(", ")}.`, correlationId, {
          allow: match.allow.join(", "),
        });
      }
      return match.route.handler({ ...request, params: match.params }, options.env);
    };
    answer()
      .catch((error: unknown) => {
        options.onHostError?.(error);
        return hostProblem(500, "Internal Server Error", "The local host failed to answer.", correlationId);
      })
      .then((response) => {
        // A body cut off while being read (over the limit) ends with its connection: say so.
        send(res, response, bodyRead() && !req.complete);
        options.onResponse?.({
          method: request.method,
          path: url.pathname,
          status: response.status,
          durationMs: Date.now() - started,
          correlationId: response.headers[CORRELATION_HEADER] ?? correlationId,
        });
      })
      .catch((error: unknown) => options.onHostError?.(error));
  };
}

export interface RunningHttpServer {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on a loopback address; port 0 picks a free port. */
export async function listen(
  options: HostHandlerOptions & { host?: string; port: number },
): Promise<RunningHttpServer> {
  const host = options.host ?? "127.0.0.1";
  let origin = `http://${host}`;
  const server = createServer(createHostRequestListener(options, () => origin));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  origin = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  let closing: Promise<void> | null = null;
  return {
    server,
    origin,
    port: address.port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
