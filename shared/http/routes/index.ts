import { baselineRoutes } from "./baselines";
import { compareRoutes } from "./compare";
import { driftRoutes } from "./drift";
import { consoleRoutes } from "./console";
import { changeRoutes } from "./changes";
import { healthRoutes } from "./health";
import { itemRoutes } from "./items";
import { meRoutes } from "./me";
import { createOpenApiRoute } from "./openApi";
import { policyTypeRoutes } from "./policyTypes";
import { portfolioRoutes } from "./portfolio";
import type { ApiRoute } from "../pipeline";
import { runRoutes } from "./runs";
import { selectionRoutes } from "./selections";
import { syncRoutes } from "./sync";
import { tenantRoutes } from "./tenants";

/**
 * THE route table (docs/api.md). The Azure registrations (functions/http.ts) and the local host both
 * iterate it, so a route exists in both or in neither. Each entry: `name` (Azure function name
 * and OpenAPI operationId), `methods`, `route` (Functions syntax, under /api), `authLevel`,
 * `roles`, `handler`.
 */
export const API_ROUTES: readonly ApiRoute[] = [
  ...syncRoutes,
  ...runRoutes,
  ...changeRoutes,
  ...itemRoutes,
  ...selectionRoutes,
  ...tenantRoutes,
  ...compareRoutes,
  ...baselineRoutes,
  ...driftRoutes,
  ...policyTypeRoutes,
  ...portfolioRoutes,
  ...healthRoutes,
  ...meRoutes,
  ...consoleRoutes,
  createOpenApiRoute(() => API_ROUTES),
];
