import { defineRoute, jsonResponse } from "../pipeline";
import type { ApiRoute } from "../pipeline";
import { HealthSchema } from "../schemas";
import type { Health } from "../schemas";

const UNAVAILABLE: Health = { status: "unavailable", checks: { cosmos: "failed", tables: "failed" } };

export const healthRoutes: ApiRoute[] = [
  defineRoute({
    name: "health",
    method: "GET",
    route: "health",
    authLevel: "anonymous",
    roles: [],
    tags: ["Operations"],
    summary: "Health of the stores",
    description: "200 when Cosmos DB and Table Storage answer, else 503 naming the failing check. Anonymous; reveals nothing else.",
    request: {},
    responses: {
      200: { description: "Every check passed.", schema: HealthSchema },
      503: { description: "A check failed.", schema: HealthSchema },
    },
    problems: [],
    async handler({ services }) {
      // A probe must answer, not throw: broken settings or an unreachable store are a 503.
      let health: Health;
      try {
        const checks = await (await services()).stores.check();
        health = { status: checks.cosmos === "ok" && checks.tables === "ok" ? "ok" : "unavailable", checks };
      } catch {
        health = UNAVAILABLE;
      }
      return jsonResponse(health.status === "ok" ? 200 : 503, HealthSchema.parse(health));
    },
  }),
];
