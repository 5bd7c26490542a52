import { NO_CHANGES, incompleteTypes } from "../../domain/changes";
import { ApiProblem } from "../problem";
import { defineRoute, jsonResponse } from "../pipeline";
import type { ApiRoute } from "../pipeline";
import {
  ChangePageSchema,
  ChangesQuerySchema,
  RunChangesQuerySchema,
  RunChangesSchema,
  RunPathSchema,
  TenantPathSchema,
} from "../schemas";

/** The change routes (docs/api.md "Changes"): one run's change set, and the tenant's changes over time. */
export const changeRoutes: ApiRoute[] = [
  defineRoute({
    name: "inventoryRunChanges",
    method: "GET",
    route: "tenants/{tenantId}/inventory/runs/{runId}/changes",
    authLevel: "function",
    roles: ["Inventory.Read"],
    tags: ["Inventory"],
    summary: "What a run changed",
    description:
      "Added, changed (with changedFields), removed and reappeared items relative to the previous completed run of the same " +
      "selection (baseRunId), newest first. removed is reported only for types the run enumerated completely; the others are " +
      "listed in incompleteTypes.",
    registeredTenant: true,
    request: { params: RunPathSchema, query: RunChangesQuerySchema },
    responses: { 200: { description: "A page of the run's changes.", schema: RunChangesSchema } },
    problems: ["RUN_NOT_FOUND", "INVALID_CONTINUATION_TOKEN"],
    async handler({ params, query, services }) {
      const { stores } = await services();
      const run = await stores.runs.get(params.tenantId, params.runId);
      if (!run || run.tenantId !== params.tenantId)
        throw new ApiProblem("RUN_NOT_FOUND", "No such run for this tenant.");
      const page = await stores.changes.listForRun(params.tenantId, run.id, {
        limit: query.limit,
        ...(query.kind !== undefined && { kind: query.kind }),
        ...(query.policyType !== undefined && { policyType: query.policyType }),
        ...(query.continuationToken !== undefined && { continuationToken: query.continuationToken }),
      });
      return jsonResponse(200, {
        runId: run.id,
        baseRunId: run.baseRunId,
        // Counts are written when the run finishes; a run still going (or skipped) has none yet.
        counts: run.changes ?? NO_CHANGES,
        incompleteTypes: run.status === "skipped" ? [] : incompleteTypes(run),
        items: page.items,
        continuationToken: page.continuationToken,
      });
    },
  }),
  defineRoute({
    name: "inventoryChangeList",
    method: "GET",
    route: "tenants/{tenantId}/inventory/changes",
    authLevel: "function",
    roles: ["Inventory.Read"],
    tags: ["Inventory"],
    summary: "The tenant's changes",
    description:
      "Changes of every run and selection of the tenant, newest first, within the retention (CHANGES_RETENTION_DAYS).",
    registeredTenant: true,
    request: { params: TenantPathSchema, query: ChangesQuerySchema },
    responses: { 200: { description: "A page of changes.", schema: ChangePageSchema } },
    problems: ["INVALID_CONTINUATION_TOKEN"],
    async handler({ params, query, services }) {
      const { stores } = await services();
      const page = await stores.changes.list(params.tenantId, {
        limit: query.limit,
        ...(query.since !== undefined && { since: query.since }),
        ...(query.until !== undefined && { until: query.until }),
        ...(query.kind !== undefined && { kind: query.kind }),
        ...(query.policyType !== undefined && { policyType: query.policyType }),
        ...(query.continuationToken !== undefined && { continuationToken: query.continuationToken }),
      });
      return jsonResponse(200, { items: page.items, continuationToken: page.continuationToken });
    },
  }),
];
