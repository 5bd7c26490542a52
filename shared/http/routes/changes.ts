import { NO_CHANGES, incompleteTypes } from "../../domain/changes";
import type { Change } from "../../domain/changes";
import { EXPORT_PAGE_SIZE, allRows, exportFormatOf, exportResponse, notPagedExport } from "../exports";
import type { ExportColumn } from "../exports";
import { ApiProblem } from "../problem";
import { defineRoute, jsonResponse } from "../pipeline";
import type { ApiRoute } from "../pipeline";
import {
  ChangePageSchema,
  ChangesQuerySchema,
  RunChangesQuerySchema,
  RunChangesSchema,
  RunPathSchema,
  TenantPathSchema,
} from "../schemas";

/** CSV columns of a change (NDJSON lines are the JSON route's Change). */
const CHANGE_EXPORT_COLUMNS: readonly ExportColumn<Change>[] = [
  { header: "kind", value: (c) => c.kind },
  { header: "runId", value: (c) => c.runId },
  { header: "detectedAt", value: (c) => c.detectedAt },
  { header: "policyType", value: (c) => c.policyType },
  { header: "externalId", value: (c) => c.externalId },
  { header: "itemId", value: (c) => c.itemId },
  { header: "displayName", value: (c) => c.displayName },
  { header: "changedFields", value: (c) => c.changedFields.join(";") },
];

/** The change routes (docs/api.md "Changes"): one run's change set, and the tenant's changes over time. */
export const changeRoutes: ApiRoute[] = [
  defineRoute({
    name: "inventoryRunChanges",
    method: "GET",
    route: "tenants/{tenantId}/inventory/runs/{runId}/changes",
    authLevel: "function",
    roles: ["Inventory.Read"],
    tags: ["Inventory"],
    summary: "What a run changed",
    description:
      "Added, changed (with changedFields), removed and reappeared items relative to the previous completed run of the same " +
      "selection (baseRunId), newest first. removed is reported only for types the run enumerated completely; the others are " +
      "listed in incompleteTypes.",
    registeredTenant: true,
    request: { params: RunPathSchema, query: RunChangesQuerySchema },
    responses: {
      200: {
        description: "A page of the run's changes; or all of them as CSV / NDJSON (exports).",
        schema: RunChangesSchema,
        exports: true,
      },
    },
    problems: ["RUN_NOT_FOUND", "INVALID_CONTINUATION_TOKEN"],
    async handler({ params, query, services, request }) {
      const { stores } = await services();
      const run = await stores.runs.get(params.tenantId, params.runId);
      if (!run || run.tenantId !== params.tenantId)
        throw new ApiProblem("RUN_NOT_FOUND", "No such run for this tenant.");
      const filters = {
        ...(query.kind !== undefined && { kind: query.kind }),
        ...(query.policyType !== undefined && { policyType: query.policyType }),
      };
      const format = exportFormatOf(request, query.format);
      if (format !== "json") {
        if (query.continuationToken !== undefined) throw notPagedExport();
        return exportResponse({
          format,
          filename: `changes-${params.tenantId}-${run.id}`,
          columns: CHANGE_EXPORT_COLUMNS,
          rows: allRows((continuationToken) =>
            stores.changes.listForRun(params.tenantId, run.id, {
              ...filters,
              limit: EXPORT_PAGE_SIZE,
              ...(continuationToken !== undefined && { continuationToken }),
            }),
          ),
          json: (change) => change,
          // What the rows are of (the JSON answer's envelope).
          headers: { "x-run-id": run.id, ...(run.baseRunId && { "x-base-run-id": run.baseRunId }) },
        });
      }
      const page = await stores.changes.listForRun(params.tenantId, run.id, {
        limit: query.limit,
        ...filters,
        ...(query.continuationToken !== undefined && { continuationToken: query.continuationToken }),
      });
      return jsonResponse(200, {
        runId: run.id,
        baseRunId: run.baseRunId,
        // Counts are written when the run finishes; a run still going (or skipped) has none yet.
        counts: run.changes ?? NO_CHANGES,
        incompleteTypes: run.status === "skipped" ? [] : incompleteTypes(run),
        items: page.items,
        continuationToken: page.continuationToken,
      });
    },
  }),
  defineRoute({
    name: "inventoryChangeList",
    method: "GET",
    route: "tenants/{tenantId}/inventory/changes",
    authLevel: "function",
    roles: ["Inventory.Read"],
    tags: ["Inventory"],
    summary: "The tenant's changes",
    description:
      "Changes of every run and selection of the tenant, newest first, within the retention (CHANGES_RETENTION_DAYS).",
    registeredTenant: true,
    request: { params: TenantPathSchema, query: ChangesQuerySchema },
    responses: {
      200: {
        description: "A page of changes; or every matching change as CSV / NDJSON (exports).",
        schema: ChangePageSchema,
        exports: true,
      },
    },
    problems: ["INVALID_CONTINUATION_TOKEN"],
    async handler({ params, query, services, request }) {
      const { stores } = await services();
      const filters = {
        ...(query.since !== undefined && { since: query.since }),
        ...(query.until !== undefined && { until: query.until }),
        ...(query.kind !== undefined && { kind: query.kind }),
        ...(query.policyType !== undefined && { policyType: query.policyType }),
      };
      const format = exportFormatOf(request, query.format);
      if (format !== "json") {
        if (query.continuationToken !== undefined) throw notPagedExport();
        return exportResponse({
          format,
          filename: `changes-${params.tenantId}`,
          columns: CHANGE_EXPORT_COLUMNS,
          rows: allRows((continuationToken) =>
            stores.changes.list(params.tenantId, {
              ...filters,
              limit: EXPORT_PAGE_SIZE,
              ...(continuationToken !== undefined && { continuationToken }),
            }),
          ),
          json: (change) => change,
        });
      }
      const page = await stores.changes.list(params.tenantId, {
        limit: query.limit,
        ...filters,
        ...(query.continuationToken !== undefined && { continuationToken: query.continuationToken }),
      });
      return jsonResponse(200, { items: page.items, continuationToken: page.continuationToken });
    },
  }),
];
