import { ApiError } from "../apiClient";
import { ExitCode } from "../exitCodes";
import { TENANT_COLUMNS, formatTenants, sanitize, sortTenants } from "../format";
import type { OutputFormat } from "../format";
import type { CommandContext } from "./context";
import { printJson, printListing } from "./context";

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

/** `tenants enable|disable`: the same read-then-PUT as `add`, changing only the flag. */
export async function setTenantEnabled(
  ctx: CommandContext,
  command: { tenantId: string; enabled: boolean },
): Promise<ExitCode> {
  const existing = await ctx.client.getTenant(command.tenantId);
  if (!existing) {
    throw new ApiError("TENANT_NOT_FOUND", `tenant ${command.tenantId} is not registered`, { status: 404 });
  }
  const { tenant } = await ctx.client.putTenant(command.tenantId, {
    displayName: existing.displayName,
    enabled: command.enabled,
    selections: existing.selections,
  });
  ctx.stdout.write(
    sanitize(`Tenant ${tenant.tenantId} (${tenant.displayName}) is ${tenant.enabled ? "enabled" : "disabled"}.`) +
      "\n",
  );
  return ExitCode.ok;
}

export async function removeTenant(ctx: CommandContext, command: { tenantId: string }): Promise<ExitCode> {
  await ctx.client.deleteTenant(command.tenantId);
  ctx.stdout.write(
    sanitize(
      `Removed tenant ${command.tenantId}. Its inventory and runs stay; \`tenant-inventory tenants add ${command.tenantId} --name …\` registers it again.`,
    ) + "\n",
  );
  return ExitCode.ok;
}

export async function listTenants(ctx: CommandContext, command: { format: OutputFormat }): Promise<ExitCode> {
  const tenants = sortTenants(await ctx.client.listTenants());
  printListing(ctx.stdout, command.format, {
    json: { items: tenants },
    columns: TENANT_COLUMNS,
    rows: tenants,
    table: () => formatTenants(tenants),
  });
  return ExitCode.ok;
}
