import { describe, expect, it } from "vitest";
import { NOW, TENANT, OTHER_TENANT, ORIGIN, call, createWorld, makeRun, problemOf, servicesOf } from "../../../../support/httpFakes";
import type { RunStatus } from "../../../../support/httpFakes";
import { RunSchema } from "../../../../../shared/domain/run";

const SYNC = `/api/tenants/${TENANT}/inventory/sync`;
const runUrl = (runId: string, tenant = TENANT) => `${ORIGIN}/api/tenants/${tenant}/inventory/runs/${runId}`;

describe("POST …/inventory/sync (async request-reply)", () => {
  it("202 with the run id, an absolute Location to poll and Retry-After", async () => {
    const world = createWorld();
    const response = await call("POST", SYNC, { body: { categories: ["apps"] } }, servicesOf(world));
    expect(response.status).toBe(202);
    expect(response.headers.location).toBe(runUrl("run-1"));
    expect(Number(response.headers["retry-after"])).toBeGreaterThan(0);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      runId: "run-1",
      tenantId: TENANT,
      selectionHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      status: "queued",
      links: { run: `/api/tenants/${TENANT}/inventory/runs/run-1` },
    });
  });

  it("409 LOCK_HELD names the skipped run and the active run; Location points at the active run", async () => {
    const world = createWorld();
    world.nextStart = () => ({ kind: "lockHeld", run: makeRun({ id: "skipped-2", status: "skipped" }), activeRunId: "active-1" });
    const response = await call("POST", SYNC, {}, servicesOf(world));
    expect(response.status).toBe(409);
    expect(response.headers.location).toBe(runUrl("active-1"));
    expect(problemOf(response)).toMatchObject({ code: "LOCK_HELD", status: 409, runId: "skipped-2", activeRunId: "active-1" });
  });

  it("404 TENANT_NOT_FOUND for an unregistered tenant", async () => {
    const world = createWorld();
    world.nextStart = () => ({ kind: "tenantNotFound" });
    const response = await call("POST", SYNC, {}, servicesOf(world));
    expect(response.status).toBe(404);
    expect(problemOf(response).code).toBe("TENANT_NOT_FOUND");
  });

  it("409 TENANT_DISABLED with the skipped run id", async () => {
    const world = createWorld();
    world.nextStart = () => ({ kind: "tenantDisabled", run: makeRun({ id: "skipped-9", status: "skipped" }) });
    const response = await call("POST", SYNC, {}, servicesOf(world));
    expect(response.status).toBe(409);
    expect(problemOf(response)).toMatchObject({ code: "TENANT_DISABLED", runId: "skipped-9" });
    expect(problemOf(response).activeRunId).toBeUndefined();
  });
});

