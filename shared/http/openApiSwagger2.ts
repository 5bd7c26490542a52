import { buildOpenApiDocument } from "./openApi";
import type { OpenApiDocument } from "./openApi";
import type { ApiRoute } from "./pipeline";

/**
 * Swagger 2.0 for a Power Automate / Logic Apps custom connector, derived from the OpenAPI 3.0
 * document (so it is generated from the same zod schemas too). Custom connectors import only
 * Swagger 2.0. The conversion covers what our document uses — component refs, nullable,
 * parameters, JSON bodies, response headers — and adds the connector extensions:
 * `x-ms-summary` / `x-ms-visibility` on parameters, `x-ms-capabilities.testConnection`.
 *
 * The async pattern needs no extension: the sync action answers 202 + Location + Retry-After and
 * the connector runtime polls Location until it gets a non-202 answer (the run, 200).
 */
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** OpenAPI 3.0 schema → Swagger 2.0 schema (refs, nullable; unions become their first branch). */
export function toSwagger2Schema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toSwagger2Schema);
  if (!isObject(schema)) return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$ref" && typeof value === "string") out.$ref = value.replace("#/components/schemas/", "#/definitions/");
    else if (key === "nullable") out["x-nullable"] = value;
    else if ((key === "oneOf" || key === "anyOf") && Array.isArray(value)) {
      // Swagger 2.0 has no unions; keep the first alternative (documented loosely, validated strictly).
      Object.assign(out, toSwagger2Schema(value[0]));
    } else out[key] = toSwagger2Schema(value);
  }
  return out;
}

const PARAMETER_SCHEMA_KEYS = ["type", "format", "enum", "default", "minimum", "maximum", "minLength", "maxLength", "pattern", "items"];

const titleCase = (name: string): string =>
  name
    .replace(/^x-/, "")
    .split(/[-_]|(?=[A-Z])/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(" ")
    .replace(/\bId\b/g, "ID");

const ADVANCED_PARAMETERS = new Set(["x-correlation-id", "limit", "continuationToken", "waitForSlotSeconds"]);

function toSwagger2Parameter(p: Json): Json {
  const schema = isObject(p.schema) ? p.schema : {};
  const out: Json = { name: p.name, in: p.in, required: p.required === true };
  if (typeof p.description === "string") out.description = p.description;
  else if (typeof schema.description === "string") out.description = schema.description;
  for (const key of PARAMETER_SCHEMA_KEYS) if (schema[key] !== undefined) out[key] = toSwagger2Schema(schema[key]);
  out.type ??= "string";
  out["x-ms-summary"] = titleCase(String(p.name));
  out["x-ms-visibility"] = p.in === "path" ? "important" : ADVANCED_PARAMETERS.has(String(p.name)) ? "advanced" : "";
  if (out["x-ms-visibility"] === "") delete out["x-ms-visibility"];
  return out;
}

function toSwagger2Responses(responses: Json, finalRunSchema: unknown | null): Json {
  const out: Json = {};
  let problemSchema: unknown = null;
  for (const [status, response] of Object.entries(responses)) {
    if (!isObject(response)) continue;
    const content = isObject(response.content) ? response.content : {};
    const json = isObject(content["application/json"]) ? content["application/json"] : null;
    const problem = isObject(content["application/problem+json"]) ? content["application/problem+json"] : null;
    if (problem) {
      problemSchema = toSwagger2Schema(problem.schema);
      continue;
    }
    const converted: Json = { description: response.description };
    if (json) converted.schema = toSwagger2Schema(json.schema);
    if (isObject(response.headers)) {
      converted.headers = Object.fromEntries(
        Object.entries(response.headers).map(([name, h]) => {
          const header = isObject(h) ? h : {};
          const schema = isObject(header.schema) ? header.schema : {};
          return [name, { type: schema.type ?? "string", description: header.description }];
        }),
      );
    }
    out[status] = converted;
  }
  if (finalRunSchema && !out["200"]) {
    out["200"] = { description: "The finished run: what the async action returns after following Location.", schema: finalRunSchema };
  }
  // Connectors surface only success schemas; the problems share one `default` answer.
  if (problemSchema) out.default = { description: "Problem details (RFC 9457) with a stable `code`.", schema: problemSchema };
  return out;
}

export interface ConnectorOptions {
  /** Host of the function app; the importer edits it (placeholder by default). */
  host?: string;
  /** Operations left out of the connector (operational endpoints). */
  exclude?: readonly string[];
}

export function toSwagger2(doc: OpenApiDocument, options: ConnectorOptions = {}): Json {
  const exclude = new Set(options.exclude ?? ["health", "openApiDocument"]);
  const paths: Json = {};
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const operations: Json = {};
    for (const [method, op] of Object.entries(item as Json)) {
      if (!isObject(op) || exclude.has(String(op.operationId))) continue;
      const parameters = (Array.isArray(op.parameters) ? op.parameters : []).filter(isObject).map(toSwagger2Parameter);
      const body = isObject(op.requestBody) ? op.requestBody : null;
      if (body && isObject(body.content) && isObject(body.content["application/json"])) {
        parameters.push({
          name: "body",
          in: "body",
          required: body.required === true,
          schema: toSwagger2Schema(body.content["application/json"].schema),
        });
      }
      const isSyncStart = op.operationId === "inventorySyncStart";
      operations[method] = {
        operationId: op.operationId,
        summary: op.summary,
        description: op.description,
        tags: op.tags,
        ...(isSyncStart || op.operationId === "inventoryRunGet" ? { "x-ms-visibility": "important" } : {}),
        parameters,
        responses: toSwagger2Responses(isObject(op.responses) ? op.responses : {}, isSyncStart ? { $ref: "#/definitions/Run" } : null),
        security: Array.isArray(op.security) && op.security.length === 0 ? [] : [{ functionKey: [] }],
      };
    }
    if (Object.keys(operations).length > 0) paths[path] = operations;
  }
  const schemas = isObject(doc.components?.schemas) ? doc.components.schemas : {};
  return {
    swagger: "2.0",
    info: { ...doc.info, title: "Tenant Inventory" },
    host: options.host ?? "your-function-app.azurewebsites.net",
    basePath: "/api",
    schemes: ["https"],
    consumes: ["application/json"],
    produces: ["application/json"],
    paths,
    definitions: toSwagger2Schema(schemas),
    securityDefinitions: { functionKey: { type: "apiKey", in: "header", name: "x-functions-key" } },
    security: [{ functionKey: [] }],
    "x-ms-capabilities": { testConnection: { operationId: "policyTypeList", parameters: {} } },
  };
}

/** The connector document of a route table (what `npm run openapi:export` writes). */
export function buildConnectorDocument(routes: readonly ApiRoute[], options: ConnectorOptions = {}): Json {
  return toSwagger2(buildOpenApiDocument(routes), options);
}
