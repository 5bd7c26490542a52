import { addSecondsIso } from "../domain/isoTime";
import { normaliseSelection, policyTypesInScope, selectionHash, safeMessage } from "../domain";
import type { RunDocument, Trigger } from "../domain";
import type { Selection, SelectionInput } from "../domain/selection";
import type { Settings } from "../config/settings";
import type { NewRun, Stores, Tenant } from "../store/ports";
import type { InventorySyncInput } from "./contracts";

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

export interface AdmitDeps {
  stores: Pick<Stores, "runs">;
  settings: Pick<
    Settings,
    "SYNC_MAX_CONCURRENT_RUNS" | "SYNC_MAX_CONCURRENT_RUNS_PER_TENANT" | "SYNC_MAX_PARALLEL_TYPES" | "SYNC_LEASE_SECONDS"
  >;
  now(): Date;
}


/**
 * The one admission path for HTTP and timer starts: normalise + hash the selection, refuse a
 * disabled tenant, take the atomic (tenant, selection) claim, and write the queued run. Every
 * request leaves exactly one run document, refused ones included. Idempotent for one runId, so
 * an activity retry that re-admits the same run does not refuse itself.
 */
export async function admitRun(deps: AdmitDeps, request: AdmitRequest): Promise<AdmitResult> {
  const selection = normaliseSelection(request.selection);
  const hash = selectionHash(selection);
  const now = deps.now();
  const nowIso = now.toISOString();
  const lease = deps.settings.SYNC_LEASE_SECONDS;
  const tenantId = request.tenant.tenantId;
  const newRun: NewRun = {
    id: request.runId,
    tenantId,
    selection,
    selectionHash: hash,
    scope: policyTypesInScope(selection),
    trigger: request.trigger,
    correlationId: request.correlationId,
    requestedAt: nowIso,
    leaseUntil: addSecondsIso(now, request.waitForSlotSeconds + lease),
    orchestrationInstanceId: null,
  };

  const existing = await deps.stores.runs.get(tenantId, request.runId);
  if (existing && existing.status !== "queued") {
    return existing.status === "skipped"
      ? existing.errorCodes.includes("TENANT_DISABLED")
        ? { kind: "tenantDisabled", run: existing }
        : { kind: "lockHeld", run: existing, activeRunId: existing.activeRunId ?? "" }
      : { kind: "queued", run: existing, input: syncInput(deps, existing, request) };
  }

  if (!request.tenant.enabled) {
    const run = await deps.stores.runs.createSkipped(newRun, {
      code: "TENANT_DISABLED",
      message: safeMessage(`tenant ${tenantId} is disabled`),
    });
    return { kind: "tenantDisabled", run };
  }

  const claim = await deps.stores.runs.claim(tenantId, hash, request.runId, newRun.leaseUntil ?? nowIso, nowIso);
  if (!claim.ok && claim.activeRunId !== request.runId) {
    const run = await deps.stores.runs.createSkipped(
      newRun,
      { code: "LOCK_HELD", message: `run ${claim.activeRunId} is already queued or running for this tenant and selection` },
      claim.activeRunId,
    );
    return { kind: "lockHeld", run, activeRunId: claim.activeRunId };
  }

  let run: RunDocument;
  try {
    run = existing ?? (await deps.stores.runs.createQueued({ ...newRun, orchestrationInstanceId: request.runId }));
  } catch (error) {
    // The claim names a run that was never written: left in place it would refuse every request
    // for this tenant + selection (LOCK_HELD on a run nobody can see) until its lease ends.
    await deps.stores.runs.releaseClaim(tenantId, hash, request.runId).catch(() => undefined);
    throw error;
  }
  return { kind: "queued", run, input: syncInput(deps, run, request) };
}

function syncInput(deps: AdmitDeps, run: RunDocument, request: AdmitRequest): InventorySyncInput {
  return {
    runId: run.id,
    tenantId: run.tenantId,
    selectionHash: run.selectionHash,
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
