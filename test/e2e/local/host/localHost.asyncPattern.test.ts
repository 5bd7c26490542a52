import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO, FABRIKAM, expectProblem, followLocation, http, startE2eHost, syncUrl } from "../../../support/hostFixture";
import type { E2eHost } from "../../../support/hostFixture";
import { policyTypesOfCategory } from "../../../../shared/domain";

let e2e: E2eHost;
beforeAll(async () => {
  e2e = await startE2eHost();
});
afterAll(async () => {
  await e2e?.close();
});

describe("async sync over real HTTP (the pattern Logic Apps and Power Automate follow)", () => {
  it("POST → 202 + Location + Retry-After → the Location answers 202 while the run works → 200 with the finished run", async () => {
    e2e.gate.hold();
    const accepted = await http("POST", syncUrl(e2e.baseUrl, CONTOSO), {
      json: { categories: ["scripts"] },
      headers: { "x-correlation-id": "e2e-async-1" },
    });
    expect(accepted.status, accepted.text).toBe(202);
    expect(accepted.headers.get("x-correlation-id")).toBe("e2e-async-1");
    expect(Number(accepted.headers.get("retry-after"))).toBeGreaterThan(0);
    const location = accepted.headers.get("location");
    expect(location).toBe(`${e2e.baseUrl}/tenants/${CONTOSO}/inventory/runs/${accepted.body.runId}`);
    expect(accepted.body).toMatchObject({ tenantId: CONTOSO, status: "queued", links: { run: new URL(location!).pathname } });

    // Activities are held: the run cannot be finished, so this poll is a 202 by construction.
    const whileHeld = await http("GET", location!);
    expect(whileHeld.status).toBe(202);
    expect(["queued", "running"]).toContain(whileHeld.body.status);
    expect(whileHeld.headers.get("location")).toBe(location);

    e2e.gate.release();
    const followed = await followLocation(location!);
    expect(followed.final.status, followed.final.text).toBe(200);
    expect(followed.statuses.slice(0, -1).every((s) => s === 202)).toBe(true);
    const run = followed.final.body;
    expect(run).toMatchObject({ id: accepted.body.runId, tenantId: CONTOSO, status: "success", trigger: "http", hadErrors: false, correlationId: "e2e-async-1" });
    const scripts = policyTypesOfCategory("scripts");
    expect(run.policyTypes.map((p: { policyType: string }) => p.policyType).sort()).toEqual([...scripts].sort());
    expect(scripts).toEqual(expect.arrayContaining(["deviceManagementScript", "deviceShellScript", "deviceCustomAttributeShellScript"]));
    // Contoso's small demo listing holds two objects per type.
    expect(run.counts.itemsObserved).toBe(2 * scripts.length);
    // A finished run's answer is final: no Location to follow any more.
    expect(followed.final.headers.get("retry-after")).toBeNull();
  });

  it("two simultaneous POSTs of one selection: exactly one 202, the other 409 LOCK_HELD naming the active run", async () => {
    e2e.gate.hold();
    const body = { categories: ["compliance", "apps"] };
    const answers = await Promise.all([0, 1].map(() => http("POST", syncUrl(e2e.baseUrl, FABRIKAM), { json: body })));
    const accepted = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status === 409);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    const winner = accepted[0]!;
    const loser = refused[0]!;
    expectProblem(loser, 409, "LOCK_HELD");
    expect(loser.body.activeRunId).toBe(winner.body.runId);
    expect(loser.body.runId).not.toBe(winner.body.runId);
    expect(loser.headers.get("location")).toBe(winner.headers.get("location"));

    // The refused request left its own skipped run behind, and it is observable.
    const skipped = await http("GET", `${e2e.baseUrl}/tenants/${FABRIKAM}/inventory/runs/${loser.body.runId}`);
    expect(skipped.status).toBe(200);
    expect(skipped.body).toMatchObject({ status: "skipped", errorCodes: ["LOCK_HELD"] });

    // The same selection spelled differently is the same lock.
    const respelled = await http("POST", syncUrl(e2e.baseUrl, FABRIKAM), { json: { categories: ["apps", "compliance", "apps"], includeFoundations: false } });
    expectProblem(respelled, 409, "LOCK_HELD");
    expect(respelled.body.activeRunId).toBe(winner.body.runId);

    e2e.gate.release();
    const done = await followLocation(winner.headers.get("location")!);
    expect(done.final.body.status).toBe("success");
    // Once the run is done the selection is free again.
    const again = await http("POST", syncUrl(e2e.baseUrl, FABRIKAM), { json: body });
    expect(again.status, again.text).toBe(202);
    const againDone = (await followLocation(again.headers.get("location")!)).final.body;
    expect(againDone.status, JSON.stringify(againDone.errors)).toBe("success");
  });

  it("a run id of another tenant is 404 RUN_NOT_FOUND, exactly like an unknown one", async () => {
    const accepted = await http("POST", syncUrl(e2e.baseUrl, CONTOSO), { json: { categories: ["updates"] } });
    expect(accepted.status).toBe(202);
    await followLocation(accepted.headers.get("location")!);
    const own = await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/runs/${accepted.body.runId}`);
    expect(own.status).toBe(200);
    expectProblem(await http("GET", `${e2e.baseUrl}/tenants/${FABRIKAM}/inventory/runs/${accepted.body.runId}`), 404, "RUN_NOT_FOUND");
    expectProblem(await http("GET", `${e2e.baseUrl}/tenants/${FABRIKAM}/inventory/runs/no-such-run`), 404, "RUN_NOT_FOUND");
  });

  it("a tenant that is not registered is 404 TENANT_NOT_FOUND; a disabled one 409 TENANT_DISABLED with its skipped run", async () => {
    const stranger = "0b6e1c9a-1111-4222-8333-944455556666";
    expectProblem(await http("POST", syncUrl(e2e.baseUrl, stranger), { json: {} }), 404, "TENANT_NOT_FOUND");
    const put = await http("PUT", `${e2e.baseUrl}/tenants/${stranger}`, { json: { displayName: "Paused", enabled: false } });
    expect(put.status, put.text).toBe(201);
    const refused = await http("POST", syncUrl(e2e.baseUrl, stranger), { json: {} });
    expectProblem(refused, 409, "TENANT_DISABLED");
    const skipped = await http("GET", `${e2e.baseUrl}/tenants/${stranger}/inventory/runs/${refused.body.runId}`);
    expect(skipped.body).toMatchObject({ status: "skipped", errorCodes: ["TENANT_DISABLED"] });
  });
});
