import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalHost } from "../../../../local/host/localHost";
import { CONTOSO, FABRIKAM, SMALL_DEMO_TENANTS, http, startE2eHost } from "../../../support/hostFixture";
import type { E2eHost } from "../../../support/hostFixture";
import { POLICY_TYPES } from "../../../../shared/domain";

let e2e: E2eHost;
beforeAll(async () => {
  e2e = await startE2eHost();
});
afterAll(async () => {
  await e2e?.close();
});

const adminUrl = (name: string) => `${e2e.host.origin}/admin/functions/${name}`;

describe("local host over real HTTP", () => {
  it("health reports each store; the banner names what is used, in memory, and the demo tenants", async () => {
    const health = await http("GET", `${e2e.baseUrl}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: "ok", checks: { cosmos: "ok", tables: "ok" } });
    const banner = e2e.host.banner();
    expect(banner).toContain(`listening on ${e2e.baseUrl}`);
    expect(banner).toMatch(/cosmos: embedded in-process Cosmos-compatible server .*in memory/);
    expect(banner).toMatch(/tables: embedded Azurite tables .*in memory/);
    expect(banner).toMatch(/graph: +embedded Graph tenant simulator/);
    expect(banner).toContain(`${CONTOSO}  Contoso Demo`);
    expect(banner).toContain(`${FABRIKAM}  Fabrikam Demo`);
    expect(e2e.host.stack.uses.graph).toContain(e2e.host.stack.simulator!.baseUrl);
  });

  it("registers both demo tenants, enabled, in the tenant registry", async () => {
    const tenants = await http("GET", `${e2e.baseUrl}/tenants`);
    expect(tenants.status).toBe(200);
    const byId = new Map(tenants.body.items.map((t: { tenantId: string }) => [t.tenantId, t]));
    expect(byId.get(CONTOSO)).toMatchObject({ displayName: "Contoso Demo", enabled: true });
    expect(byId.get(FABRIKAM)).toMatchObject({ displayName: "Fabrikam Demo", enabled: true });
  });

  it("unknown route → 404 ROUTE_NOT_FOUND; wrong method → 405 METHOD_NOT_ALLOWED with Allow; both carry x-correlation-id", async () => {
    const missing = await http("GET", `${e2e.baseUrl}/no/such/route`, { headers: { "x-correlation-id": "e2e-404" } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(missing.body).toMatchObject({ status: 404, code: "ROUTE_NOT_FOUND", correlationId: "e2e-404" });
    expect(missing.headers.get("x-correlation-id")).toBe("e2e-404");
    expect((await http("GET", `${e2e.host.origin}/not-api`)).status).toBe(404);

    const wrong = await http("DELETE", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/sync`);
    expect(wrong.status).toBe(405);
    expect(wrong.body).toMatchObject({ code: "METHOD_NOT_ALLOWED" });
    expect(wrong.headers.get("allow")).toBe("POST, OPTIONS");
    expect(wrong.headers.get("x-correlation-id")).toBeTruthy();
    expect((await http("POST", `${e2e.baseUrl}/health`)).headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    // A path served by several methods lists them all.
    expect((await http("PATCH", `${e2e.baseUrl}/tenants/${CONTOSO}`)).headers.get("allow")?.split(", ").sort()).toEqual(["DELETE", "GET", "HEAD", "OPTIONS", "PUT"]);
  });

  it("every API answer carries x-correlation-id: the caller's when acceptable, else a new one", async () => {
    const echoed = await http("GET", `${e2e.baseUrl}/policy-types`, { headers: { "x-correlation-id": "e2e.corr_1-A" } });
    expect(echoed.headers.get("x-correlation-id")).toBe("e2e.corr_1-A");
    const replaced = await http("GET", `${e2e.baseUrl}/policy-types`, { headers: { "x-correlation-id": "bad id with spaces" } });
    expect(replaced.headers.get("x-correlation-id")).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
    expect(replaced.headers.get("x-correlation-id")).not.toBe("bad id with spaces");
  });

  it("POST /admin/functions/nightlySyncTimer runs a nightly over the demo tenants (202); firing it again while it runs starts nothing new", async () => {
    e2e.gate.hold();
    const fired = await http("POST", adminUrl("nightlySyncTimer"));
    expect(fired.status, fired.text).toBe(202);
    expect(fired.body).toMatchObject({ name: "nightlySyncTimer", started: true, instanceId: expect.any(String) });
    // While that nightly runs (its syncs are held), the timer firing again starts no second walk.
    const again = await http("POST", adminUrl("nightlySyncTimer"));
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ started: false, instanceId: fired.body.instanceId });
    e2e.gate.release();
    const status = await e2e.host.stack.engine.client.waitForCompletion(fired.body.instanceId, 60_000);
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toMatchObject({ tenants: 2, started: 2, success: 2, skipped: 0 });
    for (const tenant of SMALL_DEMO_TENANTS) {
      const runs = await http("GET", `${e2e.baseUrl}/tenants/${tenant.tenantId}/inventory/runs?limit=5`);
      const nightly = runs.body.items.filter((r: { trigger: string }) => r.trigger === "timer");
      expect(nightly).toHaveLength(1);
      // The default nightly selection: every type, foundations included.
      expect(nightly[0]).toMatchObject({ status: "success", selection: { includeFoundations: true } });
      expect(nightly[0].policyTypes).toHaveLength(POLICY_TYPES.length);
    }
  });

  it("POST /admin/functions/syncWatchdogTimer runs the watchdog (202); unknown names 404; other methods 405", async () => {
    const watchdog = await http("POST", adminUrl("syncWatchdogTimer"));
    expect(watchdog.status, watchdog.text).toBe(202);
    expect(watchdog.body).toMatchObject({ name: "syncWatchdogTimer", report: expect.any(Object) });
    const unknown = await http("POST", adminUrl("inventorySync"));
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const get = await http("GET", adminUrl("nightlySyncTimer"));
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST, OPTIONS");
  });
});

