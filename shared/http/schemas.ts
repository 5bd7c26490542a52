import { z } from "zod";
import { CategorySchema, PolicyTypeKeySchema } from "../domain/policyTypes";
import { PlatformSchema } from "../domain/platform";
import { InventoryItemSchema } from "../domain/item";
import { AssignmentTargetSchema, AssignmentsSchema, UNKNOWN_ASSIGNMENTS } from "../domain/assignments";
import { ConfidenceSchema, MissingReportSchema } from "../domain/missing";
import { PortfolioRowSchema } from "../domain/tenantSummary";
import { RunSchema, RunStatusSchema } from "../domain/run";
import { ChangeCountsSchema, ChangeKindSchema, ChangeSchema } from "../domain/changes";
import { SelectionHashOrPrefixSchema, SelectionInputSchema } from "../domain/selection";
import { ExportFormatQuerySchema } from "./exports";
import { GroupIdSchema, MAX_ACCESS_GROUPS, MAX_TENANT_BASELINES, TenantIdSchema, TenantSchema } from "../domain/tenant";
import { BaselineIdSchema, BaselineSchema, DriftReportSchema, MAX_BASELINE_ITEMS } from "../domain/baseline";
import { CompareCountsSchema, CompareRowSchema } from "../domain/compare";
import { ApiRoleSchema } from "./pipeline";

/**
 * Every schema the HTTP layer validates with, and the same instances the OpenAPI document is
 * generated from (`.meta({ id })` names the components). Types come from z.infer.
 */

// ── path ────────────────────────────────────────────────────────────────────────────────────
export const TenantIdParamSchema = TenantIdSchema.meta({
  description: "Entra tenant id (GUID, case-insensitive; stored lower-case).",
  example: "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
});
/** Accepted on every route and echoed on every response (see correlation.ts). */
export const CorrelationHeaderSchema = z.object({
  "x-correlation-id": z
    .string()
    .optional()
    .meta({ description: "1–64 characters of A-Z a-z 0-9 . _ -; anything else is replaced by a new id. Echoed on the response." }),
});

export const TenantPathSchema = z.object({ tenantId: TenantIdParamSchema });

export const RunIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, "expected a run id (1–128 characters of A-Z a-z 0-9 . _ : -)")
  .meta({ description: "Run id as returned by POST …/sync." });
export const RunPathSchema = z.object({ tenantId: TenantIdParamSchema, runId: RunIdSchema });

/** Every id this service issues is `<policyType>.<base64url>`; anything outside this alphabet cannot name an item. */
export const ItemIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,255}$/, "expected an item id (1–255 characters of A-Z a-z 0-9 . _ -)")
  .meta({ description: "The item's `id` as served by the items routes (URL-encoded)." });
export const ItemPathSchema = z.object({ tenantId: TenantIdParamSchema, itemId: ItemIdSchema });

// ── query ───────────────────────────────────────────────────────────────────────────────────
export const LIST_LIMIT = { min: 1, max: 200, default: 50 } as const;
const limitMessage = `expected an integer between ${LIST_LIMIT.min} and ${LIST_LIMIT.max}`;

/** Digits only: `1e2`, `0x10`, ` 5` or `-1` are not limits, whatever Number() thinks. */
export const LimitQuerySchema = z
  .string()
  .regex(/^\d{1,6}$/, limitMessage)
  .transform(Number)
  .pipe(z.number().int().min(LIST_LIMIT.min, limitMessage).max(LIST_LIMIT.max, limitMessage))
  .default(LIST_LIMIT.default)
  // The wire type is a digit string; documented as the integer it means (the pattern is an implementation detail).
  .meta({
    type: "integer",
    minimum: LIST_LIMIT.min,
    maximum: LIST_LIMIT.max,
    default: LIST_LIMIT.default,
    description: `Page size, ${LIST_LIMIT.min}–${LIST_LIMIT.max}.`,
  });

export const ContinuationTokenQuerySchema = z
  .string()
  .min(1)
  .max(24_000)
  .meta({ description: "The `continuationToken` of the previous page of the same list and tenant." });

const SelectionHashQuerySchema = SelectionHashOrPrefixSchema.optional().meta({
  description: "A selection hash, or a unique prefix of it of at least 8 hex characters (ambiguous: 400 SELECTION_AMBIGUOUS).",
});

export const RunsQuerySchema = z.strictObject({
  selectionHash: SelectionHashQuerySchema,
  status: RunStatusSchema.optional(),
  limit: LimitQuerySchema,
  continuationToken: ContinuationTokenQuerySchema.optional(),
});

