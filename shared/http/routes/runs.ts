import { isTerminalStatus, toRunView } from "../../domain/run";
import { ApiProblem } from "../problem";
import { defineRoute, jsonResponse, runPath } from "../pipeline";
import type { ApiRoute } from "../pipeline";
import { resolveSelectionHash } from "./selections";
import { RunPageSchema, RunPathSchema, RunViewSchema, RunsQuerySchema, TenantPathSchema } from "../schemas";
import { pollRetryAfterSeconds } from "./sync";

export const runRoutes: ApiRoute[] = [
  defineRoute({
    name: "inventoryRunGet",
    method: "GET",
    route: "tenants/{tenantId}/inventory/runs/{runId}",
    authLevel: "function",
    roles: ["Inventory.Read"],
    tags: ["Sync"],
    summary: "Get a sync run",
    description:
      "The async polling target: 202 with Retry-After and Location while the run is queued or running, 200 once it is " +
      "success, partial, failed or skipped.",
    registeredTenant: true,
    request: { params: RunPathSchema },
    responses: {
      200: { description: "The run has finished (success, partial, failed or skipped).", schema: RunViewSchema },
      202: { description: "The run is queued or running; poll again after Retry-After.", schema: RunViewSchema, headers: ["Location", "Retry-After"] },
    },
    problems: ["RUN_NOT_FOUND"],
    async handler({ params, services, publicUrl }) {
      const { stores, now } = await services();
      const run = await stores.runs.get(params.tenantId, params.runId);
      // A run of another tenant is indistinguishable from a missing one (tenant isolation).
      if (!run || run.tenantId !== params.tenantId) throw new ApiProblem("RUN_NOT_FOUND", "No such run for this tenant.");
      const view = toRunView(run);
      if (isTerminalStatus(run.status)) return jsonResponse(200, view);
      return jsonResponse(202, view, {
        location: publicUrl(runPath(run.tenantId, run.id)),
        "retry-after": String(pollRetryAfterSeconds(run.requestedAt, now())),
      });
    },
  }),
  defineRoute({
    name: "inventoryRunList",
    method: "GET",
    route: "tenants/{tenantId}/inventory/runs",
    authLevel: "function",
    roles: ["Inventory.Read"],
    tags: ["Sync"],
    summary: "List sync runs",
    description: "Runs of the tenant, newest first.",
    registeredTenant: true,
    request: { params: TenantPathSchema, query: RunsQuerySchema },
    responses: { 200: { description: "A page of runs.", schema: RunPageSchema } },
    problems: ["INVALID_CONTINUATION_TOKEN", "SELECTION_AMBIGUOUS"],
    async handler({ params, query, services }) {
      const { stores } = await services();
      const selectionHash =
        query.selectionHash === undefined ? undefined : await resolveSelectionHash(stores, params.tenantId, query.selectionHash, "query.selectionHash");
      const page = await stores.runs.list(params.tenantId, {
        limit: query.limit,
        ...(selectionHash !== undefined && { selectionHash }),
        ...(query.status !== undefined && { status: query.status }),
        // Opaque to this layer: the store binds tokens to tenant + query and throws
        // INVALID_CONTINUATION_TOKEN (→ 400) for any other.
        ...(query.continuationToken !== undefined && { continuationToken: query.continuationToken }),
      });
      return jsonResponse(200, {
        items: page.items.map(toRunView),
        continuationToken: page.continuationToken,
      });
    },
  }),
];
