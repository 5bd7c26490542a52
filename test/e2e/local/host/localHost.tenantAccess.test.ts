/**
 * Per-customer access for MSP staff (docs/api.md, access groups): with
 * AUTH_REQUIRE_PRINCIPAL=true a principal needs the route's role AND one of the tenant's access
 * groups among its `groups` claims. A tenant it may not see answers exactly like an unregistered
 * one and is absent from lists; a tenant without groups is open to every holder of the role.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO, FABRIKAM, expectProblem, followLocation, http, startE2eHost, syncUrl } from "../../../support/hostFixture";
import type { E2eHost, HttpInit } from "../../../support/hostFixture";

const TEAM_A = "aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa";
const TEAM_B = "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb";
const ALL_ROLES = ["Inventory.Read", "Inventory.Sync", "Tenants.Manage"];

/** x-ms-client-principal as App Service writes it: roles and Entra `groups` claims. */
function as(roles: string[], groups: string[] = []): HttpInit {
  const claims = [
    { typ: "name", val: "staff@msp.example" },
    ...roles.map((val) => ({ typ: "roles", val })),
    ...groups.map((val) => ({ typ: "groups", val })),
  ];
  return {
    headers: {
      "x-ms-client-principal": Buffer.from(
        JSON.stringify({ auth_typ: "aad", role_typ: "roles", claims }),
      ).toString("base64"),
    },
  };
}
const withHeaders = (init: HttpInit, extra: HttpInit): HttpInit => ({
  ...extra,
  headers: { ...init.headers, ...extra.headers },
});

let e2e: E2eHost;
let contosoRunId: string;
const teamA = as(ALL_ROLES, [TEAM_A]);
const teamB = as(ALL_ROLES, [TEAM_B.toUpperCase()]);
const noGroups = as(ALL_ROLES);
const url = (path: string) => `${e2e.baseUrl}${path}`;

beforeAll(async () => {
  e2e = await startE2eHost({ env: { AUTH_REQUIRE_PRINCIPAL: "true" } });
  // Contoso belongs to team A; Fabrikam names no group (open to every holder of the role).
  const put = await http(
    "PUT",
    url(`/tenants/${CONTOSO}`),
    withHeaders(noGroups, { json: { displayName: "Contoso Demo", accessGroups: [TEAM_A.toUpperCase()] } }),
  );
  expect(put.status, put.text).toBe(200);
  expect(put.body.accessGroups).toEqual([TEAM_A]);
  const accepted = await http(
    "POST",
    syncUrl(e2e.baseUrl, CONTOSO),
    withHeaders(teamA, { json: { categories: ["updates"] } }),
  );
  expect(accepted.status, accepted.text).toBe(202);
  contosoRunId = accepted.body.runId;
  // Generous: on a loaded 2-core machine a small run has taken over 30 s; the tests below need it finished.
  await followLocation(accepted.headers.get("location")!, { timeoutMs: 100_000 });
});
afterAll(async () => {
  await e2e?.close();
});

