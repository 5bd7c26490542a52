import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { COSMOS_SERVER_KEY, loopbackCosmosAgent } from "../../local/emulators/cosmosServer";
import { createStores } from "../../shared/store";
import type { CosmosStores, CreateStoresOptions, StoreSettings } from "../../shared/store";

/**
 * Fresh, isolated stores for a test file, on the endpoints the global setup provided.
 * Isolation: a database of its own on the in-process server (cheap, in memory); on a real
 * Cosmos account one shared test database (creating databases there is slow and may cost
 * throughput), isolated by fresh tenant ids from `newTenantId()`. The tenants table gets a
 * unique name per call, so registry listings see only the test's own rows.
 */
export interface TestStores extends CosmosStores {
  settings: StoreSettings;
}

export function testStoreSettings(): StoreSettings {
  const local = inject("cosmosLocalServer");
  const suffix = randomUUID().replace(/-/g, "").slice(0, 12);
  return {
    COSMOS_ENDPOINT: inject("cosmosEndpoint"),
    COSMOS_KEY: local ? COSMOS_SERVER_KEY : process.env.COSMOS_KEY,
    COSMOS_DATABASE: local ? `test-${suffix}` : (process.env.COSMOS_TEST_DATABASE ?? "inventory-tests"),
    TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
    TABLES_ENDPOINT: undefined,
    TABLES_TENANTS_TABLE: `tenants${suffix}`,
  };
}

export function createTestStores(options: Omit<CreateStoresOptions, "cosmosAgent"> = {}): TestStores {
  const settings = testStoreSettings();
  const cosmosAgent = inject("cosmosLocalServer") ? loopbackCosmosAgent(settings.COSMOS_ENDPOINT) : undefined;
  return { ...createStores(settings, { ...options, cosmosAgent }), settings };
}

/** A tenant id no other test uses (Entra tenant ids are lower-case GUIDs here). */
export function newTenantId(): string {
  return randomUUID();
}
