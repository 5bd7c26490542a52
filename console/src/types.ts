import type { z } from "zod";
import type { ProblemDetailsSchema } from "../../shared/http/problem";

/**
 * The API's answers as the console reads them (shared/http/answers.ts: inferred from the schemas
 * the HTTP layer validates with; type-only, so nothing of zod or the server reaches the bundle),
 * under the console's names.
 */
export type {
  BaselineList,
  ChangePage,
  CompareResult,
  Coverage,
  DriftReport,
  ItemPage,
  MissingReport,
  Portfolio,
  PolicyTypeList,
  RunChanges,
  RunPage,
  SelectionList,
  SyncAccepted,
  WhoAmI,
} from "../../shared/http/answers";
export type {
  ChangeView as Change,
  ItemView as Item,
  /** One item with its assignments (GET …/inventory/items/{itemId}). */
  ItemView as ItemDetail,
  RunView as Run,
  TenantView as Tenant,
} from "../../shared/http/answers";
/** Problem details, read tolerantly: a proxy or a newer app may send a code this build does not know. */
export type Problem = Partial<Omit<z.infer<typeof ProblemDetailsSchema>, "code">> & { code?: string };
