import { randomUUID } from "node:crypto";
import { OrchestrationRuntimeStatus } from "durable-functions";
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import { DriverDurableClient, DurableDriver } from "../durable";
import type { DurableDriverOptions } from "../durable";
import type { Settings } from "../../shared/config/settings";
import { createApp } from "../../shared/compositionRoot";
import type { App, AppOptions } from "../../shared/compositionRoot";
import { ACTIVITIES } from "../../shared/sync/contracts";
import type { StartSyncRequest, StartSyncResult } from "../../shared/sync/contracts";
import { gateLeaseRenewerOf } from "../../shared/sync/durableClient";
import type { WatchdogReport } from "../../shared/sync/watchdog";
import { noopLogger } from "../../shared/observability";
import type { StructuredLogger } from "../../shared/observability";
import type { Stores } from "../../shared/store/ports";
import { DURABLE_ACTIVITY_NAMES, DURABLE_ENTITIES, DURABLE_ORCHESTRATIONS, gateEntityId } from "../../functions/durableCatalog";

export interface LocalEngineOptions {
  settings: Settings;
  stores: Stores;
  logger?: StructuredLogger;
  graphFor?: AppOptions["graphFor"];
  driver?: DurableDriverOptions;
  /** Wraps every activity body (tests inject crashes here). */
  wrapActivity?: (name: string, run: (input: unknown) => Promise<unknown>) => (input: unknown) => Promise<unknown>;
  now?: () => Date;
  /**
   * Purge finished orchestration instances (Completed, Failed, Terminated) this many seconds
   * after they were created, as a purge by `createdTimeTo` does in Durable Functions. Absent: kept
   * (tests read them). The local host sets it, so its memory does not grow with every run.
   */
  historyRetentionSeconds?: number;
  /**
   * With a retention set, also keep at most this many finished instances (the oldest go first),
   * so what the driver holds is bounded by a number, not by the sync rate × the retention.
   * Default DEFAULT_MAX_FINISHED_INSTANCES.
   */
  historyMaxInstances?: number;
}

/**
 * Finished instances the offline driver keeps at most when a retention is set: a few minutes of
 * a busy host (a small sync is 2–3 instances). The driver holds every history in memory, where
 * Durable Functions keeps it in the task hub's storage; at the bench's ~15 syncs/s a 600 s
 * retention alone meant every instance of the whole run stayed in the host's heap.
 */
export const DEFAULT_MAX_FINISHED_INSTANCES = 1_000;

/** A DurableClient plus a bounded wait for a terminal status (tests, the local host, the bench). */
export type EngineClient = DurableClient & {
  waitForCompletion(instanceId: string, timeoutMs: number): Promise<DurableOrchestrationStatus>;
};

/**
 * The sync engine on some Durable engine: the offline driver (createLocalEngine) or the real
 * Durable extension (local/realEngine). The local host, the demo and the engine tests use this.
 */
export interface SyncEngine {
  kind: "driver" | "real";
  /** One line for the start-up banner. */
  description: string;
  client: EngineClient;
  /** The app of the shared composition root, as Azure builds it. */
  app: App;
  /** What POST /sync does: admit the run and start its orchestration on this engine. */
  startSync(request: StartSyncRequest): Promise<StartSyncResult>;
  startNightly(now?: Date): Promise<{ started: boolean; instanceId: string }>;
  watchdog(): Promise<WatchdogReport>;
  close(): Promise<void>;
}

export interface LocalEngine extends SyncEngine {
  kind: "driver";
  driver: DurableDriver;
  client: DriverDurableClient;
  /** One purge pass now (the engine runs them on its own when a retention is set). */
  purgeFinished(): Promise<number>;
}

/**
 * The app of the composition root (shared/compositionRoot.ts) on a Durable client: the same
 * wiring as functions/appRoot.ts, with the timers' and the starter's client bound.
 */
export function engineOnClient(
  options: Pick<LocalEngineOptions, "settings" | "stores" | "logger" | "graphFor" | "now">,
  client: DurableClient,
): Pick<SyncEngine, "app" | "startSync" | "startNightly" | "watchdog"> {
  const app = createApp({
    settings: options.settings,
    stores: options.stores,
    logger: options.logger ?? noopLogger,
    gateEntityId: gateEntityId(),
    graphFor: options.graphFor,
    now: options.now,
  });
  return {
    app,
    startSync: (request) => app.starter.start(client, request),
    startNightly: (now) => app.startNightly(client, `nightly-${randomUUID()}`, now),
    watchdog: () => app.watchdog(client),
  };
}

/**
 * The sync engine on the offline Durable driver: the same orchestrators, entity and activity
 * bodies the Azure registrations use (functions/durableCatalog.ts), wired to the given stores.
 */
export function createLocalEngine(options: LocalEngineOptions): LocalEngine {
  const driver = new DurableDriver(options.driver);
  const client = new DriverDurableClient(driver);
  const engine = engineOnClient(options, client);
  for (const [name, handler] of Object.entries(DURABLE_ORCHESTRATIONS)) driver.registerOrchestration(name, handler);
  for (const [name, handler] of Object.entries(DURABLE_ENTITIES)) driver.registerEntity(name, handler);
  const activities = engine.app.activities as unknown as Record<string, (input: unknown) => Promise<unknown>>;
  const renewGate = gateLeaseRenewerOf(client, gateEntityId());
  for (const name of DURABLE_ACTIVITY_NAMES) {
    const body = activities[name];
    if (!body) throw new Error(`activity ${name} has no body`);
    // syncPolicyType renews its run's gate lease through the driver's client, as in Azure.
    const run =
      name === ACTIVITIES.syncPolicyType
        ? (input: unknown) => engine.app.activities.syncPolicyType(input, renewGate)
        : (input: unknown) => body(input);
    driver.registerActivity(name, options.wrapActivity ? options.wrapActivity(name, run) : run);
  }
  const retentionMs = options.historyRetentionSeconds === undefined ? null : options.historyRetentionSeconds * 1_000;
  const maxFinished = options.historyMaxInstances ?? DEFAULT_MAX_FINISHED_INSTANCES;
  const purgeFinished = async () => {
    if (retentionMs === null) return 0;
    const finished = [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];
    let { instancesDeleted } = await client.purgeInstanceHistoryBy({ createdTimeTo: new Date(Date.now() - retentionMs), runtimeStatus: finished });
    instancesDeleted += driver.purgeOldestFinished(maxFinished).instancesDeleted;
    return instancesDeleted;
  };
  // A pass per retention period (at most 10 s apart) keeps at most ~2 periods of instances, and
  // never more than 10 s of instances over the bound.
  const purgeEveryMs = retentionMs === null ? null : Math.max(1_000, Math.min(retentionMs, 10_000));
  const purgeTimer = purgeEveryMs === null ? null : setInterval(() => void purgeFinished().catch(() => undefined), purgeEveryMs);
  purgeTimer?.unref();
  return {
    kind: "driver",
    description: "offline driver (in process; orchestration history is in memory)",
    driver,
    client,
    ...engine,
    purgeFinished,
    close: () => {
      if (purgeTimer) clearInterval(purgeTimer);
      return driver.close();
    },
  };
}
