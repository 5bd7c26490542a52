/*
 * The one place that reaches into durable-functions internals. The package exports its replay
 * engine only through `lib/src/util/testingUtils` and ships no typings for `lib/src`, so the
 * shapes the driver relies on are declared here (checked against durable-functions 3.5) and
 * every untyped value is narrowed before it leaves this module.
 */
import type { InvocationContext } from "@azure/functions";
import type { EntityHandler, EntityId, OrchestrationHandler, RetryOptions } from "durable-functions";

/** A history event as the replay engine reads it (PascalCase fields, like the host's JSON). */
export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: Date;
  IsProcessed: boolean;
  [field: string]: unknown;
}

/** ActionType of durable-functions (lib/src/actions/ActionType.js). */
export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

export const ReplaySchema = { V1: 0, V2: 1, V3: 2, V4: 3 } as const;
export type ReplaySchemaVersion = (typeof ReplaySchema)[keyof typeof ReplaySchema];

/** The union of the fields the action classes carry; which ones are set depends on actionType. */
export interface LibraryAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  operation?: string;
  fireAt?: Date;
  isCanceled?: boolean;
  externalEventName?: string;
  retryOptions?: RetryOptions;
  compoundActions?: LibraryAction[];
}

/** The subset of the engine's task objects the driver inspects after an episode. */
export interface LibraryTask {
  id: number | string | false;
  actionObj: LibraryAction | string;
  parent?: LibraryTask;
  /* RetryableTask only */
  innerTask?: LibraryTask;
  retryOptions?: RetryOptions;
  attemptNumber?: number;
  isWaitingOnTimer?: boolean;
  error?: unknown;
}

