import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import type { DurableClient, EntityContext, OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { afterEach, describe, expect, it } from "vitest";
import {
  DriverDurableClient,
  DurableDriver,
  NonDeterministicOrchestrationError,
  ReplaySchema,
  scaledClock,
  type DurableDriverOptions,
  type OrchestrationStatus,
} from "../../../../local/durable";

const WAIT_MS = 5_000;

const drivers: DurableDriver[] = [];
function newDriver(options: DurableDriverOptions = {}): DurableDriver {
  const driver = new DurableDriver({ timeScale: 0.001, log: () => undefined, ...options });
  drivers.push(driver);
  return driver;
}

afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});

async function run(driver: DurableDriver, name: string, input?: unknown, instanceId?: string): Promise<OrchestrationStatus> {
  const id = driver.startNew(name, { input, instanceId });
  return driver.waitForCompletion(id, WAIT_MS);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface HistoryRow {
  EventType: number;
  IsPlayed: boolean;
  Timestamp: Date;
  FireAt?: Date;
  Name?: string;
  EventId: number;
}
const T = { TaskScheduled: 4, TaskFailed: 6, TimerCreated: 10, TimerFired: 11, OrchestratorStarted: 12, EventSent: 14 };
function historyOf(driver: DurableDriver, id: string): HistoryRow[] {
  return (driver.getStatus(id, { showHistory: true })?.history ?? []) as HistoryRow[];
}

// ------------------------------------------------------------------ sample functions

const helloSequence: OrchestrationHandler = function* (context: OrchestrationContext) {
  const names = context.df.getInput<string[]>();
  const greetings: unknown[] = [];
  for (const name of names) greetings.push(yield context.df.callActivity("hello", name));
  return greetings;
};

async function hello(input: unknown, context: InvocationContext): Promise<string> {
  return `Hello, ${String(input)} from ${context.functionName}`;
}

interface CounterOp {
  amount?: number;
}
function counterEntity(context: EntityContext<number>): void {
  const state = context.df.getState(() => 0) ?? 0;
  switch (context.df.operationName) {
    case "add":
      context.df.setState(state + (context.df.getInput<CounterOp>()?.amount ?? 1));
      break;
    case "get":
      context.df.return(state);
      break;
    case "explode":
      context.df.setState(-999);
      throw new Error("counter exploded");
    case "delete":
      context.df.destructOnExit();
      break;
  }
}

describe("DurableDriver", () => {
  describe("activities", () => {
    it("runs registered activities in sequence with a v4 InvocationContext and returns the output", async () => {
      const driver = newDriver().registerOrchestration("helloSequence", helloSequence).registerActivity("hello", hello);
      const status = await run(driver, "helloSequence", ["Tokyo", "Seattle"]);
      expect(status.runtimeStatus).toBe("Completed");
      expect(status.output).toEqual(["Hello, Tokyo from hello", "Hello, Seattle from hello"]);
      const scheduled = historyOf(driver, status.instanceId).filter((e) => e.EventType === T.TaskScheduled);
      expect(scheduled.map((e) => e.Name)).toEqual(["hello", "hello"]);
    });

    it("reports an activity's exception to the orchestrator as the extension does: a plain Error with reason and details, no TaskFailedError", async () => {
      const driver = newDriver()
        .registerActivity("explode", async () => {
          throw new RangeError("disk on fire");
        })
        .registerOrchestration("catcher", function* (context) {
          try {
            yield context.df.callActivity("explode");
            return "not reached";
          } catch (error) {
            return {
              isTaskFailedError: error instanceof df.TaskFailedError,
              message: (error as Error).message.split(" \n ")[0],
            };
          }
        });
      const status = await run(driver, "catcher");
      // The extension (3.x JSON protocol) sends Reason/Details, never FailureDetails: see local/durable/README.md.
      expect(status.output).toEqual({
        isTaskFailedError: false,
        message: "Activity function 'explode' failed: disk on fire",
      });
      expect(historyOf(driver, status.instanceId).some((e) => e.EventType === T.TaskFailed)).toBe(true);
    });

    it("retries with callActivityWithRetry, backing off by the coefficient in driver time", async () => {
      let attempts = 0;
      const retry = new df.RetryOptions(10_000, 5);
      retry.backoffCoefficient = 2;
      const driver = newDriver()
        .registerActivity("flaky", async () => {
          attempts++;
          if (attempts < 3) throw new Error(`attempt ${attempts} failed`);
          return "ok";
        })
        .registerOrchestration("retrying", function* (context) {
          return yield context.df.callActivityWithRetry("flaky", retry);
        });
      const status = await run(driver, "retrying");
      expect(status.output).toBe("ok");
      expect(attempts).toBe(3);
      const delays = historyOf(driver, status.instanceId)
        .filter((e) => e.EventType === T.TimerCreated)
        .map((e) => new Date(e.FireAt as Date).getTime() - new Date(e.Timestamp).getTime());
      expect(delays).toEqual([10_000, 20_000]);
    });

    it("gives up after maxNumberOfAttempts and caps the back-off at maxRetryInterval", async () => {
      let attempts = 0;
      const retry = new df.RetryOptions(1_000, 4);
      retry.backoffCoefficient = 10;
      retry.maxRetryIntervalInMilliseconds = 5_000;
      const driver = newDriver()
        .registerActivity("broken", async () => {
          attempts++;
          throw new Error("still broken");
        })
        .registerOrchestration("retrying", function* (context) {
          return yield context.df.callActivityWithRetry("broken", retry);
        });
      const status = await run(driver, "retrying");
      expect(status.runtimeStatus).toBe("Failed");
      expect(String(status.output)).toContain("still broken");
      expect(attempts).toBe(4);
      const delays = historyOf(driver, status.instanceId)
        .filter((e) => e.EventType === T.TimerCreated)
        .map((e) => new Date(e.FireAt as Date).getTime() - new Date(e.Timestamp).getTime());
      expect(delays).toEqual([1_000, 5_000, 5_000, 5_000]);
    });

    it("stops retrying once retryTimeout has passed since the first attempt", async () => {
      let attempts = 0;
      const retry = new df.RetryOptions(20_000, 50);
      retry.retryTimeoutInMilliseconds = 50_000;
      const driver = newDriver()
        .registerActivity("broken", async () => {
          attempts++;
          throw new Error("down");
        })
        .registerOrchestration("retrying", function* (context) {
          return yield context.df.callActivityWithRetry("broken", retry);
        });
      const status = await run(driver, "retrying");
      expect(status.runtimeStatus).toBe("Failed");
      expect(String(status.output)).toContain("retryTimeout");
      expect(attempts).toBeGreaterThanOrEqual(2);
      expect(attempts).toBeLessThanOrEqual(4);
    });

    it("runs activities concurrently, bounded by maxConcurrentActivities", async () => {
      let running = 0;
      let peak = 0;
      const driver = newDriver({ maxConcurrentActivities: 3 })
        .registerActivity("slow", async (input: unknown) => {
          running++;
          peak = Math.max(peak, running);
          await sleep(30);
          running--;
          return Number(input) * 2;
        })
        .registerOrchestration("fanOut", function* (context) {
          const tasks = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => context.df.callActivity("slow", n));
          return yield context.df.Task.all(tasks);
        });
      const started = Date.now();
      const status = await run(driver, "fanOut");
      expect(status.output).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18]);
      expect(peak).toBe(3);
      expect(driver.stats().maxConcurrentActivities).toBe(3);
      expect(Date.now() - started).toBeLessThan(9 * 30);
    });

    it("fails the instance, not the process, when an activity returns something JSON cannot carry", async () => {
      const driver = newDriver()
        .registerActivity("bigint", async () => BigInt(1))
        .registerOrchestration("serialising", function* (context) {
          return yield context.df.callActivity("bigint");
        });
      const status = await run(driver, "serialising");
      expect(status.runtimeStatus).toBe("Failed");
      expect(String(status.output)).toMatch(/BigInt/);
    });
  });

  describe("Task.all and Task.any", () => {
    it("Task.all fails with the first failing task's error", async () => {
      const driver = newDriver()
        .registerActivity("ok", async () => "fine")
        .registerActivity("bad", async () => {
          throw new Error("one of many failed");
        })
        .registerOrchestration("all", function* (context) {
          return yield context.df.Task.all([context.df.callActivity("ok"), context.df.callActivity("bad")]);
        });
      const status = await run(driver, "all");
      expect(status.runtimeStatus).toBe("Failed");
      expect(String(status.output)).toContain("one of many failed");
    });

    it("Task.any resolves with the first finished task and a losing timer does not keep the driver busy", async () => {
      const driver = newDriver()
        .registerActivity("quick", async () => "activity")
        .registerOrchestration("race", function* (context) {
          const deadline = new Date(context.df.currentUtcDateTime.getTime() + 3_600_000);
          const timer = context.df.createTimer(deadline);
          const work = context.df.callActivity("quick");
          const winner: unknown = yield context.df.Task.any([work, timer]);
          if (winner === work) timer.cancel();
          return winner === work ? work.result : "timeout";
        });
      const started = Date.now();
      const status = await run(driver, "race");
      await driver.idle();
      expect(status.output).toBe("activity");
      expect(Date.now() - started).toBeLessThan(1_000);
    });
  });

  describe("durable timers and the clock", () => {
    it("fires a durable timer when the scaled driver clock reaches fireAt", async () => {
      const driver = newDriver({ timeScale: 0.001 }).registerOrchestration("wait", function* (context) {
        const fireAt = new Date(context.df.currentUtcDateTime.getTime() + 100_000);
        yield context.df.createTimer(fireAt);
        return { fireAt: fireAt.toISOString(), now: context.df.currentUtcDateTime.toISOString() };
      });
      const started = Date.now();
      const status = await run(driver, "wait");
      const elapsed = Date.now() - started;
      const output = status.output as { fireAt: string; now: string };
      expect(new Date(output.now).getTime()).toBeGreaterThanOrEqual(new Date(output.fireAt).getTime());
      expect(elapsed).toBeGreaterThanOrEqual(90);
      expect(elapsed).toBeLessThan(2_000);
      const types = historyOf(driver, status.instanceId).map((e) => e.EventType);
      expect(types).toContain(T.TimerCreated);
      expect(types).toContain(T.TimerFired);
    });

    it("splits a timer longer than six days into host-sized chunks and still fires at fireAt", async () => {
      // Twelve weeks, not one. The first chunk ends 3 days in (the library's long-timer
      // interval); the next is computed from the time that chunk fired at. With one week, a
      // chunk firing 4 simulated days late (35 ms of real time at this scale, which a loaded
      // machine reaches) left nothing to wait for and only one timer. Twelve weeks leave ~0.7 s.
      const weeks = 12 * 7 * 24 * 3_600_000;
      const driver = newDriver({ timeScale: 1e-7 }).registerOrchestration("weekly", function* (context) {
        const fireAt = new Date(context.df.currentUtcDateTime.getTime() + weeks);
        yield context.df.createTimer(fireAt);
        return context.df.currentUtcDateTime.getTime() >= fireAt.getTime();
      });
      const status = await run(driver, "weekly");
      expect(status.output).toBe(true);
      const timers = historyOf(driver, status.instanceId).filter((e) => e.EventType === T.TimerCreated);
      expect(timers.length).toBeGreaterThan(1);
    });

    it("uses the OrchestratorStarted timestamp from the driver clock as currentUtcDateTime", async () => {
      const clock = scaledClock(1, new Date("2031-05-06T07:08:09.000Z"));
      const driver = newDriver({ timeScale: undefined, clock }).registerOrchestration("now", function* (context) {
        yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 10));
        return context.df.currentUtcDateTime.toISOString();
      });
      const status = await run(driver, "now");
      const starts = historyOf(driver, status.instanceId).filter((e) => e.EventType === T.OrchestratorStarted);
      expect(String(status.output).startsWith("2031-05-06")).toBe(true);
      expect(status.output).toBe(new Date(starts[starts.length - 1]!.Timestamp).toISOString());
    });

    it("close() disarms pending timers and resolves promptly", async () => {
      const driver = newDriver({ timeScale: 1 }).registerOrchestration("sleepy", function* (context) {
        yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 3_600_000));
        return "woke";
      });
      const id = driver.startNew("sleepy");
      await sleep(20);
      const started = Date.now();
      await driver.close();
      expect(Date.now() - started).toBeLessThan(500);
      expect(driver.getStatus(id)?.runtimeStatus).toBe("Running");
      expect(() => driver.startNew("sleepy")).toThrow(/closed/);
    });
  });

  describe("entities", () => {
    const counter = new df.EntityId("counter", "c1");

    it("calls and signals entities from orchestrations and clients, keeping state between operations", async () => {
      const driver = newDriver()
        .registerEntity("counter", counterEntity)
        .registerOrchestration("useCounter", function* (context) {
          yield context.df.callEntity(counter, "add", { amount: 5 });
          context.df.signalEntity(counter, "add", { amount: 2 });
          return yield context.df.callEntity(counter, "get");
        });
      driver.signalEntity(counter, "add", { amount: 10 });
      const status = await run(driver, "useCounter");
      await driver.idle();
      // The signal was sent before the "get" call in the same episode, so it is applied first.
      expect(status.output).toBe(17);
      expect(driver.readEntityState<number>(counter)).toEqual({ entityExists: true, entityState: 17 });
      const sent = historyOf(driver, status.instanceId).filter((e) => e.EventType === T.EventSent);
      expect(sent.map((e) => e.EventId)).toEqual([0, 1, 2]);
    });

    it("serialises operations on one entity across orchestrations", async () => {
      let inside = 0;
      let peak = 0;
      const driver = newDriver()
        .registerEntity("slowCounter", async (context: EntityContext<number>) => {
          inside++;
          peak = Math.max(peak, inside);
          const value = context.df.getState(() => 0) ?? 0;
          await sleep(1);
          context.df.setState(value + 1);
          context.df.return(value + 1);
          inside--;
        })
        .registerOrchestration("bump", function* (context) {
          const id = new df.EntityId("slowCounter", "shared");
          for (let i = 0; i < 10; i++) yield context.df.callEntity(id, "inc");
          return "done";
        });
      const ids = [0, 1, 2].map(() => driver.startNew("bump"));
      const statuses = await Promise.all(ids.map((id) => driver.waitForCompletion(id, WAIT_MS)));
      expect(statuses.every((s) => s.runtimeStatus === "Completed")).toBe(true);
      expect(driver.readEntityState<number>(new df.EntityId("slowCounter", "shared")).entityState).toBe(30);
      expect(peak).toBe(1);
    });

    it("fails the caller of a failing entity operation with the error's JSON as the extension does (an Error's message is lost) and leaves the state unchanged", async () => {
      const driver = newDriver()
        .registerEntity("counter", counterEntity)
        .registerOrchestration("explodeCounter", function* (context) {
          yield context.df.callEntity(counter, "add", { amount: 3 });
          try {
            yield context.df.callEntity(counter, "explode");
            return "not reached";
          } catch (error) {
            return (error as Error).message;
          }
        });
      const status = await run(driver, "explodeCounter");
      // durable-functions serialises the thrown Error as "{}"; the caller gets Error({}).
      expect(status.output).toBe("[object Object]");
      expect(driver.readEntityState<number>(counter).entityState).toBe(3);
    });

    it("forgets an entity once it is deleted and nothing is queued for it, so one entity per run does not stay in memory", async () => {
      const kept = new df.EntityId("counter", "kept");
      const driver = newDriver()
        .registerEntity("counter", counterEntity)
        .registerOrchestration("useAndDelete", function* (context) {
          const own = new df.EntityId("counter", context.df.instanceId);
          yield context.df.callEntity(own, "add", { amount: 1 });
          yield context.df.callEntity(kept, "add", { amount: 1 });
          const value = yield context.df.callEntity(own, "get");
          context.df.signalEntity(own, "delete");
          return value;
        });
      const ids = Array.from({ length: 40 }, (_, i) => driver.startNew("useAndDelete", { instanceId: `run-${i}` }));
      const statuses = await Promise.all(ids.map((id) => driver.waitForCompletion(id, WAIT_MS)));
      await driver.idle();
      expect(statuses.map((s) => s.output)).toEqual(ids.map(() => 1));
      expect(driver.stats().entitiesHeld).toBe(1);
      expect(driver.readEntityState<number>(kept)).toEqual({ entityExists: true, entityState: 40 });
      expect(driver.readEntityState(new df.EntityId("counter", "run-0"))).toEqual({ entityExists: false });
      // A deleted entity used again starts from nothing, as in Durable.
      expect(await driver.callEntity(new df.EntityId("counter", "run-0"), "get")).toBe(0);
    });

    it("reports a missing entity as a failed call instead of hanging", async () => {
      const driver = newDriver().registerOrchestration("ghost", function* (context) {
        return yield context.df.callEntity(new df.EntityId("nobody", "k"), "get");
      });
      const status = await run(driver, "ghost");
      expect(status.runtimeStatus).toBe("Failed");
      expect(String(status.output)).toContain("nobody");
    });
  });

  describe("sub-orchestrations", () => {
    it("runs sub-orchestrations with explicit and generated ids and surfaces their failures", async () => {
      const driver = newDriver()
        .registerActivity("hello", hello)
        .registerOrchestration("child", function* (context) {
          const name = context.df.getInput<string>();
          if (name === "bad") throw new Error("child refused");
          return yield context.df.callActivity("hello", name);
        })
        .registerOrchestration("parent", function* (context) {
          const a: unknown = yield context.df.callSubOrchestrator("child", "A", "child-A");
          const b: unknown = yield context.df.callSubOrchestrator("child", "B");
          try {
            yield context.df.callSubOrchestrator("child", "bad");
          } catch (error) {
            return { a, b, failure: (error as Error).message };
          }
          return "not reached";
        });
      const status = await run(driver, "parent");
      const output = status.output as { a: string; b: string; failure: string };
      expect(output.a).toBe("Hello, A from hello");
      expect(output.b).toBe("Hello, B from hello");
      expect(output.failure).toContain("child refused");
      expect(driver.getStatus("child-A")?.runtimeStatus).toBe("Completed");
    });

    it("retries a failing sub-orchestration with callSubOrchestratorWithRetry", async () => {
      let runs = 0;
      const driver = newDriver()
        .registerActivity("count", async () => ++runs)
        .registerOrchestration("flakyChild", function* (context) {
          const run: number = yield context.df.callActivity("count");
          if (run < 2) throw new Error(`child run ${run} failed`);
          return run;
        })
        .registerOrchestration("parent", function* (context) {
          return yield context.df.callSubOrchestratorWithRetry("flakyChild", new df.RetryOptions(1_000, 3));
        });
      const status = await run(driver, "parent");
      expect(status.output).toBe(2);
      expect(driver.getStatusAll().filter((s) => s.name === "flakyChild")).toHaveLength(2);
    });
  });

  describe("the host's out-of-process protocol", () => {
    const work = async (input: unknown): Promise<number> => {
      await sleep(2 + (Number(input) % 3) * 3);
      return Number(input);
    };
    const hostLeaves = (driver: DurableDriver, functionName: string) =>
      driver.hostSchedule().filter((e) => e.functionName === functionName);

    it("fails a sliding window that re-wraps in-flight tasks in a new Task.any (durable-js #574), naming orchestration, action and reason", async () => {
      const driver = newDriver()
        .registerActivity("work", work)
        .registerOrchestration("item", function* (context) {
          return yield context.df.callActivity("work", context.df.getInput<number>());
        })
        .registerOrchestration("window", function* (context) {
          const pending = [1, 2, 3, 4, 5, 6, 7, 8];
          const running: df.Task[] = [];
          let sum = 0;
          while (pending.length > 0 || running.length > 0) {
            while (running.length < 3 && pending.length > 0) running.push(context.df.callSubOrchestrator("item", pending.shift()));
            const done: df.Task = yield context.df.Task.any(running);
            running.splice(running.indexOf(done), 1);
            sum += done.result as number;
          }
          return sum;
        });
      const status = await run(driver, "window");
      expect(status.runtimeStatus).toBe("Failed");
      const message = String(status.output);
      expect(message).toContain("Orchestration 'window'");
      expect(message).toMatch(/CallSubOrchestrator.*"name":"item"/);
      expect(message).toContain("already handed to the host");
      expect(message).toContain("azure-functions-durable-js#574");
      expect(driver.stats().hostProtocolFailures).toBe(1);
      expect(driver.errors().some((e) => e.name === "HostProtocolError")).toBe(true);
      // What the host would have received: the still-running children scheduled a second time.
      const starts = hostLeaves(driver, "item").map((e) => e.input);
      expect(new Set(starts).size).toBeLessThan(starts.length);
    });

    it("fails a Task.any over a task that already finished, which the host would schedule again", async () => {
      const driver = newDriver()
        .registerActivity("work", work)
        .registerOrchestration("late", function* (context) {
          const first = context.df.callActivity("work", 1);
          yield first;
          return yield context.df.Task.any([first, context.df.callActivity("work", 2)]);
        });
      const status = await run(driver, "late");
      expect(status.runtimeStatus).toBe("Failed");
      expect(String(status.output)).toMatch(/CallActivity.*"input":1.*already handed to the host at action #0/);
    });

    it("runs Task.all over fresh tasks, each leaf scheduled once with consecutive sequence numbers", async () => {
      const driver = newDriver()
        .registerActivity("work", work)
        .registerOrchestration("batches", function* (context) {
          let sum = 0;
          for (const batch of [[1, 2, 3], [4, 5, 6], [7, 8]]) {
            const results = (yield context.df.Task.all(batch.map((n) => context.df.callActivity("work", n)))) as number[];
            sum += results.reduce((a, b) => a + b, 0);
          }
          return sum;
        });
      const status = await run(driver, "batches");
      expect(status.output).toBe(36);
      const leaves = hostLeaves(driver, "work");
      expect(leaves.map((e) => e.input)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(leaves.map((e) => e.sequenceNumber)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      await driver.replay(status.instanceId);
    });

    it("runs an orchestrator that re-yields a single task after a Task.any without scheduling it again", async () => {
      const driver = newDriver()
        .registerActivity("work", work)
        .registerOrchestration("race", function* (context) {
          const slow = context.df.callActivity("work", 7);
          const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1));
          const winner: df.Task = yield context.df.Task.any([slow, timer]);
          const value = (yield slow) as number; // the same task on its own: no new action
          return { timerWon: winner === timer, value };
        });
      const status = await run(driver, "race");
      expect(status.runtimeStatus).toBe("Completed");
      expect((status.output as { value: number }).value).toBe(7);
      expect(hostLeaves(driver, "work")).toHaveLength(1);
    });

    it("numbers entity signals, entity calls and retry steps as the host does", async () => {
      let attempts = 0;
      const driver = newDriver()
        .registerEntity("counter", counterEntity)
        .registerActivity("flaky", async () => {
          if (++attempts < 3) throw new Error("transient");
          return attempts;
        })
        .registerOrchestration("mixed", function* (context) {
          const counter = new df.EntityId("counter", "k");
          context.df.signalEntity(counter, "add", { amount: 2 });
          const result = yield context.df.callActivityWithRetry("flaky", new df.RetryOptions(10, 5));
          context.df.signalEntity(counter, "add", { amount: 3 });
          const total = yield context.df.callEntity(counter, "get");
          return { result, total };
        });
      const status = await run(driver, "mixed");
      expect(status.output).toEqual({ result: 3, total: 5 });
      // signal 0, attempt 1, retry timer 2, attempt 3, timer 4, attempt 5, signal 6, call 7
      const sent = historyOf(driver, status.instanceId).filter((e) => e.EventType === T.EventSent).map((e) => e.EventId);
      expect(sent).toEqual([0, 6, 7]);
      expect(driver.hostSchedule().map((e) => e.sequenceNumber)).toEqual([0, 1, 6, 7]);
    });
  });

  describe("continueAsNew", () => {
    it("restarts with a fresh history and the new input under the same instance id", async () => {
      const driver = newDriver()
        .registerActivity("hello", hello)
        .registerOrchestration("looping", function* (context) {
          const n = context.df.getInput<number>();
          yield context.df.callActivity("hello", n);
          if (n < 5) {
            context.df.continueAsNew(n + 1);
            return undefined;
          }
          return `finished at ${n}`;
        });
      const status = await run(driver, "looping", 1, "loop-1");
      expect(status.instanceId).toBe("loop-1");
      expect(status.output).toBe("finished at 5");
      expect(status.input).toBe(5);
      expect(status.generation).toBe(5);
      expect(driver.stats().continuedAsNew).toBe(4);
      // One generation's history only: started, scheduled, completed, ...
      expect(status.historyLength).toBeLessThan(10);
    });
  });

  describe("orchestration context", () => {
    it("exposes custom status, deterministic newGuid and isReplaying", async () => {
      const liveSteps: string[] = [];
      const driver = newDriver()
        .registerActivity("hello", hello)
        .registerOrchestration("contextual", function* (context) {
          const guid = context.df.newGuid(context.df.instanceId);
          for (const step of ["one", "two", "three"]) {
            if (!context.df.isReplaying) liveSteps.push(step);
            context.df.setCustomStatus({ step });
            yield context.df.callActivity("hello", step);
          }
          return guid;
        });
      const status = await run(driver, "contextual");
      expect(liveSteps).toEqual(["one", "two", "three"]);
      expect(status.customStatus).toEqual({ step: "three" });
      expect(status.output).toMatch(/^[0-9a-f-]{36}$/);
      const replayed = await driver.replay(status.instanceId);
      expect(replayed.output).toBe(status.output);
    });

    it("marks events from earlier episodes as played", async () => {
      const driver = newDriver().registerOrchestration("helloSequence", helloSequence).registerActivity("hello", hello);
      const status = await run(driver, "helloSequence", ["a", "b"]);
      const events = historyOf(driver, status.instanceId);
      const lastStart = events.map((e) => e.EventType).lastIndexOf(T.OrchestratorStarted);
      expect(events.slice(0, lastStart).every((e) => e.IsPlayed)).toBe(true);
      expect(events.slice(lastStart).every((e) => !e.IsPlayed)).toBe(true);
    });
  });

  describe("determinism", () => {
    it("fails loudly with NonDeterministicOrchestrationError when a replay asks for different actions", async () => {
      let episode = 0;
      const driver = newDriver()
        .registerActivity("a", async () => "a")
        .registerActivity("b", async () => "b")
        .registerOrchestration("fickle", function* (context) {
          episode++;
          yield context.df.callActivity(episode === 1 ? "a" : "b");
          yield context.df.callActivity("a");
          return "done";
        });
      const status = await run(driver, "fickle", undefined, "fickle-1");
      expect(status.runtimeStatus).toBe("Failed");
      expect(String(status.output)).toMatch(/Non-deterministic orchestration 'fickle-1': action #0/);
      expect(String(status.output)).toContain('"name":"a"');
      expect(driver.errors().some((e) => e instanceof NonDeterministicOrchestrationError)).toBe(true);
      expect(driver.stats().nonDeterminismFailures).toBe(1);
    });

    it("replaying any completed history is deterministic", async () => {
      const driver = newDriver()
        .registerActivity("hello", hello)
        .registerEntity("counter", counterEntity)
        .registerOrchestration("helloSequence", helloSequence)
        .registerOrchestration("mixed", function* (context) {
          const counter = new df.EntityId("counter", "replay");
          const all: unknown = yield context.df.Task.all([
            context.df.callActivity("hello", "x"),
            context.df.callEntity(counter, "add", { amount: 1 }),
            context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1_000)),
          ]);
          context.df.signalEntity(counter, "add");
          const sub: unknown = yield context.df.callSubOrchestrator("helloSequence", ["y"]);
          return { all, sub };
        });
      const ids = [driver.startNew("mixed"), driver.startNew("helloSequence", { input: ["p", "q", "r"] })];
      for (const id of ids) expect((await driver.waitForCompletion(id, WAIT_MS)).runtimeStatus).toBe("Completed");
      for (const status of driver.getStatusAll()) {
        const replayed = await driver.replay(status.instanceId);
        expect(replayed.output).toEqual(status.output);
        expect(replayed.actions.length).toBeGreaterThan(0);
      }
    });

    it("replay() detects an orchestrator whose code no longer matches its recorded history", async () => {
      let variant = "a";
      const driver = newDriver()
        .registerActivity("a", async () => "a")
        .registerActivity("b", async () => "b")
        .registerOrchestration("versioned", function* (context) {
          return yield context.df.callActivity(variant);
        });
      const status = await run(driver, "versioned");
      variant = "b";
      await expect(driver.replay(status.instanceId)).rejects.toBeInstanceOf(NonDeterministicOrchestrationError);
    });
  });

  describe("instance lifecycle", () => {
    it("refuses to start an instance id that is already running and allows it again once finished", async () => {
      const driver = newDriver().registerOrchestration("waiter", function* (context) {
        return yield context.df.waitForExternalEvent("go");
      });
      driver.startNew("waiter", { instanceId: "dup" });
      expect(() => driver.startNew("waiter", { instanceId: "dup" })).toThrow(/already exists/);
      driver.raiseEvent("dup", "go", { ok: 1 });
      expect((await driver.waitForCompletion("dup", WAIT_MS)).output).toEqual({ ok: 1 });
      driver.startNew("waiter", { instanceId: "dup" });
      expect(driver.getStatus("dup")?.runtimeStatus).toMatch(/Pending|Running/);
    });

    it("reports status fields, history on request, all instances and purges finished ones", async () => {
      const driver = newDriver().registerOrchestration("helloSequence", helloSequence).registerActivity("hello", hello);
      const status = await run(driver, "helloSequence", ["z"], "status-1");
      expect(status).toMatchObject({
        name: "helloSequence",
        instanceId: "status-1",
        runtimeStatus: "Completed",
        input: ["z"],
        output: ["Hello, z from hello"],
        customStatus: null,
      });
      expect(status.createdTime).toBeInstanceOf(Date);
      expect(status.lastUpdatedTime.getTime()).toBeGreaterThanOrEqual(status.createdTime.getTime());
      expect(status.historyLength).toBe(historyOf(driver, "status-1").length);
      expect(driver.getStatus("status-1")?.history).toBeUndefined();
      expect(driver.getStatusAll().map((s) => s.instanceId)).toEqual(["status-1"]);
      expect(driver.purgeInstanceHistory("status-1")).toEqual({ instancesDeleted: 1 });
      expect(driver.getStatus("status-1")).toBeUndefined();
    });

    it("drops what the host was handed for an instance when that instance is purged, and only that", async () => {
      const driver = newDriver().registerOrchestration("helloSequence", helloSequence).registerActivity("hello", hello);
      await run(driver, "helloSequence", ["a", "b"], "purged-1");
      await run(driver, "helloSequence", ["c"], "kept-1");
      const keptBefore = driver.hostSchedule().filter((e) => e.instanceId === "kept-1");
      expect(driver.hostSchedule().filter((e) => e.instanceId === "purged-1")).toHaveLength(2);
      expect(keptBefore).toHaveLength(1);
      driver.purgeInstanceHistory("purged-1");
      expect(driver.hostSchedule()).toEqual(keptBefore);
    });

    it("terminates an instance and ignores its outstanding activity results", async () => {
      let finishActivity: () => void = () => undefined;
      const driver = newDriver()
        .registerActivity("stuck", () => new Promise<string>((resolve) => (finishActivity = () => resolve("late"))))
        .registerOrchestration("stuckOrchestration", function* (context) {
          return yield context.df.callActivity("stuck");
        });
      const id = driver.startNew("stuckOrchestration");
      await sleep(30);
      driver.terminate(id, "operator said so");
      const length = driver.getStatus(id)?.historyLength;
      finishActivity();
      await driver.idle();
      const status = driver.getStatus(id);
      expect(status?.runtimeStatus).toBe("Terminated");
      expect(status?.output).toBe("operator said so");
      expect(status?.historyLength).toBe(length);
      expect(() => driver.raiseEvent(id, "x", 1)).toThrow(/already completed/);
    });

    it("delivers raised events to waitForExternalEvent, also when raised before the wait", async () => {
      const driver = newDriver()
        .registerActivity("hello", hello)
        .registerOrchestration("approval", function* (context) {
          yield context.df.callActivity("hello", "first");
          const first: unknown = yield context.df.waitForExternalEvent("approve");
          const second: unknown = yield context.df.waitForExternalEvent("confirm");
          return [first, second];
        });
      const id = driver.startNew("approval");
      driver.raiseEvent(id, "confirm", "early");
      await sleep(20);
      driver.raiseEvent(id, "approve", { by: "alice" });
      const status = await driver.waitForCompletion(id, WAIT_MS);
      expect(status.output).toEqual([{ by: "alice" }, "early"]);
    });

    it("waitForCompletion rejects after its timeout instead of waiting forever", async () => {
      const driver = newDriver().registerOrchestration("forever", function* (context) {
        return yield context.df.waitForExternalEvent("never");
      });
      const id = driver.startNew("forever");
      await expect(driver.waitForCompletion(id, 50)).rejects.toThrow(/did not complete within 50 ms/);
    });

    it("runs different instances concurrently", async () => {
      const driver = newDriver()
        .registerActivity("slow", async () => {
          await sleep(100);
          return "done";
        })
        .registerOrchestration("one", function* (context) {
          return yield context.df.callActivity("slow");
        });
      const started = Date.now();
      const ids = [1, 2, 3, 4].map(() => driver.startNew("one"));
      await Promise.all(ids.map((id) => driver.waitForCompletion(id, WAIT_MS)));
      expect(Date.now() - started).toBeLessThan(350);
    });

    it("tracks the largest history per orchestration name and counts work", async () => {
      const driver = newDriver().registerOrchestration("helloSequence", helloSequence).registerActivity("hello", hello);
      const small = await run(driver, "helloSequence", ["a"]);
      const big = await run(driver, "helloSequence", ["a", "b", "c", "d"]);
      const stats = driver.stats();
      expect(stats.maxHistoryLength.helloSequence).toBe(big.historyLength);
      expect(big.historyLength).toBeGreaterThan(small.historyLength);
      expect(stats.activitiesExecuted).toBe(5);
      expect(stats.instancesByStatus.Completed).toBe(2);
      expect(stats.episodes).toBe(2 + 5);
    });
  });

  describe("errors are never swallowed", () => {
    it("an orchestrator that throws ends Failed with the error message as output", async () => {
      const driver = newDriver()
        .registerActivity("hello", hello)
        .registerOrchestration("throws", function* (context) {
          yield context.df.callActivity("hello", "before the crash");
          throw new Error("orchestrator blew up");
        });
      const status = await run(driver, "throws");
      expect(status.runtimeStatus).toBe("Failed");
      expect(status.output).toBe("orchestrator blew up");
    });

    it("an action the driver cannot execute fails the instance instead of hanging", async () => {
      const driver = newDriver().registerOrchestration("http", function* (context) {
        return yield context.df.callHttp({ method: "GET", url: "https://example.invalid", enablePolling: false });
      });
      const status = await run(driver, "http");
      expect(status.runtimeStatus).toBe("Failed");
      expect(String(status.output)).toMatch(/does not support/);
      expect(driver.errors()).toHaveLength(1);
    });
  });

  describe("client facade", () => {
    it("lets a starter written against DurableClient start, query and read entities", async () => {
      const driver = newDriver()
        .registerOrchestration("helloSequence", helloSequence)
        .registerActivity("hello", hello)
        .registerEntity("counter", counterEntity);
      const starter = async (client: DurableClient): Promise<{ id: string; location: string | null }> => {
        const id = await client.startNew("helloSequence", { input: ["client"] });
        await client.signalEntity(new df.EntityId("counter", "k"), "add", { amount: 4 });
        const response = client.createCheckStatusResponse(undefined, id);
        return { id, location: response.headers.get("Location") };
      };
      const client = new DriverDurableClient(driver);
      const { id, location } = await starter(client);
      expect(location).toContain(`/instances/${id}`);
      const status = await client.waitForCompletion(id, WAIT_MS);
      expect(status.runtimeStatus).toBe(df.OrchestrationRuntimeStatus.Completed);
      expect((await client.getStatus(id)).output).toEqual(["Hello, client from hello"]);
      await driver.idle();
      const entity = await client.readEntityState<number>(new df.EntityId("counter", "k"));
      expect(entity).toEqual(new df.EntityStateResponse(true, 4));
      await expect(client.getStatus("missing")).rejects.toThrow(/missing/);
    });
  });

  describe("replay schema", () => {
    it("drives the same fan-out and entity orchestration under replay schema V1", async () => {
      const driver = newDriver({ schemaVersion: ReplaySchema.V1 })
        .registerActivity("hello", hello)
        .registerEntity("counter", counterEntity)
        .registerOrchestration("v1", function* (context) {
          const greetings: unknown = yield context.df.Task.all(["a", "b"].map((n) => context.df.callActivity("hello", n)));
          yield context.df.callEntity(new df.EntityId("counter", "v1"), "add", { amount: 2 });
          const total: unknown = yield context.df.callEntity(new df.EntityId("counter", "v1"), "get");
          return { greetings, total };
        });
      const status = await run(driver, "v1");
      expect(status.output).toEqual({ greetings: ["Hello, a from hello", "Hello, b from hello"], total: 2 });
      await driver.replay(status.instanceId);
    });
  });
});
