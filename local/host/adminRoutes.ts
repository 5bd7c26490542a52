import { authorize, correlationIdOf, isJsonContentType, jsonResponse, problemResponse } from "../../shared/http/pipeline";
import type { ApiRequest, ApiResponse, ApiRole } from "../../shared/http/pipeline";
import { ApiProblem } from "../../shared/http/problem";
import type { LocalEngine } from "../runtime/localEngine";
import { hostProblem } from "./httpServer";
import type { PreRouteHandler } from "./httpServer";

/**
 * `POST /admin/functions/{name}`: runs a timer-triggered function now, as the Functions host's
 * admin endpoint does for non-HTTP functions (https://learn.microsoft.com/azure/azure-functions/functions-manually-run-non-http).
 * Names are the Azure registrations' (functions/durable.ts). Locally there is no master key; the
 * host only listens on loopback, and the endpoint is under the API's own rules: a JSON content
 * type on the POST and, with AUTH_REQUIRE_PRINCIPAL=true, a principal with `Tenants.Manage`
 * (a timer acts on every tenant, like managing the registry does).
 */
export const TIMER_FUNCTIONS = {
  nightlySyncTimer: async (engine: Pick<LocalEngine, "startNightly">) => {
    const { started, instanceId } = await engine.startNightly();
    return { started, instanceId };
  },
  syncWatchdogTimer: async (engine: Pick<LocalEngine, "watchdog">) => ({ report: await engine.watchdog() }),
} as const;
export type TimerFunctionName = keyof typeof TIMER_FUNCTIONS;

/** The role firing a timer needs when principals are required. */
export const ADMIN_ROLES: readonly ApiRole[] = ["Tenants.Manage"];

const ADMIN_PATH = /^\/admin\/functions\/([^/]+)\/?$/i;

function timerNamed(name: string): TimerFunctionName | null {
  const wanted = name.toLowerCase();
  return (Object.keys(TIMER_FUNCTIONS) as TimerFunctionName[]).find((n) => n.toLowerCase() === wanted) ?? null;
}

/**
 * The admin endpoint as a pre-route of the host: answers 202 once the timer function has run its
 * trigger body (the nightly orchestration is started, the watchdog pass is done), with what it
 * did; 404 for a name that is not a timer function; 405 for anything but POST.
 */
export function createAdminRoutes(
  engine: Pick<LocalEngine, "startNightly" | "watchdog">,
  onFired?: (name: TimerFunctionName, result: unknown) => void,
  requirePrincipal = false,
): PreRouteHandler {
  return async (request: ApiRequest, pathname: string): Promise<ApiResponse | null> => {
    const match = ADMIN_PATH.exec(pathname);
    if (!match) return null;
    const correlationId = correlationIdOf(request.headers);
    let raw = match[1] ?? "";
    try {
      raw = decodeURIComponent(raw);
    } catch {
      // Left as sent; it matches no function.
    }
    try {
      authorize(request.headers, ADMIN_ROLES, requirePrincipal);
    } catch (error) {
      return problemResponse(error as ApiProblem, correlationId);
    }
    const name = timerNamed(raw);
    if (!name) {
      return hostProblem("ROUTE_NOT_FOUND", `No timer function is named ${JSON.stringify(raw.slice(0, 100))}; try ${Object.keys(TIMER_FUNCTIONS).join(" or ")}.`, correlationId);
    }
    if (request.method === "OPTIONS") return { status: 204, headers: { allow: "POST, OPTIONS", "x-correlation-id": correlationId } };
    if (request.method !== "POST") {
      return hostProblem("METHOD_NOT_ALLOWED", "Fire a timer function with POST.", correlationId, { allow: "POST, OPTIONS" });
    }
    if (!isJsonContentType(request.headers["content-type"])) {
      return problemResponse(new ApiProblem("UNSUPPORTED_MEDIA_TYPE", "Send the request as application/json (an empty body is fine)."), correlationId);
    }
    const result = await TIMER_FUNCTIONS[name](engine);
    onFired?.(name, result);
    return jsonResponse(202, { name, ...result }, { "x-correlation-id": correlationId, "cache-control": "no-store" });
  };
}
