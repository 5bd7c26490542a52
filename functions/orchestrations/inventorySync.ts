import * as df from "durable-functions";
import type { OrchestrationContext, OrchestrationHandler, Task } from "durable-functions";
import type { PolicyTypeKey, PolicyTypeOutcome } from "../../shared/domain";
import { ACTIVITIES, InventorySyncInputSchema, InventorySyncLaneInputSchema, ORCHESTRATIONS } from "../../shared/sync/contracts";
import type { InventorySyncInput, InventorySyncLaneInput, InventorySyncResult } from "../../shared/sync/contracts";
import { GATE_ENTITY_KEY, GATE_ENTITY_NAME } from "../../shared/sync/gate";
import type { GateResult } from "../../shared/sync/gate";
import { slotWaitDelaySeconds } from "../../shared/sync/gate";
import { WORK_QUEUE_ENTITY_NAME } from "../../shared/sync/workQueue";
import type { TakeResult } from "../../shared/sync/workQueue";
import { STORE_RETRY, TYPE_RETRY } from "./retryPolicies";

type Refusal = Extract<GateResult, { ok: false }>;

/**
 * How long an admitted run waits for the previous run of its selection to leave the gate.
 * Admission (shared/sync/start.ts) already took the selection's claim in the store, and a run
 * gives its claim back at the end of finalizeRun, after its post-run steps (tenant summary,
 * drift) and before its orchestration releases the gate. So a gate entry for the same selection seen by an
 * admitted run is a run that has finished and is on its way out — in logic version 2 that
 * skipped a POST sent right after a run finished with LOCK_HELD. Bounded: a holder whose lease
 * has ended is evicted by the gate anyway.
 */
const FINISHING_HOLDER_WAIT_SECONDS = 60;
const FINISHING_HOLDER_POLL_SECONDS = 1;

/**
 * One run: acquire the gate (waiting for a slot when asked) → mark running → fan out over
 * `maxParallelTypes` lanes that pull policy types from the run's work queue → finalise the run
 * → release the gate in a finally. Deterministic: time from currentUtcDateTime only. No task is
 * ever yielded twice or put into a second compound task: the host schedules every leaf of every
 * Task.any/Task.all it is handed (durable-js #574). Version 3 waits out a finishing holder of
 * its selection; version 2 (kept for its in-flight instances) was refused by it.
 */
function inventorySyncLogic(finishingHolderWaitSeconds: number): OrchestrationHandler {
  return function* (context: OrchestrationContext) {
    return yield* runInventorySync(context, finishingHolderWaitSeconds);
  };
}

function* runInventorySync(context: OrchestrationContext, finishingHolderWaitSeconds: number): Generator<Task, InventorySyncResult, unknown> {
  const input = InventorySyncInputSchema.parse(context.df.getInput());
  const gate = new df.EntityId(GATE_ENTITY_NAME, GATE_ENTITY_KEY);
  const now = () => context.df.currentUtcDateTime.toISOString();
  let held = false;
  try {
    const refusal: Refusal | null = yield* acquireSlot(context, gate, input, finishingHolderWaitSeconds);
    if (refusal) {
      const code = refusal.code === "LOCK_HELD" || refusal.code === "CONCURRENCY_LIMIT_TENANT" || refusal.code === "CONCURRENCY_LIMIT_GLOBAL" ? refusal.code : "INTERNAL_ERROR";
      yield context.df.callActivityWithRetry(ACTIVITIES.finalizeRun, STORE_RETRY, {
        tenantId: input.tenantId,
        runId: input.runId,
        selectionHash: input.selectionHash,
        outcomes: [],
        skipped: { code, message: refusalMessage(refusal, input) },
      });
      return result(input, "skipped", 0, code);
    }
    held = true;
    const marked = (yield context.df.callActivityWithRetry(ACTIVITIES.markRunning, STORE_RETRY, {
      tenantId: input.tenantId,
      runId: input.runId,
      leaseSeconds: input.limits.leaseSeconds,
    })) as { ok: boolean };
    if (!marked.ok) return result(input, "failed", 0, "INTERNAL_ERROR");

    const outcomes: PolicyTypeOutcome[] = yield* fanOut(context, input);
    const finalised = (yield context.df.callActivityWithRetry(ACTIVITIES.finalizeRun, STORE_RETRY, {
      tenantId: input.tenantId,
      runId: input.runId,
      selectionHash: input.selectionHash,
      outcomes,
    })) as { status: InventorySyncResult["status"] };
    const observed = outcomes.reduce((n, o) => n + o.itemsObserved, 0);
    return result(input, finalised.status, observed, outcomes.find((o) => o.errorCode)?.errorCode ?? null);
  } catch (error) {
    yield context.df.callActivityWithRetry(ACTIVITIES.finalizeRun, STORE_RETRY, {
      tenantId: input.tenantId,
      runId: input.runId,
      selectionHash: input.selectionHash,
      outcomes: [],
      runLevelError: { code: "INTERNAL_ERROR", message: `orchestration failed: ${errorText(error)}` },
    });
    return result(input, "failed", 0, "INTERNAL_ERROR");
  } finally {
    if (held) yield context.df.callEntity(gate, "release", { runId: input.runId, now: now() });
  }
}

