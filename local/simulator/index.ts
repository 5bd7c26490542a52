export { startGraphSimulator } from "./simulatorServer";
export type { GraphSimulator, GraphSimulatorOptions, SimulatorTenantConfig } from "./simulatorServer";
export { DEFAULT_SIZES, PAGE_SIZE_MAX } from "./pageSizes";
export { SPECIAL_IDS } from "./seedData";
export type { GraphObject } from "./seedData";
export { INTUNE_THROTTLE } from "./throttle";
export { simulatorGraphSettings } from "./clientSettings";
