#!/usr/bin/env node
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
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
