import {
  DEFAULT_NIGHTLY_SELECTION,
  effectiveNightlySelections,
  normaliseSelection,
  selectionHash,
  SelectionInputSchema,
} from "../../domain/selection";
import type { Stores } from "../../store/ports";
import { resolveSelectionHash } from "./selections";
import { MissingItemSchema } from "../../domain/missing";
import type { MissingItem } from "../../domain/missing";
import { ITEM_EXPORT_COLUMNS, exportFormatOf, exportResponse, notPagedExport } from "../exports";
import type { ExportColumn } from "../exports";
import type { Selection, SelectionInput } from "../../domain/selection";
import { defineRoute, jsonResponse } from "../pipeline";
import { ApiProblem } from "../problem";
import type { ApiRoute } from "../pipeline";
import {
  CoverageSchema,
  DependenciesQuerySchema,
  ItemPageSchema,
  ItemPathSchema,
  ItemViewSchema,
  ItemsQuerySchema,
  MissingQuerySchema,
  MissingReportViewSchema,
  TenantPathSchema,
} from "../schemas";
import { parseInput } from "../pipeline";
import type { z } from "zod";

type MissingQuery = z.output<typeof MissingQuerySchema>;

const splitList = (value: string): string[] =>
  value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");

/**
 * The selection hash a missing query names: given (in full, or a unique prefix of at least 8
 * characters), or computed from the comma lists through the same normalisation and hash as a
 * sync body, so `?categories=apps` finds the runs of `{"categories":["apps"]}`. Nothing given:
 * the selection of the tenant's most recent completed run, whatever it was (a nightly, an API
 * call) — else its first nightly selection, which is what will run.
 */
export async function missingSelectionHash(
  stores: Stores,
  tenantId: string,
  query: MissingQuery,
): Promise<string> {
  if (query.selectionHash !== undefined)
    return resolveSelectionHash(stores, tenantId, query.selectionHash, "query.selectionHash");
  if (
    query.policyTypes === undefined &&
    query.categories === undefined &&
    query.includeFoundations === undefined
  ) {
    const [latest] = await stores.runs.completedRunsNewestFirst(tenantId, 1);
    if (latest) return latest.selectionHash;
    const tenant = await stores.tenants.get(tenantId);
    return selectionHash(
      effectiveNightlySelections(tenant?.selections ?? [])[0] ?? DEFAULT_NIGHTLY_SELECTION,
    );
  }
  return selectionHash(selectionFromQuery(query));
}

/**
 * A selection given as query comma lists (`policyTypes`, `categories`, `includeFoundations`),
 * validated and normalised exactly like a sync body (missing, compare).
 */
export function selectionFromQuery(query: {
  policyTypes?: string | undefined;
  categories?: string | undefined;
  includeFoundations?: "true" | "false" | undefined;
}): Selection {
  const input: Record<string, unknown> = {};
  if (query.policyTypes !== undefined) input.policyTypes = splitList(query.policyTypes);
  if (query.categories !== undefined) input.categories = splitList(query.categories);
  if (query.includeFoundations !== undefined) input.includeFoundations = query.includeFoundations === "true";
  const selection: SelectionInput = parseInput(SelectionInputSchema, input, "query");
  return normaliseSelection(selection);
}

const MISSING_EXPORT_COLUMNS: readonly ExportColumn<MissingItem>[] = [
  ...ITEM_EXPORT_COLUMNS,
  { header: "typeComplete", value: (i) => i.typeComplete },
];

