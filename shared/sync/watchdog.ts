import { fail } from "../domain";
import type { Stores } from "../store/ports";
import { instanceStatus, isAlive } from "./durableClient";
import type { DurableClient } from "./durableClient";
import type { GateState } from "./gate";
import type { RunLogger } from "./runEvents";

export interface WatchdogDeps {
  stores: Stores;
  now(): Date;
  log: RunLogger;
  client: DurableClient;
  /** The syncGate entity's id (a durable-functions EntityId, built where that package may be imported). */
  gateEntityId: unknown;
}

export interface WatchdogReport {
  runsFinalized: string[];
  holdersReleased: string[];
  orchestrationsTerminated: string[];
}

/**
 * Nothing stays stuck: gate holders whose orchestration is terminal or gone are released, and
 * runs still queued/running past their lease are finalised `failed` (INTERNAL_ERROR), their
 * orchestration terminated if it is somehow still alive, and their claim freed.
 */
export async function runWatchdog(deps: WatchdogDeps): Promise<WatchdogReport> {
  const report: WatchdogReport = { runsFinalized: [], holdersReleased: [], orchestrationsTerminated: [] };
  const now = deps.now();
  const release = (runId: string) => deps.client.signalEntity(deps.gateEntityId, "release", { runId });

  const response = await deps.client.readEntityState<GateState>(deps.gateEntityId);
  const gate = response.entityExists ? (response.entityState ?? null) : null;
  for (const runId of Object.keys(gate?.holders ?? {})) {
    if (!isAlive(await instanceStatus(deps.client, runId))) {
      await release(runId);
      report.holdersReleased.push(runId);
    }
  }

  for (const tenant of await deps.stores.tenants.list()) {
    for (const run of await deps.stores.runs.listActive(tenant.tenantId)) {
      if (!run.leaseUntil || Date.parse(run.leaseUntil) > now.getTime()) continue;
      const instanceId = run.orchestrationInstanceId ?? run.id;
      const alive = isAlive(await instanceStatus(deps.client, instanceId));
      // A long run renews its gate lease as types complete: alive and renewing is not stuck.
      const gateLease = gate?.holders[run.id]?.leaseUntil;
      if (alive && gateLease && Date.parse(gateLease) > now.getTime()) continue;
      if (alive) {
        await deps.client.terminate(instanceId, "run exceeded its lease; finalised by the watchdog");
        report.orchestrationsTerminated.push(instanceId);
      }
      let changed = false;
      const finalised = await deps.stores.runs.update(tenant.tenantId, run.id, (r) => {
        const message = `run exceeded its lease (${r.leaseUntil}) without finishing; finalised by the watchdog`;
        const next = fail(r, { code: "INTERNAL_ERROR", message }, now.toISOString());
        changed = next !== null;
        return next;
      });
      await deps.stores.runs.releaseClaim(tenant.tenantId, run.selectionHash, run.id);
      await release(run.id);
      if (changed) {
        deps.log.runFinalized(finalised);
        report.runsFinalized.push(run.id);
      }
    }
  }
  return report;
}
