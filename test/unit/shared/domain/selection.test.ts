import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CategorySchema,
  POLICY_TYPES,
  POLICY_TYPE_KEYS,
  SelectionInputSchema,
  canonicalJson,
  normaliseSelection,
  policyTypesInScope,
  policyTypesOfCategory,
  selectionHash,
} from "../../../../shared/domain";
import type { Category, PolicyTypeKey, SelectionInput } from "../../../../shared/domain";

const CATEGORIES = CategorySchema.options;
const FOUNDATIONS = POLICY_TYPES.filter((t) => t.foundation).map((t) => t.key);
const hashOf = (input: SelectionInput) => selectionHash(normaliseSelection(input));

/** The meaning of a raw selection (docs/api.md): what a normaliser must preserve. */
function scopeOf(input: SelectionInput): PolicyTypeKey[] {
  const named = new Set<string>([
    ...(input.policyTypes ?? []),
    ...(input.categories ?? []).flatMap((c) => policyTypesOfCategory(c)),
  ]);
  const everything = named.size === 0;
  return POLICY_TYPES.filter(
    (t) =>
      named.has(t.key) ||
      (everything && !t.foundation) ||
      ((input.includeFoundations ?? false) && t.foundation),
  ).map((t) => t.key);
}

const selectionInput = fc.record(
  {
    policyTypes: fc.array(fc.constantFrom(...POLICY_TYPE_KEYS), { maxLength: 8 }),
    categories: fc.array(fc.constantFrom(...CATEGORIES), { maxLength: 4 }),
    includeFoundations: fc.boolean(),
  },
  { requiredKeys: [] },
);

/** Same content, different presentation: shuffled arrays, duplicated entries, reordered keys. */
const presentationOf = (input: SelectionInput) =>
  fc
    .record({
      types: fc.shuffledSubarray([...(input.policyTypes ?? []), ...(input.policyTypes ?? [])], {
        minLength: 2 * (input.policyTypes ?? []).length,
      }),
      cats: fc.shuffledSubarray([...(input.categories ?? []), ...(input.categories ?? [])], {
        minLength: 2 * (input.categories ?? []).length,
      }),
      keyOrder: fc.shuffledSubarray(["policyTypes", "categories", "includeFoundations"] as const, {
        minLength: 3,
      }),
    })
    .map(({ types, cats, keyOrder }) => {
      const values = { policyTypes: types, categories: cats, includeFoundations: input.includeFoundations };
      const out: Record<string, unknown> = {};
      for (const key of keyOrder) if (input[key] !== undefined) out[key] = values[key];
      return out as SelectionInput;
    });

