import type { RunDocument, Trigger } from "../domain";
import type { SelectionInput } from "../domain/selection";

/** What the HTTP and timer starters ask of the engine. */
export interface StartSyncRequest {
  tenantId: string;
  selection: SelectionInput;
  /** Not part of the selection hash: how long a run refused by a concurrency limit waits for a slot. */
  waitForSlotSeconds: number;
  trigger: Trigger;
  correlationId: string;
}

export type StartSyncResult =
  | { kind: "accepted"; run: RunDocument }
  /** A queued or running run exists for the tenant + selection; `run` is the skipped run recorded for this request. */
  | { kind: "lockHeld"; run: RunDocument; activeRunId: string }
  | { kind: "tenantNotFound" }
  /** A skipped run (TENANT_DISABLED) was recorded. */
  | { kind: "tenantDisabled"; run: RunDocument };

export interface SyncStarter {
  start(request: StartSyncRequest): Promise<StartSyncResult>;
}

/** The Durable client as the starters need it; the Functions adapter and the local driver implement it. */
export interface OrchestrationClient {
  startNew(name: string, options: { instanceId: string; input: unknown }): Promise<string>;
  getStatus(instanceId: string): Promise<{ runtimeStatus: string } | null>;
  terminate(instanceId: string, reason: string): Promise<void>;
}
