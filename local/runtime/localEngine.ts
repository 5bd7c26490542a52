import { randomUUID } from "node:crypto";
import { OrchestrationRuntimeStatus } from "durable-functions";
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import { DriverDurableClient, DurableDriver } from "../durable";
import type { DurableDriverOptions } from "../durable";
import type { Settings } from "../../shared/config/settings";
import { createActivities } from "../../shared/engine/activities";
import type { EngineServices } from "../../shared/engine/activities";
import { orchestrationClientOf, watchdogPortsOf } from "../../shared/engine/durableClientPorts";
import { createEngineServices } from "../../shared/engine/engineServices";
import type { EngineServicesOptions } from "../../shared/engine/engineServices";
import { startNightly } from "../../shared/engine/nightlyStart";
import { createRunEventLogger } from "../../shared/engine/runEventLogger";
import { createSyncStarter } from "../../shared/engine/startSync";
import type { SyncStarter } from "../../shared/engine/syncStarterPort";
import { runWatchdog } from "../../shared/engine/watchdog";
import type { WatchdogReport } from "../../shared/engine/watchdog";
import { noopLogger } from "../../shared/observability";
import type { StructuredLogger } from "../../shared/observability";
import type { Stores } from "../../shared/store/ports";
import { DURABLE_ACTIVITY_NAMES, DURABLE_ENTITIES, DURABLE_ORCHESTRATIONS, gateEntityId } from "../../functions/durableCatalog";

export interface LocalEngineOptions {
  settings: Settings;
  stores: Stores;
  logger?: StructuredLogger;
  graphFor?: EngineServicesOptions["graphFor"];
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
}

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
  services: EngineServices;
  starter: SyncStarter;
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

/** Starter, nightly and watchdog over any DurableClient: the same wiring as functions/durable.ts. */
export function engineOnClient(
  services: EngineServices,
  client: DurableClient,
  options: { settings: Settings; stores: Stores; now?: () => Date },
): Pick<SyncEngine, "starter" | "startNightly" | "watchdog"> {
  const orchestrations = orchestrationClientOf(client);
  return {
    starter: createSyncStarter({ ...services, client: orchestrations }),
    startNightly: (now = new Date()) =>
      startNightly(orchestrations, {
        now,
        maxInFlight: options.settings.SYNC_MAX_CONCURRENT_RUNS,
        correlationId: `nightly-${randomUUID()}`,
      }),
    watchdog: () =>
      runWatchdog({
        stores: options.stores,
        now: options.now ?? (() => new Date()),
        log: services.log,
        ...watchdogPortsOf(client, gateEntityId()),
      }),
  };
}

/** The engine services (stores, Graph, run events) the starters and activities share. */
export function engineServicesOf(options: Pick<LocalEngineOptions, "settings" | "stores" | "logger" | "graphFor" | "now">): EngineServices {
  const logger = options.logger ?? noopLogger;
  return createEngineServices({
    settings: options.settings,
    stores: options.stores,
    graphFor: options.graphFor,
    log: createRunEventLogger(logger),
    now: options.now,
    reportNightly: (summary) => logger.info("InventoryNightlyCompleted", { ...summary }),
  });
}

/**
 * The sync engine on the offline Durable driver: the same orchestrators, entity and activity
 * bodies the Azure registrations use (functions/durableCatalog.ts), wired to the given stores.
 */
export function createLocalEngine(options: LocalEngineOptions): LocalEngine {
  const services = engineServicesOf(options);
  const driver = new DurableDriver(options.driver);
  for (const [name, handler] of Object.entries(DURABLE_ORCHESTRATIONS)) driver.registerOrchestration(name, handler);
  for (const [name, handler] of Object.entries(DURABLE_ENTITIES)) driver.registerEntity(name, handler);
  const activities = createActivities(services) as unknown as Record<string, (input: unknown) => Promise<unknown>>;
  for (const name of DURABLE_ACTIVITY_NAMES) {
    const body = activities[name];
    if (!body) throw new Error(`activity ${name} has no body`);
    const run = (input: unknown) => body(input);
    driver.registerActivity(name, options.wrapActivity ? options.wrapActivity(name, run) : run);
  }
  const client = new DriverDurableClient(driver);
  const retentionMs = options.historyRetentionSeconds === undefined ? null : options.historyRetentionSeconds * 1_000;
  const purgeFinished = async () => {
    if (retentionMs === null) return 0;
    const finished = [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];
    const { instancesDeleted } = await client.purgeInstanceHistoryBy({ createdTimeTo: new Date(Date.now() - retentionMs), runtimeStatus: finished });
    return instancesDeleted;
  };
  // A pass per retention period (at most a minute apart) keeps at most ~2 periods of instances.
  const purgeEveryMs = retentionMs === null ? null : Math.max(1_000, Math.min(retentionMs, 60_000));
  const purgeTimer = purgeEveryMs === null ? null : setInterval(() => void purgeFinished().catch(() => undefined), purgeEveryMs);
  purgeTimer?.unref();
  return {
    kind: "driver",
    description: "offline driver (in process; orchestration history is in memory)",
    driver,
    client,
    services,
    ...engineOnClient(services, client, options),
    purgeFinished,
    close: () => {
      if (purgeTimer) clearInterval(purgeTimer);
      return driver.close();
    },
  };
}
