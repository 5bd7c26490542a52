import { afterEach, describe, expect, it } from "vitest";
import { POLICY_TYPES, policyTypesInScope, policyTypesOfCategory, normaliseSelection } from "../../../../shared/domain";
import type { PolicyTypeKey } from "../../../../shared/domain";
import * as df from "durable-functions";
import { gateEntityId } from "../../../../functions/durableCatalog";
import { WORK_QUEUE_ENTITY_NAME } from "../../../../shared/sync/workQueue";
import { startEngineFixture } from "../../../support/engine";
import type { EngineFixture } from "../../../support/engine";

let fixture: EngineFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

const start = (f: EngineFixture, tenantId: string, selection = {}, waitForSlotSeconds = 0) =>
  f.engine.startSync({ tenantId, selection, waitForSlotSeconds, trigger: "http", correlationId: "test-corr" });

describe("inventorySync orchestration", () => {
  it("syncs every type of a simulated tenant to success with counts equal to the simulator's", async () => {
    fixture = await startEngineFixture();
    const f = fixture;
    const tenantId = f.tenants[0]!;
    const started = await start(f, tenantId, { includeFoundations: true });
    expect(started.kind).toBe("accepted");
    if (started.kind !== "accepted") return;
    const run = await f.waitForRun(tenantId, started.run.id);
    const scope = policyTypesInScope(normaliseSelection({ includeFoundations: true }));
    expect(scope).toHaveLength(POLICY_TYPES.length);
    const expected = scope.reduce((n, t) => n + distinctIds(f, tenantId, t), 0);
    expect(run.status).toBe("success");
    expect(run.hadErrors).toBe(false);
    expect(run.counts.itemsObserved).toBe(expected);
    expect(run.policyTypes.map((p) => p.policyType)).toEqual(scope);
    const stored = await countItems(f, tenantId);
    expect(stored).toBe(expected);
    // The run document is final before the orchestration's finally releases the gate.
    const status = await f.engine.client.waitForCompletion(started.run.id, 10_000);
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.customStatus).toMatchObject({ typesDone: scope.length, typesTotal: scope.length, itemsObserved: expected });
    expect(f.logs.events("InventoryRunFinalized")).toHaveLength(1);
    expect(f.logs.events("InventoryPolicyTypeCompleted")).toHaveLength(scope.length);
    const gate = await f.engine.client.readEntityState<{ holders: Record<string, unknown> }>(gateEntityId());
    expect(gate.entityState?.holders).toEqual({});
    // The run's work queue is deleted, not left behind as an empty entity (one per run).
    await f.engine.driver.idle();
    const queue = await f.engine.client.readEntityState(new df.EntityId(WORK_QUEUE_ENTITY_NAME, started.run.id));
    expect(queue.entityExists).toBe(false);
  });

  it("records one type answering 403 as partial with GRAPH_FORBIDDEN on that type and stores the others", async () => {
    fixture = await startEngineFixture();
    const f = fixture;
    const tenantId = f.tenants[0]!;
    f.simulator.control.fault(tenantId, "mobileApp", { status: 403 });
    const started = await start(f, tenantId, { categories: ["apps", "configuration"] });
    if (started.kind !== "accepted") throw new Error(started.kind);
    const run = await f.waitForRun(tenantId, started.run.id);
    expect(run.status).toBe("partial");
    expect(run.hadErrors).toBe(true);
    expect(run.errorCodes).toContain("GRAPH_FORBIDDEN");
    const apps = run.policyTypes.find((p) => p.policyType === "mobileApp");
    expect(apps).toMatchObject({ status: "failed", errorCode: "GRAPH_FORBIDDEN" });
    const config = run.policyTypes.find((p) => p.policyType === "deviceConfiguration");
    expect(config).toMatchObject({ status: "success" });
    expect(config?.itemsObserved).toBe(distinctIds(f, tenantId, "deviceConfiguration"));
    expect(run.errors.find((e) => e.policyType === "mobileApp")?.code).toBe("GRAPH_FORBIDDEN");
  });

  it("fails the run when the tenant's credential is rejected", async () => {
    fixture = await startEngineFixture();
    const f = fixture;
    const tenantId = f.tenants[0]!;
    for (const t of POLICY_TYPES) f.simulator.control.fault(tenantId, t.key, { status: 401 });
    const started = await start(f, tenantId);
    if (started.kind !== "accepted") throw new Error(started.kind);
    const run = await f.waitForRun(tenantId, started.run.id);
    expect(run.status).toBe("failed");
    expect(run.errorCodes).toEqual(["GRAPH_UNAUTHORIZED"]);
    expect(run.counts.itemsUpserted).toBe(0);
  });

  it("retries an activity that crashes mid-run and leaves no duplicate item", async () => {
    let crashes = 0;
    fixture = await startEngineFixture({
      engine: {
        driver: { timeScale: 0.001 },
        wrapActivity: (name, run) => async (input) => {
          if (name === "syncPolicyType" && (input as { policyType: string }).policyType === "settingsCatalogPolicy" && crashes === 0) {
            await run(input); // the work is done and stored, then the worker dies before answering
            crashes += 1;
            throw new Error("worker crashed");
          }
          return run(input);
        },
      },
    });
    const f = fixture;
    const tenantId = f.tenants[0]!;
    const started = await start(f, tenantId, { policyTypes: ["settingsCatalogPolicy", "deviceConfiguration"] });
    if (started.kind !== "accepted") throw new Error(started.kind);
    const run = await f.waitForRun(tenantId, started.run.id);
    expect(crashes).toBe(1);
    expect(run.status).toBe("success");
    expect(f.engine.driver.stats().activityRetries).toBeGreaterThanOrEqual(1);
    const expected = distinctIds(f, tenantId, "settingsCatalogPolicy") + distinctIds(f, tenantId, "deviceConfiguration");
    expect(await countItems(f, tenantId)).toBe(expected);
  });

  it("records a skipped TENANT_DISABLED run for a disabled tenant and starts nothing; an unknown tenant is not found", async () => {
    fixture = await startEngineFixture();
    const f = fixture;
    const tenantId = f.tenants[0]!;
    await f.stores.tenants.put({ tenantId, displayName: "Off", enabled: false, selections: [] }, new Date().toISOString());
    const refused = await start(f, tenantId);
    expect(refused.kind).toBe("tenantDisabled");
    if (refused.kind !== "tenantDisabled") return;
    expect(refused.run).toMatchObject({ status: "skipped", hadErrors: true, errorCodes: ["TENANT_DISABLED"] });
    expect(await f.stores.runs.get(tenantId, refused.run.id)).toMatchObject({ status: "skipped" });
    expect(f.engine.driver.stats().instancesStarted).toBe(0);
    expect(f.simulator.log.entries()).toHaveLength(0);
    expect((await start(f, "00000000-0000-0000-0000-000000000000")).kind).toBe("tenantNotFound");
  });

  it("emits one structured event per run transition, per policy type and per Graph retry, with the queried fields", async () => {
    fixture = await startEngineFixture();
    const f = fixture;
    const tenantId = f.tenants[0]!;
    f.simulator.control.fault(tenantId, "deviceConfiguration", { status: 429, retryAfter: 0, times: 1, body: '{"error":{"code":"TooManyRequests","message":"Bearer eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ4In0.sig"}}' });
    const started = await start(f, tenantId, { categories: ["configuration"] });
    if (started.kind !== "accepted") throw new Error(started.kind);
    const run = await f.waitForRun(tenantId, started.run.id);
    await f.engine.client.waitForCompletion(started.run.id, 10_000);
    expect(run.status).toBe("success");
    const names = f.logs.events().map((r) => r.properties.eventName);
    expect(names.filter((n) => n === "InventoryRunQueued")).toHaveLength(1);
    expect(names.filter((n) => n === "InventoryRunRunning")).toHaveLength(1);
    expect(names.filter((n) => n === "InventoryRunFinalized")).toHaveLength(1);
    expect(names.filter((n) => n === "InventoryPolicyTypeCompleted")).toHaveLength(run.scope.length);
    expect(run.scope).toEqual(policyTypesOfCategory("configuration"));
    const retry = f.logs.events("InventoryGraphRetry");
    expect(retry).toHaveLength(1);
    expect(retry[0]?.properties).toMatchObject({ tenantId, runId: run.id, policyType: "deviceConfiguration", statusCode: 429, attempt: 1, errorCode: "GRAPH_THROTTLED" });
    const finalized = f.logs.events("InventoryRunFinalized")[0]?.properties;
    expect(finalized).toMatchObject({ tenantId, runId: run.id, selectionHash: run.selectionHash, status: "success", correlationId: "test-corr", itemsObserved: run.counts.itemsObserved });
    expect(typeof finalized?.durationMs).toBe("number");
    expect(JSON.stringify(f.logs.records)).not.toMatch(/eyJ[A-Za-z0-9_-]{5,}\./);
  });

  it("replays every completed history deterministically", async () => {
    fixture = await startEngineFixture();
    const f = fixture;
    const tenantId = f.tenants[0]!;
    const started = await start(f, tenantId, { categories: ["scripts"] });
    if (started.kind !== "accepted") throw new Error(started.kind);
    await f.waitForRun(tenantId, started.run.id);
    await f.engine.client.waitForCompletion(started.run.id, 10_000);
    const original = await f.engine.client.getStatus(started.run.id);
    const replayed = await f.engine.driver.replay(started.run.id);
    expect(replayed.output).toEqual(original.output);
  });
});

function distinctIds(f: EngineFixture, tenantId: string, type: PolicyTypeKey): number {
  const ids = new Set<string>();
  for (const o of f.simulator.control.objects(tenantId, type)) {
    const id = (o as { id?: unknown }).id;
    if (typeof id === "string" && id.length > 0) ids.add(id);
  }
  return ids.size;
}

async function countItems(f: EngineFixture, tenantId: string): Promise<number> {
  let total = 0;
  let token: string | undefined;
  do {
    const page = await f.stores.items.list(tenantId, { limit: 200, continuationToken: token });
    total += page.items.length;
    token = page.continuationToken ?? undefined;
  } while (token);
  return total;
}

