import { sanitize, formatTenants } from "../format";
import { ExitCode } from "../exitCodes";
import type { CommandContext } from "./context";
import { printJson } from "./context";

/**
 * `tenants add`. PUT replaces the whole registration, nightly selections included, so
 * re-adding a tenant to rename or re-enable it would silently reset its selections to the
 * default. Read first and carry the existing selections over.
 */
export async function addTenant(
  ctx: CommandContext,
  command: { tenantId: string; displayName: string; enabled: boolean; json: boolean },
): Promise<ExitCode> {
  const existing = await ctx.client.getTenant(command.tenantId);
  const { created, tenant } = await ctx.client.putTenant(command.tenantId, {
    displayName: command.displayName,
    enabled: command.enabled,
    ...(existing ? { selections: existing.selections } : {}),
  });
  if (command.json) {
    printJson(ctx.stdout, tenant);
  } else {
    const verb = created ? "Registered" : "Updated";
    ctx.stdout.write(
      sanitize(
        `${verb} tenant ${tenant.tenantId} (${tenant.displayName}), ${tenant.enabled ? "enabled" : "disabled"}, ${tenant.selections.length} nightly selection(s).`,
      ) + "\n",
    );
  }
  return ExitCode.ok;
}

export async function listTenants(ctx: CommandContext, command: { json: boolean }): Promise<ExitCode> {
  const tenants = await ctx.client.listTenants();
  if (command.json) printJson(ctx.stdout, { items: tenants });
  else ctx.stdout.write(formatTenants(tenants));
  return ExitCode.ok;
}
