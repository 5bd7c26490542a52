/**
 * Starts the three processes of the real Durable engine, each bound to 127.0.0.1:
 *   1. Azurite (blobs, queues, tables, in memory) — the Azure Storage backend's storage;
 *   2. the Node bridge (bridge.ts) — the app, as the Functions Node worker would load it;
 *   3. the .NET WebJobs host with the Durable extension (host/) — the engine itself.
 * Each child is tied to this process through its stdin: when we go away, they stop.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

/** The repository root (this file is local/realEngine/processes.ts or its dist/ twin). */
export function repositoryRoot(): string {
  for (const up of [["..", ".."], ["..", "..", ".."]]) {
    const dir = resolve(__dirname, ...up);
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "local", "realEngine", "host"))) return dir;
  }
  return process.cwd();
}

export const HOST_DLL = join("local", "realEngine", "host", "bin", "Release", "net10.0", "RealEngineHost.dll");

export interface Availability {
  available: boolean;
  /** Why not, in one line. */
  reason: string;
}

/** Whether this machine can run the real engine: `dotnet` on the PATH and the host built. */
export function realEngineAvailability(root = repositoryRoot()): Availability {
  const dotnet = spawnSync("dotnet", ["--version"], { encoding: "utf8" });
  if (dotnet.error || dotnet.status !== 0) return { available: false, reason: "dotnet is not on the PATH" };
  if (!existsSync(join(root, HOST_DLL))) {
    return { available: false, reason: `the real-engine host is not built (npm run build:real-engine builds ${HOST_DLL})` };
  }
  return { available: true, reason: "" };
}

