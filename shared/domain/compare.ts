import { z } from "zod";
import { AssignmentsSchema } from "./assignments";
import { crossTenantDifferences, matchKey } from "./crossTenant";
import { PolicyTypeKeySchema } from "./policyTypes";

/**
 * Compare two tenants (docs/api.md "Compare"): items are matched by policy type and normalised
 * display name; each match is `same` or `different` (naming the fields, through crossTenant.ts),
 * a name on one side only is `onlyLeft` / `onlyRight`, and a name that two items of one tenant
 * share is `ambiguous` — it cannot be matched honestly, so it is neither same nor different.
 */

/** What compare and drift read of a stored item: what is compared, plus how to point at it. */
export const ComparedItemSchema = z.object({
  id: z.string(),
  externalId: z.string(),
  policyType: PolicyTypeKeySchema,
  displayName: z.string(),
  platform: z.string(),
  meta: z.record(z.string(), z.unknown()),
  assignments: AssignmentsSchema.optional(),
});
export type ComparedItem = z.infer<typeof ComparedItemSchema>;

export const CompareStatusSchema = z.enum(["onlyLeft", "onlyRight", "different", "same", "ambiguous"]);
export type CompareStatus = z.infer<typeof CompareStatusSchema>;

const SideSchema = z.object({ itemId: z.string(), externalId: z.string() });

export const CompareRowSchema = z.object({
  policyType: PolicyTypeKeySchema,
  displayName: z.string(),
  status: CompareStatusSchema,
  left: SideSchema.nullable().meta({ description: "The left tenant's item (for `ambiguous`: the first of its items with the name)." }),
  right: SideSchema.nullable(),
  differences: z.array(z.string()).meta({ description: "Field paths that differ (`different` only): platform, meta.<key>, assignments." }),
  unconfirmed: z.boolean().meta({
    description:
      "The status rests on a type a side's latest run did not read completely (see incompleteTypes): onlyLeft when the right " +
      "side's type is incomplete, onlyRight when the left's is, different when either is. Not a confirmed difference.",
  }),
});
export type CompareRow = z.infer<typeof CompareRowSchema>;

export const CompareCountsSchema = z.object({
  onlyLeft: z.number().int().nonnegative(),
  onlyRight: z.number().int().nonnegative(),
  different: z.number().int().nonnegative(),
  same: z.number().int().nonnegative(),
  ambiguous: z.number().int().nonnegative(),
});
export type CompareCounts = z.infer<typeof CompareCountsSchema>;

/** Groups items by match key; each group sorted by id so "the first" is stable. */
export function groupByMatchKey<T extends { id: string; policyType: string; displayName: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = matchKey(item.policyType, item.displayName);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  for (const group of groups.values()) if (group.length > 1) group.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return groups;
}

const side = (item: ComparedItem | undefined) => (item ? { itemId: item.id, externalId: item.externalId } : null);

/** Per side, the types in scope its latest runs did not enumerate completely (or never read). */
export interface CompareIncompleteTypes {
  left: readonly string[];
  right: readonly string[];
}

/**
 * Whether a row's status rests on what a side could not read: "only left" is only as sure as the
 * right side's read of the type, "only right" as the left's, "different" as both (a copy of an
 * unread type is the last observed one, and may since have changed).
 */
function unconfirmed(status: CompareStatus, policyType: string, incomplete: { left: ReadonlySet<string>; right: ReadonlySet<string> }): boolean {
  if (status === "onlyLeft") return incomplete.right.has(policyType);
  if (status === "onlyRight") return incomplete.left.has(policyType);
  if (status === "different") return incomplete.left.has(policyType) || incomplete.right.has(policyType);
  return false;
}

/** Rows ordered by policy type, then name as matched; counts per status. */
export function compareInventories(
  left: readonly ComparedItem[],
  right: readonly ComparedItem[],
  incompleteTypes: CompareIncompleteTypes = { left: [], right: [] },
): { counts: CompareCounts; items: CompareRow[] } {
  const incomplete = { left: new Set(incompleteTypes.left), right: new Set(incompleteTypes.right) };
  const leftGroups = groupByMatchKey(left);
  const rightGroups = groupByMatchKey(right);
  const keys = [...new Set([...leftGroups.keys(), ...rightGroups.keys()])].sort();
  const counts: CompareCounts = { onlyLeft: 0, onlyRight: 0, different: 0, same: 0, ambiguous: 0 };
  const items: CompareRow[] = [];
  for (const key of keys) {
    const l = leftGroups.get(key) ?? [];
    const r = rightGroups.get(key) ?? [];
    const first = (l[0] ?? r[0]) as ComparedItem;
    let status: CompareStatus;
    let differences: string[] = [];
    if (l.length > 1 || r.length > 1) status = "ambiguous";
    else if (r.length === 0) status = "onlyLeft";
    else if (l.length === 0) status = "onlyRight";
    else {
      differences = crossTenantDifferences(l[0] as ComparedItem, r[0] as ComparedItem);
      status = differences.length > 0 ? "different" : "same";
    }
    counts[status] += 1;
    items.push({
      policyType: first.policyType,
      displayName: first.displayName,
      status,
      left: side(l[0]),
      right: side(r[0]),
      differences,
      unconfirmed: unconfirmed(status, first.policyType, incomplete),
    });
  }
  return { counts, items };
}
