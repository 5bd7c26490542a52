export const COSMOS_CONTAINERS = { items: "inventoryItems", runs: "syncRuns", baselines: "baselines" } as const;
export const COSMOS_PARTITION_KEY_PATH = "/tenantId";
/**
 * Baselines are the MSP's, not a tenant's: one baseline (a gold tenant's capture, or a list)
 * is held against many tenants and outlives its source tenant. Partitioned on its own id, every
 * read and write of one baseline — its head and the item chunks of each version — is
 * single-partition; only the list of baselines (tens per MSP) crosses partitions, like the
 * tenant registry's listing (docs/architecture.md "Baselines").
 */
export const BASELINES_PARTITION_KEY_PATH = "/baselineId";
/** Partition key path per container (infra/modules/cosmos.bicep declares the same). */
export const COSMOS_PARTITION_KEYS: Record<keyof typeof COSMOS_CONTAINERS, string> = {
  items: COSMOS_PARTITION_KEY_PATH,
  runs: COSMOS_PARTITION_KEY_PATH,
  baselines: BASELINES_PARTITION_KEY_PATH,
};
export const TENANTS_TABLE_DEFAULT = "tenants";
