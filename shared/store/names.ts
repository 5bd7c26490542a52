export const COSMOS_CONTAINERS = { items: "inventoryItems", runs: "syncRuns" } as const;
export const COSMOS_PARTITION_KEY_PATH = "/tenantId";
export const TENANTS_TABLE_DEFAULT = "tenants";