describe("tenant-scoped access with AUTH_REQUIRE_PRINCIPAL=true", () => {
  it("portfolio: a tenant of another team is absent from the rows; Inventory.Read is required", async () => {
    const tenantsOf = async (init: HttpInit) => {
      const answer = await http("GET", url("/portfolio"), init);
      expect(answer.status, answer.text).toBe(200);
      return answer.body.items.map((r: { tenantId: string }) => r.tenantId).sort();
    };
    expect(await tenantsOf(teamA)).toEqual([CONTOSO, FABRIKAM].sort());
    expect(await tenantsOf(teamB)).toEqual([FABRIKAM]);
    expectProblem(await http("GET", url("/portfolio"), as(["Inventory.Sync"], [TEAM_A])), 403, "FORBIDDEN");
  });

  it("sync: only a member of the tenant's group starts one; others get 404 TENANT_NOT_FOUND and no run is recorded", async () => {
    expectProblem(
      await http("POST", syncUrl(e2e.baseUrl, CONTOSO), withHeaders(teamB, { json: {} })),
      404,
      "TENANT_NOT_FOUND",
    );
    expectProblem(
      await http("POST", syncUrl(e2e.baseUrl, CONTOSO), withHeaders(noGroups, { json: {} })),
      404,
      "TENANT_NOT_FOUND",
    );
    const runs = await http("GET", url(`/tenants/${CONTOSO}/inventory/runs?limit=50`), teamA);
    expect(runs.body.items.map((r: { id: string }) => r.id)).toEqual([contosoRunId]);
    // The role is still needed on top of the group.
    expectProblem(
      await http(
        "POST",
        syncUrl(e2e.baseUrl, CONTOSO),
        withHeaders(as(["Inventory.Read"], [TEAM_A]), { json: {} }),
      ),
      403,
      "FORBIDDEN",
    );
  });

  it("runs: a run and the run list of a tenant of another team are 404 TENANT_NOT_FOUND", async () => {
    expect((await http("GET", url(`/tenants/${CONTOSO}/inventory/runs/${contosoRunId}`), teamA)).status).toBe(
      200,
    );
    expectProblem(
      await http("GET", url(`/tenants/${CONTOSO}/inventory/runs/${contosoRunId}`), teamB),
      404,
      "TENANT_NOT_FOUND",
    );
    expectProblem(
      await http("GET", url(`/tenants/${CONTOSO}/inventory/runs`), teamB),
      404,
      "TENANT_NOT_FOUND",
    );
  });

  it("inventory: items, missing and coverage of a tenant of another team are 404 TENANT_NOT_FOUND", async () => {
    for (const path of ["items", "missing", "coverage"]) {
      expect((await http("GET", url(`/tenants/${CONTOSO}/inventory/${path}`), teamA)).status, path).toBe(200);
      expectProblem(
        await http("GET", url(`/tenants/${CONTOSO}/inventory/${path}`), teamB),
        404,
        "TENANT_NOT_FOUND",
      );
    }
  });

  it("compare, baselines and drift: a tenant of another team is 404 TENANT_NOT_FOUND on either side, as if unregistered", async () => {
    const compare = (left: string, right: string) => url(`/compare?left=${left}&right=${right}&categories=updates`);
    expectProblem(await http("GET", compare(CONTOSO, FABRIKAM), teamB), 404, "TENANT_NOT_FOUND");
    expectProblem(await http("GET", compare(FABRIKAM, CONTOSO), teamB), 404, "TENANT_NOT_FOUND");
    expect((await http("GET", compare(CONTOSO, FABRIKAM), teamA)).status).toBe(200);
    // Capturing a baseline from a tenant reads its inventory: the same rule.
    const capture = { json: { displayName: "Gold", source: { tenantId: CONTOSO, categories: ["updates"] } } };
    expectProblem(await http("PUT", url("/baselines/gold"), withHeaders(teamB, capture)), 404, "TENANT_NOT_FOUND");
    expect((await http("PUT", url("/baselines/gold"), withHeaders(teamA, capture))).status).toBe(201);
    expectProblem(await http("GET", url(`/tenants/${CONTOSO}/drift?baselineId=gold`), teamB), 404, "TENANT_NOT_FOUND");
    expect((await http("GET", url(`/tenants/${CONTOSO}/drift?baselineId=gold`), teamA)).status).toBe(200);
  });

  it("tenants: get, replace and delete need the group; the list shows only the tenants the principal may see", async () => {
    expect((await http("GET", url(`/tenants/${CONTOSO}`), teamA)).status).toBe(200);
    expectProblem(await http("GET", url(`/tenants/${CONTOSO}`), teamB), 404, "TENANT_NOT_FOUND");
    expectProblem(
      await http(
        "PUT",
        url(`/tenants/${CONTOSO}`),
        withHeaders(teamB, { json: { displayName: "Taken over" } }),
      ),
      404,
      "TENANT_NOT_FOUND",
    );
    expectProblem(await http("DELETE", url(`/tenants/${CONTOSO}`), teamB), 404, "TENANT_NOT_FOUND");
    expect((await http("GET", url(`/tenants/${CONTOSO}`), teamA)).body).toMatchObject({
      displayName: "Contoso Demo",
      accessGroups: [TEAM_A],
    });

    const listed = async (init: HttpInit) =>
      ((await http("GET", url("/tenants"), init)).body.items as { tenantId: string }[])
        .map((t) => t.tenantId)
        .sort();
    expect(await listed(teamA)).toEqual([CONTOSO, FABRIKAM].sort());
    expect(await listed(teamB)).toEqual([FABRIKAM]);
    expect(await listed(noGroups)).toEqual([FABRIKAM]);
  });

  it("a tenant without access groups stays open to every holder of the role, whatever its groups", async () => {
    for (const who of [teamA, teamB, noGroups]) {
      expect((await http("GET", url(`/tenants/${FABRIKAM}/inventory/items`), who)).status).toBe(200);
      expect((await http("GET", url(`/tenants/${FABRIKAM}`), who)).status).toBe(200);
    }
  });

  it("without AUTH_REQUIRE_PRINCIPAL the groups are not enforced (the function key is the gate)", async () => {
    const open = await startE2eHost();
    try {
      expect(
        (
          await http("PUT", `${open.baseUrl}/tenants/${CONTOSO}`, {
            json: { displayName: "Contoso Demo", accessGroups: [TEAM_A] },
          })
        ).status,
      ).toBe(200);
      expect((await http("GET", `${open.baseUrl}/tenants/${CONTOSO}/inventory/items`)).status).toBe(200);
      expect((await http("GET", `${open.baseUrl}/tenants`)).body.items).toHaveLength(2);
    } finally {
      await open.close();
    }
  });

  it("refuses access groups that are not group object ids", async () => {
    expectProblem(
      await http(
        "PUT",
        url(`/tenants/${FABRIKAM}`),
        withHeaders(noGroups, { json: { displayName: "F", accessGroups: ["Helpdesk"] } }),
      ),
      400,
      "VALIDATION_FAILED",
      "body.accessGroups.0",
    );
  });
});

describe("the rest of the auth surface", () => {
  it("401 carries WWW-Authenticate", async () => {
    const answer = await http("GET", url(`/tenants/${FABRIKAM}/inventory/items`));
    expectProblem(answer, 401, "UNAUTHORIZED");
    expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer /);
  });

  it("the admin endpoint is under the same authorisation: 401 anonymous, 403 without Tenants.Manage, 202 with it", async () => {
    const admin = `${e2e.host.origin}/admin/functions/syncWatchdogTimer`;
    const anonymous = await http("POST", admin);
    expectProblem(anonymous, 401, "UNAUTHORIZED");
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expectProblem(await http("POST", admin, as(["Inventory.Sync", "Inventory.Read"])), 403, "FORBIDDEN");
    expect((await http("POST", admin, as(["Tenants.Manage"]))).status).toBe(202);
  });
});
