import { afterEach, describe, expect, it } from "vitest";
import { POLICY_TYPE_KEYS } from "../../../../shared/domain";
import type { PolicyTypeKey } from "../../../../shared/domain";
import type { StartSyncResult } from "../../../../shared/sync/contracts";
import { gateEntityId } from "../../../../functions/durableCatalog";
import { startEngineFixture } from "../../../support/engine";
import type { EngineFixture, EngineFixtureOptions } from "../../../support/engine";

let fixture: EngineFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

const ONE_EACH = Object.fromEntries(POLICY_TYPE_KEYS.map((k) => [k, 1])) as Record<PolicyTypeKey, number>;

async function setup(options: EngineFixtureOptions): Promise<EngineFixture> {
  fixture = await startEngineFixture({ sizes: ONE_EACH, ...options });
  return fixture;
}

const start = (f: EngineFixture, tenantId: string, selection: object, waitForSlotSeconds = 0) =>
  f.engine.startSync({ tenantId, selection, waitForSlotSeconds, trigger: "http", correlationId: "corr-concurrency" });

async function settle(f: EngineFixture, results: StartSyncResult[]) {
  const runs = [];
  for (const r of results) {
    if (r.kind === "accepted") {
      runs.push(await f.waitForRun(r.run.tenantId, r.run.id, 60_000));
      // The run document is final before the orchestration's finally releases the gate.
      await f.engine.client.waitForCompletion(r.run.id, 60_000);
    }
    else if (r.kind === "lockHeld" || r.kind === "tenantDisabled") runs.push(r.run);
  }
  return runs;
}

async function gateHolders(f: EngineFixture): Promise<string[]> {
  const state = await f.engine.client.readEntityState<{ holders: Record<string, unknown> }>(gateEntityId());
  return Object.keys(state.entityState?.holders ?? {});
}

