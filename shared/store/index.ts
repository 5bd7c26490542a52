import type { Agent } from "node:http";
import type { Container } from "@azure/cosmos";
import type { TokenCredential } from "@azure/identity";
import type { Settings } from "../config/settings";
import type { Stores } from "./ports";
import { createCosmosClient } from "./cosmosClient";
import { ensureCosmosContainers } from "./cosmosBootstrap";
import type { CosmosContainers } from "./cosmosBootstrap";
import { CosmosBaselineRepository } from "./baselineRepository";
import { CosmosDriftRecordRepository } from "./driftRecordRepository";
import { CosmosItemRepository } from "./itemRepository";
import { containerBulkTransport } from "./itemWriter";
import type { ItemWriterOptions } from "./itemWriter";
import { CosmosRunRepository } from "./runRepository";
import { CosmosTenantSummaryRepository } from "./summaryRepository";
import { CosmosChangeRepository } from "./changeRepository";
import { TableTenantRegistry, createTenantsTableClient } from "./tenantRegistry";

export * from "./ports";
export { CosmosItemRepository } from "./itemRepository";
export { mergeObservation } from "./itemWriter";
export type { ItemWriterOptions } from "./itemWriter";
export { CosmosRunRepository, claimDocumentId } from "./runRepository";
export { TableTenantRegistry } from "./tenantRegistry";

export type StoreSettings = Pick<
  Settings,
  | "COSMOS_ENDPOINT"
  | "COSMOS_KEY"
  | "COSMOS_DATABASE"
  | "TABLES_ENDPOINT"
  | "TABLES_CONNECTION_STRING"
  | "TABLES_TENANTS_TABLE"
>;

export interface CreateStoresOptions {
  /** Transport agent for Cosmos (the local runtime's self-signed loopback server only). */
  cosmosAgent?: Agent;
  /** Used instead of DefaultAzureCredential where a key or connection string is absent. */
  credential?: TokenCredential;
  writer?: ItemWriterOptions;
}

/** The concrete stores: the `Stores` port plus the adapters' extra capabilities (stats, raw reads). */
export interface CosmosStores extends Stores {
  items: CosmosItemRepository;
  runs: CosmosRunRepository;
  tenants: TableTenantRegistry;
  baselines: CosmosBaselineRepository;
  summaries: CosmosTenantSummaryRepository;
  changes: CosmosChangeRepository;
  /** The Cosmos containers, created when missing on first use. */
  containers(): Promise<CosmosContainers>;
  /** Releases sockets (tests, local host shutdown). */
  dispose(): void;
}

/**
 * Wires the Cosmos repositories and the Table registry. Nothing is contacted until first use;
 * the database and containers are created then (once; a failed bootstrap is retried next call).
 */
export function createStores(settings: StoreSettings, options: CreateStoresOptions = {}): CosmosStores {
  const client = createCosmosClient(settings, { agent: options.cosmosAgent, credential: options.credential });
  let bootstrap: Promise<CosmosContainers> | null = null;
  const containers = (): Promise<CosmosContainers> => {
    bootstrap ??= ensureCosmosContainers(client, settings.COSMOS_DATABASE).catch((error: unknown) => {
      bootstrap = null;
      throw error;
    });
    return bootstrap;
  };
  const itemsContainer = async (): Promise<Container> => (await containers()).items;
  const runsContainer = async (): Promise<Container> => (await containers()).runs;
  const runs = new CosmosRunRepository(runsContainer);
  const baselines = new CosmosBaselineRepository(async () => (await containers()).baselines);
  const driftRecords = new CosmosDriftRecordRepository(runsContainer);
  const changes = new CosmosChangeRepository(runsContainer);
  const items = new CosmosItemRepository(itemsContainer, runs, { ...options.writer, changeTransport: containerBulkTransport(runsContainer) });
  const tenants = new TableTenantRegistry(createTenantsTableClient(settings, options.credential));
  const summaries = new CosmosTenantSummaryRepository(runsContainer);
  return {
    items,
    runs,
    tenants,
    baselines,
    driftRecords,
    summaries,
    changes,
    containers,
    async check() {
      const [cosmos, tables] = await Promise.all([
        containers()
          .then(
            async (c) => {
              await c.runs.read();
              return "ok" as const;
            },
            () => "failed" as const,
          )
          .catch(() => "failed" as const),
        tenants.check().then(
          () => "ok" as const,
          () => "failed" as const,
        ),
      ]);
      return { cosmos, tables };
    },
    dispose() {
      client.dispose();
    },
  };
}
