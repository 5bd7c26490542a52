import { captureBaselineItems, incompleteTypesOf } from "../../domain/baseline";
import type { BaselineItem, TypeRead } from "../../domain/baseline";
import { normaliseSelection, policyTypesInScope } from "../../domain/selection";
import { matchKey } from "../../domain/crossTenant";
import type { PolicyTypeKey } from "../../domain/policyTypes";
import { ApiProblem } from "../problem";
import { defineRoute, jsonResponse } from "../pipeline";
import type { ApiRoute } from "../pipeline";
import { BaselineDetailSchema, BaselineListSchema, BaselinePathSchema, BaselinePutSchema, BaselineViewSchema, NoQuerySchema } from "../schemas";
import { visibleTenant } from "./compare";
import { currentInventoryAndReads } from "../../sync/afterRun/drift";
import { refreshTenantDrift } from "../../sync/afterRun/tenantSummary";

export const baselineNotFound = (baselineId: string): ApiProblem =>
  new ApiProblem("BASELINE_NOT_FOUND", `There is no baseline ${baselineId}; create it with PUT /api/baselines/${baselineId}.`);

/**
 * 409 BASELINE_SOURCE_INCOMPLETE: the capture's scope holds types the source's latest covering run
 * did not enumerate completely (or no run read). `runId` is the newest of those runs, if any.
 */
function sourceIncomplete(tenantId: string, types: readonly PolicyTypeKey[], reads: ReadonlyMap<PolicyTypeKey, TypeRead | null>): ApiProblem {
  const runs = types.map((t) => reads.get(t)).filter((r): r is TypeRead => !!r);
  const newest = runs.sort((a, b) => ((a.finishedAt ?? "") < (b.finishedAt ?? "") ? 1 : -1))[0];
  return new ApiProblem(
    "BASELINE_SOURCE_INCOMPLETE",
    `The latest runs of ${tenantId} did not read ${types.length === 1 ? "1 type" : `${types.length} types`} of the baseline's scope completely ` +
      `(${types.join(", ")}); a baseline captured now would expect nothing of what was not read. Sync the source again, or capture ` +
      "with policyTypes / categories that leave those types out.",
    {
      ...(newest && { runId: newest.runId }),
      incompleteTypes: [...types],
      errors: types.map((type) => {
        const read = reads.get(type);
        return { path: "body.source", message: read ? `${type}: run ${read.runId} did not enumerate it completely` : `${type}: no completed run of the source read it` };
      }),
    },
  );
}

const baselinePath = (baselineId: string) => `/api/baselines/${baselineId}`;

