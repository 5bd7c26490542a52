import type { GraphSimulatorOptions } from "../simulator";
import type { FaultSpec } from "../simulator/faults";
import type { PolicyTypeKey } from "../../shared/domain";

/**
 * The IPC messages between a stand-in child process (standInChild.ts) and its parent
 * (standInProcess.ts). Plain JSON: the child is a separate Node process on loopback.
 */

export type StandInKind = "cosmos" | "tables" | "graph";

export interface StandInStartRequest {
  kind: StandInKind;
  /** Only for "graph": the simulator's tenants, latency, throttle. */
  graph?: GraphSimulatorOptions;
}

/** What a started stand-in tells its parent: where to reach it. */
export interface StandInEndpoints {
  cosmos: { endpoint: string; key: string };
  tables: { endpoint: string; connectionString: string };
  graph: { baseUrl: string };
}

/** CPU and memory of one process, as Node reports them about itself. */
export interface ProcessUsage {
  pid: number;
  /** process.cpuUsage(): microseconds since the process started. */
  userMicros: number;
  systemMicros: number;
  /** process.resourceUsage().maxRSS: the peak resident set, KiB. */
  maxRssKiB: number;
}

/** What the Graph simulator's request log says, without shipping every entry across IPC. */
export interface GraphLogSummary {
  requests: number;
  status429: number;
  maxConcurrentTenants: number;
  methods: string[];
  /** Answers by HTTP status ("200": 5800). */
  statuses: Record<string, number>;
  /** Requests for a (tenant, URL) already asked for before: retries, whatever their cause. */
  repeats: number;
  /** The slowest answer, ms (latency injected included). */
  maxDurationMs: number;
}

export type StandInCall =
  | { op: "usage" }
  | { op: "stop" }
  | { op: "graph.fault"; tenantId: string; policyType: PolicyTypeKey; spec: FaultSpec }
  | { op: "graph.logSummary" }
  | { op: "cosmos.requestSummary" };

export type ChildMessage =
  | { type: "ready"; endpoints: StandInEndpoints[StandInKind] }
  | { type: "failed"; error: string }
  | { type: "reply"; id: number; ok: true; value: unknown }
  | { type: "reply"; id: number; ok: false; error: string };

/** The start request travels over IPC, not argv: 200 tenants of settings exceed an argument's size limit. */
export type ParentMessage = { type: "start"; request: StandInStartRequest } | { type: "call"; id: number; call: StandInCall };

export function usageOfThisProcess(): ProcessUsage {
  const cpu = process.cpuUsage();
  return { pid: process.pid, userMicros: cpu.user, systemMicros: cpu.system, maxRssKiB: process.resourceUsage().maxRSS };
}