describe("persistent tables under a data folder", () => {
  it("keeps the tenant registry across a restart and seeds demo tenants only when absent", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tenant-inventory-e2e-"));
    const extra = "5d7e9f10-2a3b-4c5d-8e6f-7a8b9c0d1e2f";
    try {
      const first = await startLocalHost({ port: 0, env: {}, dataDir, demoTenants: SMALL_DEMO_TENANTS });
      try {
        expect(first.stack.uses.tables).toContain(join(dataDir, "azurite"));
        expect((await http("PUT", `${first.baseUrl}/tenants/${extra}`, { json: { displayName: "Added by hand", enabled: true } })).status).toBe(201);
        // The user's change to a demo tenant must survive: it is not re-seeded over.
        expect((await http("PUT", `${first.baseUrl}/tenants/${CONTOSO}`, { json: { displayName: "Contoso (renamed)", enabled: false } })).status).toBe(200);
      } finally {
        await first.close();
      }
      const second = await startLocalHost({ port: 0, env: {}, dataDir, demoTenants: SMALL_DEMO_TENANTS });
      try {
        const tenants = (await http("GET", `${second.baseUrl}/tenants`)).body.items as { tenantId: string; displayName: string; enabled: boolean }[];
        expect(tenants.map((t) => t.tenantId).sort()).toEqual([CONTOSO, FABRIKAM, extra].sort());
        expect(tenants.find((t) => t.tenantId === CONTOSO)).toMatchObject({ displayName: "Contoso (renamed)", enabled: false });
        // The simulator starts empty each time; a tenant from the persisted registry still syncs.
        const accepted = await http("POST", `${second.baseUrl}/tenants/${extra}/inventory/sync`, { json: { categories: ["updates"] } });
        expect(accepted.status).toBe(202);
        const run = await second.stack.engine.client.waitForCompletion(accepted.body.runId, 30_000);
        expect(run.runtimeStatus).toBe("Completed");
        expect((await http("GET", accepted.headers.get("location")!)).body.status).toBe("success");
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
