import type { Assignments } from "./assignments";
import { differingFields, normaliseDisplayName } from "./canonical";
import type { ComparableItem } from "./canonical";
import type { MetaKey } from "./policyTypes";

/**
 * What "the same" means between two tenants (compare) or between a tenant and a baseline taken
 * from another tenant (drift). Both use canonical.ts's one order-free comparison; this module
 * only says which of its fields cannot mean anything across tenants, so they never differ:
 *
 * - **Volatile**: timestamps and counters Graph moves on its own — `createdDateTime`,
 *   `lastModifiedDateTime`, `lastUpdateDateTime`, `version` (bumped on every save, so two
 *   tenants configured identically on different days always differ), and the derived counters
 *   `deployedAppCount`, `referencingConfigurationPolicyCount`, and per-tenant token expiries
 *   (`expirationDateTime`, `tokenExpirationDateTime`).
 * - **Tenant-specific ids**: object ids minted per tenant — `roleScopeTagIds` (scope tag ids are
 *   numbers each tenant assigns in creation order), `roleScopeTags`, `targetedMobileApps` (app
 *   ids), and in assignments the `groupId` and `filterId` of every target: the same "Pilot
 *   devices" group has a different object id in each tenant. An assignment target is compared
 *   by what it means (kind, include/exclude, app intent, whether and how a filter applies).
 * - **The match key**: `displayName` is how items are matched (normalised), so a difference of
 *   case or spacing is not a difference.
 *
 * Everything else that is stored (platform, `@odata.type`, description, template, settings
 * counts, app intents …) is compared, so a real change is never hidden.
 */
export const CROSS_TENANT_IGNORED_META: readonly MetaKey[] = [
  "createdDateTime",
  "lastModifiedDateTime",
  "lastUpdateDateTime",
  "version",
  "deployedAppCount",
  "referencingConfigurationPolicyCount",
  "expirationDateTime",
  "tokenExpirationDateTime",
  "roleScopeTagIds",
  "roleScopeTags",
  "targetedMobileApps",
];

const IGNORED_FIELDS = new Set<string>(["displayName", ...CROSS_TENANT_IGNORED_META.map((k) => `meta.${k}`)]);

/** True for a field path canonical.ts reports that never differs across tenants. */
export function crossTenantIgnored(field: string): boolean {
  return IGNORED_FIELDS.has(field);
}

/** Assignments with the tenant-specific ids of their targets blanked (their meaning stays). */
export function crossTenantAssignments(assignments: Assignments | undefined): Assignments | undefined {
  if (!assignments) return undefined;
  return {
    status: assignments.status,
    targets: assignments.targets.map((t) => ({
      ...t,
      groupId: t.groupId === null ? null : "tenant-specific",
      filterId: t.filterId === null ? null : "tenant-specific",
    })),
  };
}

/** An item as it is compared across tenants: ignored meta keys dropped, assignment ids blanked. */
export function crossTenantComparable(item: ComparableItem): ComparableItem {
  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item.meta)) if (!IGNORED_FIELDS.has(`meta.${key}`)) meta[key] = value;
  const assignments = crossTenantAssignments(item.assignments);
  return { displayName: item.displayName, platform: item.platform, meta, ...(assignments && { assignments }) };
}

/** The fields of two items (of two tenants) that differ in a way that means something. */
export function crossTenantDifferences(
  a: ComparableItem,
  b: ComparableItem,
  ignore: (field: string) => boolean = () => false,
): string[] {
  return differingFields(crossTenantComparable(a), crossTenantComparable(b), {
    ignore: (field) => crossTenantIgnored(field) || ignore(field),
  });
}

/** How items are matched across tenants: policy type + normalised display name. */
export function matchKey(policyType: string, displayName: string): string {
  return `${policyType}\u0000${normaliseDisplayName(displayName)}`;
}
