import { ApiProblem } from "../problem";
import { defineRoute, jsonResponse, tenantNotFound } from "../pipeline";
import type { ApiRoute } from "../pipeline";
import { DriftQuerySchema, DriftReportViewSchema, TenantPathSchema } from "../schemas";
import { evaluateTenantDrift } from "../../sync/afterRun/drift";
import { baselineNotFound } from "./baselines";

export const driftRoutes: ApiRoute[] = [
  defineRoute({
    name: "tenantDrift",
    method: "GET",
    route: "tenants/{tenantId}/drift",
    authLevel: "function",
    roles: ["Inventory.Read"],
    tags: ["Baselines"],
    summary: "Drift of a tenant against a baseline",
    description:
      "missing (expected, not in the inventory), extra (in a covered type, not expected), changed (naming the fields) and " +
      "matching, evaluated now against the baseline's current version. Confidence is low when a covered type was not " +
      "enumerated completely by the latest run that covered it (those types are listed in incompleteTypes, and nothing of " +
      "them is called missing or extra). baselineId may be omitted when exactly one baseline is assigned to the tenant.",
    registeredTenant: true,
    request: { params: TenantPathSchema, query: DriftQuerySchema },
    responses: { 200: { description: "The drift report.", schema: DriftReportViewSchema } },
    problems: ["BASELINE_NOT_FOUND"],
    async handler({ params, query, services }) {
      const { stores, now } = await services();
      let baselineId = query.baselineId;
      if (baselineId === undefined) {
        const tenant = await stores.tenants.get(params.tenantId);
        if (!tenant) throw tenantNotFound();
        const assigned = tenant.baselines ?? [];
        if (assigned.length !== 1) {
          throw new ApiProblem("VALIDATION_FAILED", `Name the baseline: the tenant has ${assigned.length === 0 ? "none" : assigned.length} assigned.`, {
            errors: [{ path: "query.baselineId", message: "required unless exactly one baseline is assigned to the tenant" }],
          });
        }
        baselineId = assigned[0] as string;
      }
      const baseline = await stores.baselines.getWithItems(baselineId);
      if (!baseline) throw baselineNotFound(baselineId);
      return jsonResponse(200, DriftReportViewSchema.parse(await evaluateTenantDrift(stores, params.tenantId, baseline, now())));
    },
  }),
];
