import type { RunDocument } from "../domain";
import type { Stores } from "../store/ports";
import type { GateState } from "./gate";
import type { RunLogger } from "./runEvents";

const TERMINAL_RUNTIME = new Set(["Completed", "Failed", "Terminated", "Canceled"]);

export interface WatchdogDeps {
  stores: Stores;
  now(): Date;
  log: RunLogger;
  orchestrations: {
    /** null when the instance does not exist (purged, never started). */
    getStatus(instanceId: string): Promise<{ runtimeStatus: string } | null>;
    terminate(instanceId: string, reason: string): Promise<void>;
  };
  gate: {
    read(): Promise<GateState | null>;
    release(runId: string): Promise<void>;
  };
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

  const gate = await deps.gate.read();
  for (const runId of Object.keys(gate?.holders ?? {})) {
    const status = await deps.orchestrations.getStatus(runId);
    if (!status || TERMINAL_RUNTIME.has(status.runtimeStatus)) {
      await deps.gate.release(runId);
      report.holdersReleased.push(runId);
    }
  }

  for (const tenant of await deps.stores.tenants.list()) {
    for (const run of await deps.stores.runs.listActive(tenant.tenantId)) {
      if (!run.leaseUntil || Date.parse(run.leaseUntil) > now.getTime()) continue;
      const instanceId = run.orchestrationInstanceId ?? run.id;
      const status = await deps.orchestrations.getStatus(instanceId);
      const alive = status !== null && !TERMINAL_RUNTIME.has(status.runtimeStatus);
      // A long run renews its gate lease as types complete: alive and renewing is not stuck.
      const gateLease = gate?.holders[run.id]?.leaseUntil;
      if (alive && gateLease && Date.parse(gateLease) > now.getTime()) continue;
      if (alive) {
        await deps.orchestrations.terminate(instanceId, "run exceeded its lease; finalised by the watchdog");
        report.orchestrationsTerminated.push(instanceId);
      }
      let changed = false;
      const finalised = await deps.stores.runs.update(tenant.tenantId, run.id, (r): RunDocument | null => {
        if (r.status !== "queued" && r.status !== "running") return null;
        changed = true;
        const message = `run exceeded its lease (${r.leaseUntil}) without finishing; finalised by the watchdog`;
        return {
          ...r,
          status: "failed",
          hadErrors: true,
          finishedAt: now.toISOString(),
          leaseUntil: null,
          errorCodes: [...new Set([...r.errorCodes, "INTERNAL_ERROR" as const])].sort(),
          errors: [...r.errors, { code: "INTERNAL_ERROR" as const, message }].slice(0, 50),
          counts: { ...r.counts, errors: r.counts.errors + 1 },
        };
      });
      await deps.stores.runs.releaseClaim(tenant.tenantId, run.selectionHash, run.id);
      await deps.gate.release(run.id);
      if (changed) {
        deps.log.runFinalized(finalised);
        report.runsFinalized.push(run.id);
      }
    }
  }
  return report;
}
