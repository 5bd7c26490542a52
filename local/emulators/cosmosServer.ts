import https from "node:https";
import type { AddressInfo } from "node:net";
import type { createHttpsServer as CreateHttpsServer } from "@vercel/cosmosdb-server";
import { STAND_IN_IDLE_TIMEOUT_MS } from "./idleTimeout";

/**
 * The in-process Cosmos DB–compatible server (`@vercel/cosmosdb-server`), in memory, on a free
 * loopback port. It serves HTTPS with a self-signed certificate, so callers get an
 * `https.Agent` that skips verification for this endpoint only (never
 * NODE_TLS_REJECT_UNAUTHORIZED). It does not check keys; any base64 text will do.
 */
export const COSMOS_SERVER_KEY = Buffer.from("local in-memory cosmos server").toString("base64");


export interface RunningCosmosServer {
  endpoint: string;
  key: string;
  stop(): Promise<void>;
}

export interface CosmosServerOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /**
   * Keep connections open between requests, as Cosmos DB does (default true). The package's
   * own default answers every request with `connection: close`, so each SDK call would pay a
   * new TLS handshake on both ends of the loopback — measured: with 160 activities in flight
   * those handshakes, not the sync, used most of the CPU.
   */
  keepAlive?: boolean;
  /** Told of every request (method, path, headers) before it is served: request accounting. */
  onRequest?: (method: string, path: string, headers: Record<string, string | string[] | undefined>) => void;
  /** Told of every TLS connection a client opens (connection churn shows as handshakes on both ends). */
  onConnection?: () => void;
}

export async function startCosmosServer(options: CosmosServerOptions = {}): Promise<RunningCosmosServer> {
  const host = options.host ?? "127.0.0.1";
  // Loaded on first use: the package (and its query parser) costs ~27 MiB of RSS (measured), which
  // a process that only talks to a Cosmos endpoint — the bench's sync process — must not carry.
  const { createHttpsServer } = require("@vercel/cosmosdb-server") as { createHttpsServer: typeof CreateHttpsServer };
  const server = createHttpsServer({ keepAlive: options.keepAlive ?? true });
  server.keepAliveTimeout = STAND_IN_IDLE_TIMEOUT_MS;
  const onRequest = options.onRequest;
  if (onRequest) server.prependListener("request", (req) => onRequest(req.method ?? "GET", req.url ?? "/", req.headers));
  const onConnection = options.onConnection;
  if (onConnection) server.on("secureConnection", () => onConnection());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let stopped = false;
  return {
    endpoint: `https://${host}:${port}`,
    key: COSMOS_SERVER_KEY,
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** TLS agent for the self-signed loopback server; refuses any non-loopback endpoint. */
export function loopbackCosmosAgent(endpoint: string): https.Agent {
  const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, "");
  if (!(host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host))) {
    throw new Error("certificate checks may only be relaxed for a loopback Cosmos endpoint");
  }
  return new https.Agent({ rejectUnauthorized: false, keepAlive: true });
}
