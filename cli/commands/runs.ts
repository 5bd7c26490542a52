import type { ChangesQuery, RunsQuery } from "../apiClient";
import { ExitCode } from "../exitCodes";
import { CHANGE_COLUMNS, RUN_COLUMNS, formatRunChanges, formatRuns, sortRuns } from "../format";
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

/**
 * `runs changes <tenantId> <runId>`: the run's change set, newest first as the API answers it;
 * `--all` follows continuation tokens to the last page.
 */
export async function listRunChanges(
  ctx: CommandContext,
  command: { tenantId: string; runId: string; query: ChangesQuery; all: boolean; format: OutputFormat },
): Promise<ExitCode> {
  let page = await ctx.client.runChanges(command.tenantId, command.runId, command.query);
  const items = [...page.items];
  while (command.all && page.continuationToken) {
    page = await ctx.client.runChanges(command.tenantId, command.runId, { ...command.query, continuationToken: page.continuationToken });
    items.push(...page.items);
  }
  const set = { ...page, items };
  printListing(ctx.stdout, command.format, {
    json: set,
    columns: CHANGE_COLUMNS,
    rows: items,
    table: () => formatRunChanges(set),
  });
  if (page.continuationToken && command.format !== "json") {
    ctx.stderr.write(`More changes: add --continuation-token ${page.continuationToken} (or --all)\n`);
  }
  return ExitCode.ok;
}
