import type { InvocationContext } from "@azure/functions";
import { loadSettings } from "../shared/config/settings";
import type { Settings } from "../shared/config/settings";
import { createEngineServices, createGraphClientCache } from "../shared/compositionRoot";
import type { EngineServices } from "../shared/sync/activities";
import { createRunEventLogger } from "../shared/sync/runEventLogger";
import type { RunLogger } from "../shared/sync/runEvents";
import { createStructuredLogger, invocationContextSink } from "../shared/observability";
import { createStores } from "../shared/store";
import type { CosmosStores } from "../shared/store";
import type { GraphPageSource } from "../shared/graph";

interface Root {
  settings: Settings;
  stores: CosmosStores;
  graphFor: (tenantId: string) => GraphPageSource;
}

let root: Root | null = null;

/**
 * Process-wide singletons of the Azure app: settings (validated once; a bad setting fails the
 * first invocation with its name), stores and Graph clients. Logging is per invocation so every
 * record is correlated with its function execution in Application Insights.
 */
export function appRoot(): Root {
  if (!root) {
    const settings = loadSettings();
    root = { settings, stores: createStores(settings), graphFor: createGraphClientCache(settings) };
  }
  return root;
}

export function runLoggerFor(context: InvocationContext): RunLogger {
  return createRunEventLogger(createStructuredLogger(invocationContextSink(context), { base: { invocationId: context.invocationId } }));
}

export function engineServicesFor(context: InvocationContext): EngineServices {
  const { settings, stores, graphFor } = appRoot();
  const log = createStructuredLogger(invocationContextSink(context), { base: { invocationId: context.invocationId } });
  return createEngineServices({
    settings,
    stores,
    graphFor,
    log: createRunEventLogger(log),
    reportNightly: (summary) => log.info("InventoryNightlyCompleted", { ...summary }),
  });
}
