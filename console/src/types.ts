import type { z } from "zod";
import type { ProblemDetailsSchema } from "../../shared/http/problem";
import type {
  BaselineListSchema,
  ChangePageSchema,
  CompareResultSchema,
  CoverageSchema,
  DriftReportViewSchema,
  ItemPageSchema,
  ItemViewSchema,
  PolicyTypeListSchema,
  PortfolioSchema,
  RunChangesSchema,
  RunPageSchema,
  RunViewSchema,
  SyncAcceptedSchema,
  TenantListSchema,
  WhoAmISchema,
} from "../../shared/http/schemas";
import type { MissingReportSchema } from "../../shared/domain/missing";
import type { SelectionListSchema } from "../../shared/http/routes/selections";

/**
 * The API's answers as the console reads them: types inferred from the very zod schemas the
 * HTTP layer validates with (type-only imports: nothing of zod or the server reaches the bundle),
 * so a change to the contract breaks the console's typecheck, not its users.
 */
export type Run = z.infer<typeof RunViewSchema>;
export type RunPage = z.infer<typeof RunPageSchema>;
export type ItemPage = z.infer<typeof ItemPageSchema>;
export type Item = ItemPage["items"][number];
export type Coverage = z.infer<typeof CoverageSchema>;
export type Tenant = z.infer<typeof TenantListSchema>["items"][number];
export type Portfolio = z.infer<typeof PortfolioSchema>;
export type PolicyTypeList = z.infer<typeof PolicyTypeListSchema>;
export type MissingReport = z.infer<typeof MissingReportSchema>;
export type SyncAccepted = z.infer<typeof SyncAcceptedSchema>;
export type CompareResult = z.infer<typeof CompareResultSchema>;
export type BaselineList = z.infer<typeof BaselineListSchema>;
export type DriftReport = z.infer<typeof DriftReportViewSchema>;
export type SelectionList = z.infer<typeof SelectionListSchema>;
/** One run's change set (GET …/inventory/runs/{runId}/changes) and the tenant's changes over time (GET …/inventory/changes). */
export type RunChanges = z.infer<typeof RunChangesSchema>;
export type ChangePage = z.infer<typeof ChangePageSchema>;
export type Change = ChangePage["items"][number];
/** One item with its assignments (GET …/inventory/items/{itemId}). */
export type ItemDetail = z.infer<typeof ItemViewSchema>;
export type WhoAmI = z.infer<typeof WhoAmISchema>;
/** Problem details, read tolerantly: a proxy or a newer app may send a code this build does not know. */
export type Problem = Partial<Omit<z.infer<typeof ProblemDetailsSchema>, "code">> & { code?: string };
