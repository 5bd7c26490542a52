import { z } from "zod";
import { SELECTION_HASH_PREFIX_MIN, SelectionSchema, effectiveNightlySelections, selectionHash } from "../../domain/selection";
import { RunStatusSchema } from "../../domain/run";
import type { Stores } from "../../store/ports";
import { defineRoute, jsonResponse, tenantNotFound } from "../pipeline";
import type { ApiRoute } from "../pipeline";
import { ApiProblem } from "../problem";
import { TenantPathSchema } from "../schemas";

export const SelectionListSchema = z
  .object({
    items: z.array(
      z.object({
        selectionHash: z.string(),
        selection: SelectionSchema,
        latestRun: z
          .object({ id: z.string(), status: RunStatusSchema, finishedAt: z.string().nullable() })
          .nullable()
          .meta({ description: "The selection's newest run that was not skipped (null: none yet)." }),
        nightly: z.boolean().meta({ description: "One of the tenant's nightly selections." }),
      }),
    ),
  })
  .meta({ id: "SelectionList" });
type SelectionRow = z.infer<typeof SelectionListSchema>["items"][number];

/**
 * Every selection of the tenant: those it has runs of, newest activity first, then its nightly
 * selections that never ran, in registry order.
 */
export async function selectionsOfTenant(stores: Stores, tenantId: string): Promise<SelectionRow[]> {
  const [tenant, activity] = await Promise.all([stores.tenants.get(tenantId), stores.runs.selectionActivity(tenantId)]);
  if (!tenant) throw tenantNotFound();
  const nightly = effectiveNightlySelections(tenant.selections).map((selection) => ({ selection, hash: selectionHash(selection) }));
  const nightlyHashes = new Set(nightly.map((n) => n.hash));
  const rows: SelectionRow[] = activity
    .sort((a, b) => (a.lastRequestedAt < b.lastRequestedAt ? 1 : a.lastRequestedAt > b.lastRequestedAt ? -1 : 0))
    .map((a) => ({ selectionHash: a.selectionHash, selection: a.selection, latestRun: a.latestRun, nightly: nightlyHashes.has(a.selectionHash) }));
  const seen = new Set(rows.map((r) => r.selectionHash));
  for (const n of nightly) {
    if (!seen.has(n.hash)) rows.push({ selectionHash: n.hash, selection: n.selection, latestRun: null, nightly: true });
    seen.add(n.hash);
  }
  return rows;
}

/**
 * A full selection hash as given, or the one selection of the tenant whose hash starts with the
 * prefix (the CLI prints 12 characters). Several → 400 SELECTION_AMBIGUOUS naming them; none →
 * 400 VALIDATION_FAILED (a mistyped prefix must not read as "no completed run yet").
 */
export async function resolveSelectionHash(stores: Stores, tenantId: string, given: string, path: string): Promise<string> {
  if (given.length === 64) return given;
  const candidates = (await selectionsOfTenant(stores, tenantId)).map((s) => s.selectionHash).filter((h) => h.startsWith(given));
  if (candidates.length === 1) return candidates[0] as string;
  if (candidates.length === 0) {
    throw new ApiProblem("VALIDATION_FAILED", `No selection of this tenant has a hash starting with ${given}; list them with GET …/inventory/selections.`, {
      errors: [{ path, message: "no selection of this tenant starts with it" }],
    });
  }
  throw new ApiProblem(
    "SELECTION_AMBIGUOUS",
    `${candidates.length} selections of this tenant have a hash starting with ${given}: give more characters (at least ${SELECTION_HASH_PREFIX_MIN}) or the full hash.`,
    { errors: candidates.slice(0, 20).map((hash) => ({ path, message: hash })) },
  );
}

export const selectionRoutes: ApiRoute[] = [
  defineRoute({
    name: "inventorySelectionList",
    method: "GET",
    route: "tenants/{tenantId}/inventory/selections",
    authLevel: "function",
    roles: ["Inventory.Read"],
    tags: ["Inventory"],
    summary: "List the tenant's selections",
    description:
      "Every selection the tenant has runs of or is registered with (nightly), newest activity first, with its newest run. " +
      "Its selectionHash (or a unique prefix of at least 8 characters) is what runs and missing take.",
    registeredTenant: true,
    request: { params: TenantPathSchema },
    responses: { 200: { description: "The selections.", schema: SelectionListSchema } },
    problems: [],
    async handler({ params, services }) {
      const { stores } = await services();
      return jsonResponse(200, SelectionListSchema.parse({ items: await selectionsOfTenant(stores, params.tenantId) }));
    },
  }),
];
