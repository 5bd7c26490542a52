import { createHash } from "node:crypto";
import { z } from "zod";
import { CategorySchema, POLICY_TYPES, PolicyTypeKeySchema, policyTypesOfCategory } from "./policyTypes";
import type { PolicyTypeKey } from "./policyTypes";

export const MAX_SELECTION_ENTRIES = 100;

/** A selection as callers send it. Strict: an unknown key is a validation error. */
export const SelectionInputSchema = z.strictObject({
  policyTypes: z.array(PolicyTypeKeySchema).max(MAX_SELECTION_ENTRIES).optional(),
  categories: z.array(CategorySchema).max(MAX_SELECTION_ENTRIES).optional(),
  includeFoundations: z.boolean().optional(),
});
export type SelectionInput = z.infer<typeof SelectionInputSchema>;

/** The normalised selection: defaults applied, arrays de-duplicated and sorted. */
export const SelectionSchema = z.strictObject({
  policyTypes: z.array(PolicyTypeKeySchema),
  categories: z.array(CategorySchema),
  includeFoundations: z.boolean(),
});
export type Selection = z.infer<typeof SelectionSchema>;

const sortedUnique = <T extends string>(values: readonly T[] | undefined): T[] =>
  [...new Set(values ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * Applies defaults and sorts. Also drops policy types that a named category or
 * `includeFoundations` already covers, so two selections that scope the same types the same
 * way hash the same.
 */
export function normaliseSelection(input: SelectionInput): Selection {
  const named = (input.policyTypes?.length ?? 0) > 0 || (input.categories?.length ?? 0) > 0;
  // Once something is named, "include foundations" and "the foundations category" mean the same
  // thing; spell both so they hash alike. Without this, dropping the named foundation types
  // below could empty the selection and silently widen it to every type.
  const includeFoundations = (input.includeFoundations ?? false) || (named && (input.categories ?? []).includes("foundations"));
  const categories = sortedUnique([...(input.categories ?? []), ...(named && includeFoundations ? (["foundations"] as const) : [])]);
  const covered = new Set<string>(categories.flatMap((c) => policyTypesOfCategory(c)));
  if (includeFoundations) for (const t of POLICY_TYPES) if (t.foundation) covered.add(t.key);
  const policyTypes = sortedUnique(input.policyTypes).filter((t) => !covered.has(t));
  return { policyTypes, categories, includeFoundations };
}

/**
 * What a tenant syncs at night when it was registered without explicit selections: every type,
 * foundations included, as one selection. The nightly walk, the tenant routes and their views
 * all read it from here, so "no selections" and "the default selection" never look different.
 */
export const DEFAULT_NIGHTLY_SELECTION: Selection = normaliseSelection({ includeFoundations: true });

/** The selections a tenant's nightly run actually syncs: its own, or the default when it has none. */
export function effectiveNightlySelections(selections: readonly Selection[]): Selection[] {
  return selections.length > 0 ? [...selections] : [DEFAULT_NIGHTLY_SELECTION];
}

/** JSON with object keys sorted recursively and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** `sha256(canonicalJson(normalisedSelection))`, 64 lower-case hex characters. */
export function selectionHash(selection: Selection): string {
  const scopeOnly: Selection = {
    policyTypes: selection.policyTypes,
    categories: selection.categories,
    includeFoundations: selection.includeFoundations,
  };
  return createHash("sha256").update(canonicalJson(scopeOnly)).digest("hex");
}

/**
 * The policy types a selection covers, in catalog order. Empty `policyTypes` and `categories`
 * mean every non-foundation type; foundations only when `includeFoundations` or named.
 */
export function policyTypesInScope(selection: Selection): PolicyTypeKey[] {
  const named = new Set<string>([...selection.policyTypes, ...selection.categories.flatMap((c) => policyTypesOfCategory(c))]);
  const everything = selection.policyTypes.length === 0 && selection.categories.length === 0;
  return POLICY_TYPES.filter(
    (t) => named.has(t.key) || (everything && !t.foundation) || (selection.includeFoundations && t.foundation),
  ).map((t) => t.key);
}

/** A selection hash, or a prefix of it of at least 8 hex characters (the CLI prints 12); any case. */
export const SELECTION_HASH_PREFIX_MIN = 8;
export const SelectionHashOrPrefixSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{8,64}$/, `expected a selection hash or a prefix of it (${SELECTION_HASH_PREFIX_MIN}–64 hex characters)`)
  .transform((v) => v.toLowerCase());
