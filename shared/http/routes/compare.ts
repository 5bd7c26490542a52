import { compareInventories } from "../../domain/compare";
import { policyTypesInScope } from "../../domain/selection";
import { defineRoute, jsonResponse, tenantNotFound } from "../pipeline";
import type { AppServices, ApiRoute, TenantAccess } from "../pipeline";
import { CompareQuerySchema, CompareResultSchema } from "../schemas";
import { selectionFromQuery } from "./items";

/**
 * A tenant a cross-tenant route may read: registered and visible to the caller (access groups),
 * else 404 TENANT_NOT_FOUND exactly as if it were not registered.
 */
export async function visibleTenant(services: AppServices, access: TenantAccess, tenantId: string): Promise<void> {
  const tenant = await services.stores.tenants.get(tenantId);
  if (!tenant || !access.mayAccess(tenant)) throw tenantNotFound();
}

export const compareRoutes: ApiRoute[] = [
  defineRoute({
    name: "compareTenants",
    method: "GET",
    route: "compare",
    authLevel: "function",
    roles: ["Inventory.Read"],
    tags: ["Compare"],
    summary: "Compare two tenants",
    description:
      "Matches the two inventories by policy type and normalised display name (case-folded, whitespace collapsed) and reports " +
      "each name as onlyLeft, onlyRight, different (naming the fields), same, or ambiguous (the name twice in one tenant). " +
      "The order of arrays and keys never matters; volatile and tenant-specific fields (timestamps, version, scope tag ids, " +
      "group and filter ids of assignment targets) are not compared. Scope: policyTypes / categories / includeFoundations " +
      "as comma lists, like a sync body (none: every non-foundation type). Both tenants must be registered and visible.",
    request: { query: CompareQuerySchema },
    responses: { 200: { description: "The comparison.", schema: CompareResultSchema } },
    problems: ["TENANT_NOT_FOUND"],
    async handler({ query, services, access }) {
      const scope = policyTypesInScope(selectionFromQuery(query));
      const app = await services();
      await Promise.all([visibleTenant(app, access, query.left), visibleTenant(app, access, query.right)]);
      // Two single-partition reads, in parallel: the only partitions this route touches.
      const [left, right] = await Promise.all([app.stores.items.compared(query.left, scope), app.stores.items.compared(query.right, scope)]);
      const result = compareInventories(left, right);
      return jsonResponse(200, { left: query.left, right: query.right, ...result });
    },
  }),
];
