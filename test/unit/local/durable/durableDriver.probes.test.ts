/**
 * The offline driver on the probe functions of test/realEngine/probeFunctions.ts: the same cases
 * test/realEngine/engineProbes.test.ts runs on the real Durable extension, so each behaviour
 * local/durable/README.md compares has a test on both sides.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DurableDriver } from "../../../../local/durable";
import { PROBE, probeActivities, probeEntities, probeOrchestrations } from "../../../realEngine/probeFunctions";

const drivers: DurableDriver[] = [];
function newDriver(): DurableDriver {
  const driver = new DurableDriver({ log: () => undefined });
  for (const [name, handler] of Object.entries(probeOrchestrations)) driver.registerOrchestration(name, handler);
  for (const [name, handler] of Object.entries(probeEntities)) driver.registerEntity(name, handler);
  for (const [name, handler] of Object.entries(probeActivities)) driver.registerActivity(name, async (input) => handler(input as never));
  drivers.push(driver);
  return driver;
}
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});

async function run(driver: DurableDriver, name: string, input: unknown, instanceId?: string) {
  return driver.waitForCompletion(driver.startNew(name, { input, instanceId }), 30_000);
}

describe("offline driver on the real-engine probes", () => {
  it("schedules each task exactly once when every Task.all is built from fresh tasks", async () => {
    const status = await run(newDriver(), PROBE.freshWindow, [1, 2, 3, 4]);
    expect(status.output).toEqual([1, 2, 3, 4]);
  });

  it("hands an activity failure to the orchestrator as a plain Error with reason and details, like the extension", async () => {
    const status = await run(newDriver(), PROBE.activityFailure, null);
    const output = status.output as { caught: boolean; name: string; message: string };
    expect(output).toMatchObject({ caught: true, name: "Error" });
    // The extension's friendly message keeps the space after the worker's "Exception:" label; ours has none.
    expect(output.message.split(" \n ")[0]).toBe("Activity function 'probeFail' failed: boom: probe failure");
  });

  it("fails an entity caller with the operation's serialised error ({} for an Error), like the extension", async () => {
    const status = await run(newDriver(), PROBE.counterCaller, "k");
    expect(status.output).toEqual({ a: 2, b: 5, c: 5, failure: "[object Object]" });
  });

  it("fires a durable timer at fireAt, never earlier (the engine may fire up to a second early)", async () => {
    const status = await run(newDriver(), PROBE.timer, 2);
    const { before, after } = status.output as { before: string; after: string };
    expect(Date.parse(after) - Date.parse(before)).toBeGreaterThanOrEqual(2_000);
  });

  it("refuses to start an instance id that is running, and starts it afresh once it has finished", async () => {
    const driver = newDriver();
    driver.startNew(PROBE.timer, { instanceId: "reuse", input: 1 });
    expect(() => driver.startNew(PROBE.timer, { instanceId: "reuse", input: 1 })).toThrow();
    expect((await driver.waitForCompletion("reuse", 30_000)).runtimeStatus).toBe("Completed");
    driver.startNew(PROBE.freshWindow, { instanceId: "reuse", input: [7] });
    expect((await driver.waitForCompletion("reuse", 30_000)).output).toEqual([7]);
  });

  it("terminates a running orchestration: status Terminated with the reason as output", async () => {
    const driver = newDriver();
    const id = driver.startNew(PROBE.timer, { input: 30 });
    await new Promise((r) => setTimeout(r, 200));
    driver.terminate(id, "stop it");
    const status = await driver.waitForCompletion(id, 5_000);
    expect(status.runtimeStatus).toBe("Terminated");
    expect(status.output).toBe("stop it");
  });
});
