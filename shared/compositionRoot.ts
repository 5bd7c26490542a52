import { randomUUID } from "node:crypto";
import type { Settings } from "./config/settings";
import { createGraphClient } from "./graph";
import type { GraphPageSource } from "./graph";
import type { AppServices } from "./http/pipeline";
import type { StructuredLogger } from "./observability";
import type { Stores } from "./store/ports";
import { createActivities } from "./sync/activities";
import type { SyncActivities } from "./sync/activities";
import type { DurableClient } from "./sync/durableClient";
import { createRunEventLogger } from "./sync/runEvents";
import type { RunLogger } from "./sync/runEvents";
import { createSyncStarter, startNightly } from "./sync/start";
import { runWatchdog } from "./sync/watchdog";
import type { WatchdogReport } from "./sync/watchdog";

export interface AppOptions {
  settings: Settings;
  stores: Stores;
  logger: StructuredLogger;
  /** The syncGate entity's id: a durable-functions EntityId, built by the host that may import it. */
  gateEntityId: unknown;
  /** Defaults to one Graph client per tenant (its credential caches the tenant's token). */
  graphFor?: (tenantId: string) => GraphPageSource;
  now?: () => Date;
  /** Waits between attempts of a type whose store briefly failed (tests shorten it). */
  sleep?: (ms: number) => Promise<void>;
}

/** The app, wired once per process: what the HTTP routes, the activities and the timers use. */
export interface App extends AppServices {
  settings: Settings;
  log: RunLogger;
  activities: SyncActivities;
  /** Starts tonight's nightly walk unless it already runs. */
  startNightly(client: DurableClient, correlationId: string, now?: Date): Promise<{ started: boolean; instanceId: string }>;
  watchdog(client: DurableClient): Promise<WatchdogReport>;
}

const MAX_CACHED_CLIENTS = 1_000;

/**
 * One Graph client per tenant, kept for the life of the process so each tenant's credential
 * caches its token across activities. Bounded: the oldest client goes first.
 */
function createGraphClientCache(settings: Settings): (tenantId: string) => GraphPageSource {
  const clients = new Map<string, GraphPageSource>();
  return (tenantId: string) => {
    let client = clients.get(tenantId);
    if (!client) {
      if (clients.size >= MAX_CACHED_CLIENTS) clients.delete(clients.keys().next().value as string);
      client = createGraphClient({ settings, tenantId });
      clients.set(tenantId, client);
    }
    return client;
  };
}

/**
 * THE composition root: the same wiring in Azure (functions/appRoot.ts), the local host, the
 * benchmark and the tests (local/runtime/localEngine.ts). Everything here is built once per
 * process; only the Durable client comes per call, because in Azure it is bound to the
 * invocation.
 */
export function createApp(options: AppOptions): App {
  const { settings, stores, logger } = options;
  const now = options.now ?? (() => new Date());
  const log = createRunEventLogger(logger);
  const graphFor = options.graphFor ?? createGraphClientCache(settings);
  const activities = createActivities({
    stores,
    settings,
    log,
    logger,
    now,
    graphFor,
    sleep: options.sleep,
    reportNightly: (summary) => logger.info("InventoryNightlyCompleted", { ...summary }),
  });
  return {
    settings,
    stores,
    log,
    now,
    activities,
    starter: createSyncStarter({ stores, settings, log, now, newId: randomUUID }),
    startNightly: (client, correlationId, at = now()) =>
      startNightly(client, { now: at, maxInFlight: settings.SYNC_MAX_CONCURRENT_RUNS, correlationId }),
    watchdog: (client) => runWatchdog({ stores, now, log, client, gateEntityId: options.gateEntityId }),
  };
}
