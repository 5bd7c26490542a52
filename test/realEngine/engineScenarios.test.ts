/**
 * The engine scenarios of test/integration/engine.*.test.ts on the REAL Durable Task extension:
 * the app's own orchestrators, gate entity and activities (package.json `main`, in the Node
 * bridge), the real client over the extension's RPC endpoint, Azure Storage backend on Azurite.
 * Each test starts its own engine (about 3–5 s) because the app reads its settings at start-up.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { POLICY_TYPES, POLICY_TYPE_KEYS, normaliseSelection, policyTypesInScope } from "../../shared/domain";
import type { PolicyTypeKey, RunDocument } from "../../shared/domain";
import type { StartSyncResult } from "../../shared/sync/contracts";
import { gateEntityId } from "../../functions/durableCatalog";
import { WORK_QUEUE_ENTITY_NAME } from "../../shared/sync/workQueue";
import * as df from "durable-functions";
import type { RealEngine } from "../../local/realEngine/realEngine";
import { startRealEngineFixture } from "../support/engine";
import type { EngineFixture, RealEngineFixtureOptions } from "../support/engine";

/**
 * The orchestrators on main still build their sliding window by re-wrapping in-flight tasks
 * (durable-js #574, DESIGN §5) while `nextCompleted.ts` exists; issue 10 replaces them. On the real
 * engine that shape re-schedules work and runs never finish, so the scenarios it breaks are
 * EXPECTED to fail while it is there (`it.fails`: green only if they fail), and turn into plain
 * tests by themselves once the fix removes it. Measured with the fix merged: all six pass.
 */
const ORCHESTRATORS_HAVE_574 = existsSync(join(__dirname, "..", "..", "functions", "orchestrations", "nextCompleted.ts"));
const itUnless574 = ORCHESTRATORS_HAVE_574 ? it.fails : it;
/** Short while a failure is expected (it is a hang), generous otherwise. */
const RUN_WAIT_MS = ORCHESTRATORS_HAVE_574 ? 30_000 : 120_000;

type Fixture = EngineFixture<RealEngine>;
let fixture: Fixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

const ONE_EACH = Object.fromEntries(POLICY_TYPE_KEYS.map((k) => [k, 1])) as Record<PolicyTypeKey, number>;

async function setup(options: RealEngineFixtureOptions = {}): Promise<Fixture> {
  fixture = await startRealEngineFixture(options);
  return fixture;
}

const start = (f: Fixture, tenantId: string, selection: object = {}, waitForSlotSeconds = 0) =>
  f.engine.startSync({ tenantId, selection, waitForSlotSeconds, trigger: "http", correlationId: "corr-real-engine" });

async function settle(f: Fixture, results: StartSyncResult[]): Promise<RunDocument[]> {
  const runs: RunDocument[] = [];
  for (const r of results) {
    if (r.kind === "accepted") {
      runs.push(await f.waitForRun(r.run.tenantId, r.run.id, RUN_WAIT_MS));
      await f.engine.client.waitForCompletion(r.run.id, RUN_WAIT_MS);
    } else if (r.kind === "lockHeld" || r.kind === "tenantDisabled") runs.push(r.run);
  }
  return runs;
}

async function gateHolders(f: Fixture): Promise<string[]> {
  const state = await f.engine.client.readEntityState<{ holders: Record<string, unknown> }>(gateEntityId());
  return Object.keys(state.entityState?.holders ?? {});
}