export const baselineRoutes: ApiRoute[] = [
  defineRoute({
    name: "baselinePut",
    method: "PUT",
    route: "baselines/{baselineId}",
    authLevel: "function",
    roles: ["Tenants.Manage"],
    tags: ["Baselines"],
    summary: "Create or update a baseline",
    description:
      "Captures the expected items (policy type, display name, compared fields, assignments) from a tenant's current " +
      "inventory — `source`, optionally a subset of types or categories — or lists them (`items`). Every update is a new " +
      "version; drift names the version it used. Volatile and tenant-specific fields are not kept (see Compare).",
    request: { params: BaselinePathSchema, body: { schema: BaselinePutSchema, required: true } },
    responses: {
      200: { description: "The baseline was replaced by a new version.", schema: BaselineViewSchema },
      201: { description: "The baseline was created (version 1).", schema: BaselineViewSchema, headers: ["Location"] },
    },
    problems: ["TENANT_NOT_FOUND", "BASELINE_SOURCE_INCOMPLETE", "BASELINE_TOO_LARGE"],
    async handler({ params, body, services, access, publicUrl, settings }) {
      const app = await services();
      let items: BaselineItem[];
      let coveredTypes: PolicyTypeKey[];
      let duplicatesDropped: number | undefined;
      let source = null;
      if (body.source) {
        await visibleTenant(app, access, body.source.tenantId);
        const selection = normaliseSelection({
          ...(body.source.policyTypes && { policyTypes: body.source.policyTypes }),
          ...(body.source.categories && { categories: body.source.categories }),
          ...(body.source.includeFoundations !== undefined && { includeFoundations: body.source.includeFoundations }),
        });
        coveredTypes = policyTypesInScope(selection);
        // Only what the source's latest run of each type observed is "current": a deleted
        // policy's last copy must not become an expectation.
        const current = await currentInventoryAndReads(app.stores, body.source.tenantId, coveredTypes);
        // A type the source did not read completely would make the baseline expect too little
        // of it, and every customer's items of it would then be "extra" with high confidence.
        const incomplete = incompleteTypesOf(coveredTypes, current.reads);
        if (incomplete.length > 0) throw sourceIncomplete(body.source.tenantId, incomplete, current.reads);
        const captured = captureBaselineItems(current.items);
        items = captured.items;
        duplicatesDropped = captured.duplicatesDropped;
        source = { tenantId: body.source.tenantId, ...selection };
      } else {
        const listed = body.items ?? [];
        const seen = new Map<string, number>();
        listed.forEach((item, index) => {
          const key = matchKey(item.policyType, item.displayName);
          const first = seen.get(key);
          if (first !== undefined) {
            throw new ApiProblem("VALIDATION_FAILED", "A baseline expects one item per policy type and name (names match case-insensitively).", {
              errors: [{ path: `body.items.${index}.displayName`, message: `the same name as body.items.${first}` }],
            });
          }
          seen.set(key, index);
        });
        items = listed.map((i) => ({ policyType: i.policyType, displayName: i.displayName, platform: null, meta: i.meta ?? {}, exact: false }));
        coveredTypes = [...new Set(items.map((i) => i.policyType))].sort();
      }
      // Refused here, before anything is written: a stored baseline must always be readable (GET
      // and drift serve at most MAX_BASELINE_ITEMS).
      const maxItems = settings().BASELINE_MAX_ITEMS;
      if (items.length > maxItems) {
        throw new ApiProblem(
          "BASELINE_TOO_LARGE",
          `The baseline would expect ${items.length} items; a baseline holds at most ${maxItems}. ` +
            (body.source ? "Capture a subset of the source: name policyTypes or categories." : "List fewer items, or split them into several baselines."),
          { errors: [{ path: body.source ? "body.source" : "body.items", message: `${items.length} items, at most ${maxItems}` }] },
        );
      }
      const { baseline, created } = await app.stores.baselines.put(
        { baselineId: params.baselineId, displayName: body.displayName, coveredTypes, source, items },
        app.now().toISOString(),
      );
      const view = BaselineViewSchema.parse({ ...baseline, ...(duplicatesDropped !== undefined && { duplicatesDropped }) });
      return created ? jsonResponse(201, view, { location: publicUrl(baselinePath(baseline.baselineId)) }) : jsonResponse(200, view);
    },
  }),
  defineRoute({
    name: "baselineList",
    method: "GET",
    route: "baselines",
    authLevel: "function",
    roles: ["Tenants.Manage", "Inventory.Read"],
    tags: ["Baselines"],
    summary: "List baselines",
    request: { query: NoQuerySchema },
    responses: { 200: { description: "Every baseline (without items).", schema: BaselineListSchema } },
    problems: [],
    async handler({ services }) {
      const { stores } = await services();
      return jsonResponse(200, BaselineListSchema.parse({ items: await stores.baselines.list() }));
    },
  }),
  defineRoute({
    name: "baselineGet",
    method: "GET",
    route: "baselines/{baselineId}",
    authLevel: "function",
    roles: ["Tenants.Manage", "Inventory.Read"],
    tags: ["Baselines"],
    summary: "Get a baseline and the items it expects",
    request: { params: BaselinePathSchema },
    responses: { 200: { description: "The baseline's current version with its expected items.", schema: BaselineDetailSchema } },
    problems: ["BASELINE_NOT_FOUND"],
    async handler({ params, services }) {
      const { stores } = await services();
      const baseline = await stores.baselines.getWithItems(params.baselineId);
      if (!baseline) throw baselineNotFound(params.baselineId);
      return jsonResponse(200, BaselineDetailSchema.parse(baseline));
    },
  }),
  defineRoute({
    name: "baselineDelete",
    method: "DELETE",
    route: "baselines/{baselineId}",
    authLevel: "function",
    roles: ["Tenants.Manage"],
    tags: ["Baselines"],
    summary: "Delete a baseline",
    description:
      "Tenants that name it keep the id until their registration is updated; their drift against it answers 404, and the " +
      "portfolio shows their drift against their next assigned baseline (or none) from now on.",
    request: { params: BaselinePathSchema },
    responses: { 204: { description: "Deleted." } },
    problems: ["BASELINE_NOT_FOUND"],
    async handler({ params, services }) {
      const { stores, now } = await services();
      if (!(await stores.baselines.get(params.baselineId))) throw baselineNotFound(params.baselineId);
      // First the portfolio, then the baseline: should the delete then fail, the portfolio only
      // lacks drift against a baseline that still exists until the tenant's next run restores it;
      // the other order could leave drift against a deleted one showing indefinitely.
      for (const tenant of await stores.tenants.list()) {
        if (!tenant.baselines?.includes(params.baselineId)) continue;
        await refreshTenantDrift({ stores, now }, tenant.tenantId, tenant.baselines.filter((id) => id !== params.baselineId));
      }
      if (!(await stores.baselines.delete(params.baselineId))) throw baselineNotFound(params.baselineId);
      return { status: 204, headers: {} };
    },
  }),
];
