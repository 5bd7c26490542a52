import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";

/**
 * An orchestration whose instances are replayed only by the logic version they started with.
 * A Durable instance is replayed from its history on every episode by whatever code is
 * deployed, so a deployment that changes the actions an orchestrator asks for would otherwise
 * hand an in-flight instance's recorded results to different tasks. The version is read from the
 * input (written by the starter, recorded in the history's ExecutionStarted event) before any
 * action, so the dispatch itself is deterministic. An instance of a version this deployment no
 * longer carries fails on its next episode without scheduling anything; the watchdog then
 * finalises its run within one lease (docs/deploy.md).
 */
export function versioned(name: string, versions: Readonly<Record<number, OrchestrationHandler>>): OrchestrationHandler {
  return function* (context: OrchestrationContext) {
    const input = context.df.getInput() as { logicVersion?: unknown } | null | undefined;
    const version = typeof input?.logicVersion === "number" ? input.logicVersion : 1;
    const handler = versions[version];
    if (!handler) {
      throw new Error(
        `${name}: instance started with orchestration logic version ${version}, which this deployment no longer ` +
          `carries (it runs ${Object.keys(versions).join(", ")}); ended without replaying it`,
      );
    }
    return (yield* handler(context) as Generator<unknown, unknown, unknown>) as unknown;
  } as OrchestrationHandler;
}
