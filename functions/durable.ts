import { app } from "@azure/functions";
import type { InvocationContext, Timer } from "@azure/functions";
import * as df from "durable-functions";
import { createActivities } from "../shared/sync/activities";
import type { EngineActivities } from "../shared/sync/activities";
import { orchestrationClientOf, watchdogPortsOf } from "../shared/sync/durableClient";
import { startNightly } from "../shared/sync/nightlyStart";
import { ACTIVITIES } from "../shared/sync/contracts";
import { runWatchdog } from "../shared/sync/watchdog";
import { appRoot, engineServicesFor, runLoggerFor } from "./appRoot";
import { DURABLE_ACTIVITY_NAMES, DURABLE_ENTITIES, DURABLE_ORCHESTRATIONS, gateEntityId } from "./durableCatalog";

/** Durable and timer registrations: thin shells over shared/engine. */
for (const [name, handler] of Object.entries(DURABLE_ORCHESTRATIONS)) df.app.orchestration(name, handler);
for (const [name, handler] of Object.entries(DURABLE_ENTITIES)) df.app.entity(name, handler);
for (const name of DURABLE_ACTIVITY_NAMES) {
  df.app.activity(name, {
    handler: (input: unknown, context: InvocationContext) => {
      const activities: EngineActivities = createActivities(engineServicesFor(context));
      return activities[name as keyof typeof ACTIVITIES](input);
    },
  });
}

export async function nightlyTimerHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const { settings } = appRoot();
  const client = orchestrationClientOf(df.getClient(context));
  const result = await startNightly(client, {
    now: new Date(),
    maxInFlight: settings.SYNC_MAX_CONCURRENT_RUNS,
    correlationId: context.invocationId,
  });
  context.info(result.started ? `nightly sync started: ${result.instanceId}` : `nightly sync already running: ${result.instanceId}`);
}

export async function watchdogTimerHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const { stores } = appRoot();
  const report = await runWatchdog({
    stores,
    now: () => new Date(),
    log: runLoggerFor(context),
    ...watchdogPortsOf(df.getClient(context), gateEntityId()),
  });
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
