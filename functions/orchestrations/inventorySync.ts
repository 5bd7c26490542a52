import * as df from "durable-functions";
import type { OrchestrationContext, OrchestrationHandler, Task } from "durable-functions";
import type { PolicyTypeKey, PolicyTypeOutcome } from "../../shared/domain";
import { ACTIVITIES, InventorySyncInputSchema } from "../../shared/sync/contracts";
import type { InventorySyncInput, InventorySyncResult } from "../../shared/sync/contracts";
import { GATE_ENTITY_KEY, GATE_ENTITY_NAME } from "../../shared/sync/gate";
import type { GateResult } from "../../shared/sync/gate";
import { nextCompleted } from "./nextCompleted";
import { slotWaitDelaySeconds } from "../../shared/sync/gate";

/** Store-touching activities: short back-off, a few attempts (Cosmos/Graph transients). */
const STORE_RETRY = new df.RetryOptions(1_000, 5);
/** A policy type's activity crashed unexpectedly (it returns Graph/store failures as outcomes). */
const TYPE_RETRY = new df.RetryOptions(2_000, 3);

type Refusal = Extract<GateResult, { ok: false }>;

/**
 * One run: acquire the gate (waiting for a slot when asked) → mark running → fan out one
 * activity per policy type with a sliding window of at most `maxParallelTypes` → finalise the
 * run → release the gate in a finally. Deterministic: time from currentUtcDateTime only.
 */
export const inventorySyncOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = InventorySyncInputSchema.parse(context.df.getInput());
  const gate = new df.EntityId(GATE_ENTITY_NAME, GATE_ENTITY_KEY);
  const now = () => context.df.currentUtcDateTime.toISOString();
  let held = false;
  try {
    const refusal: Refusal | null = yield* acquireSlot(context, gate, input);
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

    const outcomes: PolicyTypeOutcome[] = yield* fanOut(context, gate, input);
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
};

function* acquireSlot(
  context: OrchestrationContext,
  gate: df.EntityId,
  input: InventorySyncInput,
): Generator<Task, Refusal | null, unknown> {
  const started = context.df.currentUtcDateTime.getTime();
  const deadline = started + input.waitForSlotSeconds * 1000;
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
    // A held lock is another run of the same selection: waiting would only duplicate its work.
    if (answer.code === "LOCK_HELD" || nowMs >= deadline) return answer;
    const fireAt = Math.min(nowMs + slotWaitDelaySeconds(attempt) * 1000, deadline);
    context.df.setCustomStatus({ phase: "waitingForSlot", reason: answer.code, attempt: attempt + 1 });
    yield context.df.createTimer(new Date(fireAt));
  }
}

function* fanOut(
  context: OrchestrationContext,
  gate: df.EntityId,
  input: InventorySyncInput,
): Generator<Task, PolicyTypeOutcome[], unknown> {
  const outcomes: PolicyTypeOutcome[] = [];
  const inFlight = new Map<Task, PolicyTypeKey>();
  const queue = [...input.policyTypes];
  const total = queue.length;
  const status = () =>
    context.df.setCustomStatus({
      phase: "syncing",
      typesDone: outcomes.length,
      typesTotal: total,
      itemsObserved: outcomes.reduce((n, o) => n + o.itemsObserved, 0),
    });
  status();
  while (queue.length > 0 || inFlight.size > 0) {
    while (queue.length > 0 && inFlight.size < input.limits.maxParallelTypes) {
      const policyType = queue.shift() as PolicyTypeKey;
      const task = context.df.callActivityWithRetry(ACTIVITIES.syncPolicyType, TYPE_RETRY, {
        tenantId: input.tenantId,
        runId: input.runId,
        selectionHash: input.selectionHash,
        policyType,
        correlationId: input.correlationId,
      });
      inFlight.set(task, policyType);
    }
    const winner: Task = yield* nextCompleted(context, [...inFlight.keys()]);
    const policyType = inFlight.get(winner) as PolicyTypeKey;
    inFlight.delete(winner);
    outcomes.push(winner.isFaulted ? crashedOutcome(policyType, winner.result) : (winner.result as PolicyTypeOutcome));
    context.df.signalEntity(gate, "renew", {
      runId: input.runId,
      now: context.df.currentUtcDateTime.toISOString(),
      leaseSeconds: input.limits.leaseSeconds,
    });
    status();
  }
  // Catalog order, whatever order the types finished in: run documents are stable to read and diff.
  return input.policyTypes.map((t) => outcomes.find((o) => o.policyType === t) as PolicyTypeOutcome);
}

function crashedOutcome(policyType: PolicyTypeKey, error: unknown): PolicyTypeOutcome {
  return {
    policyType,
    status: "failed",
    itemsObserved: 0,
    itemsUpserted: 0,
    itemsInvalid: 0,
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