export interface LibraryOrchestratorState {
  isDone: boolean;
  actions: unknown[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion: number;
}

export interface EpisodeInspection {
  /** Tasks the engine is waiting on, keyed by sequence number (or entity request id). */
  openTasks: Map<string, LibraryTask>;
  /** How many sequence numbers the engine handed out during the replay. */
  sequenceNumber: number;
}

export interface EntityRequest {
  id: string;
  name: string;
  signal: boolean;
  input?: string;
  parent?: string;
}

export interface EntityBatchResult {
  entityExists: boolean;
  entityState?: string;
  results: Array<{ isError: boolean; result?: string }>;
  signals: Array<{ target: { name: string; key: string }; name: string; input: string }>;
}

type Listener = (trigger: unknown, context: InvocationContext) => Promise<unknown>;
type LogHandler = (level: string, ...args: unknown[]) => void;

interface TestingUtilsModule {
  createOrchestrator(fn: OrchestrationHandler): Listener;
  createEntityFunction(fn: EntityHandler<unknown>): Listener;
  DurableOrchestrationInput: new (
    instanceId: string,
    history: HistoryEvent[],
    input: unknown,
    longRunningTimerIntervalDuration?: string,
    maximumShortTimerDuration?: string,
    defaultHttpAsyncRequestSleepTimeMillseconds?: number,
    schemaVersion?: number,
    isReplaying?: boolean,
    parentInstanceId?: string,
  ) => object;
  DummyOrchestrationContext: new (functionName: string, invocationId: string, logHandler: LogHandler) => InvocationContext;
  DummyEntityContext: new (functionName: string, invocationId: string, logHandler: LogHandler) => InvocationContext;
}

type HistoryEventClass = new (options: Record<string, unknown>) => HistoryEvent;

const libRoot = "durable-functions/lib/src";
const testingUtils = require(`${libRoot}/util/testingUtils`) as TestingUtilsModule;
const entityIdModule = require(`${libRoot}/entities/EntityId`) as {
  EntityId: { getSchedulerIdFromEntityId(id: EntityId): string; getEntityIdFromSchedulerId(id: string): EntityId };
};

function historyClass(file: string): HistoryEventClass {
  const mod = require(`${libRoot}/history/${file}`) as Record<string, HistoryEventClass>;
  const cls = mod[file];
  if (typeof cls !== "function") throw new Error(`durable-functions has no history class ${file}`);
  return cls;
}

export const HistoryEvents = {
  ExecutionStarted: historyClass("ExecutionStartedEvent"),
  OrchestratorStarted: historyClass("OrchestratorStartedEvent"),
  OrchestratorCompleted: historyClass("OrchestratorCompletedEvent"),
  TaskScheduled: historyClass("TaskScheduledEvent"),
  TaskCompleted: historyClass("TaskCompletedEvent"),
  TaskFailed: historyClass("TaskFailedEvent"),
  TimerCreated: historyClass("TimerCreatedEvent"),
  TimerFired: historyClass("TimerFiredEvent"),
  EventSent: historyClass("EventSentEvent"),
  EventRaised: historyClass("EventRaisedEvent"),
  SubOrchestrationInstanceCreated: historyClass("SubOrchestrationInstanceCreatedEvent"),
  SubOrchestrationInstanceCompleted: historyClass("SubOrchestrationInstanceCompletedEvent"),
  SubOrchestrationInstanceFailed: historyClass("SubOrchestrationInstanceFailedEvent"),
};

export function schedulerIdOf(entityId: EntityId): string {
  return entityIdModule.EntityId.getSchedulerIdFromEntityId(entityId);
}

export function entityIdFromSchedulerId(schedulerId: string): EntityId {
  return entityIdModule.EntityId.getEntityIdFromSchedulerId(schedulerId);
}

export function createOrchestratorListener(handler: OrchestrationHandler): Listener {
  return testingUtils.createOrchestrator(handler);
}

export function createOrchestrationTrigger(args: {
  instanceId: string;
  history: HistoryEvent[];
  input: unknown;
  schemaVersion: ReplaySchemaVersion;
  parentInstanceId?: string;
}): object {
  return new testingUtils.DurableOrchestrationInput(
    args.instanceId,
    args.history,
    args.input,
    "3.00:00:00",
    "6.00:00:00",
    30_000,
    args.schemaVersion,
    false,
    args.parentInstanceId ?? "",
  );
}

export function createOrchestrationContext(name: string, invocationId: string, log: LogHandler): InvocationContext {
  return new testingUtils.DummyOrchestrationContext(name, invocationId, log);
}

/** Reads what the engine is still waiting for; only valid after the listener has run. */
export function inspectEpisode(context: InvocationContext): EpisodeInspection {
  const df = (context as unknown as { df?: { taskOrchestratorExecutor?: unknown } }).df;
  const executor = df?.taskOrchestratorExecutor as
    | { openTasks?: Record<string, LibraryTask>; sequenceNumber?: number }
    | undefined;
  if (!executor || typeof executor.sequenceNumber !== "number" || typeof executor.openTasks !== "object") {
    throw new Error("durable-functions internals changed: cannot read the orchestration executor state");
  }
  return { openTasks: new Map(Object.entries(executor.openTasks)), sequenceNumber: executor.sequenceNumber };
}

/**
 * A failing orchestrator makes the engine throw an OrchestrationFailureError whose message carries
 * the OrchestratorState as JSON after this label (that is how the host receives it too).
 */
const outOfProcDataLabel = "$OutOfProcData$:";

export function orchestratorStateFromFailure(error: unknown): LibraryOrchestratorState | undefined {
  if (!(error instanceof Error)) return undefined;
  const at = error.message.indexOf(outOfProcDataLabel);
  if (at < 0) return undefined;
  try {
    return JSON.parse(error.message.slice(at + outOfProcDataLabel.length)) as LibraryOrchestratorState;
  } catch {
    return undefined;
  }
}

export function isOrchestratorState(value: unknown): value is LibraryOrchestratorState {
  return typeof value === "object" && value !== null && "isDone" in value && Array.isArray((value as { actions?: unknown }).actions);
}

export function createEntityListener<T>(
  handler: (context: import("durable-functions").EntityContext<T>) => void | Promise<void>,
): Listener {
  // The engine awaits the handler's return value even though EntityHandler is typed as void.
  return testingUtils.createEntityFunction(handler as unknown as EntityHandler<unknown>);
}

export function createEntityTrigger(args: {
  self: EntityId;
  exists: boolean;
  state: string | undefined;
  batch: EntityRequest[];
}): object {
  return { self: args.self, exists: args.exists, state: args.state, batch: args.batch };
}

export function createEntityContext(name: string, invocationId: string, log: LogHandler): InvocationContext {
  return new testingUtils.DummyEntityContext(name, invocationId, log);
}

export function asEntityBatchResult(value: unknown): EntityBatchResult {
  const v = value as Partial<EntityBatchResult> | undefined;
  if (!v || !Array.isArray(v.results) || !Array.isArray(v.signals)) {
    throw new Error("durable-functions internals changed: unexpected entity batch result");
  }
  return v as EntityBatchResult;
}
