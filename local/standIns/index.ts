export { startStandInProcesses } from "./standInProcess";
export type { StandInProcesses } from "./standInProcess";
export { usageOfThisProcess } from "./protocol";
export type { ProcessUsage, StandInKind } from "./protocol";
