import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable, pipeline } from "node:stream";
import { API_PREFIX } from "../../shared/http/pipeline";
import type { ApiRequest, ApiResponse } from "../../shared/http/pipeline";
import { readLimitedText } from "../../shared/http/pipeline";
import { CORRELATION_HEADER, correlationIdOf } from "../../shared/http/pipeline";
import { isLoopbackUrl } from "../../shared/config/settings";
import type { ApiErrorCode } from "../../shared/domain/errorCodes";
import { ApiProblem, problemBody, PROBLEM_CONTENT_TYPE } from "../../shared/http/problem";
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
 * serves, HEAD and OPTIONS, the body stream, and serialisation — and what a loopback server needs
 * so that no web page the user visits can drive it: loopback Host names only (DNS rebinding) and
 * no cross-origin state-changing request (CSRF; the JSON content type the route pipeline
 * requires does the rest).
 */

/** Handles what is not an API route (the admin endpoint); null lets the API routes try. */
export type PreRouteHandler = (request: ApiRequest, pathname: string) => Promise<ApiResponse | null>;

export interface HostHandlerOptions {
  routes: readonly ApiRoute[];
  env: RequestEnv;
  preRoute?: PreRouteHandler;
  /** Called once per answered request (access log). */
  onResponse?(entry: {
    method: string;
    path: string;
    status: number;
    durationMs: number;
    correlationId: string;
  }): void;
  /** Failures of the host itself (never of a handler: handlers answer 500 problems on their own). */
  onHostError?(error: unknown): void;
  /**
   * Host names served besides the loopback ones (localhost, 127.0.0.0/8, ::1): the host of
   * PUBLIC_BASE_URL when the user put a proxy in front.
   */
  extraHostNames?: readonly string[];
  /** Origins allowed to send state-changing requests besides this server's own loopback origin. */
  extraOrigins?: readonly string[];
}

const BASE_HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff" };

