import { DEFAULT_NIGHTLY_SELECTION, effectiveNightlySelections, normaliseSelection, selectionHash } from "../../domain/selection";
import type { Selection, SelectionInput } from "../../domain/selection";
import type { Tenant } from "../../domain/tenant";
import { ApiProblem } from "../problem";
import { refreshTenantDrift } from "../../sync/afterRun/tenantSummary";
import { defineRoute, jsonResponse, tenantNotFound } from "../pipeline";
import type { ApiRoute } from "../pipeline";
import { NoQuerySchema, TenantListSchema, TenantPathSchema, TenantPutSchema, TenantViewSchema } from "../schemas";

/** The nightly default: every non-foundation type plus foundations, as one selection. */
export const DEFAULT_NIGHTLY_SELECTIONS: readonly SelectionInput[] = [DEFAULT_NIGHTLY_SELECTION];

/**
 * A registration as the API shows it: with the selections its nightly run syncs, so a tenant
 * registered with none (the demo tenants, an older registry) shows the default like any other.
 */
const tenantView = (tenant: Tenant) => TenantViewSchema.parse({ ...tenant, selections: effectiveNightlySelections(tenant.selections) });

/** Normalised and de-duplicated by hash: two spellings of one scope are one nightly run. */
export function nightlySelections(inputs: readonly SelectionInput[] | undefined): Selection[] {
  const byHash = new Map<string, Selection>();
  for (const input of inputs ?? DEFAULT_NIGHTLY_SELECTIONS) {
    const selection = normaliseSelection(input);
    byHash.set(selectionHash(selection), selection);
  }
  return [...byHash.values()];
}

const tenantPath = (tenantId: string) => `/api/tenants/${tenantId}`;

export const tenantRoutes: ApiRoute[] = [
  defineRoute({
    name: "tenantPut",
    method: "PUT",
    route: "tenants/{tenantId}",
    authLevel: "function",
    roles: ["Tenants.Manage"],
    tags: ["Tenants"],
    summary: "Register or update a tenant",
    description:
      "Creates (201) or replaces (200) the registration: display name, enabled flag, nightly selections and the Entra " +
      "groups whose members may act on the tenant (accessGroups; enforced when principals are required).",
    request: { params: TenantPathSchema, body: { schema: TenantPutSchema, required: true } },
    responses: {
      200: { description: "The registration was replaced.", schema: TenantViewSchema },
      201: { description: "The tenant was registered.", schema: TenantViewSchema, headers: ["Location"] },
    },
    problems: [],
    async handler({ params, body, services, publicUrl }) {
      const { stores, now } = await services();
      const accessGroups = body.accessGroups && body.accessGroups.length > 0 ? [...new Set(body.accessGroups)].sort() : undefined;
      const baselines = body.baselines && body.baselines.length > 0 ? [...new Set(body.baselines)] : undefined;
      const previous = await stores.tenants.get(params.tenantId);
      // A baseline that does not exist is a mistyped id: refuse it rather than evaluate nothing every night.
      for (const [index, baselineId] of (baselines ?? []).entries()) {
        if (!(await stores.baselines.get(baselineId))) {
          throw new ApiProblem("VALIDATION_FAILED", `There is no baseline ${baselineId}.`, {
            errors: [{ path: `body.baselines.${index}`, message: "no such baseline" }],
          });
        }
      }
      const { tenant, created } = await stores.tenants.put(
        {
          tenantId: params.tenantId,
          displayName: body.displayName,
          enabled: body.enabled,
          selections: nightlySelections(body.selections),
          ...(accessGroups && { accessGroups }),
          ...(baselines && { baselines }),
        },
        now().toISOString(),
      );
      // The portfolio must not keep showing drift against a baseline no longer assigned.
      if (previous?.baselines?.length) await refreshTenantDrift({ stores, now }, tenant.tenantId, baselines ?? []);
      const view = tenantView(tenant);
      return created
        ? jsonResponse(201, view, { location: publicUrl(tenantPath(view.tenantId)) })
        : jsonResponse(200, view);
    },
  }),
  defineRoute({
    name: "tenantList",
    method: "GET",
    route: "tenants",
    authLevel: "function",
    roles: ["Tenants.Manage", "Inventory.Read"],
    tags: ["Tenants"],
    summary: "List registered tenants",
    request: { query: NoQuerySchema },
    responses: { 200: { description: "Every registered tenant the caller may see.", schema: TenantListSchema } },
    problems: [],
    async handler({ services, access }) {
      const { stores } = await services();
      const visible = (await stores.tenants.list()).filter((t) => access.mayAccess(t));
      return jsonResponse(200, TenantListSchema.parse({ items: visible.map(tenantView) }));
    },
  }),
  defineRoute({
    name: "tenantGet",
    method: "GET",
    route: "tenants/{tenantId}",
    authLevel: "function",
    roles: ["Tenants.Manage", "Inventory.Read"],
    tags: ["Tenants"],
    summary: "Get a tenant registration",
    request: { params: TenantPathSchema },
    responses: { 200: { description: "The registration.", schema: TenantViewSchema } },
    problems: ["TENANT_NOT_FOUND"],
    async handler({ params, services }) {
      const { stores } = await services();
      const tenant = await stores.tenants.get(params.tenantId);
      if (!tenant) throw tenantNotFound();
      return jsonResponse(200, tenantView(tenant));
    },
  }),
  defineRoute({
    name: "tenantDelete",
    method: "DELETE",
    route: "tenants/{tenantId}",
    authLevel: "function",
    roles: ["Tenants.Manage"],
    tags: ["Tenants"],
    summary: "Remove a tenant registration",
    description: "Removes the registration only; the tenant's inventory documents and runs stay.",
    request: { params: TenantPathSchema },
    responses: { 204: { description: "Removed." } },
    problems: ["TENANT_NOT_FOUND"],
    async handler({ params, services }) {
      const { stores } = await services();
      if (!(await stores.tenants.delete(params.tenantId))) throw tenantNotFound();
      return { status: 204, headers: {} };
    },
  }),
];