describe("selection hash", () => {
  it("is the same for any permutation of keys and array entries, and with duplicates", () => {
    fc.assert(
      fc.property(
        selectionInput.chain((input) => fc.tuple(fc.constant(input), presentationOf(input))),
        ([input, presented]) => {
          expect(hashOf(presented)).toBe(hashOf(input));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("treats absent keys as their defaults", () => {
    expect(hashOf({})).toBe(hashOf({ policyTypes: [], categories: [], includeFoundations: false }));
  });

  it("differs whenever the scopes differ", () => {
    fc.assert(
      fc.property(selectionInput, selectionInput, (a, b) => {
        fc.pre(scopeOf(a).join() !== scopeOf(b).join());
        expect(hashOf(a)).not.toBe(hashOf(b));
      }),
      { numRuns: 500 },
    );
  });

  it("is 64 lower-case hex characters of sha256 over the canonical JSON", () => {
    const hash = hashOf({ policyTypes: ["mobileApp"] });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalJson(normaliseSelection({ policyTypes: ["mobileApp"] }))).toBe(
      '{"categories":[],"includeFoundations":false,"policyTypes":["mobileApp"]}',
    );
  });
});

describe("normaliseSelection", () => {
  it("applies defaults, de-duplicates and sorts", () => {
    expect(
      normaliseSelection({
        policyTypes: ["mobileApp", "deviceConfiguration", "mobileApp"],
        categories: ["scripts", "apps", "scripts"],
      }),
    ).toEqual({
      policyTypes: ["deviceConfiguration"],
      categories: ["apps", "scripts"],
      includeFoundations: false,
    });
    expect(normaliseSelection({})).toEqual({ policyTypes: [], categories: [], includeFoundations: false });
  });

  it("drops policy types a named category already covers", () => {
    expect(
      normaliseSelection({
        policyTypes: ["deviceConfiguration", "mobileApp"],
        categories: ["configuration"],
      }),
    ).toEqual({
      policyTypes: ["mobileApp"],
      categories: ["configuration"],
      includeFoundations: false,
    });
  });

  it("preserves the scope of every selection", () => {
    fc.assert(
      fc.property(selectionInput, (input) => {
        expect(policyTypesInScope(normaliseSelection(input))).toEqual(scopeOf(input));
      }),
      { numRuns: 500 },
    );
  });

  it("keeps a foundations-only selection foundations-only", () => {
    const selection = normaliseSelection({ policyTypes: ["assignmentFilter"], includeFoundations: true });
    expect(policyTypesInScope(selection)).toEqual(FOUNDATIONS);
  });

  it("is idempotent and its output is a valid input", () => {
    fc.assert(
      fc.property(selectionInput, (input) => {
        const once = normaliseSelection(input);
        expect(SelectionInputSchema.safeParse(once).success).toBe(true);
        expect(normaliseSelection(once)).toEqual(once);
      }),
    );
  });
});

describe("policyTypesInScope", () => {
  it("means every non-foundation type when nothing is named", () => {
    const all = policyTypesInScope(normaliseSelection({}));
    expect(all).toEqual(POLICY_TYPES.filter((t) => !t.foundation).map((t) => t.key));
    expect(all.some((t) => FOUNDATIONS.includes(t))).toBe(false);
  });

  it("adds foundations only when included or named", () => {
    expect(policyTypesInScope(normaliseSelection({ includeFoundations: true }))).toEqual(POLICY_TYPE_KEYS);
    expect(policyTypesInScope(normaliseSelection({ categories: ["foundations"] }))).toEqual(FOUNDATIONS);
    expect(policyTypesInScope(normaliseSelection({ policyTypes: ["roleScopeTag", "mobileApp"] }))).toEqual([
      "mobileApp",
      "roleScopeTag",
    ]);
    expect(
      policyTypesInScope(normaliseSelection({ categories: ["compliance"], includeFoundations: true })),
    ).toEqual(["deviceCompliancePolicy", "compliancePolicy", ...FOUNDATIONS]);
  });

  it("expands categories to their types in catalog order", () => {
    const cats: Category[] = ["updates", "scripts"];
    expect(policyTypesInScope(normaliseSelection({ categories: cats }))).toEqual([
      "deviceManagementScript",
      "deviceShellScript",
      "deviceHealthScript",
      "deviceComplianceScript",
      "windowsFeatureUpdateProfile",
      "windowsQualityUpdateProfile",
      "windowsDriverUpdateProfile",
      // Added to the catalog later: a category's scope grows with the catalog (docs/policy-types.md).
      "deviceCustomAttributeShellScript",
      "windowsQualityUpdatePolicy",
    ]);
  });

  it("hashes a category selection the same before and after the catalog grows: the hash covers the selection, not the types it expands to", () => {
    // The hash of { categories: ["scripts"] } recorded by runs before deviceCustomAttributeShellScript
    // existed; it must still find those runs.
    const selection = normaliseSelection({ categories: ["scripts"] });
    expect(selection).toEqual({ policyTypes: [], categories: ["scripts"], includeFoundations: false });
    expect(selectionHash(selection)).toBe(
      createHash("sha256").update('{"categories":["scripts"],"includeFoundations":false,"policyTypes":[]}').digest("hex"),
    );
  });
});
