#!/usr/bin/env node
import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { ApiClient, ApiError, DEFAULT_API_URL, resolveBaseUrl } from "./apiClient";
import { parseCommandLine } from "./commandLine";
import type { CliCommand } from "./commandLine";
import { listPolicyTypes, showCoverage, showPortfolio } from "./commands/catalog";
import { addTenant, listTenants, removeTenant, setTenantEnabled } from "./commands/tenants";
import type { CommandContext } from "./commands/context";
import { listDependencies, listItems, listMissing, showItem } from "./commands/items";
import { compareTenants, showDrift } from "./commands/compare";
import { listRunChanges, listRuns, watchRun } from "./commands/runs";
import { sync } from "./commands/sync";
import { ExitCode, UsageError, exitCodeForStatus } from "./exitCodes";
import { formatApiError, sanitize } from "./format";
import type { CliIo, InterruptSignal, InterruptSource } from "./io";
import { DEFAULT_POLL_OPTIONS, restoreTerminals } from "./progress";

export type { CliIo } from "./io";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

function execute(ctx: CommandContext, command: CliCommand): Promise<ExitCode> {
  switch (command.kind) {
    case "tenants.add":
      return addTenant(ctx, command);
    case "tenants.list":
      return listTenants(ctx, command);
    case "tenants.remove":
      return removeTenant(ctx, command);
    case "tenants.setEnabled":
      return setTenantEnabled(ctx, command);
    case "policyTypes":
      return listPolicyTypes(ctx, command);
    case "coverage":
      return showCoverage(ctx, command);
    case "portfolio":
      return showPortfolio(ctx, command);
    case "runs.watch":
      return watchRun(ctx, command);
    case "runs.changes":
      return listRunChanges(ctx, command);
    case "sync":
      return sync(ctx, command);
    case "runs":
      return listRuns(ctx, command);
    case "items":
      return listItems(ctx, command);
    case "missing":
      return listMissing(ctx, command);
    case "compare":
      return compareTenants(ctx, command);
    case "drift":
      return showDrift(ctx, command);
    case "item":
      return showItem(ctx, command);
    case "dependencies":
      return listDependencies(ctx, command);
  }
}

/**
 * The whole CLI as a function: `argv` is the arguments after the script name; resolves to the
 * exit code. The binary below and in-process tests (unit and end-to-end) share this path.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === "exit") {
    io.stdout.write(parsed.stdout);
    io.stderr.write(parsed.stderr);
    return parsed.exitCode;
  }
  const { command, globals } = parsed;
  try {
    const baseUrl = resolveBaseUrl(
      globals.apiUrl ?? (io.env.TENANT_INVENTORY_API_URL?.trim() || DEFAULT_API_URL),
    );
    const key = globals.key ?? (io.env.TENANT_INVENTORY_KEY?.trim() || undefined);
    const host = new URL(baseUrl).hostname;
    if (key && baseUrl.startsWith("http:") && !LOOPBACK.has(host)) {
      io.stderr.write(
        `warning: sending the function key over plain http to ${host}; use https for a deployed app.\n`,
      );
    }
    const client = new ApiClient({
      baseUrl,
      key,
      correlationId: globals.correlationId ?? `cli-${randomUUID()}`,
      timeoutMs: globals.timeoutSeconds * 1_000,
      fetch: io.fetch ?? ((input, init) => fetch(input, init)),
    });
    const ctx: CommandContext = {
      client,
      stdout: io.stdout,
      stderr: io.stderr,
      poll: {
        ...DEFAULT_POLL_OPTIONS,
        // Aborting the signal rejects the pending wait, so an interrupted watch ends at once.
        sleep: io.sleep ?? ((ms, signal) => delay(ms, undefined, { signal })),
        now: io.now ?? Date.now,
      },
      interrupts: io.interrupts ?? (() => () => undefined),
    };
    return await execute(ctx, command);
  } catch (error) {
    if (error instanceof ApiError) {
      io.stderr.write(formatApiError(error, { tenantId: "tenantId" in command ? command.tenantId : undefined }));
      return exitCodeForStatus(error.info.status);
    }
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${sanitize(error.message)}\n`);
      return ExitCode.usage;
    }
    io.stderr.write(
      `error: unexpected failure: ${sanitize(error instanceof Error ? error.message : String(error))}\n`,
    );
    return ExitCode.failed;
  }
}

/**
 * The process's SIGINT and SIGTERM, for as long as a command follows a run. While subscribed,
 * the signals no longer kill the process: the command stops watching, says so and exits itself.
 */
export const processInterrupts: InterruptSource = (handler) => {
  const on = (signal: InterruptSignal) => handler(signal);
  process.on("SIGINT", on);
  process.on("SIGTERM", on);
  return () => {
    process.off("SIGINT", on);
    process.off("SIGTERM", on);
  };
};

if (require.main === module) {
  // Whatever ends the process, a progress bar still drawn gives the terminal its line wrap back.
  process.once("exit", restoreTerminals);
  void runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    interrupts: processInterrupts,
  }).then((code) => {
    // exitCode, not exit(): let stdout drain when piped.
    process.exitCode = code;
  });
}
