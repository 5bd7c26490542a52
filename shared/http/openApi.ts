import { OpenAPIRegistry, OpenApiGeneratorV3 } from "@asteasolutions/zod-to-openapi";
import type { ResponseConfig } from "@asteasolutions/zod-to-openapi";
import type { ApiErrorCode } from "../domain/errorCodes";
import { EXPORT_MEDIA_TYPES } from "./exports";
import { PROBLEM_CONTENT_TYPE, PROBLEM_STATUS, ProblemDetailsSchema } from "./problem";
import type { ApiRoute } from "./pipeline";
import { CorrelationHeaderSchema } from "./schemas";

/**
 * The OpenAPI 3.0 document of a route table, generated from the very zod schemas the routes
 * validate with (@asteasolutions/zod-to-openapi walks them; `.meta({ id })` names components).
 * 3.0 rather than 3.1 because Power Automate, API Management and most client generators read
 * 3.0 best, and it converts cleanly to the Swagger 2.0 a custom connector needs.
 */
export type OpenApiDocument = ReturnType<OpenApiGeneratorV3["generateDocument"]>;

export const API_TITLE = "tenant-inventory";
export const API_VERSION = "1.0.0";

const HEADER_DOCS = {
  Location: { description: "Absolute URL of the run to poll.", schema: { type: "string" as const, format: "uri" } },
  "Retry-After": { description: "Seconds to wait before polling.", schema: { type: "integer" as const } },
};

/** The problems every route of a kind can answer with, besides its own. */
function problemCodes(route: ApiRoute): ApiErrorCode[] {
  const { request } = route.spec;
  const codes: ApiErrorCode[] = [...route.spec.problems];
  if (route.spec.registeredTenant) codes.push("TENANT_NOT_FOUND");
  if (request.params || request.query || request.body) codes.push("VALIDATION_FAILED");
  if (request.body) codes.push("PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE");
  if (route.roles.length > 0) codes.push("UNAUTHORIZED", "FORBIDDEN");
  codes.push("INTERNAL_ERROR");
  return [...new Set(codes)];
}

function responsesOf(route: ApiRoute): Record<string, ResponseConfig> {
  const responses: Record<string, ResponseConfig> = {};
  for (const [status, doc] of Object.entries(route.spec.responses)) {
    const headers = Object.fromEntries((doc.headers ?? []).map((h) => [h, HEADER_DOCS[h]]));
    responses[status] = {
      description: doc.description,
      ...(doc.headers && { headers }),
      ...(doc.schema && {
        content: {
          "application/json": { schema: doc.schema },
          ...(doc.exports && {
            [EXPORT_MEDIA_TYPES.csv]: {
              schema: { type: "string" as const, description: "RFC 4180 CSV with a header row (formula-like cells prefixed with ')." },
            },
            [EXPORT_MEDIA_TYPES.ndjson]: { schema: { type: "string" as const, description: "One JSON object per line (the items of the JSON answer)." } },
          }),
        },
      }),
    };
  }
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of problemCodes(route)) {
    const status = PROBLEM_STATUS[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of byStatus) {
    responses[String(status)] = {
      description: codes.map((c) => `${c}: ${PROBLEM_STATUS[c].title}.`).join(" "),
      ...(codes.includes("LOCK_HELD") && { headers: { Location: { description: "Absolute URL of the active run.", schema: { type: "string", format: "uri" } } } }),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemDetailsSchema } },
    };
  }
  return responses;
}

/** Functions route syntax and OpenAPI path templates agree, but for the leading slash. */
export const openApiPath = (route: string): string => `/${route}`;

export function buildOpenApiDocument(routes: readonly ApiRoute[], serverUrl = "/api"): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "functionKey", {
    type: "apiKey",
    in: "header",
    name: "x-functions-key",
    description: "An Azure Functions function or host key.",
  });
  registry.registerComponent("securitySchemes", "functionKeyQuery", {
    type: "apiKey",
    in: "query",
    name: "code",
    description: "The same key as a query parameter, for callers that cannot set headers.",
  });
  for (const route of routes) {
    const { spec } = route;
    if (spec.openApi === false) continue;
    for (const method of route.methods) {
      registry.registerPath({
        method: method.toLowerCase() as "get" | "post" | "put" | "delete" | "patch",
        path: openApiPath(route.route),
        operationId: route.name,
        summary: spec.summary,
        description: [
          spec.description,
          route.roles.length > 0 ? `Role (when AUTH_REQUIRE_PRINCIPAL=true): ${route.roles.join(" or ")}.` : "Anonymous.",
        ]
          .filter(Boolean)
          .join(" "),
        tags: [...spec.tags],
        security: route.authLevel === "function" ? [{ functionKey: [] }, { functionKeyQuery: [] }] : [],
        request: {
          headers: CorrelationHeaderSchema,
          ...(spec.request.params && { params: spec.request.params as never }),
          ...(spec.request.query && { query: spec.request.query as never }),
          ...(spec.request.body && {
            body: { required: spec.request.body.required, content: { "application/json": { schema: spec.request.body.schema } } },
          }),
        },
        responses: responsesOf(route),
        ...(route.roles.length > 0 && { "x-roles": [...route.roles] }),
      });
    }
  }
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: "3.0.3",
    info: {
      title: API_TITLE,
      version: API_VERSION,
      description:
        "Tenant-scoped last-observed inventory of Microsoft Intune configuration. Errors are RFC 9457 problem details " +
        "with a stable `code`; every response carries `x-correlation-id`.",
    },
    servers: [{ url: serverUrl }],
  });
}