describe("GET …/inventory/runs/{runId} (the polling target)", () => {
  it.each<RunStatus>(["queued", "running"])("%s → 202 with Retry-After and Location to itself", async (status) => {
    const world = createWorld();
    world.runs.set("r1", makeRun({ id: "r1", status }));
    const response = await call("GET", `/api/tenants/${TENANT}/inventory/runs/r1`, {}, servicesOf(world));
    expect(response.status).toBe(202);
    expect(response.headers.location).toBe(runUrl("r1"));
    expect(Number(response.headers["retry-after"])).toBeGreaterThan(0);
    expect(RunSchema.strict().parse(response.body).status).toBe(status);
  });

  it("asks for a poll after 1 s while the run is young and after 5 s once it is older than 10 s, always as a 202", async () => {
    const world = createWorld();
    world.runs.set("young", makeRun({ id: "young", status: "running", requestedAt: new Date(NOW.getTime() - 9_000).toISOString() }));
    world.runs.set("old", makeRun({ id: "old", status: "running", requestedAt: new Date(NOW.getTime() - 11_000).toISOString() }));
    const young = await call("GET", `/api/tenants/${TENANT}/inventory/runs/young`, {}, servicesOf(world));
    const old = await call("GET", `/api/tenants/${TENANT}/inventory/runs/old`, {}, servicesOf(world));
    expect([young.status, young.headers["retry-after"]]).toEqual([202, "1"]);
    expect([old.status, old.headers["retry-after"]]).toEqual([202, "5"]);
    // The 202 of the sync itself is for a run requested this instant.
    expect((await call("POST", SYNC, {}, servicesOf(world))).headers["retry-after"]).toBe("1");
  });

  it.each<RunStatus>(["success", "partial", "failed", "skipped"])("%s → 200 with the run and no polling headers", async (status) => {
    const world = createWorld();
    world.runs.set("r1", makeRun({ id: "r1", status, finishedAt: "2026-01-02T03:05:00.000Z" }));
    const response = await call("GET", `/api/tenants/${TENANT}/inventory/runs/r1`, {}, servicesOf(world));
    expect(response.status).toBe(200);
    expect(response.headers.location).toBeUndefined();
    expect(response.headers["retry-after"]).toBeUndefined();
    // Exactly the documented Run: engine-only fields (docType, scope, leaseUntil …) never leave.
    const run = RunSchema.strict().parse(response.body);
    expect(run).toMatchObject({ id: "r1", status });
  });

  it("404 RUN_NOT_FOUND for an unknown run and for a run of another tenant", async () => {
    const world = createWorld();
    world.runs.set("theirs", makeRun({ id: "theirs", tenantId: OTHER_TENANT }));
    for (const id of ["nope", "theirs"]) {
      const response = await call("GET", `/api/tenants/${TENANT}/inventory/runs/${id}`, {}, servicesOf(world));
      expect(response.status).toBe(404);
      expect(problemOf(response).code).toBe("RUN_NOT_FOUND");
    }
  });

  it("polling a started sync follows Location to 200 once the run finishes", async () => {
    const world = createWorld();
    const services = servicesOf(world);
    const started = await call("POST", SYNC, {}, services);
    const location = started.headers.location!;
    const path = new URL(location).pathname;
    expect((await call("GET", path, {}, services)).status).toBe(202);
    const runId = (started.body as { runId: string }).runId;
    world.runs.set(runId, { ...world.runs.get(runId)!, status: "success", finishedAt: "2026-01-02T03:06:00.000Z" });
    const done = await call("GET", path, {}, services);
    expect(done.status).toBe(200);
    expect((done.body as { status: string }).status).toBe("success");
  });
});

describe("GET …/inventory/runs", () => {
  it("pages with the store's continuation token and passes filters", async () => {
    const world = createWorld();
    for (let i = 1; i <= 3; i++) world.runs.set(`r${i}`, makeRun({ id: `r${i}`, status: "success" }));
    const first = await call("GET", `/api/tenants/${TENANT}/inventory/runs?limit=2&status=success`, {}, servicesOf(world));
    expect(first.status).toBe(200);
    const page = first.body as { items: { id: string }[]; continuationToken: string | null };
    expect(page.items.map((r) => r.id)).toEqual(["r3", "r2"]);
    expect(page.continuationToken).not.toBeNull();
    const second = await call("GET", `/api/tenants/${TENANT}/inventory/runs?limit=2&continuationToken=${encodeURIComponent(page.continuationToken!)}`, {}, servicesOf(world));
    expect((second.body as { items: { id: string }[]; continuationToken: null }).items.map((r) => r.id)).toEqual(["r1"]);
    expect((second.body as { continuationToken: null }).continuationToken).toBeNull();
    expect(world.runQueries[0]).toEqual({ limit: 2, status: "success" });
  });

  it("a token issued for another tenant is a 400 INVALID_CONTINUATION_TOKEN", async () => {
    const response = await call("GET", `/api/tenants/${TENANT}/inventory/runs?continuationToken=page:${OTHER_TENANT}:2`);
    expect(response.status).toBe(400);
    expect(problemOf(response).code).toBe("INVALID_CONTINUATION_TOKEN");
  });
});
