import { PartitionKeyDefinitionVersion, PartitionKeyKind } from "@azure/cosmos";
import type { Container, CosmosClient, IndexingPolicy, PartitionKeyDefinition } from "@azure/cosmos";
import { BASELINES_PARTITION_KEY_PATH, COSMOS_CONTAINERS, COSMOS_PARTITION_KEY_PATH } from "./names";

export interface CosmosContainers {
  items: Container;
  runs: Container;
  baselines: Container;
}

/**
 * Hash version 2, as infra/modules/cosmos.bicep declares it: without `version` the SDK creates a
 * version-1 container, so a container made here would differ from the one Bicep makes. It also
 * costs the sync less: the SDK hashes the partition key of every bulk operation to route it,
 * and its V1 hash (BigInt arithmetic) is 2–3× dearer than V2 (measured per key: 16.6 vs 5.3 µs
 * on 4.10 with a quiet core, 36 vs 17 µs on 4.9 on a loaded one) — two operations per
 * item per sync (read, then create or replace).
 */
const PARTITION_KEY: PartitionKeyDefinition = {
  paths: [COSMOS_PARTITION_KEY_PATH],
  kind: PartitionKeyKind.Hash,
  version: PartitionKeyDefinitionVersion.V2,
};

const BASELINES_PARTITION_KEY: PartitionKeyDefinition = { ...PARTITION_KEY, paths: [BASELINES_PARTITION_KEY_PATH] };

/** Baseline items (chunks of expected items) are read whole by version, never queried inside. */
const BASELINES_INDEXING: IndexingPolicy = {
  indexingMode: "consistent",
  automatic: true,
  includedPaths: [{ path: "/*" }],
  excludedPaths: [{ path: "/items/*" }, { path: '/"_etag"/?' }],
};

/** Item meta is served, never filtered on: keep it out of the index to save RUs on every write. */
const ITEMS_INDEXING: IndexingPolicy = {
  indexingMode: "consistent",
  automatic: true,
  includedPaths: [{ path: "/*" }],
  excludedPaths: [{ path: "/meta/*" }, { path: '/"_etag"/?' }],
};

/** Run errors and per-type outcomes are read with the run, never queried. */
const RUNS_INDEXING: IndexingPolicy = {
  indexingMode: "consistent",
  automatic: true,
  includedPaths: [{ path: "/*" }],
  excludedPaths: [
    { path: "/errors/*" },
    { path: "/policyTypes/*" },
    { path: "/selection/*" },
    { path: '/"_etag"/?' },
  ],
};

/**
 * Creates the database and its containers when missing (infra creates them in Azure; the
 * local runtime and tests start from nothing). Existing containers are left as they are.
 * With identity-only access (Cosmos DB built-in data contributor) creating resources is a
 * control-plane operation and answers 403: then the containers must already exist (Bicep
 * creates them), which a metadata read — allowed to the data role — confirms.
 */
export async function ensureCosmosContainers(
  client: CosmosClient,
  databaseId: string,
): Promise<CosmosContainers> {
  try {
    return await createMissing(client, databaseId);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 403) throw error;
    const database = client.database(databaseId);
    const items = database.container(COSMOS_CONTAINERS.items);
    const runs = database.container(COSMOS_CONTAINERS.runs);
    const baselines = database.container(COSMOS_CONTAINERS.baselines);
    await Promise.all([items.read(), runs.read(), baselines.read()]);
    return { items, runs, baselines };
  }
}

async function createMissing(client: CosmosClient, databaseId: string): Promise<CosmosContainers> {
  const { database } = await client.databases.createIfNotExists({ id: databaseId });
  const [items, runs, baselines] = await Promise.all([
    database.containers.createIfNotExists({
      id: COSMOS_CONTAINERS.items,
      partitionKey: PARTITION_KEY,
      indexingPolicy: ITEMS_INDEXING,
    }),
    database.containers.createIfNotExists({
      id: COSMOS_CONTAINERS.runs,
      partitionKey: PARTITION_KEY,
      indexingPolicy: RUNS_INDEXING,
      // As infra/modules/cosmos.bicep: TTL on, nothing expiring unless it carries `ttl` (change documents do).
      defaultTtl: -1,
    }),
    database.containers.createIfNotExists({
      id: COSMOS_CONTAINERS.baselines,
      partitionKey: BASELINES_PARTITION_KEY,
      indexingPolicy: BASELINES_INDEXING,
    }),
  ]);
  return { items: items.container, runs: runs.container, baselines: baselines.container };
}
