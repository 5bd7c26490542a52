import { API_PREFIX } from "./apiTypes";
import type { ApiRoute } from "./pipeline";

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
