import { readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { matchRoute } from "../../../../../local/host/httpServer";
import { API_ROUTES } from "../../../../../shared/http/routes/index";
import { buildConsole, principalHeader } from "../../../../support/browser";
import { call, problemOf, servicesOf, createWorld, testSettings } from "../../../../support/httpFakes";

const ASSETS = join(__dirname, "..", "..", "..", "..", "..", "dist", "console", "assets");

describe("the console's routes (the app serves its own web console)", () => {
  let script = "";
  beforeAll(async () => {
    await buildConsole();
    script = readdirSync(ASSETS).find((f) => f.endsWith(".js"))!;
  });

  it("serves the page with a CSP that allows no inline script and no framing, revalidated on every load", async () => {
    const page = await call("GET", "/api/console");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(page.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(page.headers["content-security-policy"]).not.toContain("unsafe-inline");
    const html = Buffer.from(page.bytes!).toString("utf8");
    expect(html).toContain(`/api/console/assets/${script}`);
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
  });

  it("serves the build's fingerprinted files as immutable, with their content type", async () => {
    const asset = await call("GET", `/api/console/assets/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(asset.bytes!.byteLength).toBeGreaterThan(1_000);
  });

  it("serves nothing but the build's own files: an unknown name is 404, a path outside is never matched or is a 400", async () => {
    expect(problemOf(await call("GET", "/api/console/assets/nope.js")).code).toBe("ROUTE_NOT_FOUND");
    expect(problemOf(await call("GET", "/api/console/assets/..%2F..%2Fpackage.json")).code).toBe("VALIDATION_FAILED");
    expect(problemOf(await call("GET", "/api/console/assets/.env")).code).toBe("VALIDATION_FAILED");
    expect(matchRoute(API_ROUTES, "GET", "/api/console/assets/../../index.html").kind).toBe("notFound");
  });

  it("needs no principal (the page holds no data; in Azure App Service authentication signs people in before it)", async () => {
    const settings = testSettings({ AUTH_REQUIRE_PRINCIPAL: "true" });
    expect((await call("GET", "/api/console", {}, servicesOf(createWorld(), settings))).status).toBe(200);
  });
});

describe("GET /api/me (what the console may show)", () => {
  const required = () => servicesOf(createWorld(), testSettings({ AUTH_REQUIRE_PRINCIPAL: "true" }));

  it("answers every role when principals are not required (local host, function keys)", async () => {
    const me = await call("GET", "/api/me");
    expect(me.body).toEqual({ name: null, roles: ["Inventory.Read", "Inventory.Sync", "Tenants.Manage"], rolesEnforced: false });
  });

  it("answers the principal's own roles and name when they are required, so a reader is shown no sync button", async () => {
    const me = await call("GET", "/api/me", { headers: { "x-ms-client-principal": principalHeader(["Inventory.Read"], "Rita Reader") } }, required());
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ name: "Rita Reader", roles: ["Inventory.Read"], rolesEnforced: true });
  });

  it("is 401 without a principal and 403 for a principal with none of the roles", async () => {
    expect(problemOf(await call("GET", "/api/me", {}, required())).code).toBe("UNAUTHORIZED");
    const none = await call("GET", "/api/me", { headers: { "x-ms-client-principal": principalHeader(["Something.Else"], "Nora") } }, required());
    expect(problemOf(none).code).toBe("FORBIDDEN");
  });
});
