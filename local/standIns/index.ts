export { forkStandIn, startStandInProcesses } from "./standInProcess";
export type { RemoteGraphSimulator, StandInProcess, StandInProcesses } from "./standInProcess";
export { usageOfThisProcess } from "./protocol";
export type { GraphLogSummary, ProcessUsage, StandInKind } from "./protocol";
