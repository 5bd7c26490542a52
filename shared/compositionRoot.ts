import type { Settings } from "./config/settings";
import { createGraphClient, syncPolicyType } from "./graph";
import type { GraphPageSource } from "./graph";
import type { Stores } from "./store/ports";
import type { EngineServices } from "./sync/activities";
import type { NightlySummary } from "./sync/contracts";
import type { RunLogger } from "./sync/runEvents";

export interface EngineServicesOptions {
  settings: Settings;
  stores: Stores;
  log: RunLogger;
  now?: () => Date;
  /** Defaults to one Graph client per tenant (its credential caches the tenant's token). */
  graphFor?: (tenantId: string) => GraphPageSource;
  reportNightly?: (summary: NightlySummary) => void;
}

const MAX_CACHED_CLIENTS = 1_000;

/**
 * One Graph client per tenant, kept for the life of the process so each tenant's credential
 * caches its token across activities. Bounded: the oldest client goes first.
 */
export function createGraphClientCache(settings: Settings): (tenantId: string) => GraphPageSource {
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

/** The composition root of the sync engine: the same wiring in Azure, the local host and tests. */
export function createEngineServices(options: EngineServicesOptions): EngineServices {
  const now = options.now ?? (() => new Date());
  const graphFor = options.graphFor ?? createGraphClientCache(options.settings);
  return {
    stores: options.stores,
    settings: options.settings,
    log: options.log,
    now,
    reportNightly: options.reportNightly,
    syncPolicyType: (input) =>
      syncPolicyType(
        {
          graph: graphFor,
          writerFor: (ctx) => options.stores.items.createWriter(ctx),
          now,
          onRetry: (info) => options.log.graphRetry(input, info),
        },
        { tenantId: input.tenantId, runId: input.runId, selectionHash: input.selectionHash, policyType: input.policyType },
      ),
  };
}