interface Child {
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns `command`, resolves with the first stdout line matching `ready`, or rejects with its stderr. */
function startChild(
  name: string,
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; ready: RegExp; timeoutMs: number; onLine?: (line: string) => void },
): Promise<{ child: Child; match: RegExpExecArray; lines: string[] }> {
  const proc = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
  const lines: string[] = [];
  const remember = (line: string) => {
    lines.push(line);
    if (lines.length > 200) lines.shift();
    options.onLine?.(line);
  };
  createInterface({ input: proc.stderr! }).on("line", remember);
  let exited = false;
  const exit = new Promise<void>((done) =>
    proc.once("exit", () => {
      exited = true;
      done();
    }),
  );
  const child: Child = {
    process: proc,
    async stop() {
      if (exited) return;
      proc.stdin?.end();
      const killer = setTimeout(() => proc.kill("SIGTERM"), 3_000);
      const hard = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      await exit;
      clearTimeout(killer);
      clearTimeout(hard);
    },
  };
  return new Promise((resolveStart, rejectStart) => {
    const timer = setTimeout(() => {
      void child.stop();
      rejectStart(new Error(`${name} did not start within ${options.timeoutMs} ms:\n${lines.slice(-30).join("\n")}`));
    }, options.timeoutMs);
    let started = false;
    createInterface({ input: proc.stdout! }).on("line", (line) => {
      const match = started ? null : options.ready.exec(line);
      if (match) {
        started = true;
        clearTimeout(timer);
        resolveStart({ child, match, lines });
      } else {
        remember(line);
      }
    });
    proc.once("exit", (code, signal) => {
      if (started) return;
      clearTimeout(timer);
      rejectStart(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${lines.slice(-30).join("\n")}`));
    });
    proc.once("error", (error) => {
      clearTimeout(timer);
      rejectStart(error);
    });
  });
}

export interface RealEngineProcessesOptions {
  /** The app's settings (COSMOS_ENDPOINT, TABLES_CONNECTION_STRING, GRAPH_BASE_URL, …) for the bridge. */
  appEnv: Record<string, string | undefined>;
  /** Extra modules (paths from the repository root, compiled JS) the bridge loads after `main`. */
  extraModules?: string[];
  hubName?: string;
  /** Origin of the management URLs in the client binding (the local host's). */
  webhookOrigin?: string;
  /** "debug" shows the engine's and the bridge's logs on stderr. */
  logLevel?: string;
  startTimeoutMs?: number;
}

export interface RealEngineProcesses {
  /** The durable client binding the extension hands an out-of-process app (rpcBaseUrl, …). */
  clientData: Record<string, unknown>;
  /** Connection string of the Azurite account the task hub lives in. */
  storageConnectionString: string;
  hubName: string;
  close(): Promise<void>;
}

export async function startRealEngineProcesses(options: RealEngineProcessesOptions): Promise<RealEngineProcesses> {
  const root = repositoryRoot();
  const stops: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const debug = (options.logLevel ?? "").toLowerCase() === "debug";
  const echo = (prefix: string) => (debug ? (line: string) => process.stderr.write(`[${prefix}] ${line}\n`) : undefined);
  try {
    const azurite = await startChild(
      "Azurite",
      process.execPath,
      [
        join(root, "node_modules", "azurite", "dist", "src", "azurite.js"),
        "--inMemoryPersistence",
        "--disableTelemetry",
        "--skipApiVersionCheck",
        "--loose",
        "--silent",
        ...["blob", "queue", "table"].flatMap((s) => [`--${s}Host`, "127.0.0.1", `--${s}Port`, "0"]),
      ],
      { env: process.env, cwd: root, ready: /Azurite Table service is successfully listening at (\S+)/, timeoutMs, onLine: echo("azurite") },
    );
    stops.push(() => azurite.child.stop());
    const endpoint = (service: string) => {
      const line = azurite.lines.find((l) => l.startsWith(`Azurite ${service} service is successfully listening at `));
      if (!line) throw new Error(`Azurite did not report its ${service} endpoint`);
      return line.slice(line.lastIndexOf(" ") + 1);
    };
    const constants = require("azurite/dist/src/common/utils/constants") as { EMULATOR_ACCOUNT_NAME: string; EMULATOR_ACCOUNT_KEY: Buffer };
    const account = constants.EMULATOR_ACCOUNT_NAME;
    const storageConnectionString = [
      "DefaultEndpointsProtocol=http",
      `AccountName=${account}`,
      `AccountKey=${constants.EMULATOR_ACCOUNT_KEY.toString("base64")}`,
      `BlobEndpoint=${endpoint("Blob")}/${account}`,
      `QueueEndpoint=${endpoint("Queue")}/${account}`,
      `TableEndpoint=${azurite.match[1]}/${account}`,
    ].join(";");

    const bridgeEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...Object.fromEntries(Object.entries(options.appEnv).filter(([, v]) => v !== undefined)),
      FUNCTIONS_WORKER_RUNTIME: "node",
      REAL_ENGINE_EXTRA_MODULES: (options.extraModules ?? []).join(","),
      REAL_ENGINE_LOG_LEVEL: options.logLevel ?? "",
    };
    const bridge = await startChild("Node bridge", process.execPath, [join(root, "dist", "local", "realEngine", "bridge.js")], {
      env: bridgeEnv,
      cwd: root,
      ready: /^@@BRIDGE@@ (\S+)$/,
      timeoutMs,
      onLine: (line) => (debug || /error/i.test(line) ? process.stderr.write(`[bridge] ${line}\n`) : undefined),
    });
    stops.push(() => bridge.child.stop());

    const hubName = options.hubName ?? `hub${Date.now().toString(36)}`;
    const host = await startChild("Durable engine host", "dotnet", [join(root, HOST_DLL)], {
      env: {
        ...process.env,
        AzureWebJobsStorage: storageConnectionString,
        FUNCTIONS_WORKER_RUNTIME: "node",
        REAL_ENGINE_BRIDGE_URL: bridge.match[1],
        REAL_ENGINE_HUB: hubName,
        REAL_ENGINE_WEBHOOK_ORIGIN: options.webhookOrigin ?? "http://127.0.0.1:7071",
        REAL_ENGINE_LOG_LEVEL: debug ? "Information" : "Warning",
        DOTNET_CLI_TELEMETRY_OPTOUT: "1",
        DOTNET_NOLOGO: "1",
      },
      cwd: root,
      ready: /^@@READY@@ (.+)$/,
      timeoutMs,
      onLine: echo("engine"),
    });
    stops.push(() => host.child.stop());
    const clientData = JSON.parse(host.match[1]!) as Record<string, unknown>;
    return { clientData, storageConnectionString, hubName, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
