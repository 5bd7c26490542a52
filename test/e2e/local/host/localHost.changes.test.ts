import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import type { PolicyTypeKey } from "../../../../shared/domain";
import type { GraphObject, GraphSimulator } from "../../../../local/simulator";
import { expectProblem, followLocation, http, startE2eHost, syncUrl } from "../../../support/hostFixture";
import type { E2eHost } from "../../../support/hostFixture";

/**
 * Change sets through the HTTP API (docs/api.md "Changes"): each test has a tenant of its own
 * (three device configurations, two apps), syncs, changes the simulated tenant as an admin would,
 * syncs again and reads `GET …/runs/{runId}/changes` and `GET …/inventory/changes`.
 */

const TENANTS = Array.from({ length: 11 }, (_, i) => ({
  tenantId: randomUUID(),
  displayName: `Changes ${i}`,
  sizes: { deviceConfiguration: 3, mobileApp: 2 } as Partial<Record<PolicyTypeKey, number>>,
}));
const SELECTION = { policyTypes: ["deviceConfiguration", "mobileApp"] };

let e2e: E2eHost;
let sim: GraphSimulator;
let next = 0;
beforeAll(async () => {
  e2e = await startE2eHost({ demoTenants: TENANTS });
  sim = e2e.host.stack.simulator!;
});
afterAll(async () => {
  await e2e?.close();
});