export const itemRoutes: ApiRoute[] = [
  defineRoute({
    name: "inventoryItemList",
    method: "GET",
    route: "tenants/{tenantId}/inventory/items",
    authLevel: "function",
    roles: ["Inventory.Read"],
    tags: ["Inventory"],
    summary: "List inventory items",
    description:
      "The last observed inventory of the tenant, filtered by policy type, category, platform or name.",
    registeredTenant: true,
    request: { params: TenantPathSchema, query: ItemsQuerySchema },
    responses: {
      200: {
        description: "A page of items; or every matching item as CSV / NDJSON (exports).",
        schema: ItemPageSchema,
        exports: true,
      },
    },
    problems: ["INVALID_CONTINUATION_TOKEN"],
    async handler({ params, query, services, request }) {
      const { stores } = await services();
      const filters = {
        ...(query.policyType !== undefined && { policyType: query.policyType }),
        ...(query.category !== undefined && { category: query.category }),
        ...(query.platform !== undefined && { platform: query.platform }),
        ...(query.q !== undefined && { q: query.q }),
      };
      const format = exportFormatOf(request, query.format);
      if (format !== "json") {
        if (query.continuationToken !== undefined) throw notPagedExport();
        return exportResponse({
          format,
          filename: `items-${params.tenantId}`,
          columns: ITEM_EXPORT_COLUMNS,
          rows: stores.items.iterate(params.tenantId, filters),
          json: (item) => ItemViewSchema.parse(item),
        });
      }
      const page = await stores.items.list(params.tenantId, {
        limit: query.limit,
        ...filters,
        // Opaque to this layer: the store binds tokens to tenant + query and throws
        // INVALID_CONTINUATION_TOKEN (→ 400) for any other.
        ...(query.continuationToken !== undefined && { continuationToken: query.continuationToken }),
      });
      return jsonResponse(200, {
        // Parsing strips whatever else a store document carries, so the body is exactly `Item`.
        items: page.items.map((item) => ItemViewSchema.parse(item)),
        continuationToken: page.continuationToken,
      });
    },
  }),
  defineRoute({
    name: "inventoryItemGet",
    method: "GET",
    route: "tenants/{tenantId}/inventory/items/{itemId}",
    authLevel: "function",
    roles: ["Inventory.Read"],
    tags: ["Inventory"],
    summary: "Get one inventory item",
    description: "One item by its id (URL-encoded), with its assignments.",
    registeredTenant: true,
    request: { params: ItemPathSchema },
    responses: { 200: { description: "The item.", schema: ItemViewSchema } },
    problems: ["ITEM_NOT_FOUND"],
    async handler({ params, services }) {
      const { stores } = await services();
      // A point read in the tenant's partition: an item of another tenant is not found.
      const item = await stores.items.get(params.tenantId, params.itemId);
      if (!item) throw new ApiProblem("ITEM_NOT_FOUND", "No such item for this tenant.");
      return jsonResponse(200, ItemViewSchema.parse(item));
    },
  }),
  defineRoute({
    name: "inventoryDependencies",
    method: "GET",
    route: "tenants/{tenantId}/inventory/dependencies",
    authLevel: "function",
    roles: ["Inventory.Read"],
    tags: ["Inventory"],
    summary: "Items that reference a group, filter or scope tag",
    description:
      "Exactly one of filterId, groupId, scopeTagId: the items that use it as an assignment target, an assignment filter or " +
      "a scope tag. Items whose assignments could not be read (`unknown`) are not listed for a group or filter.",
    registeredTenant: true,
    request: { params: TenantPathSchema, query: DependenciesQuerySchema },
    responses: { 200: { description: "A page of items.", schema: ItemPageSchema } },
    problems: ["INVALID_CONTINUATION_TOKEN"],
    async handler({ params, query, services }) {
      const { stores } = await services();
      const [kind, id] =
        query.groupId !== undefined
          ? (["group", query.groupId] as const)
          : query.filterId !== undefined
            ? (["filter", query.filterId] as const)
            : (["scopeTag", query.scopeTagId as string] as const);
      const page = await stores.items.dependencies(params.tenantId, {
        kind,
        id,
        limit: query.limit,
        ...(query.continuationToken !== undefined && { continuationToken: query.continuationToken }),
      });
      return jsonResponse(200, {
        items: page.items.map((item) => ItemViewSchema.parse(item)),
        continuationToken: page.continuationToken,
      });
    },
  }),
  defineRoute({
    name: "inventoryMissing",
    method: "GET",
    route: "tenants/{tenantId}/inventory/missing",
    authLevel: "function",
    roles: ["Inventory.Read"],
    tags: ["Inventory"],
    summary: "List missing items of a selection",
    description:
      "Items in the selection's scope that its latest completed run did not observe. Select by selectionHash (or a unique " +
      "prefix of at least 8 characters), or by policyTypes / categories / includeFoundations (normalised and hashed like a " +
      "sync body); with none of them, the selection of the tenant's most recent completed run.",
    registeredTenant: true,
    request: { params: TenantPathSchema, query: MissingQuerySchema },
    responses: {
      200: {
        description: "The missing report; or its items as CSV / NDJSON (exports).",
        schema: MissingReportViewSchema,
        exports: true,
      },
    },
    problems: ["SELECTION_AMBIGUOUS"],
    async handler({ params, query, services, request }) {
      const { stores } = await services();
      const hash = await missingSelectionHash(stores, params.tenantId, query);
      const format = exportFormatOf(request, query.format);
      if (format !== "json") {
        const { report, items } = await stores.items.missingStream(params.tenantId, hash);
        return exportResponse({
          format,
          filename: `missing-${params.tenantId}-${report.selectionHash.slice(0, 12)}`,
          columns: MISSING_EXPORT_COLUMNS,
          rows: items,
          json: (item) => MissingItemSchema.parse(item),
          // What the rows are of (the JSON answer's envelope); no completed run: no rows, no run.
          headers: {
            "x-selection-hash": report.selectionHash,
            ...(report.latestRun && { "x-latest-run-id": report.latestRun.id }),
            ...(report.confidence && { "x-missing-confidence": report.confidence }),
          },
        });
      }
      return jsonResponse(
        200,
        MissingReportViewSchema.parse(await stores.items.missing(params.tenantId, hash)),
      );
    },
  }),
  defineRoute({
    name: "inventoryCoverage",
    method: "GET",
    route: "tenants/{tenantId}/inventory/coverage",
    authLevel: "function",
    roles: ["Inventory.Read"],
    tags: ["Inventory"],
    summary: "Coverage per policy type",
    description:
      "One row per catalog type: item count, last observation and the last run that enumerated it.",
    registeredTenant: true,
    request: { params: TenantPathSchema },
    responses: { 200: { description: "Coverage rows.", schema: CoverageSchema } },
    problems: [],
    async handler({ params, services }) {
      const { stores } = await services();
      return jsonResponse(200, CoverageSchema.parse({ items: await stores.items.coverage(params.tenantId) }));
    },
  }),
];
