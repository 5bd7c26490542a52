import { z } from "zod";
import { RunErrorCodeSchema } from "./errorCodes";
import type { PolicyTypeKey } from "./policyTypes";
import { RunStatusSchema } from "./run";
import type { RunDocument } from "./run";
import type { Tenant } from "./tenant";

/**
 * The per-tenant summary behind the portfolio (docs/api.md "Portfolio"): one small document per
 * tenant, changed only when a run finishes (and by the change-set and drift steps), so that the
 * portfolio of 500 tenants is 500 point reads and never a look at any item.
 *
 * Item figures are kept from the runs' own figures, per policy type:
 * - `stored` — inventory documents of the type. Seeded once from a count per type when the
 *   summary is first written (a deployment that already has items), then raised by the
 *   documents each run *created* (the writer knows create from replace). Documents are never
 *   deleted by a sync, so nothing lowers it; it is never below what a complete enumeration saw.
 * - `observed` — objects the type's latest complete enumeration returned.
 * `itemCount` = Σ stored. `missingCount` = for the latest completed run's scope, Σ (stored −
 * observed by that run): exact for types that run enumerated completely; for a type it failed
 * on, items this selection never saw count too (an upper bound; `missing` lists the exact ones).
 */

/** A tenant with no successful run for this long is stale (the alert `tenant-no-success-26h` uses the same). */
export const STALE_AFTER_HOURS = 26;
/** Change counts kept for `changesLast24h`: a day of runs is far fewer; older entries are pruned first. */
const MAX_CHANGE_ENTRIES = 500;
/** Run ids remembered so a retried finalizeRun never counts a run's created documents twice. */
const MAX_APPLIED_RUN_IDS = 50;
const DAY_MS = 24 * 3_600_000;

export const TENANT_SUMMARY_ID = "tenantSummary";

const count = z.number().int().nonnegative();

export const SummaryLastRunSchema = z.object({
  id: z.string(),
  status: RunStatusSchema,
  finishedAt: z.string().nullable(),
  errorCodes: z.array(RunErrorCodeSchema),
});

export const PortfolioDriftSchema = z.object({
  baselineId: z.string(),
  missing: count,
  extra: count,
  changed: count,
});
export type PortfolioDrift = z.infer<typeof PortfolioDriftSchema>;

/** One run's change counts, as the change-set step reports them. */
export const RunChangeEntrySchema = z.object({
  runId: z.string(),
  /** When the changes were detected (the run's finish). */
  at: z.string(),
  /** added + changed + removed + reappeared. */
  total: count,
});
export type RunChangeEntry = z.infer<typeof RunChangeEntrySchema>;

export const TenantSummaryDocumentSchema = z.object({
  id: z.literal(TENANT_SUMMARY_ID),
  docType: z.literal("tenantSummary"),
  tenantId: z.string(),
  /** The most recently finished completed run (success, partial or failed) of any selection. */
  lastRun: SummaryLastRunSchema.extend({ selectionHash: z.string() }).nullable(),
  lastSuccessAt: z.string().nullable(),
  types: z.record(z.string(), z.object({ stored: count, observed: count })),
  /** Whether `types[*].stored` was seeded from a count (false: made by a change or drift record first). */
  seeded: z.boolean(),
  itemCount: count,
  missingCount: count,
  /** null until the change-set step has reported once. */
  changes: z.array(RunChangeEntrySchema).nullable(),
  /** null until the drift step has reported once. */
  drift: PortfolioDriftSchema.nullable(),
  appliedRunIds: z.array(z.string()),
  updatedAt: z.string(),
});
export type TenantSummaryDocument = z.infer<typeof TenantSummaryDocumentSchema>;

export function emptyTenantSummary(tenantId: string, now: string): TenantSummaryDocument {
  return {
    id: TENANT_SUMMARY_ID,
    docType: "tenantSummary",
    tenantId,
    lastRun: null,
    lastSuccessAt: null,
    types: {},
    seeded: false,
    itemCount: 0,
    missingCount: 0,
    changes: null,
    drift: null,
    appliedRunIds: [],
    updatedAt: now,
  };
}

