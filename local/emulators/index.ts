export { startAzuriteTables } from "./azuriteTables";
export type { AzuriteTablesOptions, RunningAzuriteTables } from "./azuriteTables";
export { COSMOS_SERVER_KEY, loopbackCosmosAgent, startCosmosServer } from "./cosmosServer";
export { STAND_IN_IDLE_TIMEOUT_MS } from "./idleTimeout";
export type { CosmosServerOptions, RunningCosmosServer } from "./cosmosServer";
