import * as df from "durable-functions";
import type { OrchestrationContext, OrchestrationHandler, Task } from "durable-functions";
import {
  ACTIVITIES,
  NightlyInputSchema,
  NightlyLaneInputSchema,
  ORCHESTRATIONS,
  emptyNightlySummary,
} from "../../shared/sync/contracts";
import type {
  InventorySyncResult,
  NightlyLaneInput,
  NightlySummary,
  NightlyWorkItem,
  NightlyWorkPage,
  PreparedRun,
} from "../../shared/sync/contracts";
import { WORK_QUEUE_ENTITY_NAME } from "../../shared/sync/workQueue";
import type { TakeResult } from "../../shared/sync/workQueue";
import { STORE_RETRY } from "./retryPolicies";

/** Runs a lane starts before continueAsNew: about 10 history events each, so ~100 per generation. */
export const NIGHTLY_RUNS_PER_GENERATION = 10;
/** How long a lane waits while another lane reads the next registry page. */
const WAIT_FOR_PAGE_SECONDS = 2;

/**
 * The nightly walk (logic version 2): `maxInFlight` lanes (the global limit of concurrent runs),
 * each a sub-orchestration with at most one run in flight, pull (tenant, selection) items from
 * the walk's work queue entity. The lanes read the registry page by page with its continuation
 * token when the queue runs low, so the window stays full across pages, and each lane
 * continueAsNews every few runs so no history grows with the tenant count. No task is yielded
 * twice or put into a second compound task (durable-js #574).
 */
export const nightlySyncV2: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = NightlyInputSchema.parse(context.df.getInput());
  const queue = new df.EntityId(WORK_QUEUE_ENTITY_NAME, context.df.instanceId);
  // Ask for the next page while a window's worth of items is still queued.
  yield context.df.callEntity(queue, "init", { items: [], exhausted: false, lowWater: input.maxInFlight });
  context.df.setCustomStatus({ phase: "walking", lanes: input.maxInFlight });
  const lanes: Task[] = Array.from({ length: input.maxInFlight }, (_, lane) =>
    context.df.callSubOrchestrator(
      ORCHESTRATIONS.nightlySyncLane,
      {
        logicVersion: input.logicVersion,
        walkId: context.df.instanceId,
        lane,
        batchSize: input.batchSize,
        correlationId: input.correlationId,
        runsPerGeneration: NIGHTLY_RUNS_PER_GENERATION,
        summary: emptyNightlySummary(),
      } satisfies NightlyLaneInput,
      `${context.df.instanceId}:lane:${lane}`,
    ),
  );
  const perLane = (yield context.df.Task.all(lanes)) as NightlySummary[];
  context.df.signalEntity(queue, "delete");
  const summary = perLane.reduce(addSummaries, emptyNightlySummary());
  context.df.setCustomStatus({ phase: "done", summary });
  yield context.df.callActivityWithRetry(ACTIVITIES.reportNightly, STORE_RETRY, summary);
  return summary;
};

/** One nightly lane: one run at a time, until the walk's queue is done. */
export const nightlySyncLaneV2: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = NightlyLaneInputSchema.parse(context.df.getInput());
  const queue = new df.EntityId(WORK_QUEUE_ENTITY_NAME, input.walkId);
  const summary: NightlySummary = { ...input.summary };
  let runs = 0;
  for (;;) {
    const next = (yield context.df.callEntity(queue, "take", { lane: input.lane })) as TakeResult;
    if (next.kind === "done") break;
    if (next.kind === "wait") {
      const at = context.df.currentUtcDateTime.getTime() + WAIT_FOR_PAGE_SECONDS * 1000;
      yield context.df.createTimer(new Date(at));
      continue;
    }
    if (next.kind === "fetch") {
      const page = yield* readPage(context, next.cursor, input.batchSize);
      summary.tenants += page.tenants;
      yield context.df.callEntity(queue, "supply", { lane: input.lane, items: page.items, cursor: page.cursor, exhausted: page.done });
      continue;
    }
    yield* runOne(context, input, next.item as NightlyWorkItem, next.seq, summary);
    context.df.setCustomStatus({ lane: input.lane, summary });
    if (++runs >= input.runsPerGeneration) {
      context.df.continueAsNew({ ...input, summary });
      return summary;
    }
  }
  return summary;
};

function* readPage(context: OrchestrationContext, cursor: string | null, limit: number): Generator<Task, NightlyWorkPage, unknown> {
  try {
    return (yield context.df.callActivityWithRetry(ACTIVITIES.listNightlyWork, STORE_RETRY, { cursor, limit })) as NightlyWorkPage;
  } catch {
    // The registry stayed unreadable through every retry: end the walk rather than hold the
    // other lanes waiting for a page that will not come. Tomorrow's walk starts again.
    return { items: [], tenants: 0, cursor: null, done: true };
  }
}

function* runOne(
  context: OrchestrationContext,
  input: NightlyLaneInput,
  item: NightlyWorkItem,
  seq: number,
  summary: NightlySummary,
): Generator<Task, void, unknown> {
  // The item's place in the walk names the run: the same on every replay, unique per walk.
  const runId = context.df.newGuid(`${input.walkId}:${seq}`);
  let prepared: PreparedRun;
  try {
    prepared = (yield context.df.callActivityWithRetry(ACTIVITIES.prepareNightlyRun, STORE_RETRY, {
      tenantId: item.tenantId,
      selectionIndex: item.selectionIndex,
      runId,
      correlationId: input.correlationId,
    })) as PreparedRun;
  } catch {
    summary.failed += 1;
    return;
  }
  if (prepared.kind === "skipped") {
    summary.skipped += 1;
    return;
  }
  summary.started += 1;
  try {
    const result = (yield context.df.callSubOrchestrator(
      ORCHESTRATIONS.inventorySync,
      prepared.input,
      prepared.input.runId,
    )) as InventorySyncResult;
    summary[result.status] += 1;
  } catch {
    summary.failed += 1;
  }
}

function addSummaries(a: NightlySummary, b: NightlySummary): NightlySummary {
  return {
    tenants: a.tenants + b.tenants,
    started: a.started + b.started,
    success: a.success + b.success,
    partial: a.partial + b.partial,
    failed: a.failed + b.failed,
    skipped: a.skipped + b.skipped,
  };
}
