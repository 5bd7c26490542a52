import { afterEach, describe, expect, it } from "vitest";
import { gateEntityId } from "../../../../functions/durableCatalog";
import type { GateState } from "../../../../shared/sync/gate";
import { startEngineFixture, startAcceptedRun } from "../../../support/engine";
import type { EngineFixture } from "../../../support/engine";

let fixture: EngineFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

const LEASE_SECONDS = 3;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("run and gate leases", () => {
  it("keeps a run whose only type is still enumerating past several leases alive: the watchdog never finalises it", async () => {
    fixture = await startEngineFixture({
      sizes: { settingsCatalogPolicy: 100 }, // four pages of 25
      settings: { SYNC_LEASE_SECONDS: String(LEASE_SECONDS) },
    });
    const f = fixture;
    const tenantId = f.tenants[0]!;
    f.simulator.control.latency(tenantId, "settingsCatalogPolicy", 2_500); // ~10 s: more than three leases
    const runId = await startAcceptedRun(f, tenantId, { policyTypes: ["settingsCatalogPolicy"] }, "lease-heartbeat");
    let passes = 0;
    for (;;) {
      const run = await f.stores.runs.get(tenantId, runId);
      if (run && !["queued", "running"].includes(run.status)) break;
      const report = await f.engine.watchdog();
      passes += 1;
      expect(report.runsFinalized).not.toContain(runId);
      expect(report.orchestrationsTerminated).not.toContain(runId);
      await sleep(400);
    }
    const run = await f.waitForRun(tenantId, runId);
    expect(run.status).toBe("success");
    expect(run.counts.itemsObserved).toBe(100);
    expect(passes).toBeGreaterThan(LEASE_SECONDS * 2); // the watchdog looked well past the first lease
  });

  it("finalises a run whose worker died mid-type within one lease, and frees its gate slot", async () => {
    const dead: Array<(error: Error) => void> = [];
    fixture = await startEngineFixture({
      sizes: { deviceConfiguration: 3 },
      settings: { SYNC_LEASE_SECONDS: String(LEASE_SECONDS) },
      engine: {
        // The worker running the type is gone: no result, no heartbeat.
        wrapActivity: (name, run) =>
          name === "syncPolicyType" ? () => new Promise<never>((_, reject) => dead.push(reject)) : run,
      },
    });
    const f = fixture;
    const tenantId = f.tenants[0]!;
    const runId = await startAcceptedRun(f, tenantId, { policyTypes: ["deviceConfiguration"] }, "lease-dead");
    let running = await f.stores.runs.get(tenantId, runId);
    for (let i = 0; i < 100 && running?.status !== "running"; i++) {
      await sleep(50);
      running = await f.stores.runs.get(tenantId, runId);
    }
    expect(running?.status).toBe("running");
    expect((await f.engine.watchdog()).runsFinalized).not.toContain(runId); // still inside its lease

    await sleep(Date.parse(running!.leaseUntil!) - Date.now() + 200);
    const report = await f.engine.watchdog();
    expect(report.runsFinalized).toContain(runId);
    const run = await f.stores.runs.get(tenantId, runId);
    expect(run).toMatchObject({ status: "failed", errorCodes: ["INTERNAL_ERROR"] });
    const gate = f.engine.driver.readEntityState<GateState>(gateEntityId());
    expect(Object.keys(gate.entityState?.holders ?? {})).not.toContain(runId);
    // Let the driver shut down: the "dead" activity finally answers, for a terminated instance.
    for (const reject of dead) reject(new Error("worker gone"));
  });
});