/**
 * `base` (or a new summary) with its `stored` figures from a count of what is in the store right
 * now; what other steps recorded in `base` (changes, drift) is kept.
 */
export function seededTenantSummary(
  base: TenantSummaryDocument,
  storedByType: ReadonlyMap<string, number>,
  now: string,
): TenantSummaryDocument {
  const types: TenantSummaryDocument["types"] = {};
  for (const [policyType, stored] of storedByType) if (stored > 0) types[policyType] = { stored, observed: 0 };
  return { ...base, types, seeded: true, itemCount: sumStored(types), updatedAt: now };
}

/** What the summary needs of each type's outcome in a finished run. */
export interface FinishedTypeFigures {
  policyType: PolicyTypeKey;
  status: "success" | "failed";
  itemsObserved: number;
  /** Documents this run created (not replaced). */
  itemsCreated: number;
}

const sumStored = (types: TenantSummaryDocument["types"]): number =>
  Object.values(types).reduce((n, t) => n + t.stored, 0);

const isCompleted = (status: RunDocument["status"]) => status === "success" || status === "partial" || status === "failed";

/**
 * The summary after a run finished. Null when there is nothing to change (the run was already
 * applied — a retried finalizeRun — or it is not a completed run). `createdCounted`: the
 * summary was just seeded from a count taken after this run wrote, so its creations are in it.
 */
export function applyFinishedRun(
  summary: TenantSummaryDocument,
  run: Pick<RunDocument, "id" | "status" | "finishedAt" | "errorCodes" | "selectionHash" | "scope">,
  figures: readonly FinishedTypeFigures[],
  now: string,
  options: { createdCounted?: boolean } = {},
): TenantSummaryDocument | null {
  if (!isCompleted(run.status) || summary.appliedRunIds.includes(run.id)) return null;
  const types: TenantSummaryDocument["types"] = structuredClone(summary.types);
  const byType = new Map(figures.map((f) => [f.policyType, f]));
  for (const f of figures) {
    const current = types[f.policyType] ?? { stored: 0, observed: 0 };
    const stored = current.stored + (options.createdCounted ? 0 : f.itemsCreated);
    types[f.policyType] =
      f.status === "success"
        ? // A complete enumeration saw this many objects, each of them a stored document.
          { stored: Math.max(stored, f.itemsObserved), observed: f.itemsObserved }
        : { stored, observed: current.observed };
  }
  const newest = !summary.lastRun || (summary.lastRun.finishedAt ?? "") <= (run.finishedAt ?? "");
  const missingCount = newest
    ? run.scope.reduce((n, policyType) => n + Math.max(0, (types[policyType]?.stored ?? 0) - (byType.get(policyType)?.itemsObserved ?? 0)), 0)
    : summary.missingCount;
  const success = run.status === "success" && run.finishedAt !== null;
  return {
    ...summary,
    lastRun: newest
      ? { id: run.id, status: run.status, finishedAt: run.finishedAt, errorCodes: [...run.errorCodes], selectionHash: run.selectionHash }
      : summary.lastRun,
    lastSuccessAt:
      success && (summary.lastSuccessAt === null || summary.lastSuccessAt < (run.finishedAt as string)) ? run.finishedAt : summary.lastSuccessAt,
    types,
    itemCount: sumStored(types),
    missingCount,
    appliedRunIds: [...summary.appliedRunIds, run.id].slice(-MAX_APPLIED_RUN_IDS),
    updatedAt: now,
  };
}

/** Records one run's change counts (idempotent per run); entries older than a day are pruned. */
export function withRunChanges(summary: TenantSummaryDocument, entry: RunChangeEntry, now: Date): TenantSummaryDocument {
  const since = now.getTime() - DAY_MS;
  const kept = (summary.changes ?? []).filter((e) => e.runId !== entry.runId && Date.parse(e.at) >= since);
  return {
    ...summary,
    changes: [...kept, entry].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).slice(-MAX_CHANGE_ENTRIES),
    updatedAt: now.toISOString(),
  };
}

