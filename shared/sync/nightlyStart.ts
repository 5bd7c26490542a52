import type { OrchestrationClient } from "./syncStarterPort";
import { ORCHESTRATIONS } from "./contracts";
import type { NightlyInput } from "./contracts";

export function nightlyInstanceId(scheduledAt: Date): string {
  return `nightly-${scheduledAt.toISOString().slice(0, 10)}`;
}

export function initialNightlyInput(options: { maxInFlight: number; correlationId: string; batchSize?: number }): NightlyInput {
  return {
    offset: 0,
    // A multiple of the window, so each batch fills the window several times before draining.
    batchSize: options.batchSize ?? Math.min(Math.max(options.maxInFlight * 3, 10), 200),
    maxInFlight: options.maxInFlight,
    correlationId: options.correlationId,
    summary: { tenants: 0, started: 0, success: 0, partial: 0, failed: 0, skipped: 0 },
  };
}

/**
 * Starts tonight's walk once: the instance id is the date, so a timer that fires twice (host
 * restart, scale-out) finds the running instance and does not start a second walk.
 */
export async function startNightly(
  client: OrchestrationClient,
  options: { now: Date; maxInFlight: number; correlationId: string; batchSize?: number },
): Promise<{ started: boolean; instanceId: string }> {
  const instanceId = nightlyInstanceId(options.now);
  const existing = await client.getStatus(instanceId);
  if (existing && ["Running", "Pending", "ContinuedAsNew"].includes(existing.runtimeStatus)) return { started: false, instanceId };
  await client.startNew(ORCHESTRATIONS.nightlySync, { instanceId, input: initialNightlyInput(options) });
  return { started: true, instanceId };
}
