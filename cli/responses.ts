import { z } from "zod";
import { ProblemDetailsSchema } from "../shared/http/problem";
import type {
  BaselineViewSchema,
  CompareResultSchema,
  CoverageSchema,
  DriftReportViewSchema,
  ItemPageSchema,
  PolicyTypeListSchema,
  PortfolioSchema,
  RunChangesSchema,
  RunPageSchema,
  TenantViewSchema,
} from "../shared/http/schemas";

/**
 * The response bodies of docs/api.md as the CLI reads them: the very schemas the HTTP layer
 * validates its answers with (and generates OpenAPI from), so a change to the contract breaks
 * the CLI's build or tests rather than its users.
 */
export type { SyncAccepted } from "../shared/http/schemas";
export type RunPage = z.infer<typeof RunPageSchema>;
export type RunChanges = z.infer<typeof RunChangesSchema>;
export type ChangeView = RunChanges["items"][number];
export type ItemPage = z.infer<typeof ItemPageSchema>;
export type TenantView = z.infer<typeof TenantViewSchema>;
export type Coverage = z.infer<typeof CoverageSchema>;
export type BaselineView = z.infer<typeof BaselineViewSchema>;
export type CompareResult = z.infer<typeof CompareResultSchema>;
export type DriftReport = z.infer<typeof DriftReportViewSchema>;
export type CoverageRow = Coverage["items"][number];
export type Portfolio = z.infer<typeof PortfolioSchema>;
export type PortfolioRow = Portfolio["items"][number];
export type PolicyTypeView = z.infer<typeof PolicyTypeListSchema>["items"][number];

/**
 * Problem details, read tolerantly: a proxy, an older app or a newer one may answer with a
 * code or shape this build does not know, and the user still deserves its status and detail.
 * Every member becomes optional and the code may be any text.
 */
export const ProblemSchema = ProblemDetailsSchema.partial().extend({ code: z.string().optional() });
