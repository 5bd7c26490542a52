/**
 * The real Durable Task extension (local/realEngine) on small, exact cases, each held against the
 * offline driver by test/unit/durableDriver.probes.test.ts. Where they differ, local/durable/README.md
 * says how and why. Runs only in `npm run test:real-engine` (and `npm test` where dotnet is present).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRealEngine } from "../../local/realEngine/realEngine";
import type { RealEngine } from "../../local/realEngine/realEngine";
import type { Settings } from "../../shared/config/settings";
import type { Stores } from "../../shared/store/ports";
import { PROBE } from "./probeFunctions";

let engine: RealEngine;

beforeAll(async () => {
  // The probes touch no store and no Graph: the engine needs no app settings.
  engine = await createRealEngine({
    settings: {} as Settings,
    stores: {} as Stores,
    appEnv: {},
    extraModules: ["dist/test/realEngine/probeRegistrations.js"],
    logLevel: process.env.REAL_ENGINE_LOG_LEVEL,
  });
}, 180_000);
afterAll(async () => {
  await engine?.close();
});

interface RawEvent {
  EventType: string;
  FunctionName?: string;
  Result?: unknown;
  FireAt?: string;
}

/** The instance's history as the extension's status endpoint returns it (`historyEvents`). */
async function historyOf(instanceId: string): Promise<RawEvent[]> {
  const rpc = String(engine.processes.clientData.rpcBaseUrl);
  const response = await fetch(`${rpc}instances/${encodeURIComponent(instanceId)}?showHistory=true&showHistoryOutput=true`);
  return ((await response.json()) as { historyEvents: RawEvent[] }).historyEvents;
}

async function run(name: string, input: unknown, instanceId?: string) {
  const id = await engine.client.startNew(name, { input, instanceId });
  return engine.client.waitForCompletion(id, 60_000);
}

describe("real Durable engine: what the driver must imitate", () => {
  it("schedules again every in-flight task that a #574-shaped sliding window re-wraps in a new Task.any", async () => {
    const status = await run(PROBE.slidingWindow574, [1, 2, 3, 4]);
    const completions = (await historyOf(status.instanceId)).filter((e) => e.EventType === "TaskCompleted");
    // 4 activities written; the extension schedules each leaf of each Task.any it is handed again.
    expect(completions.length).toBeGreaterThan(4);
    const values = completions.map((e) => e.Result).sort();
    expect(new Set(values).size).toBeLessThan(values.length);
  });

  it("schedules each task exactly once when every Task.all is built from fresh tasks", async () => {
    const status = await run(PROBE.freshWindow, [1, 2, 3, 4]);
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toEqual([1, 2, 3, 4]);
    const completions = (await historyOf(status.instanceId)).filter((e) => e.EventType === "TaskCompleted");
    expect(completions.map((e) => e.Result).sort()).toEqual([1, 2, 3, 4]);
  });

  it("hands an activity failure to the orchestrator as a plain Error with reason and details, not a TaskFailedError", async () => {
    const status = await run(PROBE.activityFailure, null);
    const output = status.output as { caught: boolean; name: string; message: string };
    expect(output.caught).toBe(true);
    expect(output.name).toBe("Error");
    expect(output.message.split(" \n ")[0]).toBe("Activity function 'probeFail' failed:  boom: probe failure");
  });

  it("fails an entity caller with the operation's serialised error, which for an Error is {} (its message is lost)", async () => {
    const status = await run(PROBE.counterCaller, `k-${Date.now()}`);
    expect(status.output).toEqual({ a: 2, b: 5, c: 5, failure: "[object Object]" });
  });

  it("fires a durable timer no earlier than a second before fireAt (queue visibility is whole seconds)", async () => {
    const status = await run(PROBE.timer, 2);
    const { before, after } = status.output as { before: string; after: string };
    const elapsed = Date.parse(after) - Date.parse(before);
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    const fired = (await historyOf(status.instanceId)).find((e) => e.EventType === "TimerFired");
    expect(Date.parse(fired!.FireAt!)).toBe(Date.parse(before) + 2_000);
  });

  it("refuses to start an instance id that is running, and starts it afresh once it has finished", async () => {
    const id = `reuse-${Date.now()}`;
    await engine.client.startNew(PROBE.timer, { instanceId: id, input: 2 });
    await expect(engine.client.startNew(PROBE.timer, { instanceId: id, input: 2 })).rejects.toThrow();
    const first = await engine.client.waitForCompletion(id, 60_000);
    expect(first.runtimeStatus).toBe("Completed");
    await engine.client.startNew(PROBE.freshWindow, { instanceId: id, input: [7] });
    const second = await engine.client.waitForCompletion(id, 60_000);
    expect(second.output).toEqual([7]);
  });

  it("terminates a running orchestration: status Terminated with the reason as output", async () => {
    const id = await engine.client.startNew(PROBE.timer, { input: 30 });
    await new Promise((r) => setTimeout(r, 1_500));
    await engine.client.terminate(id, "stop it");
    const status = await engine.client.waitForCompletion(id, 30_000);
    expect(status.runtimeStatus).toBe("Terminated");
    expect(status.output).toBe("stop it");
  });
});
