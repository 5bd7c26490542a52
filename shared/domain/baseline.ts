import { hash } from "node:crypto";
import { z } from "zod";
import { AssignmentsSchema } from "./assignments";
import { groupByMatchKey } from "./compare";
import type { ComparedItem } from "./compare";
import { crossTenantComparable, crossTenantDifferences, matchKey } from "./crossTenant";
import { ConfidenceSchema } from "./missing";
import { ObservedItemSchema } from "./item";
import { CategorySchema, PolicyTypeKeySchema } from "./policyTypes";
import type { PolicyTypeKey } from "./policyTypes";

/**
 * Baselines and drift (docs/api.md "Baselines and drift"). A baseline is the set of items an
 * MSP expects in a tenant — captured from a gold tenant or listed — and drift is a tenant's
 * inventory held against it. Drift is built on what the inventory knows and other tools do not:
 * whether each type was read completely. An item of a type the latest run could not read (403,
 * 429s past the retries) is never called missing; the report says its confidence is low instead.
 */

export const BaselineIdSchema = z
  .string()
  .regex(/^[a-z0-9-]{1,64}$/, "expected 1–64 characters of a-z 0-9 -")
  .meta({ description: "Baseline id: 1–64 characters of a-z 0-9 -.", example: "gold-standard" });

/** At most this many items per baseline (a whole 10k-object tenant fits twice). */
export const MAX_BASELINE_ITEMS = 20_000;

/**
 * One expected item. `exact`: captured from a tenant, so every compared field counts; listed
 * items (`exact: false`) expect only the meta keys they name. Stored in cross-tenant form
 * (volatile and tenant-specific fields dropped, see crossTenant.ts).
 */
export const BaselineItemSchema = z.object({
  policyType: PolicyTypeKeySchema,
  // As long as the inventory's own names may be: Graph accepts an empty display name, and such an
  // item matches by its normalised (empty) name like any other. Narrower here made a capture
  // that stored fine unreadable (500 on every read of the baseline, and every drift step failing).
  displayName: ObservedItemSchema.shape.displayName,
  platform: z.string().nullable(),
  meta: z.record(z.string(), z.unknown()),
  assignments: AssignmentsSchema.optional(),
  exact: z.boolean(),
});
export type BaselineItem = z.infer<typeof BaselineItemSchema>;

export const BaselineSourceSchema = z.object({
  tenantId: z.string(),
  policyTypes: z.array(PolicyTypeKeySchema),
  categories: z.array(CategorySchema),
  includeFoundations: z.boolean(),
});

