import type { InventoryItem } from "../../shared/domain/item";
import type { DependenciesQuery, ItemsQuery, MissingQuery } from "../apiClient";
import { ExitCode } from "../exitCodes";
import {
  ITEM_COLUMNS,
  MISSING_CSV_COLUMNS,
  TARGET_COLUMNS,
  dependencyColumns,
  formatDependencies,
  formatItemDetail,
  formatItems,
  formatMissing,
  sortItems,
} from "../format";
import type { OutputFormat } from "../format";
import type { CommandContext } from "./context";
import { printListing } from "./context";

/**
 * One page, or with `all` every page, of a listing paged by continuation tokens. `remaining` is
 * the token of the next page when not everything was fetched.
 */
async function collectPages(
  ctx: CommandContext,
  command: { query: { continuationToken?: string }; all: boolean },
  fetchPage: (continuationToken: string | undefined) => Promise<{ items: InventoryItem[]; continuationToken: string | null }>,
): Promise<{ collected: InventoryItem[]; remaining: string | null }> {
  const collected: InventoryItem[] = [];
  const seen = new Set<string>();
  let token = command.query.continuationToken;
  let next: string | null;
  for (;;) {
    const page = await fetchPage(token);
    collected.push(...page.items);
    next = page.continuationToken;
    if (!command.all || !next) break;
    // A token that comes back twice would loop forever; stop and say so rather than hang.
    if (seen.has(next)) {
      ctx.stderr.write("warning: the API repeated a continuation token; stopping.\n");
      break;
    }
    seen.add(next);
    token = next;
  }
  return { collected, remaining: command.all ? null : next };
}

export async function listItems(
  ctx: CommandContext,
  command: { tenantId: string; query: ItemsQuery; all: boolean; format: OutputFormat },
): Promise<ExitCode> {
  const { collected, remaining } = await collectPages(ctx, command, (continuationToken) =>
    ctx.client.listItems(command.tenantId, { ...command.query, continuationToken }),
  );
  // Sorted by policy type and name: what was fetched (every page with --all, else this page).
  const items = sortItems(collected);
  printListing(ctx.stdout, command.format, {
    json: { items, continuationToken: remaining },
    columns: ITEM_COLUMNS,
    rows: items,
    table: () => formatItems(items),
  });
  if (remaining && command.format !== "json") {
    ctx.stderr.write(`More items: add --all, or --continuation-token ${remaining}\n`);
  }
  return ExitCode.ok;
}

export async function listMissing(
  ctx: CommandContext,
  command: { tenantId: string; query: MissingQuery; format: OutputFormat },
): Promise<ExitCode> {
  const answer = await ctx.client.missing(command.tenantId, command.query);
  const report = { ...answer, items: sortItems(answer.items) };
  printListing(ctx.stdout, command.format, {
    json: report,
    columns: MISSING_CSV_COLUMNS,
    rows: report.items,
    table: () => formatMissing(report),
  });
  return ExitCode.ok;
}

export async function showItem(
  ctx: CommandContext,
  command: { tenantId: string; itemId: string; format: OutputFormat },
): Promise<ExitCode> {
  const item = await ctx.client.getItem(command.tenantId, command.itemId);
  const targets = item.assignments?.targets ?? [];
  printListing(ctx.stdout, command.format, {
    json: item,
    // CSV: one row per assignment target, the part a spreadsheet needs rows for.
    columns: TARGET_COLUMNS,
    rows: targets,
    table: () => formatItemDetail(item),
  });
  return ExitCode.ok;
}

export async function listDependencies(
  ctx: CommandContext,
  command: { tenantId: string; query: DependenciesQuery; all: boolean; format: OutputFormat },
): Promise<ExitCode> {
  const { collected, remaining } = await collectPages(ctx, command, (continuationToken) =>
    ctx.client.dependencies(command.tenantId, { ...command.query, continuationToken }),
  );
  const items = sortItems(collected);
  const columns = dependencyColumns(command.query);
  printListing(ctx.stdout, command.format, {
    json: { items, continuationToken: remaining },
    columns,
    rows: items,
    table: () => formatDependencies(items, columns),
  });
  if (remaining && command.format !== "json") {
    ctx.stderr.write(`More items: add --all, or --continuation-token ${remaining}\n`);
  }
  return ExitCode.ok;
}
