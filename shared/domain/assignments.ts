import { z } from "zod";

/**
 * Where an item is applied, normalised across Graph's target types (docs/api.md "One item").
 * Graph spells the same thing many ways (`#microsoft.graph.groupAssignmentTarget`,
 * `exclusionGroupAssignmentTarget`, `allLicensedUsersAssignmentTarget`, app `intent`, filter id
 * + type); one shape lets change sets, dependencies, compare and drift treat them alike.
 */
export const AssignmentTargetSchema = z.object({
  kind: z.enum(["group", "allUsers", "allDevices", "allLicensedUsers"]),
  groupId: z.string().max(256).nullable(),
  intent: z.enum(["include", "exclude"]),
  appIntent: z.enum(["required", "available", "uninstall"]).nullable(),
  filterId: z.string().max(256).nullable(),
  filterMode: z.enum(["include", "exclude"]).nullable(),
});

/**
 * `unknown`: the assignments could not be read (Graph does not return them for the type, or the
 * read failed) — never stored as an empty list that would look like "unassigned".
 * `notApplicable`: the type has no assignments at all (e.g. scope tags, filters themselves).
 */
/** More targets than this on one object is not an Intune tenant; stored as `unknown`. */
const MAX_ASSIGNMENT_TARGETS = 1_000;

export const AssignmentsSchema = z.object({
  status: z.enum(["known", "unknown", "notApplicable"]),
  targets: z.array(AssignmentTargetSchema).max(MAX_ASSIGNMENT_TARGETS),
});
export type Assignments = z.infer<typeof AssignmentsSchema>;
export type AssignmentTarget = z.infer<typeof AssignmentTargetSchema>;

/** What is stored when the assignments were not (or could not be) read. */
export const UNKNOWN_ASSIGNMENTS: Assignments = Object.freeze({ status: "unknown", targets: [] }) as Assignments;
/** What is stored for a type whose entity has no assignments at all. */
export const NOT_APPLICABLE_ASSIGNMENTS: Assignments = Object.freeze({ status: "notApplicable", targets: [] }) as Assignments;

/**
 * Graph's target types (`target["@odata.type"]`) → kind and include/exclude. Cloud PC policies
 * use their own group target type; everything else the Intune ones. A target type outside this
 * table (e.g. a Configuration Manager collection) makes the whole list `unknown`: dropping it
 * would store a list that looks complete and is not.
 */
const TARGET_TYPES: Record<string, { kind: AssignmentTarget["kind"]; intent: AssignmentTarget["intent"] }> = {
  "#microsoft.graph.groupAssignmentTarget": { kind: "group", intent: "include" },
  "#microsoft.graph.exclusionGroupAssignmentTarget": { kind: "group", intent: "exclude" },
  "#microsoft.graph.cloudPcManagementGroupAssignmentTarget": { kind: "group", intent: "include" },
  "#microsoft.graph.allLicensedUsersAssignmentTarget": { kind: "allLicensedUsers", intent: "include" },
  "#microsoft.graph.allUsersAssignmentTarget": { kind: "allUsers", intent: "include" },
  "#microsoft.graph.allDevicesAssignmentTarget": { kind: "allDevices", intent: "include" },
};

/**
 * App assignment intents. `availableWithoutEnrollment` is "available" to unenrolled devices
 * (MAM); the normalised shape has no fourth value, and "available" is what it means to a reader.
 */
const APP_INTENTS: Record<string, NonNullable<AssignmentTarget["appIntent"]>> = {
  required: "required",
  available: "available",
  availableWithoutEnrollment: "available",
  uninstall: "uninstall",
};

const text = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value : null);

/** One Graph assignment → a normalised target, or null when it cannot be represented faithfully. */
function normaliseTarget(raw: unknown): AssignmentTarget | null {
  if (raw === null || typeof raw !== "object") return null;
  const assignment = raw as Record<string, unknown>;
  const target = assignment.target as Record<string, unknown> | null | undefined;
  if (target === null || typeof target !== "object") return null;
  const type = TARGET_TYPES[String(target["@odata.type"] ?? "")];
  if (!type) return null;
  const groupId = type.kind === "group" ? text(target.groupId) : null;
  if (type.kind === "group" && groupId === null) return null;
  const filterType = target.deviceAndAppManagementAssignmentFilterType;
  const filterId = text(target.deviceAndAppManagementAssignmentFilterId);
  const filterMode = filterId !== null && (filterType === "include" || filterType === "exclude") ? filterType : null;
  let appIntent: AssignmentTarget["appIntent"] = null;
  if (assignment.intent !== undefined && assignment.intent !== null) {
    const mapped = APP_INTENTS[String(assignment.intent)];
    if (!mapped) return null;
    appIntent = mapped;
  }
  return AssignmentTargetSchema.parse({
    kind: type.kind,
    groupId: groupId?.slice(0, 256) ?? null,
    intent: type.intent,
    appIntent,
    filterId: filterMode === null ? null : (filterId as string).slice(0, 256),
    filterMode,
  });
}

/**
 * Graph's assignment list of one object (an expanded `assignments` array or the `value` of
 * `…/{id}/assignments`) → the normalised shape. Anything that is not a list, or holds a target
 * we cannot represent, is `unknown` — never a shorter list that would read as fewer targets.
 */
export function normaliseAssignments(raw: unknown): Assignments {
  if (!Array.isArray(raw) || raw.length > MAX_ASSIGNMENT_TARGETS) return UNKNOWN_ASSIGNMENTS;
  const targets: AssignmentTarget[] = [];
  for (const entry of raw) {
    const target = normaliseTarget(entry);
    if (target === null) return UNKNOWN_ASSIGNMENTS;
    targets.push(target);
  }
  return { status: "known", targets };
}

/** The prefix of a denormalised reference (`group:<id>`, `filter:<id>`, `scopeTag:<id>`). */
export type ReferenceKind = "group" | "filter" | "scopeTag";
export const referenceKey = (kind: ReferenceKind, id: string): string => `${kind}:${id.toLowerCase()}`;

/**
 * Every group, filter and scope tag an item references, as one flat list of prefixed keys, for
 * the dependencies query (`ARRAY_CONTAINS(c.refs, @ref)`). Ids are GUIDs for groups and filters
 * and small integers for scope tags; compared case-insensitively as Graph does.
 */
export function itemReferences(assignments: Assignments | undefined, scopeTagIds: readonly string[]): string[] {
  const refs = new Set<string>();
  for (const target of assignments?.status === "known" ? assignments.targets : []) {
    if (target.groupId) refs.add(referenceKey("group", target.groupId));
    if (target.filterId) refs.add(referenceKey("filter", target.filterId));
  }
  for (const tag of scopeTagIds) refs.add(referenceKey("scopeTag", tag));
  return [...refs].sort();
}
