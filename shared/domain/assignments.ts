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
export const AssignmentsSchema = z.object({
  status: z.enum(["known", "unknown", "notApplicable"]),
  targets: z.array(AssignmentTargetSchema).max(1_000),
});
export type Assignments = z.infer<typeof AssignmentsSchema>;
