import { createApp } from "../shared/compositionRoot";
import type { App } from "../shared/compositionRoot";
import { loadSettings } from "../shared/config/settings";
import type { Settings } from "../shared/config/settings";
import { createStructuredLogger, invocationScopedSink } from "../shared/observability";
import { createStores } from "../shared/store";
import { gateEntityId } from "./durableCatalog";

let settings: Settings | null = null;
let app: App | null = null;

/** Validated once; a bad setting fails the invocation that first needs it, with its name. */
export function appSettings(): Settings {
  settings ??= loadSettings();
  return settings;
}

/**
 * The Azure app, built once per process through the shared composition root. Its logger writes
 * to whichever invocation is running (functions/ wraps every handler in `inInvocation`), so
 * records stay correlated with their function execution in Application Insights.
 */
export function azureApp(): App {
  app ??= createApp({
    settings: appSettings(),
    stores: createStores(appSettings()),
    logger: createStructuredLogger(invocationScopedSink((level, message) => console[level](message))),
    gateEntityId: gateEntityId(),
  });
  return app;
}
