import { startAzuriteTables, startCosmosServer } from "../emulators";
import { startGraphSimulator } from "../simulator";
import type { GraphSimulator } from "../simulator";
import { usageOfThisProcess } from "./protocol";
import type { ChildMessage, ParentMessage, StandInCall, StandInEndpoints, StandInKind, StandInStartRequest } from "./protocol";

/**
 * Entry of a stand-in child process (forked by standInProcess.ts): starts ONE stand-in — the
 * Cosmos-compatible server, Azurite tables or the Graph simulator — on loopback, says where it
 * listens, then answers its parent's calls over IPC until told to stop or the parent goes away.
 */

const send = (message: ChildMessage) => new Promise<void>((done) => process.send?.(message, () => done()));

/** Cosmos requests by kind ("POST docs (bulk)", "GET docs", …): what the sync asked of the store. */
const cosmosRequests = new Map<string, number>();
function countCosmosRequest(method: string, path: string, headers: Record<string, string | string[] | undefined>): void {
  const resource = path.split("?")[0]?.split("/").filter(Boolean);
  // …/colls/{name}/docs[/{id}]: the resource type is the last even-position segment.
  const type = resource && resource.length > 0 ? (resource.length % 2 === 0 ? resource[resource.length - 2] : resource[resource.length - 1]) : "root";
  const flavour = headers["x-ms-cosmos-is-batch-request"] ? " (bulk)" : headers["x-ms-documentdb-isquery"] || headers["content-type"] === "application/query+json" ? " (query)" : "";
  const key = `${method} ${type}${flavour}`;
  cosmosRequests.set(key, (cosmosRequests.get(key) ?? 0) + 1);
}

async function start(request: StandInStartRequest): Promise<{ endpoints: StandInEndpoints[StandInKind]; stop: () => Promise<void>; graph: GraphSimulator | null }> {
  switch (request.kind) {
    case "cosmos": {
      const cosmos = await startCosmosServer({
        onRequest: (method, path, headers) => countCosmosRequest(method, path, headers),
        onConnection: () => cosmosRequests.set("TLS connections", (cosmosRequests.get("TLS connections") ?? 0) + 1),
      });
      return { endpoints: { endpoint: cosmos.endpoint, key: cosmos.key }, stop: () => cosmos.stop(), graph: null };
    }
    case "tables": {
      const tables = await startAzuriteTables();
      return { endpoints: { endpoint: tables.endpoint, connectionString: tables.connectionString }, stop: () => tables.stop(), graph: null };
    }
    case "graph": {
      const graph = await startGraphSimulator(request.graph ?? { tenants: {} });
      return { endpoints: { baseUrl: graph.baseUrl }, stop: () => graph.close(), graph };
    }
  }
}

async function main(request: StandInStartRequest): Promise<void> {
  let running: Awaited<ReturnType<typeof start>>;
  try {
    running = await start(request);
  } catch (error) {
    await send({ type: "failed", error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  }
  const { graph } = running;
  const handle = async (call: StandInCall): Promise<unknown> => {
    switch (call.op) {
      case "usage":
        return usageOfThisProcess();
      case "stop":
        await running.stop();
        return null;
      case "graph.fault":
        if (!graph) throw new Error(`${request.kind} is not the Graph simulator`);
        graph.control.fault(call.tenantId, call.policyType, call.spec);
        return null;
      case "cosmos.requestSummary":
        return Object.fromEntries([...cosmosRequests.entries()].sort((a, b) => b[1] - a[1]));
      case "graph.logSummary":
        if (!graph) throw new Error(`${request.kind} is not the Graph simulator`);
      {
        const entries = graph.log.entries();
        const statuses: Record<string, number> = {};
        const asked = new Set<string>();
        let repeats = 0;
        let maxDurationMs = 0;
        for (const e of entries) {
          statuses[e.status] = (statuses[e.status] ?? 0) + 1;
          const key = `${e.tenantId} ${e.path}${e.query}`;
          if (asked.has(key)) repeats += 1;
          asked.add(key);
          maxDurationMs = Math.max(maxDurationMs, e.durationMs);
        }
        return {
          requests: entries.length,
          status429: statuses[429] ?? 0,
          maxConcurrentTenants: graph.log.maxConcurrentTenants(),
          methods: graph.log.methods(),
          statuses,
          repeats,
          maxDurationMs,
        };
      }
    }
  };
  process.on("message", (message: ParentMessage) => {
    if (message?.type !== "call") return;
    handle(message.call).then(
      async (value) => {
        await send({ type: "reply", id: message.id, ok: true, value });
        if (message.call.op === "stop") process.exit(0);
      },
      (error: unknown) => send({ type: "reply", id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  // An orphaned stand-in must not outlive the bench (or test) that started it.
  process.on("disconnect", () => process.exit(0));
  await send({ type: "ready", endpoints: running.endpoints });
}

process.once("message", (message: ParentMessage) => {
  if (message?.type === "start") void main(message.request);
});
