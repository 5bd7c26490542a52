/**
 * The framework-neutral HTTP model every handler speaks. The Azure Functions adapter
 * (functions/httpAdapter.ts) and the local host both translate to and from it, so the same
 * handler code serves Azure, the local runtime and the unit tests.
 */

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
}
