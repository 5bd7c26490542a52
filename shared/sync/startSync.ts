import { randomUUID } from "node:crypto";
import { CodedError, safeMessage } from "../domain";
import { SelectionInputSchema } from "../domain/selection";
import { admitRun } from "./start";
import type { AdmitDeps } from "./start";
import type { Stores } from "../store/ports";
import { ORCHESTRATIONS } from "./contracts";
import type { OrchestrationClient, StartSyncRequest, StartSyncResult, SyncStarter } from "./syncStarterPort";
import type { RunLogger } from "./runEvents";

export interface SyncStarterDeps extends AdmitDeps {
  stores: Stores;
  client: OrchestrationClient;
  log?: RunLogger;
  newId?: () => string;
}

/**
 * The starter behind POST /sync and the API: admit the run, then start its orchestration with
 * the run id as instance id (a second line of defence: the backend refuses a duplicate start).
 */
export function createSyncStarter(deps: SyncStarterDeps): SyncStarter {
  return {
    async start(request: StartSyncRequest): Promise<StartSyncResult> {
      const tenant = await deps.stores.tenants.get(request.tenantId);
      if (!tenant) return { kind: "tenantNotFound" };
      const admitted = await admitRun(deps, {
        tenant,
        selection: SelectionInputSchema.parse(request.selection),
        runId: (deps.newId ?? randomUUID)(),
        trigger: request.trigger,
        correlationId: request.correlationId,
        waitForSlotSeconds: request.waitForSlotSeconds,
      });
      if (admitted.kind === "tenantDisabled") {
        deps.log?.runSkipped(admitted.run);
        return admitted;
      }
      if (admitted.kind === "lockHeld") {
        deps.log?.runSkipped(admitted.run);
        return admitted;
      }
      deps.log?.runQueued(admitted.run);
      try {
        await deps.client.startNew(ORCHESTRATIONS.inventorySync, { instanceId: admitted.run.id, input: admitted.input });
      } catch (error) {
        // The orchestration never started: finalise the run and free the claim so nothing stays queued.
        const message = safeMessage(`could not start the orchestration: ${(error as Error).message}`);
        const run = await deps.stores.runs.update(request.tenantId, admitted.run.id, (r) => ({
          ...r,
          status: "failed",
          hadErrors: true,
          finishedAt: deps.now().toISOString(),
          errorCodes: ["INTERNAL_ERROR"],
          errors: [{ code: "INTERNAL_ERROR", message }],
          counts: { ...r.counts, errors: 1 },
        }));
        await deps.stores.runs.releaseClaim(request.tenantId, run.selectionHash, run.id);
        deps.log?.runFinalized(run);
        throw new CodedError("INTERNAL_ERROR", "the sync could not be started");
      }
      return { kind: "accepted", run: admitted.run };
    },
  };
}