export const inventorySyncV2 = inventorySyncLogic(0);
export const inventorySyncV3 = inventorySyncLogic(FINISHING_HOLDER_WAIT_SECONDS);

function* acquireSlot(
  context: OrchestrationContext,
  gate: df.EntityId,
  input: InventorySyncInput,
  finishingHolderWaitSeconds: number,
): Generator<Task, Refusal | null, unknown> {
  const started = context.df.currentUtcDateTime.getTime();
  const deadline = started + input.waitForSlotSeconds * 1000;
  const lockDeadline = started + finishingHolderWaitSeconds * 1000;
  for (let attempt = 0; ; attempt++) {
    const answer = (yield context.df.callEntity(gate, "acquire", {
      runId: input.runId,
      tenantId: input.tenantId,
      selectionHash: input.selectionHash,
      now: context.df.currentUtcDateTime.toISOString(),
      leaseSeconds: input.limits.leaseSeconds,
      maxGlobal: input.limits.maxGlobal,
      maxPerTenant: input.limits.maxPerTenant,
    })) as GateResult;
    if (answer.ok) return null;
    const nowMs = context.df.currentUtcDateTime.getTime();
    // A held lock is a finishing run of the same selection (see FINISHING_HOLDER_WAIT_SECONDS).
    if (answer.code === "LOCK_HELD") {
      if (nowMs >= lockDeadline) return answer;
      context.df.setCustomStatus({ phase: "waitingForSlot", reason: answer.code, attempt: attempt + 1 });
      yield context.df.createTimer(new Date(Math.min(nowMs + FINISHING_HOLDER_POLL_SECONDS * 1000, lockDeadline)));
      continue;
    }
    if (nowMs >= deadline) return answer;
    const fireAt = Math.min(nowMs + slotWaitDelaySeconds(attempt) * 1000, deadline);
    context.df.setCustomStatus({ phase: "waitingForSlot", reason: answer.code, attempt: attempt + 1 });
    yield context.df.createTimer(new Date(fireAt));
  }
}

/**
 * The per-type fan-out. A sliding window inside this orchestrator would have to re-wrap the
 * tasks still in flight in a new Task.any each time one finishes, which the host runs again.
 * Instead `lanes` sub-orchestrations (one fresh Task.all) each pull the next type from a work
 * queue entity keyed by the run: at most `maxParallelTypes` types in flight, each type handed
 * out exactly once, and a lane that finishes a short type takes the next one at once, as a
 * sliding window would (docs/architecture.md).
 */
function* fanOut(
  context: OrchestrationContext,
  input: InventorySyncInput,
): Generator<Task, PolicyTypeOutcome[], unknown> {
  const total = input.policyTypes.length;
  context.df.setCustomStatus({ phase: "syncing", typesDone: 0, typesTotal: total, itemsObserved: 0 });
  if (total === 0) return [];
  const queue = new df.EntityId(WORK_QUEUE_ENTITY_NAME, input.runId);
  yield context.df.callEntity(queue, "init", { items: input.policyTypes, exhausted: true });
  renewGate(context, input.runId, input.limits.leaseSeconds); // the lanes' first types are a few hops away
  const lanes = Math.min(input.limits.maxParallelTypes, total);
  const laneTasks = Array.from({ length: lanes }, (_, lane) =>
    context.df.callSubOrchestrator(
      ORCHESTRATIONS.inventorySyncLane,
      {
        logicVersion: input.logicVersion,
        runId: input.runId,
        tenantId: input.tenantId,
        selectionHash: input.selectionHash,
        correlationId: input.correlationId,
        leaseSeconds: input.limits.leaseSeconds,
        lane,
      } satisfies InventorySyncLaneInput,
      laneInstanceId(input.runId, lane),
    ),
  );
  const perLane = (yield context.df.Task.all(laneTasks)) as PolicyTypeOutcome[][];
  context.df.signalEntity(queue, "delete");
  const outcomes = perLane.flat();
  context.df.setCustomStatus({
    phase: "syncing",
    typesDone: outcomes.length,
    typesTotal: total,
    itemsObserved: outcomes.reduce((n, o) => n + o.itemsObserved, 0),
  });
  // Catalog order, whatever order the types finished in: run documents are stable to read and diff.
  return input.policyTypes.map(
    (t) => outcomes.find((o) => o.policyType === t) ?? crashedOutcome(t, new Error("no lane reported this type")),
  );
}

