import { app } from "@azure/functions";
import type { InvocationContext, Timer } from "@azure/functions";
import * as df from "durable-functions";
import { inInvocation } from "../shared/observability";
import type { ACTIVITIES } from "../shared/sync/contracts";
import { azureApp } from "./appRoot";
import { DURABLE_ACTIVITY_NAMES, DURABLE_ENTITIES, DURABLE_ORCHESTRATIONS } from "./durableCatalog";

/** Durable and timer registrations: thin shells over the app of the composition root. */
for (const [name, handler] of Object.entries(DURABLE_ORCHESTRATIONS)) df.app.orchestration(name, handler);
for (const [name, handler] of Object.entries(DURABLE_ENTITIES)) df.app.entity(name, handler);
for (const name of DURABLE_ACTIVITY_NAMES) {
  df.app.activity(name, {
    handler: (input: unknown, context: InvocationContext) =>
      inInvocation(context, () => azureApp().activities[name as keyof typeof ACTIVITIES](input)),
  });
}

export async function nightlyTimerHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const result = await inInvocation(context, () => azureApp().startNightly(df.getClient(context), context.invocationId));
  context.info(result.started ? `nightly sync started: ${result.instanceId}` : `nightly sync already running: ${result.instanceId}`);
}

export async function watchdogTimerHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const report = await inInvocation(context, () => azureApp().watchdog(df.getClient(context)));
  context.info(`watchdog: ${JSON.stringify(report)}`);
}

app.timer("nightlySyncTimer", {
  schedule: "%SYNC_SCHEDULE%",
  extraInputs: [df.input.durableClient()],
  handler: nightlyTimerHandler,
});

app.timer("syncWatchdogTimer", {
  schedule: "%WATCHDOG_SCHEDULE%",
  extraInputs: [df.input.durableClient()],
  handler: watchdogTimerHandler,
});