describe("concurrency: lock, global and per-tenant limits", () => {
  it("accepts exactly one of 20 simultaneous starts for one tenant + selection and records 19 skipped LOCK_HELD runs", async () => {
    const f = await setup({ simulator: { latencyMs: 20 } });
    const tenantId = f.tenants[0]!;
    const results = await Promise.all(Array.from({ length: 20 }, () => start(f, tenantId, { categories: ["apps"] })));
    const accepted = results.filter((r) => r.kind === "accepted");
    const refused = results.filter((r) => r.kind === "lockHeld");
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(19);
    const activeId = accepted[0]!.kind === "accepted" ? accepted[0]!.run.id : "";
    for (const r of refused) {
      if (r.kind !== "lockHeld") continue;
      expect(r.activeRunId).toBe(activeId);
      expect(r.run).toMatchObject({ status: "skipped", hadErrors: true, errorCodes: ["LOCK_HELD"] });
    }
    const runs = await settle(f, results);
    expect(runs.filter((r) => r.status === "success")).toHaveLength(1);
    const listed = await f.stores.runs.list(tenantId, { limit: 50 });
    expect(listed.items).toHaveLength(20);
    expect(await gateHolders(f)).toEqual([]);
  });

  it("skips 7 of 10 tenants started at once with CONCURRENCY_LIMIT_GLOBAL when the global limit is 3 and nobody waits", async () => {
    const f = await setup({ tenants: 10, simulator: { latencyMs: 40 }, settings: { SYNC_MAX_CONCURRENT_RUNS: "3", SYNC_MAX_CONCURRENT_RUNS_PER_TENANT: "2" } });
    const results = await Promise.all(f.tenants.map((t) => start(f, t, { categories: ["apps", "scripts"] }, 0)));
    expect(results.every((r) => r.kind === "accepted")).toBe(true);
    const runs = await settle(f, results);
    const skipped = runs.filter((r) => r.status === "skipped");
    expect(skipped).toHaveLength(7);
    for (const run of skipped) expect(run.errorCodes).toEqual(["CONCURRENCY_LIMIT_GLOBAL"]);
    expect(runs.filter((r) => r.status === "success")).toHaveLength(3);
    expect(f.simulator.log.maxConcurrentTenants()).toBeLessThanOrEqual(3);
    expect(await gateHolders(f)).toEqual([]);
  });

  it("runs all 10 tenants when they wait for a slot, never more than 3 tenants in flight at Graph", async () => {
    const f = await setup({
      tenants: 10,
      simulator: { latencyMs: 20 },
      settings: { SYNC_MAX_CONCURRENT_RUNS: "3", SYNC_MAX_CONCURRENT_RUNS_PER_TENANT: "2" },
      engine: { driver: { timeScale: 0.01 } },
    });
    const results = await Promise.all(f.tenants.map((t) => start(f, t, { categories: ["apps", "scripts"] }, 3_600)));
    const runs = await settle(f, results);
    expect(runs.map((r) => r.status)).toEqual(Array(10).fill("success"));
    expect(f.simulator.log.maxConcurrentTenants()).toBeLessThanOrEqual(3);
    expect(f.simulator.log.maxConcurrentTenants()).toBeGreaterThanOrEqual(2);
    expect(await gateHolders(f)).toEqual([]);
  });

  it("enforces the per-tenant limit: the third selection of a tenant is skipped, or waits and then runs", async () => {
    const f = await setup({
      simulator: { latencyMs: 30 },
      settings: { SYNC_MAX_CONCURRENT_RUNS_PER_TENANT: "2", SYNC_MAX_PARALLEL_TYPES: "1" },
      engine: { driver: { timeScale: 0.01 } },
    });
    const tenantId = f.tenants[0]!;
    const selections = [{ categories: ["apps"] }, { categories: ["scripts"] }, { categories: ["updates"] }];
    const noWait = await settle(f, await Promise.all(selections.map((s) => start(f, tenantId, s, 0))));
    expect(noWait.filter((r) => r.status === "skipped").map((r) => r.errorCodes)).toEqual([["CONCURRENCY_LIMIT_TENANT"]]);
    f.simulator.log.clear();
    const waited = await settle(f, await Promise.all(selections.map((s) => start(f, tenantId, s, 3_600))));
    expect(waited.map((r) => r.status)).toEqual(["success", "success", "success"]);
    // One type at a time per run: Graph never sees more than two of this tenant's requests at once.
    expect(f.simulator.log.maxConcurrency(tenantId)).toBeLessThanOrEqual(2);
  });

  it("frees the slot of an orchestration terminated while holding it once its lease expires, and the watchdog finalises its run", async () => {
    const f = await setup({
      tenants: 2,
      simulator: { latencyMs: 400 },
      settings: { SYNC_MAX_CONCURRENT_RUNS: "1", SYNC_MAX_CONCURRENT_RUNS_PER_TENANT: "1", SYNC_LEASE_SECONDS: "2", SYNC_MAX_PARALLEL_TYPES: "1" },
    });
    const [a, b] = f.tenants as [string, string];
    const first = await start(f, a, { categories: ["apps"] });
    if (first.kind !== "accepted") throw new Error(first.kind);
    await waitUntil(async () => (await f.stores.runs.get(a, first.run.id))?.status === "running");
    await f.engine.client.terminate(first.run.id, "operator terminated it");
    expect(await gateHolders(f)).toEqual([first.run.id]);

    const blocked = await start(f, b, { categories: ["scripts"] });
    if (blocked.kind !== "accepted") throw new Error(blocked.kind);
    expect((await f.waitForRun(b, blocked.run.id)).errorCodes).toEqual(["CONCURRENCY_LIMIT_GLOBAL"]);

    await new Promise((r) => setTimeout(r, 2_200));
    f.simulator.control.latency(b, null, 0);
    const after = await start(f, b, { categories: ["updates"] });
    if (after.kind !== "accepted") throw new Error(after.kind);
    expect((await f.waitForRun(b, after.run.id)).status).toBe("success");

    expect((await f.stores.runs.get(a, first.run.id))?.status).toBe("running");
    const report = await f.engine.watchdog();
    expect(report.runsFinalized).toEqual([first.run.id]);
    const finalised = await f.stores.runs.get(a, first.run.id);
    expect(finalised).toMatchObject({ status: "failed", hadErrors: true });
    expect(finalised?.errorCodes).toContain("INTERNAL_ERROR");
    // Its claim is free again: the same selection can run.
    const again = await start(f, a, { categories: ["apps"] });
    expect(again.kind).toBe("accepted");
  });

  it("leaves a long run alone while it keeps renewing its gate lease, even past its run document's lease", async () => {
    const f = await setup({
      simulator: { latencyMs: 150 },
      settings: { SYNC_LEASE_SECONDS: "1", SYNC_MAX_PARALLEL_TYPES: "1" },
    });
    const tenantId = f.tenants[0]!;
    const started = await start(f, tenantId, { categories: ["apps", "appProtection", "updates"] });
    if (started.kind !== "accepted") throw new Error(started.kind);
    await waitUntil(async () => (await f.stores.runs.get(tenantId, started.run.id))?.status === "running");
    await new Promise((r) => setTimeout(r, 1_300));
    const report = await f.engine.watchdog();
    expect(report.runsFinalized).toEqual([]);
    expect(report.orchestrationsTerminated).toEqual([]);
    expect((await f.waitForRun(tenantId, started.run.id)).status).toBe("success");
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
