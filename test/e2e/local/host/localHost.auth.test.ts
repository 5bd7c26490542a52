import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO, expectProblem, followLocation, http, startE2eHost, syncUrl } from "../../../support/hostFixture";
import type { E2eHost } from "../../../support/hostFixture";

/** What App Service authentication puts in x-ms-client-principal: base64 JSON with role claims. */
const principal = (...roles: string[]) =>
  Buffer.from(
    JSON.stringify({ auth_typ: "aad", name_typ: "name", role_typ: "roles", claims: [{ typ: "name", val: "ops@contoso.example" }, ...roles.map((val) => ({ typ: "roles", val }))] }),
  ).toString("base64");
const as = (...roles: string[]) => ({ headers: { "x-ms-client-principal": principal(...roles) } });

let e2e: E2eHost;
beforeAll(async () => {
  e2e = await startE2eHost({ env: { AUTH_REQUIRE_PRINCIPAL: "true" } });
});
afterAll(async () => {
  await e2e?.close();
});

describe("roles over real HTTP with AUTH_REQUIRE_PRINCIPAL=true", () => {
  const items = () => `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/items`;
  const other = "0b6e1c9a-1111-4222-8333-944455556666";

  it("no principal, or one that is not base64 JSON → 401 UNAUTHORIZED before any validation", async () => {
    expectProblem(await http("GET", items()), 401, "UNAUTHORIZED");
    expectProblem(await http("POST", syncUrl(e2e.baseUrl, CONTOSO), { json: {} }), 401, "UNAUTHORIZED");
    expectProblem(await http("GET", items(), { headers: { "x-ms-client-principal": "not base64 json" } }), 401, "UNAUTHORIZED");
    // Bad input behind the gate is not revealed to an anonymous caller.
    expectProblem(await http("GET", `${e2e.baseUrl}/tenants/not-a-guid/inventory/items`), 401, "UNAUTHORIZED");
  });

  it("a principal without the route's role → 403 FORBIDDEN; with it → the route answers", async () => {
    expectProblem(await http("GET", items(), as("Inventory.Sync")), 403, "FORBIDDEN");
    expect((await http("GET", items(), as("Inventory.Read"))).status).toBe(200);

    expectProblem(await http("POST", syncUrl(e2e.baseUrl, CONTOSO), { json: {}, ...as("Inventory.Read") }), 403, "FORBIDDEN");
    const accepted = await http("POST", syncUrl(e2e.baseUrl, CONTOSO), { json: { categories: ["updates"] }, ...as("Inventory.Sync") });
    expect(accepted.status, accepted.text).toBe(202);
    // The run's Location is itself Inventory.Read-gated.
    expectProblem(await http("GET", accepted.headers.get("location")!), 401, "UNAUTHORIZED");
    const run = await http("GET", accepted.headers.get("location")!, as("Inventory.Read"));
    expect([200, 202]).toContain(run.status);

    expectProblem(await http("PUT", `${e2e.baseUrl}/tenants/${other}`, { json: { displayName: "New", enabled: true }, ...as("Inventory.Read", "Inventory.Sync") }), 403, "FORBIDDEN");
    expect((await http("PUT", `${e2e.baseUrl}/tenants/${other}`, { json: { displayName: "New", enabled: true }, ...as("Tenants.Manage") })).status).toBe(201);
    // GET tenants: Tenants.Manage or Inventory.Read.
    expect((await http("GET", `${e2e.baseUrl}/tenants`, as("Inventory.Read"))).status).toBe(200);
    expectProblem(await http("GET", `${e2e.baseUrl}/tenants`, as("Inventory.Sync")), 403, "FORBIDDEN");
  });

  it("health and openapi.json stay anonymous", async () => {
    expect((await http("GET", `${e2e.baseUrl}/health`)).status).toBe(200);
    expect((await http("GET", `${e2e.baseUrl}/openapi.json`)).status).toBe(200);
  });

  it("without AUTH_REQUIRE_PRINCIPAL the same calls need no principal (the default locally)", async () => {
    const open = await startE2eHost();
    try {
      expect((await http("GET", `${open.baseUrl}/tenants/${CONTOSO}/inventory/items`)).status).toBe(200);
      const accepted = await http("POST", syncUrl(open.baseUrl, CONTOSO), { json: { categories: ["updates"] } });
      expect(accepted.status).toBe(202);
      expect((await followLocation(accepted.headers.get("location")!)).final.status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