export const ItemsQuerySchema = z.strictObject({
  policyType: PolicyTypeKeySchema.optional(),
  category: CategorySchema.optional(),
  platform: PlatformSchema.optional(),
  q: z.string().min(1).max(256).optional().meta({ description: "Case-insensitive substring of displayName." }),
  limit: LimitQuerySchema,
  continuationToken: ContinuationTokenQuerySchema.optional(),
  format: ExportFormatQuerySchema,
});

/** An ISO-8601 instant with an offset, normalised to UTC `toISOString()` form (how change times are stored and compared). */
const IsoInstantQuerySchema = z.iso
  .datetime({ offset: true, error: "expected an ISO-8601 date-time, e.g. 2026-01-01T00:00:00Z" })
  .transform((v) => new Date(v).toISOString());

export const RunChangesQuerySchema = z.strictObject({
  kind: ChangeKindSchema.optional(),
  policyType: PolicyTypeKeySchema.optional(),
  limit: LimitQuerySchema,
  continuationToken: ContinuationTokenQuerySchema.optional(),
  format: ExportFormatQuerySchema,
});

export const ChangesQuerySchema = RunChangesQuerySchema.extend({
  since: IsoInstantQuerySchema.optional().meta({ description: "Changes detected at or after this instant (ISO-8601)." }),
  until: IsoInstantQuerySchema.optional().meta({ description: "Changes detected before this instant (ISO-8601); not before since." }),
}).superRefine((q, ctx) => {
  // An empty window is a mistake (swapped bounds), not a question whose answer is "nothing".
  if (q.since !== undefined && q.until !== undefined && q.since > q.until) {
    for (const path of ["since", "until"]) ctx.addIssue({ code: "custom", path: [path], message: "since must not be after until" });
  }
});

const GuidQuerySchema = (what: string) =>
  z
    .string()
    .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, `expected ${what} (GUID)`)
    .meta({ description: `${what[0]?.toUpperCase()}${what.slice(1)} (GUID, case-insensitive).` });

/** Exactly one of filterId, groupId, scopeTagId. */
export const DependenciesQuerySchema = z
  .strictObject({
    filterId: GuidQuerySchema("an assignment filter id").optional(),
    groupId: GuidQuerySchema("an Entra group object id").optional(),
    scopeTagId: z
      .string()
      .regex(/^\d{1,10}$/, "expected a scope tag id (digits, e.g. 0 for Default)")
      .optional()
      .meta({ description: "Intune role scope tag id (digits; 0 is Default)." }),
    limit: LimitQuerySchema,
    continuationToken: ContinuationTokenQuerySchema.optional(),
  })
  .refine((q) => [q.filterId, q.groupId, q.scopeTagId].filter((v) => v !== undefined).length === 1, {
    message: "give exactly one of filterId, groupId, scopeTagId",
    path: ["filterId"],
  });

const commaList = (what: string) =>
  z
    .string()
    .max(8_192)
    .meta({ description: `Comma-separated ${what}; normalised and hashed exactly like a sync body.` });

/** Either `selectionHash`, or the selection itself as comma lists (checked in the handler). */
export const MissingQuerySchema = z
  .strictObject({
    selectionHash: SelectionHashQuerySchema,
    policyTypes: commaList("policy type keys").optional(),
    categories: commaList("categories").optional(),
    includeFoundations: z.enum(["true", "false"]).optional(),
    format: ExportFormatQuerySchema,
  })
  .refine(
    (q) => q.selectionHash === undefined || (q.policyTypes === undefined && q.categories === undefined && q.includeFoundations === undefined),
    { message: "give either selectionHash or policyTypes/categories/includeFoundations, not both", path: ["selectionHash"] },
  );

// ── bodies ──────────────────────────────────────────────────────────────────────────────────
export const WAIT_FOR_SLOT_MAX_SECONDS = 3_600;

export const SyncRequestSchema = z
  .strictObject({
    ...SelectionInputSchema.shape,
    waitForSlotSeconds: z
      .number()
      .int()
      .min(0)
      .max(WAIT_FOR_SLOT_MAX_SECONDS)
      .optional()
      .meta({ description: "How long a run refused by a concurrency limit waits for a slot; not part of the selection hash." }),
  })
  .meta({ id: "SyncRequest" });

export const SelectionInputViewSchema = SelectionInputSchema.meta({ id: "SelectionInput" });

