import { describe, expect, it } from "vitest";
import { principalRoles } from "../../../../shared/http/pipeline";
import { API_ROUTES } from "../../../../shared/http/routes/index";
import { TENANT, call, createWorld, problemOf, servicesOf, testSettings } from "../../../support/httpFakes";

const principal = (roles: string[], extra: Record<string, unknown> = {}) =>
  Buffer.from(
    JSON.stringify({
      auth_typ: "aad",
      name_typ: "name",
      role_typ: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
      claims: [{ typ: "name", val: "Flow" }, ...roles.map((val) => ({ typ: "roles", val }))],
      ...extra,
    }),
  ).toString("base64");

const required = () => servicesOf(createWorld(), testSettings({ AUTH_REQUIRE_PRINCIPAL: "true" }));
const notRequired = () => servicesOf(createWorld(), testSettings({ AUTH_REQUIRE_PRINCIPAL: "false" }));

/** One request per role-gated route, with a valid body where one is needed. */
const CASES: { method: string; path: string; body?: unknown; roles: string[] }[] = [
  { method: "POST", path: `/api/tenants/${TENANT}/inventory/sync`, roles: ["Inventory.Sync"] },
  { method: "GET", path: `/api/tenants/${TENANT}/inventory/runs`, roles: ["Inventory.Read"] },
  { method: "GET", path: `/api/tenants/${TENANT}/inventory/items`, roles: ["Inventory.Read"] },
  { method: "GET", path: `/api/tenants/${TENANT}/inventory/missing`, roles: ["Inventory.Read"] },
  { method: "GET", path: `/api/tenants/${TENANT}/inventory/coverage`, roles: ["Inventory.Read"] },
  { method: "GET", path: "/api/policy-types", roles: ["Inventory.Read"] },
  { method: "PUT", path: `/api/tenants/${TENANT}`, body: { displayName: "Contoso" }, roles: ["Tenants.Manage"] },
  { method: "GET", path: "/api/tenants", roles: ["Tenants.Manage", "Inventory.Read"] },
];

describe("App Service principal and roles", () => {
  it("every route but health, openapi.json and the console's static files declares roles", () => {
    const open = API_ROUTES.filter((r) => r.roles.length === 0).map((r) => r.name);
    expect(open.sort()).toEqual(["consoleAsset", "consolePage", "health", "openApiDocument"]);
    expect(API_ROUTES.find((r) => r.name === "tenantGet")?.roles).toEqual(["Tenants.Manage", "Inventory.Read"]);
  });

  it.each(CASES)("$method $path: 401 without a principal, 403 without the role, 2xx with it", async (c) => {
    const init = c.body === undefined ? {} : { body: c.body };
    const none = await call(c.method, c.path, init, required());
    expect(none.status).toBe(401);
    expect(problemOf(none).code).toBe("UNAUTHORIZED");

    const wrong = await call(c.method, c.path, { ...init, headers: { "x-ms-client-principal": principal(["Something.Else"]) } }, required());
    expect(wrong.status).toBe(403);
    expect(problemOf(wrong).code).toBe("FORBIDDEN");

    for (const role of c.roles) {
      const ok = await call(c.method, c.path, { ...init, headers: { "x-ms-client-principal": principal([role]) } }, required());
      expect(ok.status, role).toBeLessThan(300);
    }
  });

  it.each([
    ["not base64 JSON", "%%%not-base64%%%"],
    ["JSON without claims", Buffer.from(JSON.stringify({ auth_typ: "aad" })).toString("base64")],
    ["claims not an array", Buffer.from(JSON.stringify({ claims: "roles" })).toString("base64")],
    ["a JSON string", Buffer.from('"Inventory.Read"').toString("base64")],
    ["oversized", "A".repeat(20_000)],
  ])("a garbled principal (%s) is 401", async (_label, header) => {
    const response = await call("GET", "/api/policy-types", { headers: { "x-ms-client-principal": header } }, required());
    expect(response.status).toBe(401);
  });

  it("authorisation comes before validation: an unauthenticated bad request is 401, not 400", async () => {
    const response = await call("GET", "/api/tenants/not-a-guid/inventory/items?limit=0", {}, required());
    expect(response.status).toBe(401);
  });

  it("roles are read from `roles` claims and from the principal's role_typ", () => {
    expect(principalRoles(principal(["Inventory.Read"]))).toEqual(new Set(["Inventory.Read"]));
    const custom = Buffer.from(JSON.stringify({ role_typ: "appRole", claims: [{ typ: "appRole", val: "Tenants.Manage" }] })).toString("base64");
    expect(principalRoles(custom)).toEqual(new Set(["Tenants.Manage"]));
    expect(principalRoles(undefined)).toBeNull();
  });

  it("without AUTH_REQUIRE_PRINCIPAL no principal is needed (the function key is the gate)", async () => {
    for (const c of CASES) {
      const response = await call(c.method, c.path, c.body === undefined ? {} : { body: c.body }, notRequired());
      expect(response.status, `${c.method} ${c.path}`).toBeLessThan(300);
    }
  });

  it("health and openapi.json never need a principal", async () => {
    expect((await call("GET", "/api/health", {}, required())).status).toBe(200);
    expect((await call("GET", "/api/openapi.json", {}, required())).status).toBe(200);
  });
});
