import SwaggerParser from "@apidevtools/swagger-parser";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument, openApiPath } from "../../../../shared/http/openApi";
import { buildConnectorDocument } from "../../../../shared/http/openApiSwagger2";
import { API_ROUTES } from "../../../../shared/http/routes/index";
import { call } from "../../../support/httpFakes";

const CONNECTOR_FILE = join(__dirname, "..", "..", "..", "..", "docs", "power-automate.connector.swagger.json");
type Operation = { operationId: string; security?: unknown[]; responses: Record<string, unknown>; parameters?: { name: string; in: string; schema?: Record<string, unknown> }[] };

describe("OpenAPI 3 document", () => {
  it("is served at /api/openapi.json, validates with an OpenAPI parser and has every route of the table", async () => {
    const response = await call("GET", "/api/openapi.json");
    expect(response.status).toBe(200);
    const doc = response.body as { openapi: string; servers: { url: string }[]; paths: Record<string, Record<string, Operation>> };
    expect(doc.openapi).toBe("3.0.3");
    expect(doc.servers).toEqual([{ url: "https://inventory.example.net/api" }]);
    await SwaggerParser.validate(structuredClone(doc) as never);

    const documented = API_ROUTES.filter((r) => r.spec.openApi !== false);
    for (const route of documented) {
      for (const method of route.methods) {
        const op = doc.paths[openApiPath(route.route)]?.[method.toLowerCase()];
        expect(op, `${method} ${route.route}`).toBeDefined();
        expect(op!.operationId).toBe(route.name);
        expect(op!.security).toEqual(route.authLevel === "function" ? [{ functionKey: [] }, { functionKeyQuery: [] }] : []);
        expect(op!.responses["500"], `${route.name} documents 500`).toBeDefined();
      }
    }
    const count = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    expect(count).toBe(documented.reduce((n, r) => n + r.methods.length, 0));
    // The console's page and files are served from the table but are not part of the contract.
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/console"))).toEqual([]);
  });

  it("is generated from the validating schemas: limits, enums, strictness and problem responses", () => {
    const doc = buildOpenApiDocument(API_ROUTES) as unknown as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, { additionalProperties?: boolean; properties: Record<string, Record<string, unknown>> }> };
    };
    const items = doc.paths["/tenants/{tenantId}/inventory/items"]!.get!;
    expect(items.parameters?.find((p) => p.name === "limit")?.schema).toMatchObject({ type: "integer", minimum: 1, maximum: 200, default: 50 });
    expect(items.parameters?.find((p) => p.name === "tenantId")?.schema?.pattern).toBeDefined();
    expect(doc.components.schemas.SyncRequest!.additionalProperties).toBe(false);
    expect(doc.components.schemas.SyncRequest!.properties.policyTypes).toMatchObject({ maxItems: 100 });
    expect(doc.components.schemas.ProblemDetails!.properties.code).toHaveProperty("enum");
    const sync = doc.paths["/tenants/{tenantId}/inventory/sync"]!.post!;
    expect(Object.keys(sync.responses).sort()).toEqual(["202", "400", "401", "403", "404", "409", "413", "415", "500"]);
    expect(sync.responses["202"]).toMatchObject({ headers: { Location: {}, "Retry-After": {} } });
  });
});

describe("Power Automate connector (Swagger 2.0)", () => {
  it("validates as Swagger 2.0 and keeps the connector extensions", async () => {
    const doc = buildConnectorDocument(API_ROUTES) as {
      swagger: string;
      paths: Record<string, Record<string, Operation & { "x-ms-visibility"?: string }>>;
      "x-ms-capabilities": unknown;
    };
    await SwaggerParser.validate(structuredClone(doc) as never);
    expect(doc.swagger).toBe("2.0");
    expect(doc.paths["/health"]).toBeUndefined();
    const sync = doc.paths["/tenants/{tenantId}/inventory/sync"]!.post!;
    expect(sync["x-ms-visibility"]).toBe("important");
    expect(Object.keys(sync.responses).sort()).toEqual(["200", "202", "default"]);
    expect(sync.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(["path:tenantId", "header:x-correlation-id", "body:body"]);
    expect(doc["x-ms-capabilities"]).toEqual({ testConnection: { operationId: "policyTypeList", parameters: {} } });
  });

  it("the committed docs/power-automate.connector.swagger.json is what `npm run openapi:export` generates", () => {
    const committed = JSON.parse(readFileSync(CONNECTOR_FILE, "utf8")) as unknown;
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildConnectorDocument(API_ROUTES))));
  });
});
