import type { SelectionInput } from "../../shared/domain/selection";
import { ExitCode } from "../exitCodes";
import { COMPARE_COLUMNS, DRIFT_COLUMNS, formatCompare, formatDrift } from "../format";
import type { OutputFormat } from "../format";
import type { CommandContext } from "./context";
import { printListing } from "./context";

export async function compareTenants(
  ctx: CommandContext,
  command: { left: string; right: string; selection: SelectionInput; all: boolean; format: OutputFormat },
): Promise<ExitCode> {
  const result = await ctx.client.compare(command.left, command.right, command.selection);
  printListing(ctx.stdout, command.format, {
    json: result,
    columns: COMPARE_COLUMNS,
    rows: result.items,
    table: () => formatCompare(result, command.all),
  });
  return ExitCode.ok;
}

export async function showDrift(
  ctx: CommandContext,
  command: { tenantId: string; baselineId?: string; all: boolean; format: OutputFormat },
): Promise<ExitCode> {
  const report = await ctx.client.drift(command.tenantId, command.baselineId);
  printListing(ctx.stdout, command.format, {
    json: report,
    columns: DRIFT_COLUMNS,
    rows: report.items,
    table: () => formatDrift(report, command.all),
  });
  return ExitCode.ok;
}
