import { CodedError, addSecondsIso, fail, newRun, safeMessage, skip } from "../domain";
import type { RunDocument, Selection, SelectionInput, Tenant, Trigger } from "../domain";
import { SelectionInputSchema } from "../domain/selection";
import type { Settings } from "../config/settings";
import type { Stores } from "../store/ports";
import { ORCHESTRATION_LOGIC_VERSION, ORCHESTRATIONS } from "./contracts";
import type { InventorySyncInput, NightlyInput, StartSyncRequest, StartSyncResult } from "./contracts";
import { instanceStatus } from "./durableClient";
import type { DurableClient } from "./durableClient";
import type { RunLogger } from "./runEvents";

/** What admission needs: the run store, the limits and the clock. */
export interface AdmitDeps {
  stores: Pick<Stores, "runs">;
  settings: Pick<
    Settings,
    "SYNC_MAX_CONCURRENT_RUNS" | "SYNC_MAX_CONCURRENT_RUNS_PER_TENANT" | "SYNC_MAX_PARALLEL_TYPES" | "SYNC_LEASE_SECONDS"
  >;
  now(): Date;
}

export interface AdmitRequest {
  tenant: Tenant;
  selection: SelectionInput | Selection;
  runId: string;
  trigger: Trigger;
  correlationId: string;
  waitForSlotSeconds: number;
}

export type AdmitResult =
  | { kind: "queued"; run: RunDocument; input: InventorySyncInput }
  | { kind: "lockHeld"; run: RunDocument; activeRunId: string }
  | { kind: "tenantDisabled"; run: RunDocument };

/**
 * The one admission path for HTTP and timer starts: normalise + hash the selection, refuse a
 * disabled tenant, take the atomic (tenant, selection) claim, and write the queued run. Every
 * request leaves exactly one run document, refused ones included. Idempotent for one runId, so
 * an activity retry that re-admits the same run does not refuse itself.
 */
export async function admitRun(deps: AdmitDeps, request: AdmitRequest): Promise<AdmitResult> {
  const now = deps.now();
  const nowIso = now.toISOString();
  const tenantId = request.tenant.tenantId;
  const queued = newRun({
    id: request.runId,
    tenantId,
    selection: request.selection,
    trigger: request.trigger,
    correlationId: request.correlationId,
    requestedAt: nowIso,
    leaseUntil: addSecondsIso(now, request.waitForSlotSeconds + deps.settings.SYNC_LEASE_SECONDS),
    orchestrationInstanceId: request.runId,
  });
  const skipped = (code: "TENANT_DISABLED" | "LOCK_HELD", message: string, activeRunId?: string) =>
    deps.stores.runs.create(skip(queued, { code, message }, nowIso, activeRunId) as RunDocument);

  const existing = await deps.stores.runs.get(tenantId, request.runId);
  if (existing && existing.status !== "queued") {
    return existing.status === "skipped"
      ? existing.errorCodes.includes("TENANT_DISABLED")
        ? { kind: "tenantDisabled", run: existing }
        : { kind: "lockHeld", run: existing, activeRunId: existing.activeRunId ?? "" }
      : { kind: "queued", run: existing, input: syncInput(deps, existing, request) };
  }

  if (!request.tenant.enabled) {
    const run = await skipped("TENANT_DISABLED", safeMessage(`tenant ${tenantId} is disabled`));
    return { kind: "tenantDisabled", run };
  }

  const claim = await deps.stores.runs.claim(tenantId, queued.selectionHash, request.runId, queued.leaseUntil ?? nowIso, nowIso);
  if (!claim.ok && claim.activeRunId !== request.runId) {
    const message = `run ${claim.activeRunId} is already queued or running for this tenant and selection`;
    const run = await skipped("LOCK_HELD", message, claim.activeRunId);
    return { kind: "lockHeld", run, activeRunId: claim.activeRunId };
  }

  let run: RunDocument;
  try {
    run = existing ?? (await deps.stores.runs.create(queued));
  } catch (error) {
    // The claim names a run that was never written: left in place it would refuse every request
    // for this tenant + selection (LOCK_HELD on a run nobody can see) until its lease ends.
    await deps.stores.runs.releaseClaim(tenantId, queued.selectionHash, request.runId).catch(() => undefined);
    throw error;
  }
  return { kind: "queued", run, input: syncInput(deps, run, request) };
}

