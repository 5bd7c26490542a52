import { z } from "zod";
import { ProblemDetailsSchema } from "../shared/http/problem";

/**
 * The response bodies of docs/api.md as the CLI reads them: shared/http/answers.ts, inferred from
 * the very schemas the HTTP layer validates its answers with (and generates OpenAPI from), so a
 * change to the contract breaks the CLI's build or tests rather than its users.
 */
export type {
  BaselineView,
  ChangeView,
  CompareResult,
  Coverage,
  CoverageRow,
  DriftReport,
  ItemPage,
  Portfolio,
  PortfolioRow,
  PolicyTypeView,
  RunChanges,
  RunPage,
  SyncAccepted,
  TenantView,
} from "../shared/http/answers";

/**
 * Problem details, read tolerantly: a proxy, an older app or a newer one may answer with a
 * code or shape this build does not know, and the user still deserves its status and detail.
 * Every member becomes optional and the code may be any text.
 */
export const ProblemSchema = ProblemDetailsSchema.partial().extend({ code: z.string().optional() });
