import { compareInventories } from "../../domain/compare";
import type { CompareRow } from "../../domain/compare";
import { exportFormatOf, exportResponse } from "../exports";
import type { ExportColumn } from "../exports";
import { policyTypesInScope } from "../../domain/selection";
import { defineRoute, jsonResponse, tenantNotFound } from "../pipeline";
import type { AppServices, ApiRoute, TenantAccess } from "../pipeline";
import { CompareQuerySchema, CompareResultSchema } from "../schemas";
import { selectionFromQuery } from "./items";
import { currentInventoryAndReads } from "../../sync/afterRun/drift";
import { incompleteTypesOf } from "../../domain/baseline";

/**
 * A tenant a cross-tenant route may read: registered and visible to the caller (access groups),
 * else 404 TENANT_NOT_FOUND exactly as if it were not registered.
 */
export async function visibleTenant(services: AppServices, access: TenantAccess, tenantId: string): Promise<void> {
  const tenant = await services.stores.tenants.get(tenantId);
  if (!tenant || !access.mayAccess(tenant)) throw tenantNotFound();
}

/** Compare rows as CSV: one line per name, the differing fields `;`-separated. */
const COMPARE_EXPORT_COLUMNS: readonly ExportColumn<CompareRow>[] = [
  { header: "policyType", value: (r) => r.policyType },
  { header: "displayName", value: (r) => r.displayName },
  { header: "status", value: (r) => r.status },
  { header: "differences", value: (r) => r.differences.join(";") },
  { header: "leftItemId", value: (r) => r.left?.itemId ?? "" },
  { header: "leftExternalId", value: (r) => r.left?.externalId ?? "" },
  { header: "rightItemId", value: (r) => r.right?.itemId ?? "" },
  { header: "rightExternalId", value: (r) => r.right?.externalId ?? "" },
  { header: "unconfirmed", value: (r) => String(r.unconfirmed) },
];

async function* each<T>(rows: readonly T[]): AsyncGenerator<T> {
  yield* rows;
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
      "group and filter ids of assignment targets) are not compared. Each side is what the tenant has now: of a type its latest " +
      "run read completely, what that run observed (a deleted policy is gone); of one it did not, the last observed copies — such " +
      "types are listed per side in incompleteTypes, the confidence is then low, and a row whose status rests on one is unconfirmed. Scope: policyTypes / categories / includeFoundations " +
      "as comma lists, like a sync body (none: every non-foundation type). Both tenants must be registered and visible.",
    request: { query: CompareQuerySchema },
    responses: { 200: { description: "The comparison; or its rows as CSV / NDJSON (exports).", schema: CompareResultSchema, exports: true } },
    problems: ["TENANT_NOT_FOUND"],
    async handler({ query, services, access, request }) {
      const scope = policyTypesInScope(selectionFromQuery(query));
      const app = await services();
      await Promise.all([visibleTenant(app, access, query.left), visibleTenant(app, access, query.right)]);
      // What each tenant has now (a deleted policy's last stored copy is not compared): per
      // tenant one single-partition read of its items and one of its latest runs.
      const [left, right] = await Promise.all([currentInventoryAndReads(app.stores, query.left, scope), currentInventoryAndReads(app.stores, query.right, scope)]);
      // A type one side could not read (403, throttled, never synced) proves nothing about the
      // other side: rows resting on it are unconfirmed, and the whole answer is low confidence.
      const incompleteTypes = { left: incompleteTypesOf(scope, left.reads), right: incompleteTypesOf(scope, right.reads) };
      const result = compareInventories(left.items, right.items, incompleteTypes);
      const confidence = incompleteTypes.left.length + incompleteTypes.right.length === 0 ? "high" : "low";
      const format = exportFormatOf(request, query.format);
      if (format !== "json") {
        // The rows are computed in memory (both sides had to be read to match them); streamed all the same.
        return exportResponse({
          format,
          filename: `compare-${query.left}-${query.right}`,
          columns: COMPARE_EXPORT_COLUMNS,
          rows: each(result.items),
          json: (row) => row,
          headers: { "x-compare-left": query.left, "x-compare-right": query.right, "x-compare-confidence": confidence },
        });
      }
      return jsonResponse(200, { left: query.left, right: query.right, counts: result.counts, confidence, incompleteTypes, items: result.items });
    },
  }),
];
