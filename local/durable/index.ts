/** Offline Durable Functions driver: runs the project's orchestrators and entities without the host. */
export { DurableDriver } from "./durableDriver";
export { DriverDurableClient } from "./durableClient";
export { scaledClock } from "./clock";
export { NonDeterministicOrchestrationError } from "./determinism";
export { ReplaySchema } from "./libraryBoundary";
export type { DurableDriverOptions, OrchestrationStatus } from "./types";
