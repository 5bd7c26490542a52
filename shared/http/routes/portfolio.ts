import { comparePortfolioRows, portfolioRow } from "../../domain/tenantSummary";
import { defineRoute, jsonResponse } from "../pipeline";
import type { ApiRoute } from "../pipeline";
import { NoQuerySchema, PortfolioSchema } from "../schemas";

export const portfolioRoutes: ApiRoute[] = [
  defineRoute({
    name: "portfolio",
    method: "GET",
    route: "portfolio",
    authLevel: "function",
    roles: ["Inventory.Read"],
    tags: ["Portfolio"],
    summary: "One row per registered tenant, worst first",
    description:
      "Every registered tenant the caller may see, from its summary document (kept up to date when runs finish): " +
      "the last run, the last success, staleness (no success in 26 h), item and missing counts, changes in the last 24 h " +
      "and drift. Worst first: failed, stale, partial, drift, healthy, disabled.",
    request: { query: NoQuerySchema },
    responses: { 200: { description: "The portfolio.", schema: PortfolioSchema } },
    problems: [],
    async handler({ services, access }) {
      const { stores, now } = await services();
      // The registry is one small table (a row per tenant); the summaries of the tenants shown are
      // one query: no item and no run is read, whatever the tenants' sizes.
      const tenants = (await stores.tenants.list()).filter((t) => access.mayAccess(t));
      const summaries = await stores.summaries.getMany(tenants.map((t) => t.tenantId));
      const at = now();
      const items = tenants.map((t) => portfolioRow(t, summaries.get(t.tenantId) ?? null, at)).sort(comparePortfolioRows);
      return jsonResponse(200, PortfolioSchema.parse({ items, generatedAt: at.toISOString() }));
    },
  }),
];
