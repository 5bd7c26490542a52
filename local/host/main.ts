#!/usr/bin/env node
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { createStructuredLogger } from "../../shared/observability";
import type { LogLevel } from "../../shared/observability";
import { DEFAULT_SHUTDOWN_GRACE_SECONDS, startLocalHost } from "./localHost";
import type { LocalHost } from "./localHost";

/** The repository root: the nearest folder up from here whose package.json is this project's. */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "tenant-inventory") return dir;
      } catch {
        // Not ours; keep walking.
      }
    }
    if (dirname(dir) === dir) return process.cwd();
  }
}

const LEVELS: LogLevel[] = ["debug", "info", "warn", "error"];

/**
 * How far V8 may grow the host's heap past what survived the last full collection
 * (LOCAL_HEAP_GROWING_PERCENT; 0 leaves V8's own policy). With a heap limit of 2 GiB or more
 * (Node's default on any machine with 8 GiB or more) V8 lets the old space grow to up to 4× the
 * live heap under a high allocation rate and shrinks it only after ~8 s of quiet, so the RSS of
 * a busy host swings with V8's policy, not with what it holds: `npm run bench:memory` measured a
 * flat live heap of ~55–68 MiB under a heap of 128–328 MiB (RSS 203 → 396 MiB over 2,000 syncs).
 * Not a ceiling: the heap still grows to whatever the host really holds (the embedded Cosmos
 * server's data included), only with less slack, paid for with more frequent full collections.
 */
export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/** Applies LOCAL_HEAP_GROWING_PERCENT (V8's --heap-growing-percent, read at every full collection). */
export function applyHeapGrowth(env: NodeJS.ProcessEnv): number {
  const text = env.LOCAL_HEAP_GROWING_PERCENT?.trim();
  if (text && !/^\d{1,3}$/.test(text)) throw new Error(`LOCAL_HEAP_GROWING_PERCENT: expected a whole percentage (0–999), got ${JSON.stringify(text)}`);
  const percent = text ? Number(text) : DEFAULT_HEAP_GROWING_PERCENT;
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}

/**
 * `npm start`: the local host on http://127.0.0.1:${PORT:-7071}/api until Ctrl-C. Embedded
 * Azurite keeps its tables under .local-data/ (git-ignored), so registered tenants survive a
 * restart; the in-process Cosmos-compatible server is in memory.
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const minLevel = LEVELS.indexOf((env.LOG_LEVEL?.trim().toLowerCase() as LogLevel | undefined) ?? "info");
  const logger = createStructuredLogger((level, message, properties) => {
    // One line per policy type per run is a debug-level detail on a console.
    const effective = properties.eventName === "InventoryPolicyTypeCompleted" && level === "info" ? "debug" : level;
    if (LEVELS.indexOf(effective) < Math.max(0, minLevel)) return;
    // Events already carry their properties in the message (`<EventName> <json>`).
    const extra = properties.eventName !== undefined || Object.keys(properties).length === 0 ? "" : ` ${JSON.stringify(properties)}`;
    const line = `${new Date().toISOString()} ${level.padEnd(5)} ${message}${extra}\n`;
    (level === "warn" || level === "error" ? process.stderr : process.stdout).write(line);
  });
  let host: LocalHost;
  try {
    applyHeapGrowth(env);
    host = await startLocalHost({
      env,
      logger,
      dataDir: env.LOCAL_DATA_DIR?.trim() || join(projectRoot(), ".local-data"),
      onResponse: (r) => {
        if (minLevel <= LEVELS.indexOf("info")) {
          process.stdout.write(`${r.method} ${r.path} → ${r.status} (${r.durationMs} ms, ${r.correlationId})\n`);
        }
      },
      onTimerFired: (name, result) => logger.info(`Timer function ${name} fired`, { result: JSON.stringify(result) }),
    });
  } catch (error) {
    process.stderr.write(`tenant-inventory local host could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(host.banner());
  process.stdout.write("Press Ctrl-C to stop.\n");

  const graceText = env.SHUTDOWN_GRACE_SECONDS?.trim();
  const graceSeconds = graceText && /^\d{1,5}$/.test(graceText) ? Number(graceText) : DEFAULT_SHUTDOWN_GRACE_SECONDS;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the local host (runs in flight get up to ${graceSeconds} s)…\n`);
    // Runs in flight get the grace period; what is still running then is finalised, not left `running`.
    host
      .drain(graceSeconds * 1_000)
      .then(async ({ finalised }) => {
        if (finalised.length > 0) process.stdout.write(`finalised ${finalised.length} unfinished run(s) as failed: ${finalised.join(", ")}\n`);
        await host.close();
        process.stdout.write("stopped.\n");
        process.exit(0);
      })
      .catch((error: unknown) => {
        process.stderr.write(`error while stopping: ${String(error)}\n`);
        process.exit(1);
      });
  };
  // `on`, not `once`: under `npm start` a Ctrl-C reaches this process twice (from the terminal
  // and forwarded by npm), and a second signal with no listener would kill it mid-close.
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (require.main === module) void main();