/** Records the tenant's latest drift evaluation (null: no baseline assigned any more). */
export function withDrift(summary: TenantSummaryDocument, drift: PortfolioDrift | null, now: Date): TenantSummaryDocument {
  return { ...summary, drift, updatedAt: now.toISOString() };
}

// ── the portfolio row ─────────────────────────────────────────────────────────────────────────

export const PortfolioRowSchema = z
  .object({
    tenantId: z.string(),
    displayName: z.string(),
    enabled: z.boolean(),
    lastRun: SummaryLastRunSchema.nullable().meta({ description: "The most recently finished completed run of any selection." }),
    lastSuccessAt: z.string().nullable(),
    stale: z.boolean().meta({ description: `No successful run in ${STALE_AFTER_HOURS} hours (never: stale).` }),
    itemCount: count,
    missingCount: count,
    changesLast24h: count.nullable().meta({ description: "Changes detected by runs finished in the last 24 hours; null until change sets are recorded." }),
    drift: PortfolioDriftSchema.nullable(),
  })
  .meta({ id: "PortfolioRow" });
export type PortfolioRow = z.infer<typeof PortfolioRowSchema>;

export function isStale(lastSuccessAt: string | null, now: Date): boolean {
  return lastSuccessAt === null || now.getTime() - Date.parse(lastSuccessAt) > STALE_AFTER_HOURS * 3_600_000;
}

/** A registered tenant and its summary (null: no run has finished since the summary existed). */
export function portfolioRow(tenant: Pick<Tenant, "tenantId" | "displayName" | "enabled">, summary: TenantSummaryDocument | null, now: Date): PortfolioRow {
  const since = now.getTime() - DAY_MS;
  const lastRun = summary?.lastRun ?? null;
  return {
    tenantId: tenant.tenantId,
    displayName: tenant.displayName,
    enabled: tenant.enabled,
    lastRun: lastRun && { id: lastRun.id, status: lastRun.status, finishedAt: lastRun.finishedAt, errorCodes: lastRun.errorCodes },
    lastSuccessAt: summary?.lastSuccessAt ?? null,
    stale: isStale(summary?.lastSuccessAt ?? null, now),
    itemCount: summary?.itemCount ?? 0,
    missingCount: summary?.missingCount ?? 0,
    changesLast24h:
      summary?.changes == null ? null : summary.changes.filter((e) => Date.parse(e.at) >= since).reduce((n, e) => n + e.total, 0),
    drift: summary?.drift ?? null,
  };
}

/**
 * Worst first (docs/api.md "Portfolio"): what needs someone today comes first.
 * failed — the last completed run failed (nothing current was read);
 * stale — no successful run in 26 h (or never), whatever the last run said;
 * partial — the last run missed some types;
 * drift — the last drift evaluation found missing, extra or changed items;
 * ok; disabled — switched off on purpose, so it is not synced and not a surprise.
 */
export const ATTENTION_ORDER = ["failed", "stale", "partial", "drift", "ok", "disabled"] as const;
export type Attention = (typeof ATTENTION_ORDER)[number];

export function attentionOf(row: PortfolioRow): Attention {
  if (!row.enabled) return "disabled";
  if (row.lastRun?.status === "failed") return "failed";
  if (row.stale) return "stale";
  if (row.lastRun?.status === "partial") return "partial";
  if (row.drift && row.drift.missing + row.drift.extra + row.drift.changed > 0) return "drift";
  return "ok";
}

const attentionRank = (row: PortfolioRow): number => ATTENTION_ORDER.indexOf(attentionOf(row));

/** Rank, then the longest without a success (never first), then more missing, then name and id. */
export function comparePortfolioRows(a: PortfolioRow, b: PortfolioRow): number {
  return (
    attentionRank(a) - attentionRank(b) ||
    (a.lastSuccessAt ?? "").localeCompare(b.lastSuccessAt ?? "") ||
    b.missingCount - a.missingCount ||
    a.displayName.localeCompare(b.displayName, "en", { sensitivity: "base" }) ||
    (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0)
  );
}
