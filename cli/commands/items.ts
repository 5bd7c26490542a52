import type { InventoryItem } from "../../shared/domain/item";
import type { ItemsQuery, MissingQuery } from "../apiClient";
import { ExitCode } from "../exitCodes";
import { formatItems, formatMissing } from "../format";
import type { CommandContext } from "./context";
import { printJson } from "./context";

export async function listItems(
  ctx: CommandContext,
  command: { tenantId: string; query: ItemsQuery; all: boolean; json: boolean },
): Promise<ExitCode> {
  const items: InventoryItem[] = [];
  const seen = new Set<string>();
  let token = command.query.continuationToken;
  let next: string | null;
  for (;;) {
    const page = await ctx.client.listItems(command.tenantId, { ...command.query, continuationToken: token });
    items.push(...page.items);
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
  const remaining = command.all ? null : next;
  if (command.json) {
    printJson(ctx.stdout, { items, continuationToken: remaining });
    return ExitCode.ok;
  }
  ctx.stdout.write(formatItems(items));
  if (remaining) ctx.stderr.write(`More items: add --all, or --continuation-token ${remaining}\n`);
  return ExitCode.ok;
}

export async function listMissing(
  ctx: CommandContext,
  command: { tenantId: string; query: MissingQuery; json: boolean },
): Promise<ExitCode> {
  const report = await ctx.client.missing(command.tenantId, command.query);
  if (command.json) printJson(ctx.stdout, report);
  else ctx.stdout.write(formatMissing(report));
  return ExitCode.ok;
}