function syncInput(deps: AdmitDeps, run: RunDocument, request: AdmitRequest): InventorySyncInput {
  return {
    runId: run.id,
    tenantId: run.tenantId,
    selectionHash: run.selectionHash,
    logicVersion: ORCHESTRATION_LOGIC_VERSION,
    policyTypes: run.scope,
    correlationId: run.correlationId,
    waitForSlotSeconds: request.waitForSlotSeconds,
    limits: {
      maxGlobal: deps.settings.SYNC_MAX_CONCURRENT_RUNS,
      maxPerTenant: deps.settings.SYNC_MAX_CONCURRENT_RUNS_PER_TENANT,
      maxParallelTypes: deps.settings.SYNC_MAX_PARALLEL_TYPES,
      leaseSeconds: deps.settings.SYNC_LEASE_SECONDS,
    },
  };
}

export interface SyncStarterDeps extends AdmitDeps {
  stores: Stores;
  log: RunLogger;
  newId(): string;
}

/** The starter behind POST /sync and the API; built once, given the caller's Durable client per start. */
export interface SyncStarter {
  start(client: DurableClient, request: StartSyncRequest): Promise<StartSyncResult>;
}

/**
 * Admit the run, then start its orchestration with the run id as instance id (a second line of
 * defence: the backend refuses a duplicate start).
 */
export function createSyncStarter(deps: SyncStarterDeps): SyncStarter {
  return {
    async start(client, request) {
      const tenant = await deps.stores.tenants.get(request.tenantId);
      if (!tenant) return { kind: "tenantNotFound" };
      const admitted = await admitRun(deps, {
        tenant,
        selection: SelectionInputSchema.parse(request.selection),
        runId: deps.newId(),
        trigger: request.trigger,
        correlationId: request.correlationId,
        waitForSlotSeconds: request.waitForSlotSeconds,
      });
      if (admitted.kind !== "queued") {
        deps.log.runSkipped(admitted.run);
        return admitted;
      }
      deps.log.runQueued(admitted.run);
      try {
        await client.startNew(ORCHESTRATIONS.inventorySync, { instanceId: admitted.run.id, input: admitted.input });
      } catch (error) {
        // The orchestration never started: finalise the run and free the claim so nothing stays queued.
        const message = safeMessage(`could not start the orchestration: ${(error as Error).message}`);
        const at = deps.now().toISOString();
        const run = await deps.stores.runs.update(request.tenantId, admitted.run.id, (r) => fail(r, { code: "INTERNAL_ERROR", message }, at));
        await deps.stores.runs.releaseClaim(request.tenantId, run.selectionHash, run.id);
        deps.log.runFinalized(run);
        throw new CodedError("INTERNAL_ERROR", "the sync could not be started");
      }
      return { kind: "accepted", run: admitted.run };
    },
  };
}

function nightlyInstanceId(scheduledAt: Date): string {
  return `nightly-${scheduledAt.toISOString().slice(0, 10)}`;
}

function initialNightlyInput(options: { maxInFlight: number; correlationId: string }): NightlyInput {
  return {
    logicVersion: ORCHESTRATION_LOGIC_VERSION,
    // Registry rows per page: a few windows' worth, so a page is read well before the lanes run dry.
    batchSize: Math.min(Math.max(options.maxInFlight * 3, 10), 200),
    maxInFlight: options.maxInFlight,
    correlationId: options.correlationId,
  };
}

/**
 * Starts tonight's walk once: the instance id is the date, so a timer that fires twice (host
 * restart, scale-out) finds the running instance and does not start a second walk.
 */
export async function startNightly(
  client: DurableClient,
  options: { now: Date; maxInFlight: number; correlationId: string },
): Promise<{ started: boolean; instanceId: string }> {
  const instanceId = nightlyInstanceId(options.now);
  const existing = await instanceStatus(client, instanceId);
  if (existing && ["Running", "Pending", "ContinuedAsNew"].includes(existing)) return { started: false, instanceId };
  await client.startNew(ORCHESTRATIONS.nightlySync, { instanceId, input: initialNightlyInput(options) });
  return { started: true, instanceId };
}
