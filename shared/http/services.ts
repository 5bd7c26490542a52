import { randomUUID } from "node:crypto";
import type { Settings } from "../config/settings";
import type { OrchestrationClient, SyncStarter } from "../sync/syncStarterPort";
import type { Stores } from "../store/ports";

/** What the handlers need from the rest of the system, for one request. */
export interface AppServices {
  stores: Stores;
  starter: SyncStarter;
  settings: Settings;
  now(): Date;
  newId(): string;
}

/**
 * Resolves the services of one request. Lazy, so routes that need none (openapi.json) answer
 * even when settings are broken; per request, because in Azure the Durable client is bound to
 * the invocation.
 */
export type ServiceProvider = () => Promise<AppServices>;

export interface AppServicesFactoryDeps {
  loadSettings(): Settings;
  createStores(settings: Settings): Stores | Promise<Stores>;
  createStarter(deps: { stores: Stores; client: OrchestrationClient; settings: Settings }): SyncStarter;
  now?: () => Date;
  newId?: () => string;
}

/**
 * Builds `starterFor(client)`: settings and stores are created once per process (the first
 * request pays for it; a failure is retried by the next request rather than cached), the
 * starter per request around that request's orchestration client.
 */
export function createAppServicesFactory(deps: AppServicesFactoryDeps): (client: OrchestrationClient) => Promise<AppServices> {
  let shared: Promise<{ settings: Settings; stores: Stores }> | null = null;
  const init = () => {
    shared ??= (async () => {
      const settings = deps.loadSettings();
      return { settings, stores: await deps.createStores(settings) };
    })();
    shared.catch(() => {
      shared = null;
    });
    return shared;
  };
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? (() => randomUUID());
  return async (client) => {
    const { settings, stores } = await init();
    return { settings, stores, starter: deps.createStarter({ stores, client, settings }), now, newId };
  };
}
