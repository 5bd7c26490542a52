export { startAzuriteTables } from "./azuriteTables";
export type { AzuriteTablesOptions, RunningAzuriteTables } from "./azuriteTables";
export { COSMOS_SERVER_KEY, loopbackCosmosAgent, startCosmosServer } from "./cosmosServer";
export type { CosmosServerOptions, RunningCosmosServer } from "./cosmosServer";
