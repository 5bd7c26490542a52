import { POLICY_TYPES } from "../../domain/policyTypes";
import { defineRoute, jsonResponse } from "../pipeline";
import type { ApiRoute } from "../pipeline";
import { NoQuerySchema, PolicyTypeListSchema } from "../schemas";

export const policyTypeRoutes: ApiRoute[] = [
  defineRoute({
    name: "policyTypeList",
    method: "GET",
    route: "policy-types",
    authLevel: "function",
    roles: ["Inventory.Read"],
    tags: ["Inventory"],
    summary: "List policy types",
    description: "The catalog of inventoried Intune object types.",
    request: { query: NoQuerySchema },
    responses: { 200: { description: "The catalog.", schema: PolicyTypeListSchema } },
    problems: [],
    async handler() {
      const items = POLICY_TYPES.map((t) => ({
        key: t.key,
        category: t.category,
        graphPath: t.graphPath,
        graphVersion: t.graphVersion,
        foundation: t.foundation,
      }));
      return jsonResponse(200, PolicyTypeListSchema.parse({ items }));
    },
  }),
];