/** A problem for what the host answers itself (no route, wrong method, refused Host or Origin). */
export function hostProblem(
  code: ApiErrorCode,
  detail: string,
  correlationId: string,
  headers: Record<string, string> = {},
): ApiResponse {
  const body = problemBody(new ApiProblem(code, detail), correlationId);
  return {
    status: body.status,
    headers: {
      ...headers,
      "content-type": `${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
      [CORRELATION_HEADER]: correlationId,
      ...BASE_HEADERS,
    },
    body,
  };
}

/** Methods that change state: their cross-origin requests are refused. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/** The host name of a Host header value (`127.0.0.1:7071` → `127.0.0.1`), or null if it is not one. */
function hostNameOf(host: string | undefined): string | null {
  if (!host || !/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) return null;
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * node's request → ApiRequest; the body is read at most once, capped by readLimitedText. The URL
 * handed on is on `origin` (this server's), never on the Host the caller sent or an absolute-form
 * request target.
 */
export function fromNodeRequest(req: IncomingMessage, origin: string): { request: ApiRequest; url: URL; bodyRead: () => boolean } {
  const headers = lowerCaseHeaders(req);
  let target: URL;
  try {
    target = new URL(req.url ?? "/", origin);
  } catch {
    target = new URL("/", origin);
  }
  const url = new URL(`${target.pathname}${target.search}`, origin);
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
function send(res: ServerResponse, response: ApiResponse, closeConnection: boolean, head: boolean): void {
  if (response.stream) {
    const headers: Record<string, string> = { ...response.headers };
    if (closeConnection) headers.connection = "close";
    res.writeHead(response.status, headers);
    const source = Readable.from(response.stream, { objectMode: false });
    if (head) {
      source.destroy();
      res.end();
      return;
    }
    // Back-pressure from the socket paces the store reads; a failure mid-stream destroys the
    // response, so the client sees a cut transfer rather than a short file that looks whole.
    pipeline(source, res, () => undefined);
    return;
  }
  const payload =
    response.bytes ?? (response.body === undefined ? undefined : Buffer.from(JSON.stringify(response.body), "utf8"));
  const headers: Record<string, string | number> = { ...response.headers };
  if (payload) headers["content-length"] = payload.byteLength;
  if (closeConnection) headers.connection = "close";
  res.writeHead(response.status, headers);
  // HEAD: the GET's status and headers (content-length included), no body (RFC 9110 §9.3.2).
  res.end(head ? undefined : payload);
}

export function createHostRequestListener(options: HostHandlerOptions, origin: () => string) {
  const extraHosts = new Set((options.extraHostNames ?? []).map((h) => h.toLowerCase()));
  const hostAllowed = (name: string | null) =>
    name !== null &&
    (isLoopbackUrl(`http://${name.includes(":") ? `[${name.replace(/^\[|\]$/g, "")}]` : name}`) ||
      extraHosts.has(name));
  const originAllowed = (value: string) => {
    let candidate: URL;
    try {
      candidate = new URL(value);
    } catch {
      return false; // "null" (sandboxed frames, file:) and garbage
    }
    const own = new URL(origin());
    if (candidate.origin === own.origin) return true;
    if (options.extraOrigins?.includes(candidate.origin)) return true;
    // The same server under another loopback name (localhost vs 127.0.0.1), same port and scheme.
    return (
      candidate.protocol === own.protocol && candidate.port === own.port && isLoopbackUrl(candidate.origin)
    );
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    const started = Date.now();
    const { request, url, bodyRead } = fromNodeRequest(req, origin());
    const correlationId = correlationIdOf(request.headers);
    const answer = async (): Promise<ApiResponse> => {
      // DNS rebinding: a page on attacker.example whose name now resolves to 127.0.0.1 still sends
      // its own name as Host. Only loopback names (and a configured public one) are served.
      if (!hostAllowed(hostNameOf(request.headers.host))) {
        return hostProblem(
          "HOST_NOT_ALLOWED",
          "This local host answers only to loopback host names (localhost, 127.0.0.1, [::1]).",
          correlationId,
        );
      }
      if (!SAFE_METHODS.has(request.method)) {
        const from = request.headers.origin;
        if (
          (from !== undefined && !originAllowed(from)) ||
          request.headers["sec-fetch-site"] === "cross-site"
        ) {
          return hostProblem(
            "ORIGIN_NOT_ALLOWED",
            `A ${request.method} from another origin is refused; call the API from this machine's own tools.`,
            correlationId,
          );
        }
      }
      const early = await options.preRoute?.(request, url.pathname);
      if (early) return early;
      const isOptions = request.method === "OPTIONS";
      const match = matchRoute(
        options.routes,
        isOptions ? "OPTIONS" : request.method === "HEAD" ? "GET" : request.method,
        url.pathname,
      );
      if (match.kind === "notFound") {
        return hostProblem("ROUTE_NOT_FOUND", `No route serves ${url.pathname}.`, correlationId);
      }
      const allow = match.kind === "matched" ? [...match.route.methods] : match.allow;
      const allowHeader = [
        ...new Set([...allow, ...(allow.includes("GET") ? ["HEAD"] : []), "OPTIONS"]),
      ].join(", ");
      if (isOptions) {
        return {
          status: 204,
          headers: { allow: allowHeader, [CORRELATION_HEADER]: correlationId, ...BASE_HEADERS },
        };
      }
      if (match.kind === "methodNotAllowed") {
        return hostProblem(
          "METHOD_NOT_ALLOWED",
          `${request.method} is not allowed here; use ${allowHeader}.`,
          correlationId,
          { allow: allowHeader },
        );
      }
      return match.route.handler({ ...request, params: match.params }, options.env);
    };
    answer()
      .catch((error: unknown) => {
        options.onHostError?.(error);
        return hostProblem("INTERNAL_ERROR", "The local host failed to answer.", correlationId);
      })
      .then((response) => {
        // A body cut off while being read (over the limit) ends with its connection: say so.
        send(res, response, bodyRead() && !req.complete, request.method === "HEAD");
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

/**
 * Request headers (request line included) up to this size are read. Node's default is 16 KiB; a
 * documented continuation token is up to 24,000 characters in the query string, next to a
 * principal header of up to 16 KiB, so 64 KiB keeps every documented cap reachable.
 */
export const MAX_HEADER_BYTES = 64 * 1024;

/**
 * What node answers before any handler runs (a malformed request, headers over the limit): a
 * problem+json with a code too, written straight to the socket as node's own answer would be.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: import("node:stream").Duplex): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
  const body = JSON.stringify(
    problemBody(
      new ApiProblem(
        tooLarge ? "HEADERS_TOO_LARGE" : "VALIDATION_FAILED",
        tooLarge ? `Request headers exceed ${MAX_HEADER_BYTES} bytes.` : "The request is not valid HTTP/1.1.",
      ),
      randomUUID(),
    ),
  );
  const status = tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request";
  socket.end(
    `HTTP/1.1 ${status}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
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
  const server = createServer(
    // A request without Host reaches the listener, which refuses it with a coded problem (node's own refusal has no body).
    { maxHeaderSize: MAX_HEADER_BYTES, requireHostHeader: false },
    createHostRequestListener(options, () => origin),
  );
  server.keepAliveTimeout = 5_000;
  server.on("clientError", answerClientError);
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
