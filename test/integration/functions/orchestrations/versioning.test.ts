import { afterEach, describe, expect, it } from "vitest";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { inventorySyncV2 } from "../../../../functions/orchestrations/inventorySync";
import { versioned } from "../../../../functions/orchestrations/versioning";
import { ACTIVITIES, ORCHESTRATION_LOGIC_VERSION, ORCHESTRATIONS } from "../../../../shared/sync/contracts";
import { startEngineFixture, startAcceptedRun } from "../../../support/engine";
import type { EngineFixture } from "../../../support/engine";

/*
 * A deployment replaces the code that replays in-flight instances. The rule (docs/deploy.md):
 * each instance is replayed by the logic version written into its input when it started, and a
 * deployment that changes the actions an orchestrator asks for adds a new version beside the old.
 */
let fixture: EngineFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

/** The next deployment's inventorySync: same job, its first two actions swapped. */
const reorderedInventorySync = function* (context: OrchestrationContext) {
  const input = context.df.getInput<{ tenantId: string; runId: string; limits: { leaseSeconds: number } }>();
  yield context.df.callActivity(ACTIVITIES.markRunning, { tenantId: input.tenantId, runId: input.runId, leaseSeconds: input.limits.leaseSeconds });
  return (yield* inventorySyncV2(context) as Generator<unknown, unknown, unknown>) as unknown;
} as OrchestrationHandler;

async function runInterruptedByDeployment(nextDeployment: OrchestrationHandler) {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let typesStarted = 0;
  fixture = await startEngineFixture({
    sizes: { deviceConfiguration: 2 },
    engine: {
      wrapActivity: (name, run) => async (input) => {
        if (name === ACTIVITIES.syncPolicyType) {
          typesStarted += 1;
          await held; // the run is in flight when the new code is deployed
        }
        return run(input);
      },
    },
  });
  const f = fixture;
  const tenantId = f.tenants[0]!;
  const runId = await startAcceptedRun(f, tenantId, { policyTypes: ["deviceConfiguration"] }, "deploy");
  for (let i = 0; i < 200 && typesStarted === 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(typesStarted).toBe(1);
  const recorded = f.engine.driver.getStatus(runId, { showHistory: true });
  expect((recorded?.input as { logicVersion: number }).logicVersion).toBe(ORCHESTRATION_LOGIC_VERSION);
  expect(recorded?.history?.length).toBeGreaterThan(5); // gate acquired, run marked, lanes started

  f.engine.driver.registerOrchestration(ORCHESTRATIONS.inventorySync, nextDeployment); // the deployment
  release();
  const status = await f.engine.client.waitForCompletion(runId, 30_000);
  return { f, tenantId, runId, status };
}

describe("deploying a change to an orchestrator's action order while a run is in flight", () => {
  it("finishes the in-flight run on the logic version it started with, when the new logic is added as a new version", async () => {
    const { f, tenantId, runId, status } = await runInterruptedByDeployment(
      versioned(ORCHESTRATIONS.inventorySync, { [ORCHESTRATION_LOGIC_VERSION]: inventorySyncV2, [ORCHESTRATION_LOGIC_VERSION + 1]: reorderedInventorySync }),
    );
    expect(status.runtimeStatus).toBe("Completed");
    expect((await f.waitForRun(tenantId, runId)).status).toBe("success");
    expect(f.engine.driver.stats().nonDeterminismFailures).toBe(0);
    await f.engine.driver.replay(runId); // the whole recorded history replays on the logic it names
  });

  it("would break the in-flight run if the new logic replaced the old one in place (what the rule prevents)", async () => {
    const { f, status } = await runInterruptedByDeployment(reorderedInventorySync);
    expect(status.runtimeStatus).toBe("Failed");
    expect(String(status.output)).toMatch(/Non-deterministic orchestration.*action #0/);
    expect(f.engine.driver.stats().nonDeterminismFailures).toBe(1);
  });

  it("ends an instance of a logic version the deployment no longer carries without replaying it", async () => {
    const { status } = await runInterruptedByDeployment(
      versioned(ORCHESTRATIONS.inventorySync, { [ORCHESTRATION_LOGIC_VERSION + 1]: reorderedInventorySync }),
    );
    expect(status.runtimeStatus).toBe("Failed");
    expect(String(status.output)).toContain(`logic version ${ORCHESTRATION_LOGIC_VERSION}, which this deployment no longer carries`);
  });
});
