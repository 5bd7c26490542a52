import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { PolicyTypeKey } from "../../shared/domain";
import type { GraphSimulatorOptions } from "../simulator";
import type { FaultSpec } from "../simulator/faults";
import type { ChildMessage, GraphLogSummary, ParentMessage, ProcessUsage, StandInCall, StandInEndpoints, StandInKind } from "./protocol";

/**
 * The stand-ins in processes of their own. In Azure, Cosmos DB, Table Storage and Graph are
 * remote services; when they share the sync's process (as `npm start` does for convenience)
 * their heap, sockets and CPU are counted as the sync's. The bench forks each one here so the
 * sync process's RSS and CPU are its own, and asks each child for its CPU afterwards.
 */

export interface StandInProcess<K extends StandInKind> {
  kind: K;
  pid: number;
  endpoints: StandInEndpoints[K];
  call(call: StandInCall): Promise<unknown>;
  usage(): Promise<ProcessUsage>;
  stop(): Promise<void>;
}

/** The compiled child (dist/…/standInChild.js), or the TypeScript source under tsx (tests). */
function childEntry(): { file: string; execArgv: string[] } {
  const js = join(__dirname, "standInChild.js");
  if (existsSync(js)) return { file: js, execArgv: [] };
  return { file: join(__dirname, "standInChild.ts"), execArgv: ["--import", "tsx"] };
}

const START_TIMEOUT_MS = 60_000;

function forkStandIn<K extends StandInKind>(kind: K, options: { graph?: GraphSimulatorOptions } = {}): Promise<StandInProcess<K>> {
  const entry = childEntry();
  // Not the parent's execArgv: a --cpu-prof or --max-old-space-size meant for the sync must not
  // follow it into the stand-ins.
  const child: ChildProcess = fork(entry.file, [], { execArgv: entry.execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  child.send({ type: "start", request: { kind, graph: options.graph } } satisfies ParentMessage);
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let exited = false;

  return new Promise<StandInProcess<K>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the ${kind} stand-in did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.on("exit", (code) => {
      exited = true;
      clearTimeout(timer);
      for (const p of pending.values()) p.reject(new Error(`the ${kind} stand-in exited (${code})`));
      pending.clear();
      reject(new Error(`the ${kind} stand-in exited (${code}) before it was ready`));
    });
    child.on("error", reject);
    child.on("message", (message: ChildMessage) => {
      if (message.type === "failed") {
        clearTimeout(timer);
        reject(new Error(`the ${kind} stand-in failed to start: ${message.error}`));
      } else if (message.type === "reply") {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (!waiter) return;
        if (message.ok) waiter.resolve(message.value);
        else waiter.reject(new Error(`${kind} stand-in: ${message.error}`));
      } else if (message.type === "ready") {
        clearTimeout(timer);
        const call = (what: StandInCall) =>
          new Promise<unknown>((res, rej) => {
            if (exited) return rej(new Error(`the ${kind} stand-in has exited`));
            const id = nextId++;
            pending.set(id, { resolve: res, reject: rej });
            child.send({ type: "call", id, call: what } satisfies ParentMessage);
          });
        resolve({
          kind,
          pid: child.pid as number,
          endpoints: message.endpoints as StandInEndpoints[K],
          call,
          usage: () => call({ op: "usage" }) as Promise<ProcessUsage>,
          async stop() {
            if (exited) return;
            const gone = new Promise<void>((done) => child.once("exit", () => done()));
            await call({ op: "stop" }).catch(() => child.kill());
            await gone;
          },
        });
      }
    });
  });
}

/** The Graph simulator in its child process: what the bench needs of its control and log. */
export interface RemoteGraphSimulator {
  baseUrl: string;
  fault(tenantId: string, policyType: PolicyTypeKey, spec: FaultSpec): Promise<void>;
  logSummary(): Promise<GraphLogSummary>;
}

export interface StandInProcesses {
  cosmos: StandInProcess<"cosmos">;
  tables: StandInProcess<"tables">;
  graph: StandInProcess<"graph">;
  simulator: RemoteGraphSimulator;
  /** Requests the Cosmos stand-in served, by method and resource ("POST docs (bulk)": 52). */
  cosmosRequests(): Promise<Record<string, number>>;
  /** The environment that points the sync at these stand-ins (startLocalStack's `env`). */
  env: Record<string, string>;
  /** CPU and peak RSS of each stand-in process, as each reports it. */
  usage(): Promise<Record<StandInKind, ProcessUsage>>;
  stop(): Promise<void>;
}

/** Forks the three stand-ins (in parallel) and returns their endpoints as settings. */
export async function startStandInProcesses(options: { graph: GraphSimulatorOptions }): Promise<StandInProcesses> {
  const started = await Promise.allSettled([forkStandIn("cosmos"), forkStandIn("tables"), forkStandIn("graph", { graph: options.graph })]);
  const ok = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failure = started.find((s) => s.status === "rejected");
  if (failure) {
    await Promise.all(ok.map((p) => p.stop().catch(() => undefined)));
    throw (failure as PromiseRejectedResult).reason;
  }
  const [cosmos, tables, graph] = ok as [StandInProcess<"cosmos">, StandInProcess<"tables">, StandInProcess<"graph">];
  return {
    cosmos,
    tables,
    graph,
    simulator: {
      baseUrl: graph.endpoints.baseUrl,
      fault: async (tenantId, policyType, spec) => void (await graph.call({ op: "graph.fault", tenantId, policyType, spec })),
      logSummary: () => graph.call({ op: "graph.logSummary" }) as Promise<GraphLogSummary>,
    },
    cosmosRequests: () => cosmos.call({ op: "cosmos.requestSummary" }) as Promise<Record<string, number>>,
    env: {
      COSMOS_ENDPOINT: cosmos.endpoints.endpoint,
      COSMOS_KEY: cosmos.endpoints.key,
      TABLES_CONNECTION_STRING: tables.endpoints.connectionString,
      GRAPH_BASE_URL: graph.endpoints.baseUrl,
      GRAPH_AUTH_MODE: "simulator",
    },
    async usage() {
      const [c, t, g] = await Promise.all([cosmos.usage(), tables.usage(), graph.usage()]);
      return { cosmos: c, tables: t, graph: g };
    },
    async stop() {
      await Promise.all([cosmos, tables, graph].map((p) => p.stop().catch(() => undefined)));
    },
  };
}
