import { API_PREFIX } from "../pipeline";
import { buildOpenApiDocument } from "../openApi";
import type { OpenApiDocument } from "../openApi";
import { defineRoute, jsonResponse } from "../pipeline";
import type { ApiRoute } from "../pipeline";
import { z } from "zod";

/**
 * `GET /api/openapi.json`. Takes the table lazily because the table contains this route. The
 * document is built once; `servers` is the configured public origin (PUBLIC_BASE_URL or
 * WEBSITE_HOSTNAME), never the request's Host.
 */
export function createOpenApiRoute(routes: () => readonly ApiRoute[]): ApiRoute {
  let cached: OpenApiDocument | null = null;
  return defineRoute({
    name: "openApiDocument",
    method: "GET",
    route: "openapi.json",
    authLevel: "anonymous",
    roles: [],
    tags: ["Operations"],
    summary: "This OpenAPI document",
    request: {},
    responses: { 200: { description: "OpenAPI 3.0 document.", schema: z.record(z.string(), z.unknown()) } },
    problems: [],
    async handler({ publicUrl }) {
      cached ??= buildOpenApiDocument(routes());
      return jsonResponse(200, { ...cached, servers: [{ url: publicUrl(API_PREFIX) }] });
    },
  });
}
