import * as df from "durable-functions";
import type { OrchestrationContext, OrchestrationHandler, Task } from "durable-functions";
import { nextCompleted } from "./nextCompleted";
import { ACTIVITIES, NightlyInputSchema, ORCHESTRATIONS } from "../../shared/sync/contracts";
import type { InventorySyncResult, NightlyInput, NightlySummary, NightlyWorkPage, PreparedRun } from "../../shared/sync/contracts";

const STORE_RETRY = new df.RetryOptions(1_000, 5);

/**
 * The nightly walk: enabled tenants × their selections, a sliding window of sub-orchestrations
 * never wider than the global limit, and continueAsNew per batch so the history stays small
 * whatever the number of tenants. Runs wait for slots instead of being skipped.
 */
export const nightlySyncOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input: NightlyInput = NightlyInputSchema.parse(context.df.getInput());
  const summary: NightlySummary = { ...input.summary };
  const page = (yield context.df.callActivityWithRetry(ACTIVITIES.listNightlyWork, STORE_RETRY, {
    offset: input.offset,
    limit: input.batchSize,
  })) as NightlyWorkPage;
  summary.tenants += page.tenants;

  const inFlight: Task[] = [];
  const settle = (task: Task) => {
    inFlight.splice(inFlight.indexOf(task), 1);
    const outcome = task.isFaulted ? null : (task.result as InventorySyncResult);
    const status = outcome?.status ?? "failed";
    summary[status] += 1;
  };

  for (const [index, item] of page.items.entries()) {
    if (inFlight.length >= input.maxInFlight) settle(yield* nextCompleted(context, inFlight));
    const runId = context.df.newGuid(`${context.df.instanceId}:${input.offset}:${index}`);
    const prepared = (yield context.df.callActivityWithRetry(ACTIVITIES.prepareNightlyRun, STORE_RETRY, {
      tenantId: item.tenantId,
      selectionIndex: item.selectionIndex,
      runId,
      correlationId: input.correlationId,
    })) as PreparedRun;
    if (prepared.kind === "skipped") {
      summary.skipped += 1;
      continue;
    }
    summary.started += 1;
    inFlight.push(context.df.callSubOrchestrator(ORCHESTRATIONS.inventorySync, prepared.input, prepared.input.runId));
    context.df.setCustomStatus({ phase: "walking", offset: input.offset + index, inFlight: inFlight.length, summary });
  }
  while (inFlight.length > 0) settle(yield* nextCompleted(context, inFlight));

  if (!page.done) {
    context.df.setCustomStatus({ phase: "nextBatch", summary });
    context.df.continueAsNew({ ...input, offset: input.offset + input.batchSize, summary });
    return summary;
  }
  context.df.setCustomStatus({ phase: "done", summary });
  yield context.df.callActivityWithRetry(ACTIVITIES.reportNightly, STORE_RETRY, summary);
  return summary;
};
