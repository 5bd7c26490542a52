import { describe, expect, it } from "vitest";
import { POLICY_TYPES } from "../../../../../shared/domain/policyTypes";
import { normaliseSelection, selectionHash } from "../../../../../shared/domain/selection";
import { InventoryItemSchema } from "../../../../../shared/domain/item";
import { matchRoute } from "../../../../../local/host/httpServer";
import { API_ROUTES } from "../../../../../shared/http/routes/index";
import { ORIGIN, TENANT, call, createWorld, makeItem, problemOf, servicesOf, testSettings } from "../../../../support/httpFakes";

const MISSING = `/api/tenants/${TENANT}/inventory/missing`;

describe("an unregistered tenant", () => {
  const tenantRoutes = API_ROUTES.filter((r) => r.route.startsWith("tenants/{tenantId}"));

  it("is a 404 TENANT_NOT_FOUND on every tenant route but the PUT that registers it, reads included", async () => {
    const world = createWorld({ registered: [] });
    const answered: string[] = [];
    for (const route of tenantRoutes) {
      for (const method of route.methods) {
        if (method === "PUT") continue;
        const path = `/api/${route.route.replace("{tenantId}", TENANT).replace("{runId}", "r1").replace("{itemId}", "deviceConfiguration.abc")}`;
        const response = await call(method, path, method === "POST" ? { body: {} } : {}, servicesOf(world));
        expect([`${method} ${route.route}`, response.status, problemOf(response).code]).toEqual([`${method} ${route.route}`, 404, "TENANT_NOT_FOUND"]);
        answered.push(route.name);
      }
    }
    // The list is the route table itself: a new tenant route is covered the day it is added.
    expect(answered).toEqual(expect.arrayContaining(["inventoryItemList", "inventoryItemGet", "inventoryDependencies", "inventoryMissing", "inventoryCoverage", "inventoryRunList", "inventoryRunGet", "inventorySyncStart", "tenantGet", "tenantDelete"]));
    expect(world.missingCalls).toEqual([]);
    expect(world.itemQueries).toEqual([]);
  });
});

describe("tenants", () => {
  it("PUT creates (201 + Location) then replaces (200); selections default and are normalised + de-duplicated", async () => {
    const world = createWorld({ registered: [] });
    const created = await call("PUT", `/api/tenants/${TENANT.toUpperCase()}`, { body: { displayName: "Contoso" } }, servicesOf(world));
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`${ORIGIN}/api/tenants/${TENANT}`);
    expect(created.body).toMatchObject({
      tenantId: TENANT,
      displayName: "Contoso",
      enabled: true,
      selections: [{ policyTypes: [], categories: [], includeFoundations: true }],
    });

    const replaced = await call(
      "PUT",
      `/api/tenants/${TENANT}`,
      {
        body: {
          displayName: "Contoso Ltd",
          enabled: false,
          selections: [{ categories: ["apps", "apps"] }, { categories: ["apps"], policyTypes: ["mobileApp"] }, { policyTypes: ["roleScopeTag"] }],
        },
      },
      servicesOf(world),
    );
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      enabled: false,
      selections: [
        { policyTypes: [], categories: ["apps"], includeFoundations: false },
        { policyTypes: ["roleScopeTag"], categories: [], includeFoundations: false },
      ],
    });
  });

  it("GET one (404 when absent), GET all, DELETE (204, then 404)", async () => {
    const world = createWorld({ registered: [] });
    expect(problemOf(await call("GET", `/api/tenants/${TENANT}`, {}, servicesOf(world))).code).toBe("TENANT_NOT_FOUND");
    await call("PUT", `/api/tenants/${TENANT}`, { body: { displayName: "Contoso" } }, servicesOf(world));
    expect((await call("GET", `/api/tenants/${TENANT}`, {}, servicesOf(world))).status).toBe(200);
    const list = await call("GET", "/api/tenants", {}, servicesOf(world));
    expect((list.body as { items: unknown[] }).items).toHaveLength(1);
    const deleted = await call("DELETE", `/api/tenants/${TENANT}`, {}, servicesOf(world));
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect((await call("DELETE", `/api/tenants/${TENANT}`, {}, servicesOf(world))).status).toBe(404);
  });
});

