import { hash } from "node:crypto";
import { z } from "zod";
import { CategorySchema, PolicyTypeKeySchema, derivePlatform, policyTypeDefinition, whitelistMeta } from "./policyTypes";
import type { PolicyTypeDefinition, PolicyTypeKey } from "./policyTypes";
import { PlatformSchema } from "./platform";
import { AssignmentsSchema, NOT_APPLICABLE_ASSIGNMENTS, UNKNOWN_ASSIGNMENTS, normaliseAssignments } from "./assignments";
import type { Assignments } from "./assignments";

/** What a sync observes of one Graph object, before the store adds tenant and run fields. */
export const ObservedItemSchema = z.object({
  policyType: PolicyTypeKeySchema,
  category: CategorySchema,
  externalId: z.string().min(1).max(1_024),
  displayName: z.string().max(1_024),
  platform: PlatformSchema,
  meta: z.record(z.string(), z.unknown()),
  /** Optional: items stored before assignments were read have none, and are served as `unknown`. */
  assignments: AssignmentsSchema.optional(),
});
export type ObservedItem = z.infer<typeof ObservedItemSchema>;

/** The inventory item as stored and as served by the API (docs/api.md "Item"). */
export const InventoryItemSchema = ObservedItemSchema.extend({
  id: z.string(),
  tenantId: z.string(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  lastSeenRunId: z.string(),
});
export type InventoryItem = z.infer<typeof InventoryItemSchema>;

/**
 * The stored document: the item plus, per selection hash, the id of the last run of that
 * selection that observed it. That map is what keeps "missing" isolated per selection.
 */
export const InventoryItemDocumentSchema = InventoryItemSchema.extend({
  docType: z.literal("item"),
  seenBy: z.record(z.string(), z.string()),
  /**
   * Per selection hash, the digests of the compared fields as that selection's last run saw them
   * (canonical.ts fieldDigests): how the next run tells what changed (changes.ts). Absent on
   * documents written before change sets.
   */
  fieldDigests: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  /**
   * Denormalised `group:<id>`, `filter:<id>`, `scopeTag:<id>` keys (itemReferences) so the
   * dependencies route is one indexed `ARRAY_CONTAINS` in the tenant's partition.
   */
  refs: z.array(z.string()).optional(),
});
export type InventoryItemDocument = z.infer<typeof InventoryItemDocumentSchema>;

/**
 * Cosmos ids may not contain `/ \ ? #` and are limited to 255 characters; Graph ids can hold
 * anything. A hash of (policyType, externalId) is deterministic, safe and bounded, so
 * id + partition key is the uniqueness guarantee and an upsert can never duplicate.
 */
export function itemDocumentId(policyType: PolicyTypeKey, externalId: string): string {
  // One-shot hash (Node 20.12+): the same digest as createHash().update()…, 3–6× cheaper for
  // ids this short (measured 0.5–0.9 µs vs 1.6–3.1 µs); it runs for every item of every sync.
  const digest = hash("sha256", `${policyType}\u0000${externalId}`, "base64url");
  return `${policyType}.${digest}`;
}

const GraphObjectSchema = z.looseObject({
  id: z.string().min(1).max(1_024),
  displayName: z.string().nullish(),
  name: z.string().nullish(),
  profileName: z.string().nullish(),
  tokenName: z.string().nullish(),
});

export type NormaliseResult = { ok: true; item: ObservedItem } | { ok: false; code: "ITEM_INVALID"; message: string };

/**
 * The per-type contract: turns one Graph object into an observed item. An object without a
 * usable id, or with a non-text name, is invalid (counted, skipped); meta keys outside the
 * type's whitelist are dropped without failing anything.
 */
export function normaliseGraphObject(policyType: PolicyTypeKey, raw: unknown): NormaliseResult {
  const def = policyTypeDefinition(policyType);
  const parsed = GraphObjectSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "object";
    return { ok: false, code: "ITEM_INVALID", message: `${policyType}: invalid ${where}: ${issue?.message ?? "invalid"}` };
  }
  const obj = parsed.data as Record<string, unknown>;
  // The type's own name field first, then the two names Graph uses elsewhere.
  const displayName = [obj[def.nameField], obj.displayName, obj.name].find((v): v is string => typeof v === "string") ?? "";
  return {
    ok: true,
    item: {
      policyType,
      category: def.category,
      externalId: parsed.data.id,
      displayName: displayName.slice(0, 1_024),
      platform: derivePlatform(def, obj),
      meta: whitelistMeta(def, obj),
      assignments: listedAssignments(def.assignments, obj),
    },
  };
}

/**
 * The assignments a listing tells: the expanded list for `expand` types; `notApplicable` for
 * types without assignments; `unknown` otherwise — for `perObject` types the sync replaces it
 * with what the per-object read returns, and keeps `unknown` when that read fails.
 */
function listedAssignments(read: PolicyTypeDefinition["assignments"], obj: Record<string, unknown>): Assignments {
  if (read === "expand") return normaliseAssignments(obj.assignments);
  if (read === "none") return NOT_APPLICABLE_ASSIGNMENTS;
  return UNKNOWN_ASSIGNMENTS;
}
