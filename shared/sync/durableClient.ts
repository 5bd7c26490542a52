/**
 * The Durable client as the sync slice uses it: the subset of durable-functions' `DurableClient`,
 * typed structurally so that shared/ needs no durable-functions import. The Functions host's
 * client (`df.getClient(context)`) and the offline driver's client both satisfy it; it is the
 * only Durable client type of the slice.
 */
export interface DurableClient {
  startNew(name: string, options: { instanceId: string; input: unknown }): Promise<string>;
  getStatus(instanceId: string): Promise<{ runtimeStatus: unknown } | undefined | null>;
  terminate(instanceId: string, reason: string): Promise<void>;
  readEntityState<T>(entityId: unknown): Promise<{ entityExists: boolean; entityState?: T }>;
  signalEntity(entityId: unknown, operationName?: string, operationContent?: unknown): Promise<void>;
}

const TERMINAL_RUNTIME_STATUSES = new Set(["Completed", "Failed", "Terminated", "Canceled"]);

/**
 * An instance's runtime status, or null when it does not exist (never started, purged). The
 * real client throws for an unknown instance; the slice wants null for "gone".
 */
export async function instanceStatus(client: DurableClient, instanceId: string): Promise<string | null> {
  try {
    const status = await client.getStatus(instanceId);
    return status ? String(status.runtimeStatus) : null;
  } catch (error) {
    const status = (error as { response?: { status?: number }; status?: number }).response?.status ?? (error as { status?: number }).status;
    // The real client says "replied with HTTP 404 ... could not find any data"; the local driver "no data is associated".
    if (status === 404 || /HTTP 404|could not find any data|no data is associated|not found/i.test(String((error as Error).message))) return null;
    throw error;
  }
}

/** Alive: it exists and has not reached a terminal runtime status. */
export function isAlive(runtimeStatus: string | null): boolean {
  return runtimeStatus !== null && !TERMINAL_RUNTIME_STATUSES.has(runtimeStatus);
}
