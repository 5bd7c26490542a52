export { startAzuriteTables } from "./azuriteTables";
export type { RunningAzuriteTables } from "./azuriteTables";
export { COSMOS_SERVER_KEY, loopbackCosmosAgent, startCosmosServer } from "./cosmosServer";
export type { RunningCosmosServer } from "./cosmosServer";