/** A baseline without its items, as lists and drift reports show it. */
export const BaselineSchema = z.object({
  baselineId: z.string(),
  displayName: z.string(),
  version: z.number().int().positive().meta({ description: "Incremented on every update; drift names the version it used." }),
  itemCount: z.number().int().nonnegative(),
  coveredTypes: z.array(PolicyTypeKeySchema).meta({ description: "Types the baseline covers: an item of these types it does not expect is `extra`." }),
  source: BaselineSourceSchema.nullable().meta({ description: "The tenant (and scope) the items were captured from; null for a listed baseline." }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Baseline = z.infer<typeof BaselineSchema>;

export interface BaselineWithItems extends Baseline {
  items: BaselineItem[];
}

/** A captured item: the stored item in cross-tenant form. */
export function capturedBaselineItem(item: ComparedItem): BaselineItem {
  const comparable = crossTenantComparable(item);
  return {
    policyType: item.policyType,
    displayName: item.displayName,
    platform: item.platform,
    meta: comparable.meta,
    ...(comparable.assignments && { assignments: comparable.assignments }),
    exact: true,
  };
}

/**
 * One expected item per match key: a gold tenant with a name twice keeps the first (by item id)
 * and reports how many it dropped, since a baseline cannot expect "one of two".
 */
export function captureBaselineItems(items: readonly ComparedItem[]): { items: BaselineItem[]; duplicatesDropped: number } {
  const groups = groupByMatchKey(items);
  let duplicatesDropped = 0;
  const out: BaselineItem[] = [];
  for (const key of [...groups.keys()].sort()) {
    const group = groups.get(key) as ComparedItem[];
    duplicatesDropped += group.length - 1;
    out.push(capturedBaselineItem(group[0] as ComparedItem));
  }
  return { items: out, duplicatesDropped };
}

// ── drift ───────────────────────────────────────────────────────────────────────────────────

export const DriftStatusSchema = z.enum(["missing", "extra", "changed", "matching"]);
export type DriftStatus = z.infer<typeof DriftStatusSchema>;

export const DriftCountsSchema = z.object({
  missing: z.number().int().nonnegative(),
  extra: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  matching: z.number().int().nonnegative(),
});
export type DriftCounts = z.infer<typeof DriftCountsSchema>;

export const DriftRowSchema = z.object({
  status: DriftStatusSchema,
  policyType: PolicyTypeKeySchema,
  displayName: z.string(),
  itemId: z.string().nullable(),
  differences: z.array(z.string()),
});
export type DriftRow = z.infer<typeof DriftRowSchema>;

export const DriftReportSchema = z.object({
  baselineId: z.string(),
  baselineVersion: z.number().int().positive(),
  evaluatedAt: z.string(),
  basedOnRunId: z.string().nullable().meta({ description: "The newest completed run that read a covered type; null when none did." }),
  confidence: ConfidenceSchema,
  counts: DriftCountsSchema,
  incompleteTypes: z
    .array(PolicyTypeKeySchema)
    .meta({ description: "Covered types the latest run that covered them did not enumerate completely (or no run read): nothing of them is called missing or extra." }),
  items: z.array(DriftRowSchema),
});
export type DriftReport = z.infer<typeof DriftReportSchema>;

/** How the latest completed run that covered a type ended for that type (null: never read). */
export interface TypeRead {
  runId: string;
  selectionHash: string;
  finishedAt: string | null;
  complete: boolean;
}

/** A stored item with what drift needs to tell "observed by that run" from "last seen long ago". */
export interface DriftCandidate extends ComparedItem {
  seenBy: Record<string, string>;
}

/**
 * THE "not read completely" test of compare, drift and baseline capture: the types among `types`
 * whose latest covering completed run did not enumerate them completely, or that no run read.
 * Sorted, so reports and problem details list them the same way every time.
 */
export function incompleteTypesOf(types: Iterable<PolicyTypeKey>, typeReads: ReadonlyMap<PolicyTypeKey, TypeRead | null>): PolicyTypeKey[] {
  return [...new Set(types)].filter((type) => !typeReads.get(type)?.complete).sort();
}

/**
 * The items a tenant has now, as far as the inventory knows: of a type that the latest run
 * covering it read completely, only those that run observed (a deleted policy's last copy is not
 * "there"); of a type it did not read completely, every stored copy as last observed.
 */
export function currentItems<T extends DriftCandidate>(candidates: readonly T[], typeReads: ReadonlyMap<PolicyTypeKey, TypeRead | null>): T[] {
  return candidates.filter((item) => {
    const read = typeReads.get(item.policyType);
    return !read?.complete || item.seenBy[read.selectionHash] === read.runId;
  });
}

function expectationDifferences(expected: BaselineItem, actual: ComparedItem): string[] {
  if (expected.exact) {
    return crossTenantDifferences(
      { displayName: expected.displayName, platform: expected.platform ?? actual.platform, meta: expected.meta, assignments: expected.assignments },
      actual,
    );
  }
  // A listed item expects only what it names.
  const named = new Set([...Object.keys(expected.meta).map((k) => `meta.${k}`), ...(expected.platform === null ? [] : ["platform"])]);
  return crossTenantDifferences(
    { displayName: expected.displayName, platform: expected.platform ?? actual.platform, meta: expected.meta },
    { ...actual, assignments: undefined },
    (field) => !named.has(field),
  );
}

const STATUS_ORDER: Record<DriftStatus, number> = { missing: 0, extra: 1, changed: 2, matching: 3 };

/**
 * Drift of a tenant against a baseline. Per covered type, "in the inventory" means observed by
 * the latest completed run that covered the type when that run read it completely (an item it
 * did not observe was deleted: it must not keep the tenant "aligned"). For a type that run did
 * not read completely, nothing is called missing or extra; expected items still stored are
 * compared as last observed, and the confidence is low.
 */
export function evaluateDrift(input: {
  baseline: BaselineWithItems;
  candidates: readonly DriftCandidate[];
  typeReads: ReadonlyMap<PolicyTypeKey, TypeRead | null>;
  evaluatedAt: string;
}): DriftReport {
  const { baseline } = input;
  const covered = new Set<PolicyTypeKey>(baseline.coveredTypes);
  const incomplete = new Set<PolicyTypeKey>(incompleteTypesOf(covered, input.typeReads));
  const present = currentItems(input.candidates, input.typeReads).filter((item) => covered.has(item.policyType));
  const actual = groupByMatchKey(present);
  const expectedKeys = new Set<string>();
  const items: DriftRow[] = [];
  for (const expected of baseline.items) {
    const key = matchKey(expected.policyType, expected.displayName);
    expectedKeys.add(key);
    const typeComplete = !incomplete.has(expected.policyType);
    const group = actual.get(key) ?? [];
    if (group.length === 0) {
      if (typeComplete) items.push({ status: "missing", policyType: expected.policyType, displayName: expected.displayName, itemId: null, differences: [] });
      continue;
    }
    // Two items with the expected name: the closer one is the match, the other one is extra.
    const ranked = group.map((item) => ({ item, differences: expectationDifferences(expected, item) })).sort((a, b) => a.differences.length - b.differences.length);
    const [best, ...others] = ranked;
    if (!best) continue;
    items.push({
      status: best.differences.length > 0 ? "changed" : "matching",
      policyType: expected.policyType,
      displayName: best.item.displayName,
      itemId: best.item.id,
      differences: best.differences,
    });
    if (typeComplete) for (const o of others) items.push({ status: "extra", policyType: o.item.policyType, displayName: o.item.displayName, itemId: o.item.id, differences: [] });
  }
  for (const [key, group] of actual) {
    if (expectedKeys.has(key)) continue;
    for (const item of group) {
      if (incomplete.has(item.policyType)) continue;
      items.push({ status: "extra", policyType: item.policyType, displayName: item.displayName, itemId: item.id, differences: [] });
    }
  }
  items.sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      (a.policyType < b.policyType ? -1 : a.policyType > b.policyType ? 1 : 0) ||
      a.displayName.localeCompare(b.displayName, "en"),
  );
  const counts: DriftCounts = { missing: 0, extra: 0, changed: 0, matching: 0 };
  for (const row of items) counts[row.status] += 1;
  const reads = [...covered].map((t) => input.typeReads.get(t)).filter((r): r is TypeRead => !!r);
  const newest = reads.sort((a, b) => ((a.finishedAt ?? "") < (b.finishedAt ?? "") ? 1 : -1))[0];
  return {
    baselineId: baseline.baselineId,
    baselineVersion: baseline.version,
    evaluatedAt: input.evaluatedAt,
    basedOnRunId: newest?.runId ?? null,
    confidence: incomplete.size === 0 ? "high" : "low",
    counts,
    incompleteTypes: [...incomplete].sort(),
    items,
  };
}

// ── recorded summary ────────────────────────────────────────────────────────────────────────

/** The compact record kept per tenant and baseline after each run (portfolio, alerting). */
export const DriftRecordSchema = z.object({
  tenantId: z.string(),
  baselineId: z.string(),
  baselineVersion: z.number().int().positive(),
  evaluatedAt: z.string(),
  basedOnRunId: z.string().nullable(),
  confidence: ConfidenceSchema,
  counts: DriftCountsSchema,
  /** Digest of the drifted rows (status + match key): equal digests ⇔ the same drift. */
  driftDigest: z.string(),
  /** The digest of the last high-confidence evaluation: what "new drift" is measured against. */
  lastHighDigest: z.string().nullable(),
  /** High confidence, something drifted, and it is not the drift the last high-confidence evaluation saw. */
  newDrift: z.boolean(),
});
export type DriftRecord = z.infer<typeof DriftRecordSchema>;

export function driftDigest(report: Pick<DriftReport, "items">): string {
  const rows = report.items
    .filter((r) => r.status !== "matching")
    .map((r) => `${r.status}\u0001${matchKey(r.policyType, r.displayName)}\u0001${r.differences.join(",")}`)
    .sort();
  return hash("sha256", JSON.stringify(rows), "base64url").slice(0, 22);
}

/**
 * The summary to record after an evaluation. A low-confidence evaluation never raises new
 * drift (its missing/extra are incomplete by definition) and never moves the reference digest,
 * so drift already reported does not alert again when the confidence comes back.
 */
export function recordOfDrift(tenantId: string, report: DriftReport, previous: DriftRecord | null): DriftRecord {
  const digest = driftDigest(report);
  const drifted = report.counts.missing + report.counts.extra + report.counts.changed;
  const reference = previous && previous.baselineId === report.baselineId ? previous.lastHighDigest : null;
  const high = report.confidence === "high";
  return {
    tenantId,
    baselineId: report.baselineId,
    baselineVersion: report.baselineVersion,
    evaluatedAt: report.evaluatedAt,
    basedOnRunId: report.basedOnRunId,
    confidence: report.confidence,
    counts: report.counts,
    driftDigest: digest,
    lastHighDigest: high ? digest : reference,
    newDrift: high && drifted > 0 && digest !== reference,
  };
}
