/**
 * Test-only Durable functions, to hold the real engine's behaviour against the offline driver's on
 * small, exact cases: the driver tests register these handlers directly; the real-engine bridge
 * loads probeRegistrations.ts next to the app. Never part of package.json `main`.
 */
import * as df from "durable-functions";
import type { EntityHandler, OrchestrationContext, OrchestrationHandler, Task } from "durable-functions";

export const PROBE = {
  echo: "probeEcho",
  fail: "probeFail",
  slidingWindow574: "probeSlidingWindow574",
  freshWindow: "probeFreshWindow",
  activityFailure: "probeActivityFailure",
  timer: "probeTimer",
  counter: "probeCounter",
  counterCaller: "probeCounterCaller",
} as const;

/** Waits `ms` (so tasks overlap) and returns its input. */
export const probeActivities: Record<string, (input: never) => unknown> = {
  [PROBE.echo]: async (input: { value: number; ms?: number }) => {
    await new Promise((r) => setTimeout(r, input.ms ?? 0));
    return input.value;
  },
  [PROBE.fail]: (input: { message: string }) => {
    throw new Error(input.message);
  },
};

/**
 * The #574 shape (durable-js issue 574): a sliding window that puts already-yielded tasks into a
 * NEW Task.any. The library resolves it from its own task objects; the host schedules every leaf of
 * every compound action it is handed again.
 */
const slidingWindow574: OrchestrationHandler = function* (context: OrchestrationContext) {
  const items = context.df.getInput<number[]>();
  const pending = items.map((value, i) => ({ value, ms: 50 * (i + 1) }));
  let window: Task[] = pending.splice(0, 2).map((input) => context.df.callActivity(PROBE.echo, input));
  const results: unknown[] = [];
  while (window.length > 0) {
    const done: Task = yield context.df.Task.any(window);
    results.push(done.result);
    window = window.filter((t) => t !== done);
    const next = pending.shift();
    if (next) window.push(context.df.callActivity(PROBE.echo, next));
  }
  return results;
};

/** The same work with fresh tasks only: a batch at a time, each batch a new Task.all. */
const freshWindow: OrchestrationHandler = function* (context: OrchestrationContext) {
  const items = context.df.getInput<number[]>();
  const results: unknown[] = [];
  for (let i = 0; i < items.length; i += 2) {
    const batch = items.slice(i, i + 2).map((value) => context.df.callActivity(PROBE.echo, { value, ms: 20 }));
    results.push(...((yield context.df.Task.all(batch)) as unknown[]));
  }
  return results;
};

/** Catches an activity failure and returns what the orchestrator saw of it. */
const activityFailure: OrchestrationHandler = function* (context: OrchestrationContext) {
  try {
    yield context.df.callActivity(PROBE.fail, { message: "boom: probe failure" });
    return { caught: false };
  } catch (error) {
    const e = error as Error;
    return { caught: true, name: e.name, message: e.message };
  }
};

/** A durable timer `seconds` ahead of the orchestration's clock; returns both clock readings. */
const timer: OrchestrationHandler = function* (context: OrchestrationContext) {
  const seconds = context.df.getInput<number>();
  const before = context.df.currentUtcDateTime.toISOString();
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + seconds * 1000));
  return { before, after: context.df.currentUtcDateTime.toISOString() };
};

/** An entity that adds, reads and fails on demand. */
const counter: EntityHandler<number> = (context) => {
  const value = context.df.getState(() => 0) ?? 0;
  switch (context.df.operationName) {
    case "add":
      context.df.setState(value + (context.df.getInput<number>() ?? 0));
      context.df.return(value + (context.df.getInput<number>() ?? 0));
      break;
    case "get":
      context.df.return(value);
      break;
    case "fail":
      throw new Error("counter refused");
    default:
      break;
  }
};

/** Calls the counter: add 2, add 3, a failing operation (caught), get. */
const counterCaller: OrchestrationHandler = function* (context: OrchestrationContext) {
  const id = new df.EntityId(PROBE.counter, context.df.getInput<string>());
  const a = yield context.df.callEntity(id, "add", 2);
  const b = yield context.df.callEntity(id, "add", 3);
  let failure: string | null = null;
  try {
    yield context.df.callEntity(id, "fail");
  } catch (error) {
    failure = (error as Error).message;
  }
  const c = yield context.df.callEntity(id, "get");
  return { a, b, c, failure };
};

export const probeOrchestrations: Record<string, OrchestrationHandler> = {
  [PROBE.slidingWindow574]: slidingWindow574,
  [PROBE.freshWindow]: freshWindow,
  [PROBE.activityFailure]: activityFailure,
  [PROBE.timer]: timer,
  [PROBE.counterCaller]: counterCaller,
};

export const probeEntities: Record<string, EntityHandler<number>> = { [PROBE.counter]: counter };
