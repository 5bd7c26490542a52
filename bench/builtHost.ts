/**
 * The built local host (`dist/local/host/main.js`, as `npm start` runs it) as a child process of a
 * bench, against a Cosmos-compatible server in the bench's own process: in Azure the store is a
 * remote service, so its data must not count as the host's memory. One home for the start-up,
 * the wait for "listening on", the resident set size and the clean-up the memory and read-path
 * benches share.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startCosmosServer } from "../local/emulators/cosmosServer";

const root = resolve(__dirname, "..", "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** VmRSS of a process from /proc, in MiB with one decimal (the memory targets are stated in it). */
export function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

export interface BuiltHost {
  child: ChildProcess;
  pid: number;
  /** `http://127.0.0.1:PORT/api`, as the host prints it. */
  baseUrl: string;
  cosmos: { endpoint: string; key: string };
  stop(): Promise<void>;
}

export interface BuiltHostOptions {
  /** Prefix of the temporary data folder's name. */
  name: string;
  /** Settings on top of the host's defaults (the store is always the bench's Cosmos server). */
  env?: Record<string, string>;
  /** An IPC channel to the child (for bench/memoryProbe.ts). */
  ipc?: boolean;
}

export async function startBuiltHost(options: BuiltHostOptions): Promise<BuiltHost> {
  const mainJs = join(root, "dist", "local", "host", "main.js");
  if (!existsSync(mainJs)) throw new Error("run npm run build first");
  const cosmos = await startCosmosServer();
  const dataDir = mkdtempSync(join(tmpdir(), `tenant-inventory-${options.name}-`));
  const child = spawn(process.execPath, [mainJs], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe", ...(options.ipc ? (["ipc"] as const) : [])],
    env: {
      PATH: process.env.PATH,
      PORT: "0",
      LOG_LEVEL: "error",
      LOCAL_DATA_DIR: dataDir,
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      LOCAL_COSMOS_TRUST_LOOPBACK_CERT: "true",
      ...options.env,
    },
  });
  const stop = async () => {
    child.kill("SIGKILL");
    await cosmos.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  let out = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString("utf8")));
  child.stderr?.on("data", (c: Buffer) => (out += c.toString("utf8")));
  try {
    let baseUrl = "";
    for (const deadline = Date.now() + 60_000; !baseUrl; await sleep(50)) {
      baseUrl = /listening on (http:\/\/127\.0\.0\.1:\d+\/api)/.exec(out)?.[1] ?? "";
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`host did not start: ${out}`);
    }
    return { child, pid: child.pid as number, baseUrl, cosmos: { endpoint: cosmos.endpoint, key: cosmos.key }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