function renewGate(context: OrchestrationContext, runId: string, leaseSeconds: number): void {
  context.df.signalEntity(new df.EntityId(GATE_ENTITY_NAME, GATE_ENTITY_KEY), "renew", {
    runId,
    now: context.df.currentUtcDateTime.toISOString(),
    leaseSeconds,
  });
}

export function laneInstanceId(runId: string, lane: number): string {
  return `${runId}:lane:${lane}`;
}

/**
 * One lane of a run: take a type from the run's queue, enumerate it (Durable retry for crashes),
 * repeat until the queue is empty. Every task is yielded once, on its own.
 */
export const inventorySyncLaneV2: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = InventorySyncLaneInputSchema.parse(context.df.getInput());
  const queue = new df.EntityId(WORK_QUEUE_ENTITY_NAME, input.runId);
  const outcomes: PolicyTypeOutcome[] = [];
  for (;;) {
    const next = (yield context.df.callEntity(queue, "take", { lane: input.lane })) as TakeResult;
    if (next.kind !== "item") break; // the run's queue is complete from the start: "done"
    const policyType = next.item as PolicyTypeKey;
    // Bridge the hops from the parent's renewal to this lane's first heartbeat; only the first
    // item, so lanes that outlive a terminated parent cannot keep its slot for long.
    if (outcomes.length === 0) renewGate(context, input.runId, input.leaseSeconds);
    try {
      outcomes.push(
        (yield context.df.callActivityWithRetry(ACTIVITIES.syncPolicyType, TYPE_RETRY, {
          tenantId: input.tenantId,
          runId: input.runId,
          selectionHash: input.selectionHash,
          policyType,
          correlationId: input.correlationId,
          leaseSeconds: input.leaseSeconds,
        })) as PolicyTypeOutcome,
      );
    } catch (error) {
      outcomes.push(crashedOutcome(policyType, error));
    }
    // Leases are renewed by the activity's heartbeat (shared/sync/activities.ts), which checks
    // that the run's orchestration is still alive; a lane outlives a terminated parent.
    context.df.setCustomStatus({ lane: input.lane, typesDone: outcomes.length });
  }
  return outcomes;
};

function crashedOutcome(policyType: PolicyTypeKey, error: unknown): PolicyTypeOutcome {
  return {
    policyType,
    status: "failed",
    itemsObserved: 0,
    itemsUpserted: 0,
    itemsInvalid: 0,
    itemsCreated: 0,
    pages: 0,
    errorCode: "INTERNAL_ERROR",
    errorMessage: `the ${policyType} activity failed after retries: ${errorText(error)}`.slice(0, 500),
    durationMs: 0,
  };
}

function refusalMessage(refusal: Refusal, input: InventorySyncInput): string {
  switch (refusal.code) {
    case "LOCK_HELD":
      return `run ${refusal.activeRunId ?? "?"} already holds this tenant and selection`;
    case "CONCURRENCY_LIMIT_GLOBAL":
      return `the global limit of ${input.limits.maxGlobal} concurrent runs was reached (waited ${input.waitForSlotSeconds}s)`;
    case "CONCURRENCY_LIMIT_TENANT":
      return `the per-tenant limit of ${input.limits.maxPerTenant} concurrent runs was reached (waited ${input.waitForSlotSeconds}s)`;
    default:
      return `the gate refused the run (${refusal.code})`;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function result(
  input: InventorySyncInput,
  status: InventorySyncResult["status"],
  itemsObserved: number,
  errorCode: InventorySyncResult["errorCode"],
): InventorySyncResult {
  return { runId: input.runId, status, itemsObserved, errorCode };
}
