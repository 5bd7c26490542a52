import { randomUUID } from "node:crypto";
import { DriverDurableClient, DurableDriver } from "../durable";
import type { DurableDriverOptions } from "../durable";
import type { Settings } from "../../shared/config/settings";
import { createApp } from "../../shared/compositionRoot";
import type { App, AppOptions } from "../../shared/compositionRoot";
import type { StartSyncRequest, StartSyncResult } from "../../shared/sync/contracts";
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
}

export interface LocalEngine {
  driver: DurableDriver;
  client: DriverDurableClient;
  /** The app of the shared composition root, as Azure builds it. */
  app: App;
  /** What POST /sync does: admit the run and start its orchestration on the driver. */
  startSync(request: StartSyncRequest): Promise<StartSyncResult>;
  startNightly(now?: Date): Promise<{ started: boolean; instanceId: string }>;
  watchdog(): Promise<WatchdogReport>;
  close(): Promise<void>;
}

/**
 * The app on the offline Durable driver: the composition root Azure uses (shared/compositionRoot.ts)
 * and the same orchestrators, entity and activity bodies the Azure registrations use
 * (functions/durableCatalog.ts), wired to the given stores.
 */
export function createLocalEngine(options: LocalEngineOptions): LocalEngine {
  const app = createApp({
    settings: options.settings,
    stores: options.stores,
    logger: options.logger ?? noopLogger,
    gateEntityId: gateEntityId(),
    graphFor: options.graphFor,
    now: options.now,
  });
  const driver = new DurableDriver(options.driver);
  for (const [name, handler] of Object.entries(DURABLE_ORCHESTRATIONS)) driver.registerOrchestration(name, handler);
  for (const [name, handler] of Object.entries(DURABLE_ENTITIES)) driver.registerEntity(name, handler);
  const activities = app.activities as unknown as Record<string, (input: unknown) => Promise<unknown>>;
  for (const name of DURABLE_ACTIVITY_NAMES) {
    const body = activities[name];
    if (!body) throw new Error(`activity ${name} has no body`);
    const run = (input: unknown) => body(input);
    driver.registerActivity(name, options.wrapActivity ? options.wrapActivity(name, run) : run);
  }
  const client = new DriverDurableClient(driver);
  return {
    driver,
    client,
    app,
    startSync: (request) => app.starter.start(client, request),
    startNightly: (now) => app.startNightly(client, `nightly-${randomUUID()}`, now),
    watchdog: () => app.watchdog(client),
    close: () => driver.close(),
  };
}
