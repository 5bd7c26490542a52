/**
 * Builds the history events the host would write, in the shapes the durable-functions replay
 * engine reads. Event ids follow the engine's sequence numbers: the scheduling event carries the
 * task's id as EventId, the completion refers back to it (TaskScheduledId / TimerId), and entity
 * responses are matched by the request id inside the EventSent payload.
 */
import { HistoryEvents, type EntityRequest, type HistoryEvent } from "./libraryBoundary";

/** Ids the host gives events that nothing refers back to. */
const unreferenced = -1;

export interface FailureInfo {
  errorType: string;
  message: string;
  stack?: string;
}

export function failureFrom(error: unknown): FailureInfo {
  if (error instanceof Error) {
    return { errorType: error.name || "Error", message: error.message, stack: error.stack };
  }
  return { errorType: "Error", message: typeof error === "string" ? error : safeJson(error) ?? String(error) };
}

/** JSON text of a value, as the host stores it; undefined stays undefined. */
export function safeJson(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

/** What a value looks like after it crossed the host's JSON serialisation. */
export function jsonRoundTrip<T>(value: T): T {
  const text = safeJson(value);
  return text === undefined ? value : (JSON.parse(text) as T);
}

/**
 * The failure as the Durable extension (3.x, out-of-process JSON protocol) hands it to the
 * library: `Reason` and `Details` (the serialised .NET exception), no `FailureDetails` — so the
 * orchestrator catches a plain `Error("<reason> \n <details>")`, never a `TaskFailedError`.
 * Measured on the real engine (test/realEngine/engineProbes.test.ts); local/durable/README.md.
 */
function failureFields(failure: FailureInfo, reasonPrefix: string): { reason: string; details: string } {
  return {
    reason: `${reasonPrefix}${failure.message}`,
    details: JSON.stringify({ ClassName: "System.Exception", Message: failure.message, StackTrace: failure.stack ?? null }),
  };
}

export const history = {
  orchestratorStarted: (at: Date): HistoryEvent =>
    new HistoryEvents.OrchestratorStarted({ eventId: unreferenced, timestamp: at, isPlayed: false }),

  orchestratorCompleted: (at: Date): HistoryEvent =>
    new HistoryEvents.OrchestratorCompleted({ eventId: unreferenced, timestamp: at, isPlayed: false }),

  executionStarted: (at: Date, name: string, input: unknown): HistoryEvent =>
    new HistoryEvents.ExecutionStarted({
      eventId: unreferenced,
      timestamp: at,
      isPlayed: false,
      name,
      input: safeJson(input),
    }),

  taskScheduled: (at: Date, id: number, name: string, input: unknown): HistoryEvent =>
    new HistoryEvents.TaskScheduled({ eventId: id, timestamp: at, isPlayed: false, name, input: safeJson(input) }),

  taskCompleted: (at: Date, id: number, resultJson: string): HistoryEvent =>
    new HistoryEvents.TaskCompleted({
      eventId: unreferenced,
      timestamp: at,
      isPlayed: false,
      taskScheduledId: id,
      result: resultJson,
    }),

  /** `name`: the activity's, for the extension's "Activity function '<name>' failed: " prefix. */
  taskFailed: (at: Date, id: number, failure: FailureInfo, name?: string): HistoryEvent =>
    new HistoryEvents.TaskFailed({
      eventId: unreferenced,
      timestamp: at,
      isPlayed: false,
      taskScheduledId: id,
      ...failureFields(failure, name ? `Activity function '${name}' failed: ` : ""),
    }),

  timerCreated: (at: Date, id: number, fireAt: Date): HistoryEvent =>
    new HistoryEvents.TimerCreated({ eventId: id, timestamp: at, isPlayed: false, fireAt }),

  timerFired: (at: Date, id: number, fireAt: Date): HistoryEvent =>
    new HistoryEvents.TimerFired({ eventId: unreferenced, timestamp: at, isPlayed: false, timerId: id, fireAt }),

  /** An entity call or signal leaving the orchestration: the payload is the serialised request. */
  eventSent: (at: Date, id: number, targetSchedulerId: string, request: EntityRequest): HistoryEvent =>
    new HistoryEvents.EventSent({
      eventId: id,
      timestamp: at,
      isPlayed: false,
      name: "op",
      instanceId: targetSchedulerId,
      input: JSON.stringify(request),
    }),

  /** An external event, or an entity response (then `name` is the request id). */
  eventRaised: (at: Date, name: string, inputJson: string | undefined): HistoryEvent =>
    new HistoryEvents.EventRaised({ eventId: unreferenced, timestamp: at, isPlayed: false, name, input: inputJson }),

  subOrchestrationCreated: (at: Date, id: number, name: string, instanceId: string, input: unknown): HistoryEvent =>
    new HistoryEvents.SubOrchestrationInstanceCreated({
      eventId: id,
      timestamp: at,
      isPlayed: false,
      name,
      instanceId,
      input: safeJson(input),
    }),

  subOrchestrationCompleted: (at: Date, id: number, resultJson: string): HistoryEvent =>
    new HistoryEvents.SubOrchestrationInstanceCompleted({
      eventId: unreferenced,
      timestamp: at,
      isPlayed: false,
      taskScheduledId: id,
      result: resultJson,
    }),

  subOrchestrationFailed: (at: Date, id: number, failure: FailureInfo): HistoryEvent =>
    new HistoryEvents.SubOrchestrationInstanceFailed({
      eventId: unreferenced,
      timestamp: at,
      isPlayed: false,
      taskScheduledId: id,
      ...failureFields(failure, ""),
    }),
};

/** Everything already in the history has been shown to the orchestrator before. */
export function markPlayed(events: HistoryEvent[]): void {
  for (const event of events) event.IsPlayed = true;
}
