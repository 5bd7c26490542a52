import { healthRoutes } from "./healthRoutes";
import { itemRoutes } from "./itemRoutes";
import { createOpenApiRoute } from "./openApiRoute";
import { policyTypeRoutes } from "./policyTypeRoutes";
import type { ApiRoute } from "./route";
import { runRoutes } from "./runRoutes";
import { syncRoutes } from "./syncRoutes";
import { tenantRoutes } from "./tenantRoutes";

/**
 * THE route table (docs/api.md). The Azure registrations (functions/http.ts) and the local host both
 * iterate it, so a route exists in both or in neither. Each entry: `name` (Azure function name
 * and OpenAPI operationId), `methods`, `route` (Functions syntax, under /api), `authLevel`,
 * `roles`, `handler`.
 */
export const API_ROUTES: readonly ApiRoute[] = [
  ...syncRoutes,
  ...runRoutes,
  ...itemRoutes,
  ...tenantRoutes,
  ...policyTypeRoutes,
  ...healthRoutes,
  createOpenApiRoute(() => API_ROUTES),
];
