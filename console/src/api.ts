import type { Problem } from "./types";

/**
 * The console's only way out: same-origin calls to the public HTTP API under /api. No key, no
 * token in the page: in Azure the App Service authentication session cookie goes with every
 * request and App Service hands the API the signed-in principal (docs/deploy.md "Sign-in").
 */
export const API = "/api";

/** A non-2xx answer, with the API's stable code when it sent problem details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    readonly location: string | null,
  ) {
    super(problem?.detail ?? `HTTP ${status}`);
  }
  get code(): string | null {
    return this.problem?.code ?? null;
  }
}

export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

// App Service authentication answers 401 instead of redirecting to the sign-in page when a
// request says it is script-driven; the console then offers the sign-in link itself.
const BASE_HEADERS = { accept: "application/json", "x-requested-with": "XMLHttpRequest" };

export async function call<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<Answer<T>> {
  let response: Response;
  try {
    response = await fetch(path.startsWith("/") ? path : `${API}/${path}`, {
      method: init.method ?? "GET",
      headers: init.body === undefined ? BASE_HEADERS : { ...BASE_HEADERS, "content-type": "application/json" },
      body: init.body === undefined ? null : JSON.stringify(init.body),
      credentials: "same-origin",
      ...(init.signal && { signal: init.signal }),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, { code: "NETWORK", detail: "The API did not answer (network error or the app is stopped)." }, null);
  }
  const type = response.headers.get("content-type") ?? "";
  const body: unknown = /json/.test(type) ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    throw new ApiError(response.status, body && typeof body === "object" ? (body as Problem) : null, response.headers.get("location"));
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

export async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await call<T>(path, signal ? { signal } : {})).body;
}

/** `tenants/{t}/…` with each segment encoded. */
export function tenantPath(tenantId: string, ...rest: string[]): string {
  return ["tenants", tenantId, ...rest].map(encodeURIComponent).join("/");
}

/** A query string from the set values only (empty strings and undefined are left out). */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** Seconds from a Retry-After header (1–30, default 2): how long the console waits before the next poll. */
export function retryAfterMs(headers: Headers): number {
  const seconds = Number(headers.get("retry-after"));
  return Math.min(30, Math.max(1, Number.isFinite(seconds) && seconds > 0 ? seconds : 2)) * 1_000;
}