function distinctIds(f: Fixture, tenantId: string, type: PolicyTypeKey): number {
  const ids = new Set<string>();
  for (const o of f.simulator.control.objects(tenantId, type)) {
    const id = (o as { id?: unknown }).id;
    if (typeof id === "string" && id.length > 0) ids.add(id);
  }
  return ids.size;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("engine scenarios on the real Durable extension", () => {
  itUnless574("syncs every type of a simulated tenant to success with counts equal to the simulator's", async () => {
    const f = await setup();
    const tenantId = f.tenants[0]!;
    const started = await start(f, tenantId, { includeFoundations: true });
    if (started.kind !== "accepted") throw new Error(started.kind);
    const run = await f.waitForRun(tenantId, started.run.id, RUN_WAIT_MS);
    const scope = policyTypesInScope(normaliseSelection({ includeFoundations: true }));
    expect(scope).toHaveLength(POLICY_TYPES.length);
    const expected = scope.reduce((n, t) => n + distinctIds(f, tenantId, t), 0);
    expect(run.status).toBe("success");
    expect(run.hadErrors).toBe(false);
    expect(run.counts.itemsObserved).toBe(expected);
    expect(run.policyTypes.map((p) => p.policyType)).toEqual(scope);
    const status = await f.engine.client.waitForCompletion(started.run.id, RUN_WAIT_MS);
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.customStatus).toMatchObject({ typesDone: scope.length, typesTotal: scope.length, itemsObserved: expected });
    // Each policy type's activity ran exactly once (no #574 re-scheduling).
    const perType = new Map<string, number>();
    for (const e of f.simulator.log.entries({ tenantId })) {
      // A first page is a request without a skip token: one per enumeration of a type. A
      // per-object assignment read (`…/{id}/assignments`) is not a listing.
      if (e.policyType && !/skiptoken/i.test(e.query) && !e.path.endsWith("/assignments")) perType.set(e.policyType, (perType.get(e.policyType) ?? 0) + 1);
    }
    expect([...perType.values()].every((n) => n === 1)).toBe(true);
    expect(await gateHolders(f)).toEqual([]);
    // The run's work queue reads as gone once its run is done, as it does on the offline driver. The
    // driver once kept it (durable-functions 3's return() after destructOnExit() says "exists" with
    // no state); the real extension reads such an entity as not existing either way (checked by
    // putting that return() back: this still passed), so the leak was the driver's alone.
    const queue = new df.EntityId(WORK_QUEUE_ENTITY_NAME, started.run.id);
    await waitUntil(async () => !(await f.engine.client.readEntityState(queue)).entityExists);
  });

  it("records one type answering 403 as partial with GRAPH_FORBIDDEN on that type", async () => {
    const f = await setup();
    const tenantId = f.tenants[0]!;
    f.simulator.control.fault(tenantId, "mobileApp", { status: 403 });
    const started = await start(f, tenantId, { categories: ["apps", "configuration"] });
    if (started.kind !== "accepted") throw new Error(started.kind);
    const run = await f.waitForRun(tenantId, started.run.id, 120_000);
    expect(run.status).toBe("partial");
    expect(run.errorCodes).toContain("GRAPH_FORBIDDEN");
    expect(run.policyTypes.find((p) => p.policyType === "mobileApp")).toMatchObject({ status: "failed", errorCode: "GRAPH_FORBIDDEN" });
    expect(run.policyTypes.find((p) => p.policyType === "deviceConfiguration")).toMatchObject({ status: "success" });
  });

  itUnless574("accepts exactly one of 20 simultaneous starts for one tenant + selection", async () => {
    const f = await setup({ sizes: ONE_EACH, simulator: { latencyMs: 20 } });
    const tenantId = f.tenants[0]!;
    const results = await Promise.all(Array.from({ length: 20 }, () => start(f, tenantId, { categories: ["apps"] })));
    expect(results.filter((r) => r.kind === "accepted")).toHaveLength(1);
    expect(results.filter((r) => r.kind === "lockHeld")).toHaveLength(19);
    const runs = await settle(f, results);
    expect(runs.filter((r) => r.status === "success")).toHaveLength(1);
    expect((await f.stores.runs.list(tenantId, { limit: 50 })).items).toHaveLength(20);
    expect(await gateHolders(f)).toEqual([]);
  });

  itUnless574("runs all 10 tenants that wait for a slot under a global limit of 3, never more than 3 in flight at Graph", async () => {
    const f = await setup({
      tenants: 10,
      sizes: ONE_EACH,
      simulator: { latencyMs: 20 },
      settings: { SYNC_MAX_CONCURRENT_RUNS: "3", SYNC_MAX_CONCURRENT_RUNS_PER_TENANT: "2" },
    });
    const results = await Promise.all(f.tenants.map((t) => start(f, t, { categories: ["apps", "scripts"] }, 3_600)));
    const runs = await settle(f, results);
    expect(runs.map((r) => r.status)).toEqual(Array(10).fill("success"));
    expect(f.simulator.log.maxConcurrentTenants()).toBeLessThanOrEqual(3);
    expect(await gateHolders(f)).toEqual([]);
  });

  itUnless574("walks a nightly over 10 tenants: none skipped, each started once", async () => {
    const f = await setup({
      tenants: 10,
      sizes: ONE_EACH,
      simulator: { latencyMs: 5 },
      settings: { SYNC_MAX_CONCURRENT_RUNS: "3", SYNC_MAX_CONCURRENT_RUNS_PER_TENANT: "2" },
    });
    const scripts = normaliseSelection({ categories: ["scripts"] });
    const now = new Date().toISOString();
    for (const [i, tenantId] of f.tenants.entries()) {
      await f.stores.tenants.put({ tenantId, displayName: `Scripts ${i}`, enabled: true, selections: [scripts] }, now);
    }
    const startedAt = Date.now();
    const { instanceId, started } = await f.engine.startNightly(new Date("2026-11-24T02:00:00Z"));
    expect(started).toBe(true);
    const status = await f.engine.client.waitForCompletion(instanceId, ORCHESTRATORS_HAVE_574 ? 45_000 : 170_000);
    const wallMs = Date.now() - startedAt;
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toEqual({ tenants: 10, started: 10, success: 10, partial: 0, failed: 0, skipped: 0 });
    for (const tenantId of f.tenants) {
      const runs = await f.stores.runs.list(tenantId, { limit: 5 });
      expect(runs.items.map((r) => [r.status, r.trigger])).toEqual([["success", "timer"]]);
    }
    expect(f.simulator.log.maxConcurrentTenants()).toBeLessThanOrEqual(3);
    // Reported in the closing note (wall time of the same nightly on the driver: engine.nightly.test.ts).
    console.log(`real engine: nightly over 10 tenants (global limit 3) took ${wallMs} ms`);
  });

  it("frees the slot of an orchestration terminated while holding it once its lease expires, and the watchdog finalises its run", async () => {
    const f = await setup({
      tenants: 2,
      sizes: ONE_EACH,
      simulator: { latencyMs: 400 },
      settings: { SYNC_MAX_CONCURRENT_RUNS: "1", SYNC_MAX_CONCURRENT_RUNS_PER_TENANT: "1", SYNC_LEASE_SECONDS: "3", SYNC_MAX_PARALLEL_TYPES: "1" },
    });
    const [a, b] = f.tenants as [string, string];
    const first = await start(f, a, { categories: ["apps"] });
    if (first.kind !== "accepted") throw new Error(first.kind);
    await waitUntil(async () => (await f.stores.runs.get(a, first.run.id))?.status === "running");
    await f.engine.client.terminate(first.run.id, "operator terminated it");
    const terminated = await f.engine.client.waitForCompletion(first.run.id, 30_000);
    expect(terminated.runtimeStatus).toBe("Terminated");
    expect(await gateHolders(f)).toEqual([first.run.id]);

    const blocked = await start(f, b, { categories: ["scripts"] });
    if (blocked.kind !== "accepted") throw new Error(blocked.kind);
    expect((await f.waitForRun(b, blocked.run.id, 60_000)).errorCodes).toEqual(["CONCURRENCY_LIMIT_GLOBAL"]);

    await new Promise((r) => setTimeout(r, 3_200));
    f.simulator.control.latency(b, null, 0);
    const after = await start(f, b, { categories: ["updates"] });
    if (after.kind !== "accepted") throw new Error(after.kind);
    expect((await f.waitForRun(b, after.run.id, 60_000)).status).toBe("success");

    expect((await f.stores.runs.get(a, first.run.id))?.status).toBe("running");
    const report = await f.engine.watchdog();
    expect(report.runsFinalized).toEqual([first.run.id]);
    expect(await f.stores.runs.get(a, first.run.id)).toMatchObject({ status: "failed", hadErrors: true });
  });
});
