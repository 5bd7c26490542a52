import { z } from "zod";
import { ProblemDetailsSchema } from "../../shared/http/problem";
import {
  CoverageSchema,
  ItemPageSchema,
  MissingReportViewSchema,
  PolicyTypeListSchema,
  RunPageSchema,
  RunViewSchema,
  SyncAcceptedSchema,
  TenantListSchema,
  TenantViewSchema,
} from "../../shared/http/schemas";

/**
 * The response bodies of docs/api.md as the CLI reads them: the very schemas the HTTP layer
 * validates its answers with (and generates OpenAPI from), so a change to the contract breaks
 * the CLI's build or tests rather than its users.
 */
export {
  CoverageSchema,
  ItemPageSchema,
  MissingReportViewSchema as MissingReportSchema,
  PolicyTypeListSchema,
  RunPageSchema,
  RunViewSchema as RunSchema,
  SyncAcceptedSchema,
  TenantListSchema,
  TenantViewSchema as TenantSchema,
};
export type SyncAccepted = z.infer<typeof SyncAcceptedSchema>;
export type RunPage = z.infer<typeof RunPageSchema>;
export type ItemPage = z.infer<typeof ItemPageSchema>;
export type Tenant = z.infer<typeof TenantViewSchema>;
export type CoverageRow = z.infer<typeof CoverageSchema>["items"][number];
export type PolicyTypeView = z.infer<typeof PolicyTypeListSchema>["items"][number];

/**
 * Problem details, read tolerantly: a proxy, an older app or a newer one may answer with a
 * code or shape this build does not know, and the user still deserves its status and detail.
 * Every member becomes optional and the code may be any text.
 */
export const ProblemSchema = ProblemDetailsSchema.partial().extend({ code: z.string().optional() });
export type Problem = z.infer<typeof ProblemSchema>;
