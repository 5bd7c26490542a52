/**
 * Registers the probe functions with the Functions programming model, as the app's own
 * functions/ do: loaded by the real-engine bridge (REAL_ENGINE_EXTRA_MODULES) only.
 */
import * as df from "durable-functions";
import { probeActivities, probeEntities, probeOrchestrations } from "./probeFunctions";

for (const [name, handler] of Object.entries(probeOrchestrations)) df.app.orchestration(name, handler);
for (const [name, handler] of Object.entries(probeEntities)) df.app.entity(name, handler);
for (const [name, handler] of Object.entries(probeActivities)) df.app.activity(name, { handler: (input: unknown) => handler(input as never) });
