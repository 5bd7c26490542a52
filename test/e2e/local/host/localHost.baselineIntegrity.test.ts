/**
 * What a baseline stores can always be read back, and one bad baseline never stops the others:
 * an item with an empty display name (legal in Graph), a stored baseline that no longer parses,
 * the item limit enforced when a baseline is written (not only when it is read), and the
 * portfolio never showing drift against a baseline the tenant no longer has. Through the API of
 * the local host (embedded stores, simulated Graph), with BASELINE_MAX_ITEMS lowered to 5.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryLogSink, createStructuredLogger } from "../../../../shared/observability";
import { expectProblem, http, startE2eHost } from "../../../support/hostFixture";
import type { E2eHost } from "../../../support/hostFixture";
import { CUSTOMER, GOLD, GOLD_TENANTS, addObjects, deviceConfiguration, settingsCatalogPolicy, syncAndWait } from "../../../support/goldTenants";

const MAX_ITEMS = 5;
const logs = createMemoryLogSink();
let e2e: E2eHost;
const url = (path: string) => `${e2e.baseUrl}${path}`;
const events = (name: Parameters<typeof logs.events>[0]) => logs.events(name).map((r) => r.properties);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const portfolioDrift = async (tenantId: string): Promise<any> =>
  (await http("GET", url("/portfolio"))).body.items.find((t: { tenantId: string }) => t.tenantId === tenantId).drift;
const listed = (...names: string[]) => ({ displayName: "Listed", items: names.map((displayName) => ({ policyType: "deviceConfiguration", displayName })) });

/** The drift step runs after the run answers 200: wait (bounded) until it has reported for `runId`. */
async function waitForDriftStep(runId: string, reports: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  const seen = () => [...events("InventoryDriftEvaluated"), ...events("InventoryAfterRunStepFailed")].filter((e) => e.runId === runId).length;
  while (seen() < reports && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

beforeAll(async () => {
  e2e = await startE2eHost({
    demoTenants: GOLD_TENANTS,
    env: { BASELINE_MAX_ITEMS: String(MAX_ITEMS) },
    logger: createStructuredLogger(logs.sink, { strict: true }),
  });
  addObjects(e2e, GOLD, "deviceConfiguration", [deviceConfiguration(""), deviceConfiguration("BitLocker"), deviceConfiguration("Edge Settings")]);
  addObjects(e2e, GOLD, "settingsCatalogPolicy", ["P1", "P2", "P3", "P4"].map((n) => settingsCatalogPolicy(n)));
  addObjects(e2e, CUSTOMER, "deviceConfiguration", [deviceConfiguration(""), deviceConfiguration("BitLocker")]);
  await syncAndWait(e2e, GOLD);
  await syncAndWait(e2e, CUSTOMER);
}, 120_000);
afterAll(async () => {
  await e2e?.close();
});

describe("a stored baseline can always be read back", () => {
  it("captures an item with an empty display name, serves it, and matches it by its (empty) name like any other", async () => {
    const put = await http("PUT", url("/baselines/empty-name"), { json: { displayName: "Empty name", source: { tenantId: GOLD, policyTypes: ["deviceConfiguration"] } } });
    expect(put.status, put.text).toBe(201);
    expect(put.body.itemCount).toBe(3);
    const one = await http("GET", url("/baselines/empty-name"));
    expect(one.status, one.text).toBe(200);
    expect(one.body.items.map((i: { displayName: string }) => i.displayName).sort()).toEqual(["", "BitLocker", "Edge Settings"]);
    const drift = await http("GET", url(`/tenants/${CUSTOMER}/drift?baselineId=empty-name`));
    expect(drift.status, drift.text).toBe(200);
    expect(drift.body.counts).toEqual({ missing: 1, extra: 0, changed: 0, matching: 2 });
    expect(drift.body.items.find((i: { status: string }) => i.status === "missing")).toMatchObject({ displayName: "Edge Settings" });

    // …and the step after every run evaluates it instead of failing.
    expect((await http("PUT", url(`/tenants/${CUSTOMER}`), { json: { displayName: "Customer Tenant", baselines: ["empty-name"] } })).status).toBe(200);
    const run = await syncAndWait(e2e, CUSTOMER);
    await waitForDriftStep(run.id, 1);
    expect(events("InventoryDriftEvaluated").filter((e) => e.runId === run.id)).toMatchObject([{ baselineId: "empty-name", missing: 1, matching: 2 }]);
    expect(events("InventoryAfterRunStepFailed").filter((e) => e.runId === run.id)).toEqual([]);
  });

  it("one baseline that cannot be read never keeps the tenant's other baselines from being evaluated after a run", async () => {
    expect((await http("PUT", url("/baselines/broken"), { json: listed("BitLocker") })).status).toBe(201);
    expect((await http("PUT", url("/baselines/good"), { json: listed("BitLocker", "Edge Settings") })).status).toBe(201);
    // A chunk that no longer parses (written by an older version, or by hand): the store is real.
    const { baselines } = await e2e.host.stack.stores.containers();
    const { resources } = await baselines.items
      .query<{ id: string }>({ query: 'SELECT * FROM c WHERE c.docType = "baselineItems" AND c.baselineId = "broken"' }, { partitionKey: "broken" })
      .fetchAll();
    expect(resources).toHaveLength(1);
    await baselines.items.upsert({ ...resources[0], items: [{ policyType: "notAType", displayName: 7 }] });
    expect((await http("GET", url("/baselines/broken"))).status).toBe(500);

    // The broken one first: before the fix it stopped the step there. (The customer's unnamed
    // policy is extra against the listed baselines.)
    expect((await http("PUT", url(`/tenants/${CUSTOMER}`), { json: { displayName: "Customer Tenant", baselines: ["broken", "good"] } })).status).toBe(200);
    const run = await syncAndWait(e2e, CUSTOMER);
    await waitForDriftStep(run.id, 2);
    expect(events("InventoryAfterRunStepFailed").filter((e) => e.runId === run.id)).toMatchObject([{ step: "drift" }]);
    expect(events("InventoryDriftEvaluated").filter((e) => e.runId === run.id)).toMatchObject([{ baselineId: "good", missing: 1, matching: 1 }]);
    expect(await portfolioDrift(CUSTOMER)).toEqual({ baselineId: "good", missing: 1, extra: 1, changed: 0 });
  });

  it("refuses a capture or a list over BASELINE_MAX_ITEMS with 422 BASELINE_TOO_LARGE, and stores nothing", async () => {
    // Seven items of configuration in the gold tenant, five allowed.
    const capture = await http("PUT", url("/baselines/too-big"), { json: { displayName: "Too big", source: { tenantId: GOLD, categories: ["configuration"] } } });
    expectProblem(capture, 422, "BASELINE_TOO_LARGE", "body.source");
    expect(capture.body.detail).toMatch(/7 items; a baseline holds at most 5/);
    expectProblem(await http("GET", url("/baselines/too-big")), 404, "BASELINE_NOT_FOUND");
    expectProblem(await http("PUT", url("/baselines/too-big"), { json: listed("a", "b", "c", "d", "e", "f") }), 422, "BASELINE_TOO_LARGE", "body.items");
    const atTheLimit = await http("PUT", url("/baselines/too-big"), { json: listed("a", "b", "c", "d", "e") });
    expect(atTheLimit.status, atTheLimit.text).toBe(201);
    expect((await http("GET", url("/baselines/too-big"))).status).toBe(200);
  });
});

describe("contract gaps", () => {
  it("routes without query parameters refuse unknown ones with 400 VALIDATION_FAILED, like every other route", async () => {
    expectProblem(await http("GET", url("/baselines?limit=5")), 400, "VALIDATION_FAILED");
    expectProblem(await http("GET", url("/portfolio?x=1")), 400, "VALIDATION_FAILED");
    expectProblem(await http("GET", url("/portfolio?format=csv")), 400, "VALIDATION_FAILED");
    expectProblem(await http("GET", url("/tenants?x=1")), 400, "VALIDATION_FAILED");
    expectProblem(await http("GET", url("/policy-types?x=1")), 400, "VALIDATION_FAILED");
    expect((await http("GET", url("/baselines"))).status).toBe(200);
    expect((await http("GET", url("/portfolio"))).status).toBe(200);
  });

  it("changes with since after until: 400 VALIDATION_FAILED naming both", async () => {
    const answer = await http("GET", url(`/tenants/${CUSTOMER}/inventory/changes?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z`));
    expectProblem(answer, 400, "VALIDATION_FAILED", "query.since");
    expectProblem(answer, 400, "VALIDATION_FAILED", "query.until");
    const same = await http("GET", url(`/tenants/${CUSTOMER}/inventory/changes?since=2026-01-01T00:00:00Z&until=2026-01-01T00:00:00Z`));
    expect(same.status, same.text).toBe(200);
  });

  it("the portfolio never shows drift against a baseline the tenant no longer has: not after its list is replaced, not after the baseline is deleted", async () => {
    expect(await portfolioDrift(CUSTOMER)).toMatchObject({ baselineId: "good" });
    expect((await http("PUT", url("/baselines/other"), { json: listed("BitLocker") })).status).toBe(201);
    // Replaced by a baseline not evaluated yet: no drift to show until the next run.
    expect((await http("PUT", url(`/tenants/${CUSTOMER}`), { json: { displayName: "Customer Tenant", baselines: ["other"] } })).status).toBe(200);
    expect(await portfolioDrift(CUSTOMER)).toBeNull();
    // Back to one with a recorded evaluation: its figures, at once.
    expect((await http("PUT", url(`/tenants/${CUSTOMER}`), { json: { displayName: "Customer Tenant", baselines: ["good", "other"] } })).status).toBe(200);
    expect(await portfolioDrift(CUSTOMER)).toEqual({ baselineId: "good", missing: 1, extra: 1, changed: 0 });
    // The baseline deleted while still named: the next assigned one (not evaluated yet: none).
    expect((await http("DELETE", url("/baselines/good"))).status).toBe(204);
    expect(await portfolioDrift(CUSTOMER)).toBeNull();
    // And the next run shows the drift of the one left.
    const run = await syncAndWait(e2e, CUSTOMER);
    await waitForDriftStep(run.id, 1);
    expect(await portfolioDrift(CUSTOMER)).toEqual({ baselineId: "other", missing: 0, extra: 1, changed: 0 });
  });
});