/** A tenant no other test touches. */
const freshTenant = () => TENANTS[next++]!.tenantId;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function sync(tenantId: string): Promise<any> {
  const accepted = await http("POST", syncUrl(e2e.baseUrl, tenantId), { json: SELECTION });
  expect(accepted.status, accepted.text).toBe(202);
  const { final } = await followLocation(accepted.headers.get("location")!);
  expect(final.status, final.text).toBe(200);
  // The run's document is final before its orchestration releases the gate slot (post-run steps
  // run in between): the next sync of the selection waits for the orchestration to end, or the
  // gate would refuse it LOCK_HELD.
  const client = e2e.host.stack.engine.client;
  const deadline = Date.now() + 30_000;
  while (
    (await client.getStatus(final.body.orchestrationInstanceId)).runtimeStatus !== "Completed" &&
    Date.now() < deadline
  ) {
    await new Promise((r) => setTimeout(r, 20));
  }
  return final.body;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function changesOf(tenantId: string, runId: string, query = ""): Promise<any> {
  const answer = await http(
    "GET",
    `${e2e.baseUrl}/tenants/${tenantId}/inventory/runs/${runId}/changes${query}`,
  );
  expect(answer.status, answer.text).toBe(200);
  return answer.body;
}

type Listed = GraphObject & { id: string; displayName: string; version?: number };
const objectsOf = (tenantId: string, type: PolicyTypeKey) => sim.control.objects(tenantId, type) as Listed[];
const NONE = { added: 0, changed: 0, removed: 0, reappeared: 0 };

describe("change sets per run, through the HTTP API", () => {
  it("a selection's first run is its baseline: no base run and no changes", async () => {
    const tenant = freshTenant();
    const run = await sync(tenant);
    expect(run).toMatchObject({ status: "success", baseRunId: null, changes: NONE });
    const set = await changesOf(tenant, run.id);
    expect(set).toEqual({
      runId: run.id,
      baseRunId: null,
      counts: NONE,
      incompleteTypes: [],
      items: [],
      continuationToken: null,
    });
  });

  it("a rename is one `changed` naming displayName (and the lastModifiedDateTime Graph bumps with it)", async () => {
    const tenant = freshTenant();
    const first = await sync(tenant);
    const victim = objectsOf(tenant, "deviceConfiguration")[1]!;
    sim.control.mutate(tenant, "deviceConfiguration", { rename: { [victim.id]: "Renamed by an admin" } });
    const second = await sync(tenant);
    expect(second).toMatchObject({ baseRunId: first.id, changes: { ...NONE, changed: 1 } });
    const set = await changesOf(tenant, second.id);
    expect(set.items).toEqual([
      {
        kind: "changed",
        runId: second.id,
        detectedAt: expect.any(String),
        policyType: "deviceConfiguration",
        externalId: victim.id,
        itemId: expect.stringMatching(/^deviceConfiguration\./),
        displayName: "Renamed by an admin",
        changedFields: ["displayName", "meta.lastModifiedDateTime"],
      },
    ]);
    // The one-item view agrees with the change: the item now carries the new name.
    const items = await http(
      "GET",
      `${e2e.baseUrl}/tenants/${tenant}/inventory/items?policyType=deviceConfiguration&q=renamed`,
    );
    expect(items.body.items.map((i: { id: string }) => i.id)).toEqual([set.items[0].itemId]);
  });

  it("a version bump with its lastModifiedDateTime is a change of exactly those two fields", async () => {
    const tenant = freshTenant();
    await sync(tenant);
    const victim = objectsOf(tenant, "deviceConfiguration")[0]!;
    sim.control.mutate(tenant, "deviceConfiguration", {
      update: {
        [victim.id]: {
          version: Number(victim.version) + 1,
          lastModifiedDateTime: "2026-06-01T08:00:00.000Z",
        },
      },
    });
    const second = await sync(tenant);
    expect(second.changes).toEqual({ ...NONE, changed: 1 });
    const set = await changesOf(tenant, second.id);
    expect(
      set.items.map((c: { externalId: string; changedFields: string[] }) => [c.externalId, c.changedFields]),
    ).toEqual([[victim.id, ["meta.lastModifiedDateTime", "meta.version"]]]);
  });

  it("an assignment added to a policy is a change of `assignments`, and nothing else", async () => {
    const tenant = freshTenant();
    const victim = objectsOf(tenant, "deviceConfiguration")[1]!;
    const groupTarget = (groupId: string) => ({
      id: `${victim.id}_${groupId}`,
      target: { "@odata.type": "#microsoft.graph.groupAssignmentTarget", groupId },
    });
    const before = [groupTarget("0b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d")];
    sim.control.mutate(tenant, "deviceConfiguration", { assign: { [victim.id]: before } });
    await sync(tenant);
    sim.control.mutate(tenant, "deviceConfiguration", {
      assign: { [victim.id]: [...before, { id: `${victim.id}_all`, target: { "@odata.type": "#microsoft.graph.allDevicesAssignmentTarget" } }] },
    });
    const second = await sync(tenant);
    expect(second.changes).toEqual({ ...NONE, changed: 1 });
    const set = await changesOf(tenant, second.id);
    expect(set.items.map((c: { externalId: string; changedFields: string[] }) => [c.externalId, c.changedFields])).toEqual([
      [victim.id, ["assignments"]],
    ]);
    // The same targets listed in another order are not a change.
    sim.control.mutate(tenant, "deviceConfiguration", {
      assign: { [victim.id]: [{ id: `${victim.id}_all`, target: { "@odata.type": "#microsoft.graph.allDevicesAssignmentTarget" } }, ...before] },
    });
    expect((await sync(tenant)).changes).toEqual(NONE);
  });

  it("never calls a reordering of roleScopeTagIds a change", async () => {
    const tenant = freshTenant();
    const victim = objectsOf(tenant, "deviceConfiguration")[2]!;
    sim.control.mutate(tenant, "deviceConfiguration", {
      update: { [victim.id]: { roleScopeTagIds: ["0", "7", "3"] } },
    });
    await sync(tenant);
    sim.control.mutate(tenant, "deviceConfiguration", {
      update: { [victim.id]: { roleScopeTagIds: ["3", "0", "7"] } },
    });
    const second = await sync(tenant);
    expect(second.changes).toEqual(NONE);
    expect((await changesOf(tenant, second.id)).items).toEqual([]);
    // The reordered list was observed and stored: the run did read it, it just is not a change.
    const stored = await http(
      "GET",
      `${e2e.baseUrl}/tenants/${tenant}/inventory/items?policyType=deviceConfiguration`,
    );
    const item = stored.body.items.find((i: { externalId: string }) => i.externalId === victim.id);
    expect(item.meta.roleScopeTagIds).toEqual(["3", "0", "7"]);
  });

  it("a deletion while another type answers 403: the deletion is `removed`, the 403 type is incomplete and nothing of it is removed", async () => {
    const tenant = freshTenant();
    const first = await sync(tenant);
    const gone = objectsOf(tenant, "deviceConfiguration")[0]!;
    const app = objectsOf(tenant, "mobileApp")[0]!;
    sim.control.mutate(tenant, "deviceConfiguration", { remove: [gone.id] });
    sim.control.mutate(tenant, "mobileApp", { remove: [app.id] });
    sim.control.fault(tenant, "mobileApp", { status: 403 });
    const second = await sync(tenant);
    sim.control.reset(tenant);
    expect(second).toMatchObject({
      status: "partial",
      baseRunId: first.id,
      changes: { ...NONE, removed: 1 },
    });
    const set = await changesOf(tenant, second.id);
    expect(set.incompleteTypes).toEqual(["mobileApp"]);
    expect(set.items).toEqual([
      expect.objectContaining({
        kind: "removed",
        policyType: "deviceConfiguration",
        externalId: gone.id,
        displayName: gone.displayName,
        changedFields: [],
      }),
    ]);
    // Once the type is read again, the app's deletion is reported by that run.
    const third = await sync(tenant);
    expect(third.changes).toEqual({ ...NONE, removed: 1 });
    expect(
      (await changesOf(tenant, third.id)).items.map((c: { externalId: string }) => c.externalId),
    ).toEqual([app.id]);
  });

  it("an object deleted and then restored is `removed` once, then `reappeared`", async () => {
    const tenant = freshTenant();
    await sync(tenant);
    const victim = objectsOf(tenant, "deviceConfiguration")[1]!;
    sim.control.mutate(tenant, "deviceConfiguration", { remove: [victim.id] });
    const removedIn = await sync(tenant);
    expect(removedIn.changes).toEqual({ ...NONE, removed: 1 });
    const quiet = await sync(tenant);
    expect(quiet.changes).toEqual(NONE);
    sim.control.mutate(tenant, "deviceConfiguration", { add: [victim] });
    const back = await sync(tenant);
    expect(back).toMatchObject({ baseRunId: quiet.id, changes: { ...NONE, reappeared: 1 } });
    const set = await changesOf(tenant, back.id);
    expect(set.items).toEqual([
      expect.objectContaining({ kind: "reappeared", externalId: victim.id, changedFields: [] }),
    ]);
  });

  it("a new object is `added`; the tenant's change list answers newest first, filtered by kind, policy type and time", async () => {
    const tenant = freshTenant();
    await sync(tenant);
    const renamed = objectsOf(tenant, "mobileApp")[0]!;
    sim.control.mutate(tenant, "mobileApp", { rename: { [renamed.id]: "Company Portal (renamed)" } });
    const second = await sync(tenant);
    const added = sim.control.mutate(tenant, "deviceConfiguration", { add: 1 }).added as Listed[];
    const third = await sync(tenant);
    expect(third.changes).toEqual({ ...NONE, added: 1 });
    const list = await http("GET", `${e2e.baseUrl}/tenants/${tenant}/inventory/changes`);
    expect(list.status, list.text).toBe(200);
    expect(
      list.body.items.map((c: { kind: string; runId: string; externalId: string }) => [
        c.kind,
        c.runId,
        c.externalId,
      ]),
    ).toEqual([
      ["added", third.id, added[0]!.id],
      ["changed", second.id, renamed.id],
    ]);
    const onlyChanged = await http(
      "GET",
      `${e2e.baseUrl}/tenants/${tenant}/inventory/changes?kind=changed&policyType=mobileApp`,
    );
    expect(onlyChanged.body.items.map((c: { runId: string }) => c.runId)).toEqual([second.id]);
    const since = encodeURIComponent(third.startedAt);
    const recent = await http("GET", `${e2e.baseUrl}/tenants/${tenant}/inventory/changes?since=${since}`);
    expect(recent.body.items.map((c: { runId: string }) => c.runId)).toEqual([third.id]);
    const before = await http("GET", `${e2e.baseUrl}/tenants/${tenant}/inventory/changes?until=${since}`);
    expect(before.body.items.map((c: { runId: string }) => c.runId)).toEqual([second.id]);
  });

  it("pages with a continuation token bound to the tenant and the query", async () => {
    const tenant = freshTenant();
    await sync(tenant);
    const victims = objectsOf(tenant, "deviceConfiguration").map((o) => o.id);
    sim.control.mutate(tenant, "deviceConfiguration", {
      rename: Object.fromEntries(victims.map((id, i) => [id, `Renamed ${i}`])),
    });
    const second = await sync(tenant);
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const query: string = `?limit=1${token ? `&continuationToken=${encodeURIComponent(token)}` : ""}`;
      const page = await changesOf(tenant, second.id, query);
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((c: { externalId: string }) => c.externalId));
      token = page.continuationToken;
      if (token) {
        // Another query, or another tenant, may not use it.
        expectProblem(
          await http(
            "GET",
            `${e2e.baseUrl}/tenants/${tenant}/inventory/runs/${second.id}/changes?kind=removed&continuationToken=${encodeURIComponent(token)}`,
          ),
          400,
          "INVALID_CONTINUATION_TOKEN",
        );
        expectProblem(
          await http(
            "GET",
            `${e2e.baseUrl}/tenants/${tenant}/inventory/changes?continuationToken=${encodeURIComponent(token)}`,
          ),
          400,
          "INVALID_CONTINUATION_TOKEN",
        );
      }
    } while (token);
    expect(seen.sort()).toEqual([...victims].sort());
  });

  it("exports a run's changes as CSV (a formula-looking name defused) and the tenant's as NDJSON", async () => {
    const tenant = freshTenant();
    await sync(tenant);
    const victim = objectsOf(tenant, "deviceConfiguration")[0]!;
    sim.control.mutate(tenant, "deviceConfiguration", {
      rename: { [victim.id]: '=HYPERLINK("http://x","y"), "quoted"' },
    });
    const second = await sync(tenant);
    const csv = await http(
      "GET",
      `${e2e.baseUrl}/tenants/${tenant}/inventory/runs/${second.id}/changes?format=csv`,
    );
    expect(csv.status, csv.text).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="changes-/);
    expect(csv.headers.get("x-run-id")).toBe(second.id);
    const rows = parse(csv.text) as string[][];
    expect(rows[0]).toEqual([
      "kind",
      "runId",
      "detectedAt",
      "policyType",
      "externalId",
      "itemId",
      "displayName",
      "changedFields",
    ]);
    expect(rows.slice(1).map((r) => [r[0], r[4], r[6], r[7]])).toEqual([
      [
        "changed",
        victim.id,
        `'=HYPERLINK("http://x","y"), "quoted"`,
        "displayName;meta.lastModifiedDateTime",
      ],
    ]);
    const ndjson = await http("GET", `${e2e.baseUrl}/tenants/${tenant}/inventory/changes`, {
      headers: { accept: "application/x-ndjson" },
    });
    expect(ndjson.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    const lines = ndjson.text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { kind: string; runId: string });
    expect(lines.map((c) => [c.kind, c.runId])).toEqual([["changed", second.id]]);
    expectProblem(
      await http("GET", `${e2e.baseUrl}/tenants/${tenant}/inventory/changes?format=csv&continuationToken=x`),
      400,
      "VALIDATION_FAILED",
    );
  });

  it("answers bad input with a 4xx and a stable code, never a 5xx", async () => {
    const tenant = freshTenant();
    const base = `${e2e.baseUrl}/tenants/${tenant}/inventory`;
    expectProblem(await http("GET", `${base}/runs/no-such-run/changes`), 404, "RUN_NOT_FOUND");
    expectProblem(await http("GET", `${base}/changes?kind=renamed`), 400, "VALIDATION_FAILED", "query.kind");
    expectProblem(
      await http("GET", `${base}/changes?since=yesterday`),
      400,
      "VALIDATION_FAILED",
      "query.since",
    );
    expectProblem(
      await http("GET", `${base}/changes?policyType=nope`),
      400,
      "VALIDATION_FAILED",
      "query.policyType",
    );
    expectProblem(await http("GET", `${base}/changes?limit=0`), 400, "VALIDATION_FAILED", "query.limit");
    expectProblem(
      await http("GET", `${base}/changes?continuationToken=abc`),
      400,
      "INVALID_CONTINUATION_TOKEN",
    );
    expectProblem(
      await http("GET", `${e2e.baseUrl}/tenants/${randomUUID()}/inventory/changes`),
      404,
      "TENANT_NOT_FOUND",
    );
  });
});
