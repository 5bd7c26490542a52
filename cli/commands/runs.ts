import type { RunsQuery } from "../apiClient";
import { ExitCode } from "../exitCodes";
import { formatRuns } from "../format";
import type { CommandContext } from "./context";
import { printJson } from "./context";

export async function listRuns(
  ctx: CommandContext,
  command: { tenantId: string; query: RunsQuery; json: boolean },
): Promise<ExitCode> {
  const page = await ctx.client.listRuns(command.tenantId, command.query);
  if (command.json) {
    printJson(ctx.stdout, page);
    return ExitCode.ok;
  }
  ctx.stdout.write(formatRuns(page.items));
  if (page.continuationToken) {
    ctx.stderr.write(`More runs: add --continuation-token ${page.continuationToken}\n`);
  }
  return ExitCode.ok;
}
