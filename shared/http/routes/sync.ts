import type { StartSyncResult } from "../../sync/contracts";
import { ApiProblem } from "../problem";
import { defineRoute, jsonResponse, runPath } from "../pipeline";
import type { ApiRoute } from "../pipeline";
import type { ApiResponse } from "../pipeline";
import { SyncAcceptedSchema, SyncRequestSchema, TenantPathSchema } from "../schemas";
import type { SyncAccepted } from "../schemas";

/** Seconds a poller should wait between GETs of a queued or running run. */
export const POLL_RETRY_AFTER_SECONDS = 5;

function syncResponse(publicUrl: (path: string) => string, result: StartSyncResult): ApiResponse {
  switch (result.kind) {
    case "accepted": {
      const run = result.run;
      const body: SyncAccepted = {
        runId: run.id,
        tenantId: run.tenantId,
        selectionHash: run.selectionHash,
        status: run.status,
        links: { run: runPath(run.tenantId, run.id) },
      };
      return jsonResponse(202, SyncAcceptedSchema.parse(body), {
        location: publicUrl(runPath(run.tenantId, run.id)),
        "retry-after": String(POLL_RETRY_AFTER_SECONDS),
      });
    }
    case "lockHeld":
      throw new ApiProblem(
        "LOCK_HELD",
        `Run ${result.activeRunId} of this tenant and selection is queued or running; this request was recorded as skipped run ${result.run.id}.`,
        { runId: result.run.id, activeRunId: result.activeRunId },
        { location: publicUrl(runPath(result.run.tenantId, result.activeRunId)) },
      );
    case "tenantNotFound":
      throw new ApiProblem("TENANT_NOT_FOUND", "The tenant is not registered; register it with PUT /api/tenants/{tenantId}.");
    case "tenantDisabled":
      throw new ApiProblem("TENANT_DISABLED", `The tenant is disabled; this request was recorded as skipped run ${result.run.id}.`, {
        runId: result.run.id,
      });
  }
}

export const syncRoutes: ApiRoute[] = [
  defineRoute({
    name: "inventorySyncStart",
    method: "POST",
    route: "tenants/{tenantId}/inventory/sync",
    authLevel: "function",
    roles: ["Inventory.Sync"],
    tags: ["Sync"],
    summary: "Start an inventory sync",
    description:
      "Queues a sync of the selection for the tenant and answers 202 with the run to poll (Location, Retry-After). " +
      "409 LOCK_HELD names the active run of the same selection.",
    request: { params: TenantPathSchema, body: { schema: SyncRequestSchema, required: false } },
    responses: { 202: { description: "Run queued; poll Location.", schema: SyncAcceptedSchema, headers: ["Location", "Retry-After"] } },
    problems: ["TENANT_NOT_FOUND", "TENANT_DISABLED", "LOCK_HELD"],
    async handler({ params, body, correlationId, services, durableClient, publicUrl }) {
      const { starter } = await services();
      const { waitForSlotSeconds, ...selection } = body;
      const result = await starter.start(durableClient(), {
        tenantId: params.tenantId,
        selection,
        waitForSlotSeconds: waitForSlotSeconds ?? 0,
        trigger: "http",
        correlationId,
      });
      return syncResponse(publicUrl, result);
    },
  }),
];
