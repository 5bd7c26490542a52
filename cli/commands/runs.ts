import type { RunsQuery } from "../apiClient";
import { ExitCode } from "../exitCodes";
import { RUN_COLUMNS, formatRuns, sortRuns } from "../format";
import type { OutputFormat } from "../format";
import type { CommandContext } from "./context";
import { printListing } from "./context";
import { followRun, reportFinishedRun } from "./follow";

export async function listRuns(
  ctx: CommandContext,
  command: { tenantId: string; query: RunsQuery; format: OutputFormat },
): Promise<ExitCode> {
  const page = await ctx.client.listRuns(command.tenantId, command.query);
  const runs = sortRuns(page.items);
  printListing(ctx.stdout, command.format, {
    json: { items: runs, continuationToken: page.continuationToken },
    columns: RUN_COLUMNS,
    rows: runs,
    table: () => formatRuns(runs),
  });
  if (page.continuationToken && command.format !== "json") {
    ctx.stderr.write(`More runs: add --continuation-token ${page.continuationToken}\n`);
  }
  return ExitCode.ok;
}

/**
 * `runs watch <tenantId> <runId>`: (re-)attaches to a run, queued, running or finished, with the
 * same progress and report as `sync --wait`.
 */
export async function watchRun(
  ctx: CommandContext,
  command: { tenantId: string; runId: string; json: boolean },
): Promise<ExitCode> {
  const first = await ctx.client.getRun(command.tenantId, command.runId, ctx.poll.now());
  if (first.finished) return reportFinishedRun(ctx, first.run, command.json);
  const requestedAt = Date.parse(first.run.requestedAt);
  return followRun(ctx, {
    tenantId: command.tenantId,
    runId: command.runId,
    initial: first.run,
    retryAfterSeconds: first.retryAfterSeconds,
    startedAt: Number.isNaN(requestedAt) ? undefined : requestedAt,
    json: command.json,
  });
}
