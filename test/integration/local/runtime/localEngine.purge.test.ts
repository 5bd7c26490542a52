/**
 * Finished orchestration instances do not pile up in the local engine: with a retention set (the
 * local host sets one), instances that finished are purged by creation time, as a Durable purge
 * by `createdTimeTo` does; running ones never are.
 */
import { afterEach, describe, expect, it } from "vitest";
import { POLICY_TYPE_KEYS } from "../../../../shared/domain";
import type { PolicyTypeKey } from "../../../../shared/domain";
import { startEngineFixture } from "../../../support/engine";
import type { EngineFixture } from "../../../support/engine";

const ONE_EACH = Object.fromEntries(POLICY_TYPE_KEYS.map((k) => [k, 1])) as Record<PolicyTypeKey, number>;
let fixture: EngineFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

describe("finished-instance purge", () => {
  it("purges the instances of finished runs on its own after the retention, keeping their run documents", async () => {
    fixture = await startEngineFixture({ sizes: ONE_EACH, engine: { historyRetentionSeconds: 0 } });
    const f = fixture;
    const tenantId = f.tenants[0]!;
    const runIds: string[] = [];
    for (const categories of [["updates"], ["scripts"], ["apps"]] as const) {
      const started = await f.engine.startSync({ tenantId, selection: { categories: [...categories] }, waitForSlotSeconds: 0, trigger: "http", correlationId: "corr-purge" });
      if (started.kind !== "accepted") throw new Error(started.kind);
      runIds.push(started.run.id);
      await f.engine.client.waitForCompletion(started.run.id, 60_000);
    }
    // The engine's own purge pass (every second at this retention) removes them; no call needed.
    const deadline = Date.now() + 15_000;
    while (runIds.some((id) => f.engine.driver.getStatus(id) !== undefined) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(f.engine.driver.stats().instancesByStatus.Completed).toBe(0);
    for (const runId of runIds) {
      expect(f.engine.driver.getStatus(runId)).toBeUndefined();
      expect((await f.stores.runs.get(tenantId, runId))?.status).toBe("success");
    }
  });

  it("purges nothing without a retention (tests and tools read finished instances)", async () => {
    fixture = await startEngineFixture({ sizes: ONE_EACH });
    const started = await fixture.engine.startSync({ tenantId: fixture.tenants[0]!, selection: { categories: ["updates"] }, waitForSlotSeconds: 0, trigger: "http", correlationId: "corr-keep" });
    if (started.kind !== "accepted") throw new Error(started.kind);
    await fixture.engine.client.waitForCompletion(started.run.id, 60_000);
    expect(await fixture.engine.purgeFinished()).toBe(0);
    expect(fixture.engine.driver.getStatus(started.run.id)?.runtimeStatus).toBe("Completed");
  });
});
