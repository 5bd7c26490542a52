import { ApiRoleSchema, defineRoute, jsonResponse } from "../pipeline";
import type { ApiRoute } from "../pipeline";
import { WhoAmISchema } from "../schemas";

const ALL_ROLES = ApiRoleSchema.options;

/**
 * `GET /api/me`: which app roles the caller holds, so the console shows only what the person
 * may do (a reader sees no sync button). Any one role admits the caller; a signed-in person with
 * none gets 403 FORBIDDEN, which the console explains. The API still checks the role on every
 * route: this only spares people buttons that would answer 403.
 */
export const meRoutes: ApiRoute[] = [
  defineRoute({
    name: "whoAmI",
    method: "GET",
    route: "me",
    authLevel: "function",
    roles: ALL_ROLES,
    tags: ["Operations"],
    summary: "The caller's app roles",
    description: "The roles of the App Service principal (all of them when AUTH_REQUIRE_PRINCIPAL is off).",
    request: {},
    responses: { 200: { description: "The caller's name and roles.", schema: WhoAmISchema } },
    problems: [],
    async handler({ access }) {
      const principal = access.principal;
      const body = principal
        ? { name: principal.name, roles: ALL_ROLES.filter((r) => principal.roles.has(r)), rolesEnforced: true }
        : { name: null, roles: [...ALL_ROLES], rolesEnforced: false };
      return jsonResponse(200, WhoAmISchema.parse(body));
    },
  }),
];
