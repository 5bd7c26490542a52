import { randomUUID } from "node:crypto";
import { DriverDurableClient, DurableDriver } from "../durable";
import type { DurableDriverOptions } from "../durable";
import type { Settings } from "../../shared/config/settings";
import { createActivities } from "../../shared/sync/activities";
import type { EngineServices } from "../../shared/sync/activities";
import { orchestrationClientOf, watchdogPortsOf } from "../../shared/sync/durableClient";
import { createEngineServices } from "../../shared/compositionRoot";
import type { EngineServicesOptions } from "../../shared/compositionRoot";
import { startNightly } from "../../shared/sync/nightlyStart";
import { createRunEventLogger } from "../../shared/sync/runEventLogger";
import { createSyncStarter } from "../../shared/sync/startSync";
import type { SyncStarter } from "../../shared/sync/syncStarterPort";
import { runWatchdog } from "../../shared/sync/watchdog";
import type { WatchdogReport } from "../../shared/sync/watchdog";
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
}

export interface LocalEngine {
  driver: DurableDriver;
  client: DriverDurableClient;
  services: EngineServices;
  starter: SyncStarter;
  startNightly(now?: Date): Promise<{ started: boolean; instanceId: string }>;
  watchdog(): Promise<WatchdogReport>;
  close(): Promise<void>;
}

/**
 * The sync engine on the offline Durable driver: the same orchestrators, entity and activity
 * bodies the Azure registrations use (functions/durableCatalog.ts), wired to the given stores.
 */
export function createLocalEngine(options: LocalEngineOptions): LocalEngine {
  const logger = options.logger ?? noopLogger;
  const services = createEngineServices({
    settings: options.settings,
    stores: options.stores,
    graphFor: options.graphFor,
    log: createRunEventLogger(logger),
    now: options.now,
    reportNightly: (summary) => logger.info("InventoryNightlyCompleted", { ...summary }),
  });
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
  const orchestrations = orchestrationClientOf(client);
  const starter = createSyncStarter({ ...services, client: orchestrations });
  return {
    driver,
    client,
    services,
    starter,
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
    close: () => driver.close(),
  };
}
