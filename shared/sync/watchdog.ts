import { fail } from "../domain";
import type { RunDocument } from "../domain";
import type { Stores } from "../store/ports";
import { instanceStatus, isAlive } from "./durableClient";
import type { DurableClient } from "./durableClient";
import type { GateState } from "./gate";
import type { RunLogger } from "./runEvents";
import { updateTenantSummary } from "./afterRun/tenantSummary";

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
 * A queued run may exist briefly before its orchestration does (the starter writes the run, then
 * starts the instance): the same minute the claim allows an abandoned start (runRepository).
 */
export const START_GRACE_MS = 60_000;
/** Active runs looked at per pass; more are picked up by the next pass. */
export const WATCHDOG_BATCH = 500;

/** Why a run is abandoned, in its finalised error message. */
export type AbandonReason = "leaseExpired" | "orchestrationGone" | "claimTakenOver" | "hostStopped";

const REASON_TEXT: Record<AbandonReason, string> = {
  leaseExpired: "run exceeded its lease without finishing",
  orchestrationGone: "its orchestration no longer runs (the process that ran it stopped, or it ended without finalising the run)",
  claimTakenOver: "another run of the same selection took its claim over",
  hostStopped: "the host stopped before it finished",
};

/**
 * Finalises an abandoned run `failed` (INTERNAL_ERROR, the reason in its errors) and frees its
 * claim, and its gate slot when a release is given. Idempotent: a run that finished meanwhile
 * is left as it is. Returns whether this call finalised it.
 */
export async function finalizeAbandonedRun(
  deps: Pick<WatchdogDeps, "stores" | "log"> & { release?: (runId: string) => Promise<void> },
  run: RunDocument,
  reason: AbandonReason,
  now: Date,
): Promise<boolean> {
  let changed = false;
  const message = `${REASON_TEXT[reason]}; finalised ${reason === "hostStopped" ? "at shutdown" : "by the watchdog"}`;
  const finalised = await deps.stores.runs.update(run.tenantId, run.id, (r) => {
    const next = fail(r, { code: "INTERNAL_ERROR", message }, now.toISOString());
    changed = next !== null;
    return next;
  });
  await deps.stores.runs.releaseClaim(run.tenantId, run.selectionHash, run.id);
  await deps.release?.(run.id);
  if (changed) {
    deps.log.runFinalized(finalised);
    // The portfolio must show the failure too; an abandoned run reports no per-type figures.
    await updateTenantSummary({ ...deps, now: () => now }, finalised, []);
  }
  return changed;
}

/**
 * Nothing stays stuck. Gate holders whose orchestration is terminal or gone are released. Every
 * queued/running run — of any tenant, registered or deleted — is finalised `failed` when
 * - its orchestration is gone or terminal (a crashed host, an instance that ended without
 *   finalising): a `running` run at once, a `queued` one after the start grace;
 * - another run took its selection's claim over (the old run would otherwise show `running`
 *   forever beside the new one);
 * - it is past its lease and its orchestration no longer renews the gate lease (terminated then).
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

  for (const run of await deps.stores.runs.listActiveAcrossTenants(WATCHDOG_BATCH)) {
    const instanceId = run.orchestrationInstanceId ?? run.id;
    const alive = isAlive(await instanceStatus(deps.client, instanceId));
    // A running run was marked so by its own orchestration, so it has one: no start grace needed.
    const pastGrace = run.status === "running" || now.getTime() - Date.parse(run.requestedAt) > START_GRACE_MS;
    const holder = await deps.stores.runs.claimHolder(run.tenantId, run.selectionHash);
    let reason: AbandonReason | null = null;
    if (holder && holder.runId !== run.id && pastGrace) {
      reason = "claimTakenOver";
    } else if (!alive && pastGrace) {
      reason = "orchestrationGone";
    } else if (run.leaseUntil && Date.parse(run.leaseUntil) <= now.getTime()) {
      // A long run renews its gate lease as types complete: alive and renewing is not stuck.
      const gateLease = gate?.holders[run.id]?.leaseUntil;
      if (!(alive && gateLease && Date.parse(gateLease) > now.getTime())) reason = "leaseExpired";
    }
    if (!reason) continue;
    if (alive) {
      await deps.client.terminate(instanceId, `${REASON_TEXT[reason]}; finalised by the watchdog`);
      report.orchestrationsTerminated.push(instanceId);
    }
    if (await finalizeAbandonedRun({ ...deps, release }, run, reason, now)) report.runsFinalized.push(run.id);
  }
  return report;
}
