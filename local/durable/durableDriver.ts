/**
 * The offline Durable Functions "host": keeps every instance's history in memory, runs episodes
 * through durable-functions' replay engine, carries out what the orchestrator asked for
 * (activities, timers, entity calls and signals, sub-orchestrations, continueAsNew) and appends
 * the resulting events, until the orchestration is done.
 */
import { randomUUID } from "node:crypto";
import { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import type { OrchestrationHandler, RetryOptions } from "durable-functions";
import { createClock, type Clock } from "./clock";
import { InFlightTracker, Semaphore } from "./concurrency";
import {
  assertExtends,
  assertSameActions,
  describeAction,
  NonDeterministicOrchestrationError,
} from "./determinism";
import { EntityHost, type DriverEntityHandler, type EntityOperationResult } from "./entityRunner";
import { HostProtocolError, interpretEpisode } from "./hostShim";
import { failureFrom, history, jsonRoundTrip, markPlayed, safeJson, type FailureInfo } from "./historyBuilder";
import {
  ActionType,
  entityIdFromSchedulerId,
  ReplaySchema,
  type EpisodeInspection,
  type HistoryEvent,
  type LibraryAction,
  type LibraryTask,
  type ReplaySchemaVersion,
} from "./libraryBoundary";
import { decodeActionInput, runEpisode, type EpisodeOutcome } from "./orchestrationRunner";
import { nextRetry } from "./retryPolicy";
import {
  terminalStatuses,
  type DriverActivityHandler,
  type DriverLog,
  type DriverStats,
  type DurableDriverOptions,
  type OrchestrationStatus,
  type RuntimeStatus,
} from "./types";

interface RetryState {
  firstAttemptAt: Date;
  lastFailure?: FailureInfo;
  timedOut: boolean;
}

interface ParentLink {
  instance: Instance;
  generation: object;
  taskId: number;
}

interface Instance {
  readonly instanceId: string;
  readonly name: string;
  input: unknown;
  status: RuntimeStatus;
  output: unknown;
  customStatus: unknown;
  readonly createdTime: Date;
  lastUpdatedTime: Date;
  generationNumber: number;
  /** Identity of the current generation; work started for an older one is ignored. */
  generation: object;
  history: HistoryEvent[];
  inbox: HistoryEvent[];
  episodeRunning: boolean;
  /** The previous replay's actions, for the determinism check. */
  lastActions: string[];
  /** Sequence numbers that already have a scheduling event in the history. */
  scheduledIds: Set<number>;
  /** Leaves of the action list the host has already been handed (this generation). */
  hostLeaves: number;
  /** The next sequence number the host would give (this generation). */
  hostNext: number;
  retries: Map<number, RetryState>;
  timers: Map<number, AbortController>;
  parent?: ParentLink;
  waiters: Array<() => void>;
}

/** One leaf the host's out-of-process shim would schedule, as the driver interpreted it. */
export interface HostScheduleEntry {
  instanceId: string;
  orchestration: string;
  generation: number;
  sequenceNumber: number;
  actionType: number;
  functionName?: string;
  /** Sub-orchestration instance id or entity scheduler id. */
  target?: string;
  operation?: string;
  input: unknown;
}

export interface ReplayResult {
  instanceId: string;
  actions: string[];
  output: unknown;
}

const activeStatuses: ReadonlySet<RuntimeStatus> = new Set(["Pending", "Running", "ContinuedAsNew"]);

function defaultLog(level: string, ...args: unknown[]): void {
  if (level === "error") console.error(...args);
  else if (level === "warning") console.warn(...args);
}

export class DurableDriver {
  readonly clock: Clock;
  private readonly log: DriverLog;
  private readonly schemaVersion: ReplaySchemaVersion;
  private readonly orchestrations = new Map<string, OrchestrationHandler>();
  private readonly activities = new Map<string, DriverActivityHandler>();
  private readonly instances = new Map<string, Instance>();
  private readonly tracker = new InFlightTracker();
  private readonly activitySlots: Semaphore;
  private readonly entities: EntityHost;
  private readonly errorLog: Error[] = [];
  /**
   * What the host was handed, per instance (with a global order), so a purge drops an instance's
   * entries with its history: one list for every instance ever run grew the local host by ~30
   * entries per sync (measured: 53,000 entries, ~20 MiB, after 1,800 syncs).
   */
  private readonly hostLog = new Map<string, Array<[order: number, entry: HostScheduleEntry]>>();
  private hostLogOrder = 0;
  private closed = false;
  private runningActivities = 0;
  private readonly counters = {
    instancesStarted: 0,
    episodes: 0,
    activitiesExecuted: 0,
    activityFailures: 0,
    activityRetries: 0,
    maxConcurrentActivities: 0,
    timersFired: 0,
    continuedAsNew: 0,
    nonDeterminismFailures: 0,
    hostProtocolFailures: 0,
  };
  private readonly maxHistoryLength: Record<string, number> = {};

  constructor(options: DurableDriverOptions = {}) {
    this.clock = createClock(options);
    this.log = options.log ?? defaultLog;
    this.schemaVersion = options.schemaVersion ?? ReplaySchema.V3;
    this.activitySlots = new Semaphore(options.maxConcurrentActivities ?? 16);
    this.entities = new EntityHost(this.tracker, this.log);
  }

  // ---------------------------------------------------------------- registration

  registerOrchestration(name: string, handler: OrchestrationHandler): this {
    this.orchestrations.set(name, handler);
    return this;
  }

  registerActivity(name: string, handler: DriverActivityHandler): this {
    this.activities.set(name, handler);
    return this;
  }

  registerEntity<T>(name: string, handler: DriverEntityHandler<T>): this {
    this.entities.register(name, handler);
    return this;
  }

  // ---------------------------------------------------------------- lifecycle

  startNew(name: string, options: { instanceId?: string; input?: unknown } = {}): string {
    this.assertOpen();
    const handler = this.orchestrations.get(name);
    if (!handler) throw new Error(`No orchestration named '${name}' is registered`);
    const instanceId = options.instanceId ?? randomUUID().replace(/-/g, "");
    const existing = this.instances.get(instanceId);
    if (existing && activeStatuses.has(existing.status)) {
      throw new Error(`An instance with ID '${instanceId}' already exists and is ${existing.status}.`);
    }
    this.createInstance(name, instanceId, jsonRoundTrip(options.input));
    return instanceId;
  }

  getStatus(instanceId: string, options: { showHistory?: boolean } = {}): OrchestrationStatus | undefined {
    const instance = this.instances.get(instanceId);
    return instance ? this.statusOf(instance, options.showHistory ?? false) : undefined;
  }

  getStatusAll(): OrchestrationStatus[] {
    return [...this.instances.values()].map((i) => this.statusOf(i, false));
  }

  terminate(instanceId: string, reason: string): void {
    const instance = this.requireInstance(instanceId);
    if (!activeStatuses.has(instance.status)) return;
    this.finish(instance, "Terminated", reason);
  }

  raiseEvent(instanceId: string, eventName: string, eventData: unknown): void {
    const instance = this.requireInstance(instanceId);
    if (!activeStatuses.has(instance.status)) {
      throw new Error(`The instance '${instanceId}' has already completed (${instance.status}).`);
    }
    this.deliver(instance, instance.generation, history.eventRaised(this.clock.now(), eventName, safeJson(eventData)));
  }

  /** Resolves with the final status, or rejects after `timeoutMs` (real milliseconds). */
  waitForCompletion(instanceId: string, timeoutMs: number): Promise<OrchestrationStatus> {
    const instance = this.requireInstance(instanceId);
    if (terminalStatuses.has(instance.status)) return Promise.resolve(this.statusOf(instance, false));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const current = this.instances.get(instanceId);
        reject(
          new Error(
            `Instance '${instanceId}' did not complete within ${timeoutMs} ms (status ${current?.status ?? "purged"})`,
          ),
        );
      }, timeoutMs);
      instance.waiters.push(() => {
        clearTimeout(timer);
        resolve(this.statusOf(instance, false));
      });
    });
  }

  purgeInstanceHistory(instanceId: string): { instancesDeleted: number } {
    const instance = this.instances.get(instanceId);
    if (!instance || activeStatuses.has(instance.status)) return { instancesDeleted: 0 };
    this.instances.delete(instanceId);
    this.hostLog.delete(instanceId);
    return { instancesDeleted: 1 };
  }

  /** Purges the oldest finished instances (by creation time) beyond the newest `keep`. */
  purgeOldestFinished(keep: number): { instancesDeleted: number } {
    const finished = [...this.instances.values()].filter((i) => terminalStatuses.has(i.status));
    if (finished.length <= keep) return { instancesDeleted: 0 };
    finished.sort((a, b) => a.createdTime.getTime() - b.createdTime.getTime());
    let instancesDeleted = 0;
    for (const i of finished.slice(0, finished.length - keep)) instancesDeleted += this.purgeInstanceHistory(i.instanceId).instancesDeleted;
    return { instancesDeleted };
  }

  // ---------------------------------------------------------------- entities

  signalEntity(entityId: df.EntityId, operationName: string, input?: unknown): void {
    this.assertOpen();
    void this.entities.enqueue(entityId, operationName, safeJson(input), { signal: true });
  }

  /** Runs an operation and returns its result, as an orchestrator's callEntity would see it. */
  async callEntity<T = unknown>(entityId: df.EntityId, operationName: string, input?: unknown): Promise<T> {
    this.assertOpen();
    const result = await this.entities.enqueue(entityId, operationName, safeJson(input), { signal: false });
    if (!result.ok) throw new Error(result.failure.message);
    return (result.resultJson === undefined ? undefined : JSON.parse(result.resultJson)) as T;
  }

  readEntityState<T>(entityId: df.EntityId): { entityExists: boolean; entityState?: T } {
    return this.entities.readState<T>(entityId);
  }

  // ---------------------------------------------------------------- observation

  stats(): DriverStats {
    const instancesByStatus: Record<RuntimeStatus, number> = {
      Pending: 0,
      Running: 0,
      Completed: 0,
      Failed: 0,
      Terminated: 0,
      ContinuedAsNew: 0,
    };
    for (const instance of this.instances.values()) instancesByStatus[instance.status]++;
    return {
      ...this.counters,
      maxHistoryLength: { ...this.maxHistoryLength },
      instancesByStatus,
      entityOperations: this.entities.operationCount,
      entitiesHeld: this.entities.size,
    };
  }

  /**
   * Every leaf the host's out-of-process shim would have scheduled so far, in order: one entry
   * per activity, timer, entity call or signal and sub-orchestration start the host receives.
   */
  hostSchedule(): readonly HostScheduleEntry[] {
    return [...this.hostLog.values()]
      .flat()
      .sort((a, b) => a[0] - b[0])
      .map(([, entry]) => entry);
  }

  /** Errors that failed instances for reasons other than the orchestrator's own exceptions. */
  errors(): readonly Error[] {
    return this.errorLog;
  }

  /** Resolves when no episode, activity, entity operation or armed timer is left. */
  idle(): Promise<void> {
    return this.tracker.idle();
  }

  /** Disarms all durable timers, refuses new work and waits for what is already running. */
  async close(): Promise<void> {
    this.closed = true;
    for (const instance of this.instances.values()) this.disarmTimers(instance);
    await this.idle();
  }

  /**
   * Re-runs a finished instance's recorded history from scratch and checks that it asks for the
   * same actions and reaches the same result. Throws NonDeterministicOrchestrationError otherwise.
   */
  async replay(instanceId: string): Promise<ReplayResult> {
    const instance = this.requireInstance(instanceId);
    if (!terminalStatuses.has(instance.status) || instance.status === "Terminated") {
      throw new Error(`Instance '${instanceId}' is ${instance.status}; only completed or failed instances can be replayed`);
    }
    const handler = this.requireOrchestration(instance.name);
    const events = instance.history.map((e) => ({ ...e, IsPlayed: true }));
    const outcome = await runEpisode({
      handler,
      name: instance.name,
      instanceId,
      history: events,
      input: instance.input,
      schemaVersion: this.schemaVersion,
      parentInstanceId: instance.parent?.instance.instanceId,
      invocationId: randomUUID(),
      log: () => undefined,
    });
    const actions = outcome.actions.map(describeAction);
    assertSameActions(instanceId, instance.lastActions, actions);
    const expected = instance.status === "Completed" ? "completed" : "failed";
    const replayedOutput = outcome.kind === "failed" ? outcome.message : outcomeOutput(outcome);
    if (outcome.kind !== expected || safeJson(replayedOutput) !== safeJson(instance.output)) {
      throw new NonDeterministicOrchestrationError(
        instanceId,
        actions.length,
        `${expected} with ${safeJson(instance.output)}`,
        `${outcome.kind} with ${safeJson(replayedOutput)}`,
      );
    }
    return { instanceId, actions, output: replayedOutput };
  }

  // ---------------------------------------------------------------- instances

  private createInstance(name: string, instanceId: string, input: unknown, parent?: ParentLink): Instance {
    const now = this.clock.now();
    const instance: Instance = {
      instanceId,
      name,
      input,
      status: "Pending",
      output: null,
      customStatus: null,
      createdTime: now,
      lastUpdatedTime: now,
      generationNumber: 1,
      generation: {},
      history: [],
      inbox: [history.executionStarted(now, name, input)],
      episodeRunning: false,
      lastActions: [],
      scheduledIds: new Set(),
      hostLeaves: 0,
      hostNext: 0,
      retries: new Map(),
      timers: new Map(),
      parent,
      waiters: [],
    };
    this.instances.set(instanceId, instance);
    this.counters.instancesStarted++;
    this.schedule(instance);
    return instance;
  }

  private statusOf(instance: Instance, showHistory: boolean): OrchestrationStatus {
    const status: OrchestrationStatus = {
      name: instance.name,
      instanceId: instance.instanceId,
      runtimeStatus: instance.status,
      // Copies, so a caller cannot edit what later episodes replay.
      input: structuredClone(instance.input),
      output: structuredClone(instance.output),
      customStatus: structuredClone(instance.customStatus),
      createdTime: instance.createdTime,
      lastUpdatedTime: instance.lastUpdatedTime,
      historyLength: instance.history.length,
      generation: instance.generationNumber,
    };
    if (showHistory) status.history = instance.history.map((e) => ({ ...e }));
    return status;
  }

  private isCurrent(instance: Instance, generation: object): boolean {
    return (
      this.instances.get(instance.instanceId) === instance &&
      instance.generation === generation &&
      activeStatuses.has(instance.status)
    );
  }

  /** Hands an event to the instance's next episode, unless that instance has moved on. */
  private deliver(instance: Instance, generation: object, event: HistoryEvent): void {
    if (!this.isCurrent(instance, generation)) return;
    instance.inbox.push(event);
    this.schedule(instance);
  }

  /** Episodes of one instance never overlap; events that arrive meanwhile form the next batch. */
  private schedule(instance: Instance): void {
    if (instance.episodeRunning || instance.inbox.length === 0 || !activeStatuses.has(instance.status)) return;
    instance.episodeRunning = true;
    const end = this.tracker.begin();
    setImmediate(() => {
      void this.pump(instance).finally(() => {
        instance.episodeRunning = false;
        end();
        this.schedule(instance);
      });
    });
  }

  private async pump(instance: Instance): Promise<void> {
    try {
      while (instance.inbox.length > 0 && activeStatuses.has(instance.status)) {
        await this.runOneEpisode(instance);
      }
    } catch (error) {
      this.failInstance(instance, error);
    }
  }

  private async runOneEpisode(instance: Instance): Promise<void> {
    const generation = instance.generation;
    const now = this.clock.now();
    markPlayed(instance.history);
    instance.history.push(history.orchestratorStarted(now), ...instance.inbox.splice(0));
    instance.status = "Running";
    this.counters.episodes++;

    const outcome = await runEpisode({
      handler: this.requireOrchestration(instance.name),
      name: instance.name,
      instanceId: instance.instanceId,
      history: instance.history,
      input: instance.input,
      schemaVersion: this.schemaVersion,
      parentInstanceId: instance.parent?.instance.instanceId,
      invocationId: randomUUID(),
      log: this.log,
    });
    if (!this.isCurrent(instance, generation)) return;

    const actions = outcome.actions.map(describeAction);
    // A failing replay may report no actions at all; it is then not evidence of anything.
    if (outcome.kind !== "failed" || actions.length > 0) {
      assertExtends(instance.instanceId, instance.lastActions, actions);
      instance.lastActions = actions;
    }
    if (outcome.customStatus !== undefined) instance.customStatus = jsonRoundTrip(outcome.customStatus);

    switch (outcome.kind) {
      case "failed":
        instance.history.push(history.orchestratorCompleted(this.clock.now()));
        this.finish(instance, "Failed", outcome.message);
        return;
      case "running":
        this.scheduleNewWork(instance, outcome.tree, outcome.inspection, now);
        instance.history.push(history.orchestratorCompleted(this.clock.now()));
        this.recordHistoryLength(instance);
        return;
      case "completed":
        this.scheduleNewWork(instance, outcome.tree, outcome.inspection, now);
        instance.history.push(history.orchestratorCompleted(this.clock.now()));
        this.finish(instance, "Completed", jsonRoundTrip(outcome.output) ?? null);
        return;
      case "continuedAsNew":
        this.scheduleNewWork(instance, outcome.tree, outcome.inspection, now);
        instance.history.push(history.orchestratorCompleted(this.clock.now()));
        this.continueAsNew(instance, jsonRoundTrip(outcome.input));
        return;
    }
  }

  private recordHistoryLength(instance: Instance): void {
    const previous = this.maxHistoryLength[instance.name] ?? 0;
    this.maxHistoryLength[instance.name] = Math.max(previous, instance.history.length);
  }

  private continueAsNew(instance: Instance, input: unknown): void {
    this.recordHistoryLength(instance);
    this.disarmTimers(instance);
    this.counters.continuedAsNew++;
    instance.status = "ContinuedAsNew";
    instance.generationNumber++;
    instance.generation = {};
    instance.input = input;
    instance.history = [];
    instance.lastActions = [];
    instance.scheduledIds = new Set();
    instance.hostLeaves = 0;
    instance.hostNext = 0;
    instance.retries = new Map();
    instance.lastUpdatedTime = this.clock.now();
    // Events that arrived for the previous generation belong to its history, which is gone.
    instance.inbox = [history.executionStarted(this.clock.now(), instance.name, input)];
  }

  private finish(instance: Instance, status: RuntimeStatus, output: unknown): void {
    this.recordHistoryLength(instance);
    this.disarmTimers(instance);
    instance.status = status;
    instance.output = output;
    instance.inbox = [];
    instance.generation = {};
    instance.lastUpdatedTime = this.clock.now();
    const waiters = instance.waiters.splice(0);
    waiters.forEach((w) => w());
    this.notifyParent(instance);
  }

  private failInstance(instance: Instance, error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    if (err instanceof NonDeterministicOrchestrationError) this.counters.nonDeterminismFailures++;
    if (err instanceof HostProtocolError) this.counters.hostProtocolFailures++;
    this.errorLog.push(err);
    // The newest errors are what a test or an operator looks at; a long-running host keeps 100.
    if (this.errorLog.length > 100) this.errorLog.splice(0, this.errorLog.length - 100);
    this.log("error", `[durable driver] instance '${instance.instanceId}' failed: ${err.message}`);
    if (activeStatuses.has(instance.status)) this.finish(instance, "Failed", err.message);
  }

  private notifyParent(child: Instance): void {
    const link = child.parent;
    if (!link) return;
    const now = this.clock.now();
    if (child.status === "Completed") {
      const event = history.subOrchestrationCompleted(now, link.taskId, safeJson(child.output) ?? "null");
      this.deliver(link.instance, link.generation, event);
    } else {
      const message =
        child.status === "Terminated"
          ? `Sub-orchestration '${child.instanceId}' was terminated: ${String(child.output)}`
          : `Sub-orchestration '${child.instanceId}' failed: ${String(child.output)}`;
      const event = history.subOrchestrationFailed(now, link.taskId, { errorType: "Error", message });
      this.deliver(link.instance, link.generation, event);
    }
  }

  // ---------------------------------------------------------------- executing actions

  /**
   * Hands the episode's actions to the "host" the way the extension's out-of-process shim does
   * (hostShim.ts): every leaf of every compound action, in order, each taking the next sequence
   * number, plus the retry steps the engine opened. A leaf the host would schedule twice, or a
   * completion that would reach another task, fails the instance with a HostProtocolError.
   */
  private scheduleNewWork(instance: Instance, tree: unknown[], inspection: EpisodeInspection, now: Date): void {
    for (const [key, task] of inspection.openTasks) {
      const id = Number(key);
      if (Number.isInteger(id) && instance.scheduledIds.has(id)) this.disarmIfCanceled(instance, id, task);
    }
    const numbering = interpretEpisode({
      orchestration: instance.name,
      instanceId: instance.instanceId,
      actions: tree,
      knownLeaves: instance.hostLeaves,
      firstNew: instance.hostNext,
      openTasks: inspection.openTasks,
      engineSequenceNumber: inspection.sequenceNumber,
    });
    instance.hostLeaves = numbering.leaves.length;
    instance.hostNext = numbering.nextSequenceNumber;
    const work: Array<[number, () => void]> = [];
    for (const { sequenceNumber: id, action } of numbering.scheduled) {
      const entry: HostScheduleEntry = {
        instanceId: instance.instanceId,
        orchestration: instance.name,
        generation: instance.generationNumber,
        sequenceNumber: id,
        actionType: action.actionType,
        functionName: action.functionName,
        target:
          action.actionType === ActionType.CallSubOrchestrator || action.actionType === ActionType.CallSubOrchestratorWithRetry
            ? this.childInstanceId(instance, id, action)
            : action.instanceId,
        operation: action.operation,
        input: jsonRoundTrip(decodeActionInput(action.input)),
      };
      const logged = this.hostLog.get(instance.instanceId);
      if (logged) logged.push([++this.hostLogOrder, entry]);
      else this.hostLog.set(instance.instanceId, [[++this.hostLogOrder, entry]]);
      work.push([
        id,
        action.actionType === ActionType.SignalEntity
          ? () => this.sendSignal(instance, id, action, now)
          : () => this.scheduleAction(instance, id, action, now),
      ]);
    }
    for (const [id, task] of numbering.retrySteps) {
      if (instance.scheduledIds.has(id)) continue;
      const own = task.actionObj;
      work.push([
        id,
        typeof own === "string"
          ? () => {
              instance.scheduledIds.add(id);
              this.scheduleRetryStep(instance, id, task, now);
            }
          : () => this.scheduleAction(instance, id, own, now),
      ]);
    }
    if (numbering.violation) throw numbering.violation;
    // Scheduling events go into the history in sequence-number order, as the host writes them.
    work.sort((a, b) => a[0] - b[0]);
    for (const [, schedule] of work) schedule();
  }

  private scheduleAction(instance: Instance, id: number, action: LibraryAction, now: Date): void {
    instance.scheduledIds.add(id);
    switch (action.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry: {
        if (action.actionType === ActionType.CallActivityWithRetry) {
          instance.retries.set(id, { firstAttemptAt: now, timedOut: false });
        }
        this.startActivity(instance, id, action, now);
        return;
      }
      case ActionType.CreateTimer: {
        const fireAt = new Date(action.fireAt ?? now);
        instance.history.push(history.timerCreated(now, id, fireAt));
        if (!action.isCanceled) this.armTimer(instance, id, fireAt);
        return;
      }
      case ActionType.CallEntity:
        this.callEntityFromOrchestration(instance, id, action, now);
        return;
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry: {
        if (action.actionType === ActionType.CallSubOrchestratorWithRetry) {
          instance.retries.set(id, { firstAttemptAt: now, timedOut: false });
        }
        this.startSubOrchestration(instance, id, action, now);
        return;
      }
      default:
        throw new Error(
          `The offline durable driver does not support action type ${action.actionType} ` +
            `(instance '${instance.instanceId}', task ${id}); callHttp and entity locks are not implemented`,
        );
    }
  }

  /** A retry placeholder is either the back-off timer after a failure or the next attempt. */
  private scheduleRetryStep(instance: Instance, id: number, placeholder: LibraryTask, now: Date): void {
    const retryable = placeholder.parent;
    const inner = retryable?.innerTask;
    const options = retryable?.retryOptions;
    if (!retryable || !inner || typeof inner.actionObj === "string" || typeof inner.id !== "number" || !options) {
      throw new Error(`Unexpected internal task ${id} in instance '${instance.instanceId}'`);
    }
    const action = inner.actionObj;
    const retry = instance.retries.get(inner.id) ?? { firstAttemptAt: now, timedOut: false };
    instance.retries.set(inner.id, retry);

    if (retryable.isWaitingOnTimer) {
      const failedAttemptIndex = (retryable.attemptNumber ?? 2) - 2;
      const decision = nextRetry(options as RetryOptions, failedAttemptIndex, retry.firstAttemptAt, now);
      if (!decision.mayRetry) retry.timedOut = true;
      const fireAt = new Date(now.getTime() + decision.delayMs);
      instance.history.push(history.timerCreated(now, id, fireAt));
      this.armTimer(instance, id, fireAt);
      return;
    }

    this.counters.activityRetries++;
    if (retry.timedOut) {
      // The engine counts attempts itself and knows nothing of retryTimeout, so the attempts left
      // are recorded as failed without running, which ends the retry loop the way the host would.
      const failure: FailureInfo = {
        errorType: retry.lastFailure?.errorType ?? "Error",
        message: `retryTimeout of ${options.retryTimeoutInMilliseconds} ms expired: ${retry.lastFailure?.message ?? "failed"}`,
      };
      this.recordScheduling(instance, id, action, now);
      const event =
        action.actionType === ActionType.CallActivityWithRetry
          ? history.taskFailed(now, id, failure)
          : history.subOrchestrationFailed(now, id, failure);
      this.deliver(instance, instance.generation, event);
      return;
    }
    if (action.actionType === ActionType.CallActivityWithRetry) this.startActivity(instance, id, action, now, inner.id);
    else this.startSubOrchestration(instance, id, action, now, inner.id);
  }

  private recordScheduling(instance: Instance, id: number, action: LibraryAction, now: Date): void {
    if (action.actionType === ActionType.CallActivity || action.actionType === ActionType.CallActivityWithRetry) {
      instance.history.push(history.taskScheduled(now, id, action.functionName ?? "", decodeActionInput(action.input)));
    } else {
      const childId = this.childInstanceId(instance, id, action);
      instance.history.push(
        history.subOrchestrationCreated(now, id, action.functionName ?? "", childId, jsonRoundTrip(action.input)),
      );
    }
  }

  private startActivity(instance: Instance, id: number, action: LibraryAction, now: Date, retryKey?: number): void {
    const name = action.functionName ?? "";
    const input = jsonRoundTrip(decodeActionInput(action.input));
    instance.history.push(history.taskScheduled(now, id, name, input));
    const generation = instance.generation;
    const end = this.tracker.begin();
    void this.activitySlots
      .run(async () => {
        // Work for a terminated or restarted instance is dropped before it starts.
        if (!this.isCurrent(instance, generation)) return;
        const outcome = await this.executeActivity(name, input);
        const at = this.clock.now();
        if (outcome.ok) {
          this.deliver(instance, generation, history.taskCompleted(at, id, outcome.resultJson));
          return;
        }
        const retry = instance.retries.get(retryKey ?? id);
        if (retry) retry.lastFailure = outcome.failure;
        this.deliver(instance, generation, history.taskFailed(at, id, outcome.failure, name));
      })
      .catch((error: unknown) => this.failInstance(instance, error))
      .finally(end);
  }

  private async executeActivity(
    name: string,
    input: unknown,
  ): Promise<{ ok: true; resultJson: string } | { ok: false; failure: FailureInfo }> {
    const handler = this.activities.get(name);
    this.counters.activitiesExecuted++;
    if (!handler) {
      this.counters.activityFailures++;
      return { ok: false, failure: { errorType: "Error", message: `No activity named '${name}' is registered` } };
    }
    this.runningActivities++;
    this.counters.maxConcurrentActivities = Math.max(this.counters.maxConcurrentActivities, this.runningActivities);
    try {
      const context = new InvocationContext({ invocationId: randomUUID(), functionName: name, logHandler: this.log });
      const result: unknown = await handler(input, context);
      // The host stores results as JSON; an activity that returns nothing yields null.
      return { ok: true, resultJson: safeJson(result) ?? "null" };
    } catch (error) {
      this.counters.activityFailures++;
      return { ok: false, failure: failureFrom(error) };
    } finally {
      this.runningActivities--;
    }
  }

  private callEntityFromOrchestration(instance: Instance, id: number, action: LibraryAction, now: Date): void {
    const target = action.instanceId ?? "";
    const entityId = entityIdFromSchedulerId(target);
    const requestId = randomUUID();
    const inputJson = safeJson(action.input);
    instance.history.push(
      history.eventSent(now, id, target, {
        id: requestId,
        name: action.operation ?? "",
        signal: false,
        input: inputJson,
        parent: instance.instanceId,
      }),
    );
    const generation = instance.generation;
    void this.entities
      .enqueue(entityId, action.operation ?? "", inputJson, { signal: false, parent: instance.instanceId, requestId })
      .then((result) => {
        this.deliver(instance, generation, history.eventRaised(this.clock.now(), requestId, responseMessage(result)));
      });
  }

  private sendSignal(instance: Instance, id: number, action: LibraryAction, now: Date): void {
    instance.scheduledIds.add(id);
    const target = action.instanceId ?? "";
    const inputJson = safeJson(action.input);
    instance.history.push(
      history.eventSent(now, id, target, {
        id: randomUUID(),
        name: action.operation ?? "",
        signal: true,
        input: inputJson,
        parent: instance.instanceId,
      }),
    );
    void this.entities.enqueue(entityIdFromSchedulerId(target), action.operation ?? "", inputJson, {
      signal: true,
      parent: instance.instanceId,
    });
  }

  private childInstanceId(parent: Instance, id: number, action: LibraryAction): string {
    return action.instanceId ?? `${parent.instanceId}:${parent.generationNumber}:${id}`;
  }

  private startSubOrchestration(parent: Instance, id: number, action: LibraryAction, now: Date, retryKey?: number): void {
    const name = action.functionName ?? "";
    const input = jsonRoundTrip(action.input);
    const childId = this.childInstanceId(parent, id, action);
    parent.history.push(history.subOrchestrationCreated(now, id, name, childId, input));
    const link: ParentLink = { instance: parent, generation: parent.generation, taskId: id };
    const refuse = (message: string): void => {
      const retry = parent.retries.get(retryKey ?? id);
      if (retry) retry.lastFailure = { errorType: "Error", message };
      this.deliver(parent, parent.generation, history.subOrchestrationFailed(now, id, { errorType: "Error", message }));
    };
    if (!this.orchestrations.has(name)) return refuse(`No orchestration named '${name}' is registered`);
    const existing = this.instances.get(childId);
    if (existing && activeStatuses.has(existing.status)) {
      return refuse(`An instance with ID '${childId}' already exists and is ${existing.status}.`);
    }
    const child = this.createInstance(name, childId, input, link);
    const retry = parent.retries.get(retryKey ?? id);
    if (retry) {
      child.waiters.push(() => {
        if (child.status !== "Completed") retry.lastFailure = { errorType: "Error", message: String(child.output) };
      });
    }
  }

  // ---------------------------------------------------------------- timers

  private armTimer(instance: Instance, id: number, fireAt: Date): void {
    if (this.closed) return;
    const controller = new AbortController();
    instance.timers.set(id, controller);
    const generation = instance.generation;
    const end = this.tracker.begin();
    const wait = async (): Promise<void> => {
      // A scaled clock may wake a hair early; sleep again until virtual time has caught up.
      for (;;) {
        const remaining = fireAt.getTime() - this.clock.now().getTime();
        if (remaining <= 0 || controller.signal.aborted) return;
        await this.clock.sleep(Math.max(remaining, 1), controller.signal);
      }
    };
    void wait()
      .then(() => {
        if (controller.signal.aborted) return;
        instance.timers.delete(id);
        this.counters.timersFired++;
        this.deliver(instance, generation, history.timerFired(this.clock.now(), id, fireAt));
      })
      .catch((error: unknown) => this.failInstance(instance, error))
      .finally(end);
  }

  private disarmIfCanceled(instance: Instance, id: number, task: LibraryTask): void {
    if (typeof task.actionObj === "string" || !task.actionObj.isCanceled) return;
    const controller = instance.timers.get(id);
    if (!controller) return;
    controller.abort();
    instance.timers.delete(id);
  }

  private disarmTimers(instance: Instance): void {
    for (const controller of instance.timers.values()) controller.abort();
    instance.timers.clear();
  }

  // ---------------------------------------------------------------- helpers

  private requireInstance(instanceId: string): Instance {
    const instance = this.instances.get(instanceId);
    if (!instance) throw new Error(`No instance with ID '${instanceId}' found.`);
    return instance;
  }

  private requireOrchestration(name: string): OrchestrationHandler {
    const handler = this.orchestrations.get(name);
    if (!handler) throw new Error(`No orchestration named '${name}' is registered`);
    return handler;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("The durable driver is closed");
  }
}

function outcomeOutput(outcome: EpisodeOutcome): unknown {
  return outcome.kind === "completed" ? (jsonRoundTrip(outcome.output) ?? null) : undefined;
}

/** The ResponseMessage JSON the engine expects in the EventRaised that answers an entity call. */
function responseMessage(result: EntityOperationResult): string {
  if (result.ok) return JSON.stringify(result.resultJson === undefined ? {} : { result: result.resultJson });
  // What the extension sends for a failed out-of-process operation: the operation's own result
  // (durable-functions writes JSON.stringify(error), "{}" for an Error) and exceptionType "Error".
  return JSON.stringify({ result: result.resultJson ?? JSON.stringify(result.failure.message), exceptionType: "Error" });
}