describe("inventory reads", () => {
  it("items: filters reach the store and each item is exactly the documented Item", async () => {
    const world = createWorld();
    world.items.push({ ...makeItem(1), seenBy: { abc: "run-1" }, docType: "item", _etag: "x" } as never);
    const response = await call("GET", `/api/tenants/${TENANT}/inventory/items?policyType=deviceConfiguration&platform=windows&q=Pol&limit=10`, {}, servicesOf(world));
    expect(response.status).toBe(200);
    const body = response.body as { items: unknown[]; continuationToken: string | null };
    expect(body.continuationToken).toBeNull();
    expect(InventoryItemSchema.strict().parse(body.items[0])).toMatchObject({ externalId: "ext-1" });
    expect(world.itemQueries[0]).toEqual({ limit: 10, policyType: "deviceConfiguration", platform: "windows", q: "Pol" });
  });

  it("missing: comma lists hash exactly like the equivalent sync body", async () => {
    const world = createWorld();
    await call("GET", `${MISSING}?categories=apps,compliance&policyTypes=mobileApp,roleScopeTag&includeFoundations=false`, {}, servicesOf(world));
    const expected = selectionHash(normaliseSelection({ categories: ["compliance", "apps"], policyTypes: ["roleScopeTag", "mobileApp"] }));
    expect(world.missingCalls[0]).toEqual({ tenantId: TENANT, selectionHash: expected });

    await call("GET", `${MISSING}?includeFoundations=false`, {}, servicesOf(world));
    expect(world.missingCalls[1]?.selectionHash).toBe(selectionHash(normaliseSelection({})));

    const hash = "a".repeat(64);
    const byHash = await call("GET", `${MISSING}?selectionHash=${hash}`, {}, servicesOf(world));
    expect(byHash.body).toEqual({ selectionHash: hash, latestRun: null, confidence: null, items: [] });
  });

  it.each([
    ["selectionHash and lists together", `${MISSING}?selectionHash=${"a".repeat(64)}&categories=apps`, "query.selectionHash"],
    ["unknown policy type in the list", `${MISSING}?policyTypes=mobileApp,nope`, "query.policyTypes.1"],
    ["unknown category", `${MISSING}?categories=apps,,nope`, "query.categories.1"],
    ["includeFoundations=yes", `${MISSING}?includeFoundations=yes`, "query.includeFoundations"],
    ["101 entries", `${MISSING}?policyTypes=${Array.from({ length: 101 }, () => "mobileApp").join(",")}`, "query.policyTypes"],
  ])("missing: %s → 400", async (_label, path, field) => {
    const response = await call("GET", path);
    expect(response.status).toBe(400);
    expect(problemOf(response).errors?.map((e) => e.path)).toContain(field);
  });

  it("coverage and policy types", async () => {
    const coverage = await call("GET", `/api/tenants/${TENANT}/inventory/coverage`);
    expect((coverage.body as { items: unknown[] }).items).toHaveLength(1);
    const types = await call("GET", "/api/policy-types");
    const items = (types.body as { items: { key: string; graphPath: string }[] }).items;
    expect(items.map((t) => t.key)).toEqual(POLICY_TYPES.map((t) => t.key));
    expect(Object.keys(items[0]!).sort()).toEqual(["category", "foundation", "graphPath", "graphVersion", "key"]);
  });
});

describe("health", () => {
  it("200 when both stores answer, 503 naming the failing one, 503 when the services cannot be built", async () => {
    const world = createWorld();
    expect(await call("GET", "/api/health", {}, servicesOf(world))).toMatchObject({ status: 200, body: { status: "ok", checks: { cosmos: "ok", tables: "ok" } } });
    world.health = { cosmos: "ok", tables: "failed" };
    expect(await call("GET", "/api/health", {}, servicesOf(world))).toMatchObject({ status: 503, body: { checks: { tables: "failed" } } });
    const broken = await call("GET", "/api/health", {}, async () => {
      throw new Error("settings");
    });
    expect(broken.status).toBe(503);
  });
});

describe("route matching for hosts other than Azure", () => {
  it("matches templates, decodes parameters, reports 405 and 404", () => {
    const m = matchRoute(API_ROUTES, "get", `/api/Tenants/${TENANT}/inventory/runs/a%2Eb`);
    expect(m.kind === "matched" && [m.route.name, m.params]).toEqual(["inventoryRunGet", { tenantId: TENANT, runId: "a.b" }]);
    expect(matchRoute(API_ROUTES, "PATCH", `/api/tenants/${TENANT}`)).toEqual({ kind: "methodNotAllowed", allow: ["PUT", "GET", "DELETE"] });
    expect(matchRoute(API_ROUTES, "GET", "/api/nothing")).toEqual({ kind: "notFound" });
    expect(matchRoute(API_ROUTES, "GET", "/health")).toEqual({ kind: "notFound" });
  });

  it("route names are unique and every (method, route) pair is unique", () => {
    expect(new Set(API_ROUTES.map((r) => r.name)).size).toBe(API_ROUTES.length);
    const pairs = API_ROUTES.flatMap((r) => r.methods.map((m) => `${m} ${r.route}`));
    expect(new Set(pairs).size).toBe(pairs.length);
  });
});

describe("authorisation before services", () => {
  it("refuses a caller without a principal before any service is resolved", async () => {
    let resolved = 0;
    const services = async () => {
      resolved++;
      return servicesOf(createWorld());
    };
    const world = createWorld();
    const required = servicesOf(world, testSettings({ AUTH_REQUIRE_PRINCIPAL: "true" }));
    const response = await API_ROUTES.find((r) => r.name === "inventorySyncStart")!.handler(
      {
        method: "POST",
        url: `${ORIGIN}/api/tenants/${TENANT}/inventory/sync`,
        headers: {},
        params: { tenantId: TENANT },
        query: new URLSearchParams(),
        bodyText: async () => "",
      },
      { settings: () => required.settings, services, durableClient: () => { throw new Error("not reached"); } },
    );
    expect(response.status).toBe(401);
    expect(problemOf(response).code).toBe("UNAUTHORIZED");
    expect(resolved).toBe(0);
    expect(world.starts).toHaveLength(0);
  });
});
