import type { z } from "zod";
import type { MissingReportSchema } from "../domain/missing";
import type { SelectionListSchema } from "./routes/selections";
import type {
  BaselineListSchema,
  BaselineViewSchema,
  ChangePageSchema,
  ChangeViewSchema,
  CompareResultSchema,
  CoverageRowSchema,
  CoverageSchema,
  DriftReportViewSchema,
  ItemPageSchema,
  ItemViewSchema,
  PolicyTypeListSchema,
  PolicyTypeViewSchema,
  PortfolioSchema,
  RunChangesSchema,
  RunPageSchema,
  RunViewSchema,
  TenantViewSchema,
  WhoAmISchema,
} from "./schemas";

/**
 * The API's answers as its clients (the CLI, the web console) read them: types inferred from the
 * very zod schemas the HTTP layer validates its answers with and generates OpenAPI from, so a
 * change to the contract breaks a client's typecheck, not its users. Types only: the console
 * imports them with `import type`, so nothing of zod or the server reaches its bundle.
 */
export type { SyncAccepted } from "./schemas";
export type RunView = z.infer<typeof RunViewSchema>;
export type RunPage = z.infer<typeof RunPageSchema>;
export type RunChanges = z.infer<typeof RunChangesSchema>;
export type ChangeView = z.infer<typeof ChangeViewSchema>;
export type ChangePage = z.infer<typeof ChangePageSchema>;
export type ItemView = z.infer<typeof ItemViewSchema>;
export type ItemPage = z.infer<typeof ItemPageSchema>;
export type Coverage = z.infer<typeof CoverageSchema>;
export type CoverageRow = z.infer<typeof CoverageRowSchema>;
export type TenantView = z.infer<typeof TenantViewSchema>;
export type Portfolio = z.infer<typeof PortfolioSchema>;
export type PortfolioRow = Portfolio["items"][number];
export type PolicyTypeList = z.infer<typeof PolicyTypeListSchema>;
export type PolicyTypeView = z.infer<typeof PolicyTypeViewSchema>;
export type MissingReport = z.infer<typeof MissingReportSchema>;
export type CompareResult = z.infer<typeof CompareResultSchema>;
export type BaselineList = z.infer<typeof BaselineListSchema>;
export type BaselineView = z.infer<typeof BaselineViewSchema>;
export type DriftReport = z.infer<typeof DriftReportViewSchema>;
export type SelectionList = z.infer<typeof SelectionListSchema>;
export type WhoAmI = z.infer<typeof WhoAmISchema>;