export const TenantPutSchema = z
  .strictObject({
    displayName: z.string().min(1).max(256).refine((v) => v.trim().length > 0, "must not be blank"),
    enabled: z.boolean().default(true),
    selections: z
      .array(SelectionInputViewSchema)
      .max(20)
      .optional()
      .meta({ description: "Nightly selections; default: every non-foundation type plus foundations." }),
    accessGroups: z
      .array(GroupIdSchema)
      .max(MAX_ACCESS_GROUPS)
      .optional()
      .meta({
        description:
          "Entra group object ids whose members may act on this tenant when AUTH_REQUIRE_PRINCIPAL=true (on top of the route's role). " +
          "Absent or empty: every holder of the role.",
      }),
    baselines: z
      .array(BaselineIdSchema)
      .max(MAX_TENANT_BASELINES)
      .optional()
      .meta({ description: "Baseline ids whose drift is evaluated after every finished run of the tenant; each must exist." }),
  })
  .meta({ id: "TenantPut" });

/** The selection comma lists of compare (normalised like a sync body; none: every non-foundation type). */
export const CompareQuerySchema = z.strictObject({
  left: TenantIdParamSchema.meta({ description: "The tenant on the left (e.g. the gold tenant)." }),
  right: TenantIdParamSchema.meta({ description: "The tenant on the right." }),
  policyTypes: commaList("policy type keys").optional(),
  categories: commaList("categories").optional(),
  includeFoundations: z.enum(["true", "false"]).optional(),
  format: ExportFormatQuerySchema,
});

/** A route that takes no query parameters: an unknown one is 400 VALIDATION_FAILED, as everywhere. */
export const NoQuerySchema = z.strictObject({});

export const BaselinePathSchema = z.object({ baselineId: BaselineIdSchema });

export const DriftQuerySchema = z.strictObject({
  baselineId: BaselineIdSchema.optional().meta({
    description: "The baseline to hold the tenant against; may be omitted when exactly one is assigned to the tenant.",
  }),
});

const MAX_LISTED_ITEMS = 2_000;

export const BaselinePutSchema = z
  .strictObject({
    displayName: z.string().min(1).max(256).refine((v) => v.trim().length > 0, "must not be blank"),
    source: z
      .strictObject({
        tenantId: TenantIdParamSchema,
        policyTypes: z.array(PolicyTypeKeySchema).max(100).optional(),
        categories: z.array(CategorySchema).max(100).optional(),
        includeFoundations: z.boolean().optional(),
      })
      .optional()
      .meta({ description: "Capture the expected items from this tenant's current inventory (optionally a subset: a selection)." }),
    items: z
      .array(
        z.strictObject({
          policyType: PolicyTypeKeySchema,
          displayName: z.string().min(1).max(1_024).refine((v) => v.trim().length > 0, "must not be blank"),
          meta: z.record(z.string().max(128), z.unknown()).optional().meta({ description: "Only these meta keys are expected (compared); others are not." }),
        }),
      )
      .max(MAX_LISTED_ITEMS)
      .optional()
      .meta({ description: "List the expected items explicitly." }),
  })
  .refine((b) => (b.source === undefined) !== (b.items === undefined), {
    message: "give exactly one of source (capture from a tenant) or items (an explicit list)",
    path: ["source"],
  })
  .meta({ id: "BaselinePut" });

// ── responses ───────────────────────────────────────────────────────────────────────────────
export const RunViewSchema = RunSchema.meta({ id: "Run" });
export const AssignmentTargetViewSchema = AssignmentTargetSchema.meta({ id: "AssignmentTarget" });
export const AssignmentsViewSchema = AssignmentsSchema.extend({ targets: z.array(AssignmentTargetViewSchema) }).meta({
  id: "Assignments",
  description:
    "Where the item is applied. `unknown`: not read (Graph does not return them for the type, or the read failed) — never an " +
    "empty list that only looks like unassigned; `notApplicable`: the type has no assignments.",
});
/**
 * Served items always carry assignments: one stored before they were read is served as
 * `unknown` (the default also lets this CLI read an older API that sends none).
 */
export const ItemViewSchema = InventoryItemSchema.extend({ assignments: AssignmentsViewSchema.default(UNKNOWN_ASSIGNMENTS) }).meta({ id: "Item" });
export const MissingReportViewSchema = MissingReportSchema.meta({ id: "MissingReport" });
export const TenantViewSchema = TenantSchema.meta({ id: "Tenant" });

export const SyncAcceptedSchema = z
  .object({
    runId: z.string(),
    tenantId: z.string(),
    selectionHash: z.string(),
    status: RunStatusSchema,
    links: z.object({ run: z.string().meta({ description: "Path of the run to poll." }) }),
  })
  .meta({ id: "SyncAccepted" });
export type SyncAccepted = z.infer<typeof SyncAcceptedSchema>;

