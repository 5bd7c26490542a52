/** Offline Durable Functions driver: runs the project's orchestrators and entities without the host. */
export { DurableDriver, type HostScheduleEntry, type ReplayResult } from "./durableDriver";
export { HostProtocolError, shimLeaves } from "./hostShim";
export { DriverDurableClient, type DriverDurableClientOptions, type DriverOrchestrationStatus } from "./durableClient";
export { createClock, realClock, scaledClock, type Clock } from "./clock";
export { NonDeterministicOrchestrationError } from "./determinism";
export type { DriverEntityHandler } from "./entityRunner";
export { ReplaySchema, type ReplaySchemaVersion } from "./libraryBoundary";
export type {
  DriverActivityHandler,
  DriverLog,
  DriverStats,
  DurableDriverOptions,
  OrchestrationStatus,
  RuntimeStatus,
} from "./types";
