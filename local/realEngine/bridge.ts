#!/usr/bin/env node
/**
 * The Node side of the real-engine host: a stand-in for the Functions Node worker. It loads the
 * app from package.json `main` (plus REAL_ENGINE_EXTRA_MODULES, comma-separated, for test-only
 * registrations) and serves the .NET host (local/realEngine/host) on loopback:
 *
 *   GET  /functions        → [{name, trigger}] of every orchestration, entity and activity
 *   POST /invoke/{name}    → body: the trigger value as JSON (orchestration context, entity batch,
 *                            activity input); 200: the return value as JSON, 500: {message, stack}
 *
 * Prints `@@BRIDGE@@ <url>` on stdout once listening. The app reads its settings from this
 * process's environment, as it does in Azure.
 */
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join, resolve } from "node:path";
import { loadApp, typedDataToJson } from "./nodeWorker";
import type { RpcTypedData } from "./nodeWorker";

/**
 * The repository root: two folders up from dist/local/realEngine. Deliberately not the local
 * host's helper: importing it would load @azure/functions before the capturing core module is in
 * place, and the library would then register nothing ("test mode").
 */
const projectRoot = () => resolve(__dirname, "..", "..", "..");

const DURABLE_TRIGGERS = new Set(["orchestrationTrigger", "entityTrigger", "activityTrigger"]);

function loopback(url: string | undefined): boolean {
  if (!url) return false;
  try {
    return ["127.0.0.1", "localhost", "[::1]"].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  response.end(body);
}

function main(): void {
  // The app's Cosmos client verifies TLS (production); the local Cosmos-compatible server has a
  // self-signed certificate. Relaxed only when every endpoint this worker talks to is loopback.
  if (loopback(process.env.COSMOS_ENDPOINT) && process.env.NODE_TLS_REJECT_UNAUTHORIZED === undefined) {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    process.removeAllListeners("warning");
  }
  const root = projectRoot();
  const main = (require(join(root, "package.json")) as { main: string }).main;
  const extra = (process.env.REAL_ENGINE_EXTRA_MODULES ?? "")
    .split(",")
    .map((m) => m.trim())
    .filter(Boolean)
    .map((m) => resolve(root, m));
  const verbose = (process.env.REAL_ENGINE_LOG_LEVEL ?? "").toLowerCase() === "debug";
  const app = loadApp([join(root, main), ...extra], (level, category, message) => {
    if (verbose || level === "error" || level === "critical") process.stderr.write(`[node ${level} ${category}] ${message}\n`);
  });
  const durable = [...app.functions.keys()]
    .map((name) => ({ name, trigger: app.triggerOf(name) ?? "" }))
    .filter((f) => DURABLE_TRIGGERS.has(f.trigger));

  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", "http://bridge");
      if (request.method === "GET" && url.pathname === "/functions") return send(response, 200, JSON.stringify(durable));
      const match = /^\/invoke\/([^/]+)$/.exec(url.pathname);
      if (request.method !== "POST" || !match) return send(response, 404, JSON.stringify({ message: "not found" }));
      const name = decodeURIComponent(match[1]!);
      const body = await readBody(request);
      const trigger = app.triggerOf(name);
      // The extension binds orchestration and entity triggers to a string (the context JSON); an
      // activity's input arrives as JSON. The worker parses both into values.
      const data: RpcTypedData = trigger === "activityTrigger" ? { json: body } : { string: body };
      try {
        const returned = await app.invoke(name, data);
        send(response, 200, typedDataToJson(returned));
      } catch (error) {
        const e = error instanceof Error ? error : new Error(String(error));
        send(response, 500, JSON.stringify({ message: e.message, stack: e.stack ?? "" }));
      }
    })().catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, JSON.stringify({ message: String(error), stack: "" }));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    process.stdout.write(`@@BRIDGE@@ http://127.0.0.1:${port}\n`);
  });
  // The parent owns this process: when it goes away (stdin closes), stop.
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
}

if (require.main === module) main();