export const RunPageSchema = z
  .object({ items: z.array(RunViewSchema), continuationToken: z.string().nullable() })
  .meta({ id: "RunPage" });
export const ItemPageSchema = z
  .object({ items: z.array(ItemViewSchema), continuationToken: z.string().nullable() })
  .meta({ id: "ItemPage" });

export const ChangeViewSchema = ChangeSchema.meta({ id: "Change" });
export const ChangeCountsViewSchema = ChangeCountsSchema.meta({ id: "ChangeCounts" });
export const ChangePageSchema = z
  .object({ items: z.array(ChangeViewSchema), continuationToken: z.string().nullable() })
  .meta({ id: "ChangePage" });
export const RunChangesSchema = z
  .object({
    runId: z.string(),
    baseRunId: z.string().nullable(),
    counts: ChangeCountsViewSchema,
    incompleteTypes: z.array(PolicyTypeKeySchema).meta({ description: "Types of the run's scope it did not enumerate completely: nothing of them is called removed." }),
    items: z.array(ChangeViewSchema),
    continuationToken: z.string().nullable(),
  })
  .meta({ id: "RunChanges" });

export const CoverageRowSchema = z
  .object({
    policyType: PolicyTypeKeySchema,
    category: CategorySchema,
    itemCount: z.number().int().nonnegative(),
    lastObservedAt: z.string().nullable(),
    lastRun: z.object({ id: z.string(), status: RunStatusSchema, errorCode: z.string().nullable() }).nullable(),
  })
  .meta({ id: "CoverageRow" });
export const CoverageSchema = z.object({ items: z.array(CoverageRowSchema) }).meta({ id: "Coverage" });

export const PolicyTypeViewSchema = z
  .object({
    key: PolicyTypeKeySchema,
    category: CategorySchema,
    graphPath: z.string(),
    graphVersion: z.enum(["beta", "v1.0"]),
    foundation: z.boolean(),
  })
  .meta({ id: "PolicyType" });
export const PolicyTypeListSchema = z.object({ items: z.array(PolicyTypeViewSchema) }).meta({ id: "PolicyTypeList" });

export const CompareResultSchema = z
  .object({
    left: z.string(),
    right: z.string(),
    counts: CompareCountsSchema,
    confidence: ConfidenceSchema.meta({ description: "low when a type in scope was not enumerated completely by a side's latest run that covered it (or never read)." }),
    incompleteTypes: z
      .object({ left: z.array(PolicyTypeKeySchema), right: z.array(PolicyTypeKeySchema) })
      .meta({ description: "Per side, the types in scope its latest covering run did not enumerate completely, or that no run read: rows resting on them are `unconfirmed`." }),
    items: z.array(CompareRowSchema.meta({ id: "CompareRow" })),
  })
  .meta({ id: "CompareResult" });

export const BaselineViewSchema = BaselineSchema.extend({
  duplicatesDropped: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .meta({ description: "On capture: items of the source whose name (as matched) another item already had; a baseline expects one per name." }),
}).meta({ id: "Baseline" });
export const BaselineDetailSchema = BaselineSchema.extend({
  items: z.array(z.object({ policyType: PolicyTypeKeySchema, displayName: z.string(), exact: z.boolean() })).max(MAX_BASELINE_ITEMS),
}).meta({ id: "BaselineDetail" });
export const BaselineListSchema = z.object({ items: z.array(BaselineViewSchema) }).meta({ id: "BaselineList" });
export const DriftReportViewSchema = DriftReportSchema.meta({ id: "DriftReport" });

export const TenantListSchema = z.object({ items: z.array(TenantViewSchema) }).meta({ id: "TenantList" });

const CheckStatusSchema = z.enum(["ok", "failed"]);
export const HealthSchema = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    checks: z.object({ cosmos: CheckStatusSchema, tables: CheckStatusSchema }),
  })
  .meta({ id: "Health" });
export type Health = z.infer<typeof HealthSchema>;

export const WhoAmISchema = z
  .object({
    name: z.string().nullable().meta({ description: "The signed-in principal's name claim; null when principals are not required." }),
    roles: z.array(ApiRoleSchema).meta({ description: "The app roles the caller holds; every role when principals are not required." }),
    rolesEnforced: z.boolean().meta({ description: "AUTH_REQUIRE_PRINCIPAL: whether the roles are checked on every route." }),
  })
  .meta({ id: "WhoAmI" });

export const PortfolioSchema = z
  .object({
    items: z.array(PortfolioRowSchema),
    generatedAt: z.string(),
  })
  .meta({ id: "Portfolio" });
