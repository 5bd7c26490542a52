import type { GateState } from "./gate";
import type { WatchdogDeps } from "./watchdog";
import type { OrchestrationClient } from "./syncStarterPort";

/**
 * The subset of durable-functions' `DurableClient` the engine uses, typed structurally so that
 * shared/ needs no durable-functions import. The Functions host's client and the local driver's
 * client both satisfy it.
 */
export interface DurableClientLike {
  startNew(name: string, options?: { instanceId?: string; input?: unknown }): Promise<string>;
  getStatus(instanceId: string): Promise<{ runtimeStatus: string } | undefined | null>;
  terminate(instanceId: string, reason: string): Promise<void>;
  readEntityState<T>(entityId: unknown): Promise<{ entityExists: boolean; entityState?: T }>;
  signalEntity(entityId: unknown, operationName?: string, operationContent?: unknown): Promise<void>;
}

/** The real client throws for an unknown instance; the engine wants null for "gone". */
async function statusOrNull(client: DurableClientLike, instanceId: string): Promise<{ runtimeStatus: string } | null> {
  try {
    const status = await client.getStatus(instanceId);
    return status ? { runtimeStatus: String(status.runtimeStatus) } : null;
  } catch (error) {
    const status = (error as { response?: { status?: number }; status?: number }).response?.status ?? (error as { status?: number }).status;
    // The real client says "replied with HTTP 404 ... could not find any data"; the local driver "no data is associated".
    if (status === 404 || /HTTP 404|could not find any data|no data is associated|not found/i.test(String((error as Error).message))) return null;
    throw error;
  }
}

export function orchestrationClientOf(client: DurableClientLike): OrchestrationClient {
  return {
    startNew: (name, options) => client.startNew(name, options),
    getStatus: (instanceId) => statusOrNull(client, instanceId),
    terminate: (instanceId, reason) => client.terminate(instanceId, reason),
  };
}

export function watchdogPortsOf(client: DurableClientLike, gateEntityId: unknown): Pick<WatchdogDeps, "orchestrations" | "gate"> {
  return {
    orchestrations: {
      getStatus: (instanceId) => statusOrNull(client, instanceId),
      terminate: (instanceId, reason) => client.terminate(instanceId, reason),
    },
    gate: {
      async read() {
        const response = await client.readEntityState<GateState>(gateEntityId);
        return response.entityExists ? (response.entityState ?? null) : null;
      },
      release: (runId) => client.signalEntity(gateEntityId, "release", { runId }),
    },
  };
}
