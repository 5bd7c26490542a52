import type { StartSyncResult } from "../../sync/contracts";
import { ApiProblem } from "../problem";
import { defineRoute, jsonResponse, runPath, tenantNotFound } from "../pipeline";
import type { ApiRoute } from "../pipeline";
import type { ApiResponse } from "../pipeline";
import { SyncAcceptedSchema, SyncRequestSchema, TenantPathSchema } from "../schemas";
import type { SyncAccepted } from "../schemas";

/** Seconds a poller should wait between GETs of a queued or running run. */
export const POLL_RETRY_AFTER_SECONDS = 5;
/**
 * ...except while the run is young: a run of a few types on the local host finishes in tens of
 * milliseconds (53 ms measured for two categories), and a poller told to wait 5 s first would
 * wait 5 s for nothing. For its first YOUNG_RUN_SECONDS a run asks for polls every second; after
 * that it is a real run and 5 s keeps polling to one GET per 5 s per watcher. Still a 202 with
 * a positive Retry-After, so Logic Apps and Power Automate follow it unchanged.
 */
export const YOUNG_RUN_RETRY_AFTER_SECONDS = 1;
export const YOUNG_RUN_SECONDS = 10;

/** The Retry-After for a run requested at `requestedAt` (ISO), as of `now`. */
export function pollRetryAfterSeconds(requestedAt: string, now: Date): number {
  const ageMs = now.getTime() - Date.parse(requestedAt);
  return Number.isFinite(ageMs) && ageMs < YOUNG_RUN_SECONDS * 1_000 ? YOUNG_RUN_RETRY_AFTER_SECONDS : POLL_RETRY_AFTER_SECONDS;
}

function syncResponse(publicUrl: (path: string) => string, result: StartSyncResult, now: Date): ApiResponse {
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
        "retry-after": String(pollRetryAfterSeconds(run.requestedAt, now)),
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
      throw tenantNotFound();
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
    // The starter checks registration too (it needs the enabled flag); the pipeline's check makes
    // this route answer like every other tenant route before the body is even read.
    registeredTenant: true,
    request: { params: TenantPathSchema, body: { schema: SyncRequestSchema, required: false } },
    responses: { 202: { description: "Run queued; poll Location.", schema: SyncAcceptedSchema, headers: ["Location", "Retry-After"] } },
    problems: ["TENANT_NOT_FOUND", "TENANT_DISABLED", "LOCK_HELD"],
    async handler({ params, body, correlationId, services, durableClient, publicUrl }) {
      const { starter, now } = await services();
      const { waitForSlotSeconds, ...selection } = body;
      const result = await starter.start(durableClient(), {
        tenantId: params.tenantId,
        selection,
        waitForSlotSeconds: waitForSlotSeconds ?? 0,
        trigger: "http",
        correlationId,
      });
      return syncResponse(publicUrl, result, now());
    },
  }),
];
