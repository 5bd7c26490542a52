import { ExitCode } from "../exitCodes";
import { COVERAGE_COLUMNS, PORTFOLIO_COLUMNS, POLICY_TYPE_COLUMNS, formatCoverage, formatPolicyTypes, formatPortfolio, sortCoverage, sortPolicyTypes } from "../format";
import type { OutputFormat } from "../format";
import type { CommandContext } from "./context";
import { printListing } from "./context";

/** `coverage <tenantId>`: one row per catalog type, by category. */
export async function showCoverage(
  ctx: CommandContext,
  command: { tenantId: string; format: OutputFormat },
): Promise<ExitCode> {
  const rows = sortCoverage((await ctx.client.coverage(command.tenantId)).items);
  printListing(ctx.stdout, command.format, {
    json: { items: rows },
    columns: COVERAGE_COLUMNS,
    rows,
    table: () => formatCoverage(rows),
  });
  return ExitCode.ok;
}

/** `policy-types`: the catalog the API serves (so it matches the deployed app, not this CLI's build). */
export async function listPolicyTypes(ctx: CommandContext, command: { format: OutputFormat }): Promise<ExitCode> {
  const rows = sortPolicyTypes(await ctx.client.listPolicyTypes());
  printListing(ctx.stdout, command.format, {
    json: { items: rows },
    columns: POLICY_TYPE_COLUMNS,
    rows,
    table: () => formatPolicyTypes(rows),
  });
  return ExitCode.ok;
}

/** `portfolio`: one row per registered tenant the caller may see, worst first (the API's order). */
export async function showPortfolio(ctx: CommandContext, command: { format: OutputFormat }): Promise<ExitCode> {
  const portfolio = await ctx.client.portfolio();
  printListing(ctx.stdout, command.format, {
    json: portfolio,
    columns: PORTFOLIO_COLUMNS,
    rows: portfolio.items,
    table: () => formatPortfolio(portfolio.items),
  });
  return ExitCode.ok;
}
