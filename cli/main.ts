#!/usr/bin/env node
import { randomUUID } from "node:crypto";
import { ApiClient, ApiError, DEFAULT_API_URL, resolveBaseUrl } from "./apiClient";
import { parseCommandLine } from "./commandLine";
import type { CliCommand } from "./commandLine";
import { addTenant, listTenants } from "./commands/tenants";
import type { CommandContext } from "./commands/context";
import { listItems, listMissing } from "./commands/items";
import { listRuns } from "./commands/runs";
import { sync } from "./commands/sync";
import { ExitCode, UsageError, exitCodeForStatus } from "./exitCodes";
import { formatApiError, sanitize } from "./format";
import type { CliIo } from "./io";
import { DEFAULT_POLL_OPTIONS } from "./progress";

export type { CliIo } from "./io";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

function execute(ctx: CommandContext, command: CliCommand): Promise<ExitCode> {
  switch (command.kind) {
    case "tenants.add":
      return addTenant(ctx, command);
    case "tenants.list":
      return listTenants(ctx, command);
    case "sync":
      return sync(ctx, command);
    case "runs":
      return listRuns(ctx, command);
    case "items":
      return listItems(ctx, command);
    case "missing":
      return listMissing(ctx, command);
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
        sleep: io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
        now: io.now ?? Date.now,
      },
    };
    return await execute(ctx, command);
  } catch (error) {
    if (error instanceof ApiError) {
      io.stderr.write(formatApiError(error));
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

if (require.main === module) {
  void runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  }).then((code) => {
    // exitCode, not exit(): let stdout drain when piped.
    process.exitCode = code;
  });
}
