/** Public shapes of the offline durable driver. */
import type { InvocationContext } from "@azure/functions";
import type { Clock } from "./clock";
import type { ReplaySchemaVersion } from "./libraryBoundary";

export type RuntimeStatus = "Pending" | "Running" | "Completed" | "Failed" | "Terminated" | "ContinuedAsNew";

export const terminalStatuses: ReadonlySet<RuntimeStatus> = new Set(["Completed", "Failed", "Terminated"]);

/** Mirrors durable-functions' DurableOrchestrationStatus, plus what the driver knows besides. */
export interface OrchestrationStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: Date;
  lastUpdatedTime: Date;
  historyLength: number;
  /** 1 for the first run, +1 for every continueAsNew. */
  generation: number;
  history?: unknown[];
}

/** A v4 activity handler, as passed to `df.app.activity`. */
export type DriverActivityHandler = (input: unknown, context: InvocationContext) => unknown;

export type DriverLog = (level: string, ...args: unknown[]) => void;

export interface DurableDriverOptions {
  /** Time source for currentUtcDateTime, durable timers and retry back-off. Default: real time. */
  clock?: Clock;
  /** Shortcut for a scaled clock: 0.01 makes virtual time run 100x faster than real time. */
  timeScale?: number;
  /** Like host.json extensions.durableTask.maxConcurrentActivityFunctions. Default 16. */
  maxConcurrentActivities?: number;
  /** The replay schema the engine is told the host supports. Default V3 (long timers split like the host). */
  schemaVersion?: ReplaySchemaVersion;
  /** Receives function logs and driver errors. Default: errors and warnings to the console. */
  log?: DriverLog;
}

export interface DriverStats {
  /** Largest history (events of one generation) seen per orchestration name. */
  maxHistoryLength: Record<string, number>;
  instancesByStatus: Record<RuntimeStatus, number>;
  instancesStarted: number;
  episodes: number;
  activitiesExecuted: number;
  activityFailures: number;
  activityRetries: number;
  maxConcurrentActivities: number;
  timersFired: number;
  entityOperations: number;
  /** Entity instances held in memory: those that exist, and those with operations queued. */
  entitiesHeld: number;
  continuedAsNew: number;
  nonDeterminismFailures: number;
  /** Instances failed because the host's out-of-process shim would have mishandled their actions. */
  hostProtocolFailures: number;
}
