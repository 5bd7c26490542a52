import { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import type { Settings } from "../../shared/config/settings";
import type { StructuredLogger } from "../../shared/observability";
import type { Stores } from "../../shared/store/ports";
import { engineOnClient } from "../runtime/localEngine";
import type { EngineClient, SyncEngine } from "../runtime/localEngine";
import { startRealEngineProcesses } from "./processes";
import type { RealEngineProcesses, RealEngineProcessesOptions } from "./processes";

const TERMINAL = new Set<string>([
  df.OrchestrationRuntimeStatus.Completed,
  df.OrchestrationRuntimeStatus.Failed,
  df.OrchestrationRuntimeStatus.Terminated,
]);

export interface RealEngineOptions extends Omit<RealEngineProcessesOptions, "appEnv"> {
  settings: Settings;
  stores: Stores;
  /**
   * The settings as the app reads them from its environment (the bridge process is the app's
   * "worker": it validates them itself, as it does in Azure).
   */
  appEnv: Record<string, string | undefined>;
  logger?: StructuredLogger;
  now?: () => Date;
}

export interface RealEngine extends SyncEngine {
  kind: "real";
  processes: RealEngineProcesses;
}

/**
 * The durable client an HTTP starter gets in Azure: durable-functions' own `getClient` over the
 * client binding the extension produced, so every call goes to the extension's local RPC
 * endpoint (`rpcBaseUrl`).
 */
export function clientFromBinding(clientData: Record<string, unknown>): DurableClient {
  const binding = df.input.durableClient();
  const context = new InvocationContext({ functionName: "realEngineClient", options: { extraInputs: [binding] } });
  context.extraInputs.set(binding, clientData);
  return df.getClient(context);
}

/** Adds the bounded wait the engine tests and the local host use (polling the real status endpoint). */
export function withWait(client: DurableClient, pollMs = 100): EngineClient {
  return Object.assign(client, {
    async waitForCompletion(instanceId: string, timeoutMs: number): Promise<DurableOrchestrationStatus> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const status = await client.getStatus(instanceId).catch(() => null);
        if (status && TERMINAL.has(status.runtimeStatus)) return status;
        if (Date.now() > deadline) {
          throw new Error(`orchestration ${instanceId} is still ${status?.runtimeStatus ?? "unknown"} after ${timeoutMs} ms`);
        }
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
  });
}

/**
 * The sync engine on the real Durable Task extension (see local/realEngine/README.md): starts
 * Azurite, the Node bridge (the app from package.json `main`) and the .NET WebJobs host, then
 * wires the same starter, nightly and watchdog as the Azure registrations to the real client.
 */
export async function createRealEngine(options: RealEngineOptions): Promise<RealEngine> {
  const processes = await startRealEngineProcesses(options);
  const client = withWait(clientFromBinding(processes.clientData));
  return {
    kind: "real",
    description: `real Durable Task extension (WebJobs host, Azure Storage backend on Azurite, task hub ${processes.hubName}; Node handlers in a bridge process)`,
    processes,
    client,
    ...engineOnClient(options, client),
    close: () => processes.close(),
  };
}
