/**
 * How the Durable extension's out-of-process shim reads an episode's actions, so the driver
 * fails wherever the real host would.
 *
 * Facts (Azure/azure-functions-durable-extension, OutOfProcOrchestrationShim.cs; durable-functions
 * 3.5, actions/WhenAnyAction.js and orchestrations/TaskOrchestrationExecutor.js):
 * - Every episode the Node worker returns the whole action list of the replay. With replay
 *   schema V2/V3 the shim walks it in order (`ProcessAsyncActionsV2`): for each action it calls
 *   the matching API (`InvokeAPIFromAction`), then awaits that task before the next action.
 * - `WhenAny` / `WhenAll` are not scheduled as such: the shim recurses into `compoundActions` and
 *   calls the API for every leaf, then awaits `Task.WhenAny` / `Task.WhenAll` over them.
 * - durable-functions builds `WhenAnyAction.compoundActions` from *every* child's `actionObj`,
 *   already-scheduled ones included. So a task yielded earlier and put into a new Task.any is
 *   scheduled again by the host (Azure/azure-functions-durable-js#574).
 * - Each activity, timer, sub-orchestration, entity call and entity signal the host schedules
 *   takes the next sequence number of the instance; completions (TaskCompleted.TaskScheduledId,
 *   TimerFired.TimerId, SubOrchestrationInstanceCompleted.TaskScheduledId) carry that number and
 *   the Node engine routes them to its own task with the same number. Retry timers and retried
 *   attempts of *WithRetry calls take numbers too, at the point the failure is replayed, which is
 *   where the Node engine takes them as well (RetryableTask's NoOpTask placeholders).
 * - WaitForExternalEvent and ContinueAsNew take no sequence number.
 */
import { describeAction } from "./determinism";
import { ActionType, type LibraryAction, type LibraryTask } from "./libraryBoundary";

/** One leaf as the shim invokes it: its action and where it sits in the episode's list. */
export interface ShimLeaf {
  action: LibraryAction;
  /** e.g. "action #3 (WhenAny) child 2" */
  position: string;
}

const sequenced: ReadonlySet<number> = new Set([
  ActionType.CallActivity,
  ActionType.CallActivityWithRetry,
  ActionType.CallSubOrchestrator,
  ActionType.CallSubOrchestratorWithRetry,
  ActionType.CreateTimer,
  ActionType.CallEntity,
  ActionType.SignalEntity,
  ActionType.CallHttp,
]);

export function takesSequenceNumber(action: LibraryAction): boolean {
  return sequenced.has(action.actionType);
}

function isCompound(action: LibraryAction): boolean {
  return action.actionType === ActionType.WhenAny || action.actionType === ActionType.WhenAll;
}

/**
 * The leaves the shim schedules, in the order it schedules them: the top-level actions in order,
 * every child of every compound action recursively, duplicates kept (the host keeps them too).
 * Works for schema V1 (one array per yield) and V2/V3 (one array) alike.
 */
export function shimLeaves(actions: unknown): ShimLeaf[] {
  const leaves: ShimLeaf[] = [];
  let top = 0;
  const visit = (node: unknown, position: string): void => {
    if (Array.isArray(node)) {
      node.forEach((child) => visit(child, position));
      return;
    }
    if (typeof node !== "object" || node === null || typeof (node as LibraryAction).actionType !== "number") return;
    const action = node as LibraryAction;
    const here = position === "" ? `action #${top++}` : position;
    if (isCompound(action)) {
      const kind = action.actionType === ActionType.WhenAny ? "Task.any" : "Task.all";
      (action.compoundActions ?? []).forEach((child, i) => visit(child, `${here} (${kind}) child ${i}`));
      return;
    }
    if (takesSequenceNumber(action)) leaves.push({ action, position: here });
  };
  if (Array.isArray(actions)) actions.forEach((node) => visit(node, ""));
  return leaves;
}

/** The orchestrator and the host would disagree: the instance fails with this error. */
export class HostProtocolError extends Error {
  override readonly name = "HostProtocolError";
  constructor(
    readonly orchestration: string,
    readonly instanceId: string,
    readonly action: string,
    readonly reason: string,
  ) {
    super(`Orchestration '${orchestration}' (instance '${instanceId}'): the Durable host would mishandle ${action}: ${reason}`);
  }
}

/** A leaf the host schedules this episode, with the sequence number it gives it. */
export interface HostScheduled {
  sequenceNumber: number;
  action: LibraryAction;
  position: string;
}

export interface EpisodeNumbering {
  /** New leaves in the host's order with the host's numbers. */
  scheduled: HostScheduled[];
  /** Work the Node engine opened by itself this episode (retry steps, long-timer chunks), by number. */
  retrySteps: Array<[number, LibraryTask]>;
  /** The next free sequence number after this episode. */
  nextSequenceNumber: number;
}

/**
 * Interprets one episode the way the shim does and checks that the Node engine numbered the
 * same work the same way. `knownLeaves` leaves were scheduled by earlier episodes (the
 * determinism check already holds their descriptions stable); `firstNew` is the first number
 * nothing has used yet. Returns a HostProtocolError as `violation` when a leaf would be scheduled
 * twice or a completion would reach a task other than the one that asked for it; `scheduled`
 * then still lists everything the host would receive, duplicates included.
 */
export function interpretEpisode(args: {
  orchestration: string;
  instanceId: string;
  actions: unknown;
  knownLeaves: number;
  firstNew: number;
  /** The engine's open tasks after the episode, keyed by sequence number (or entity request id). */
  openTasks: ReadonlyMap<string, LibraryTask>;
  /** How many numbers the engine handed out during this replay. */
  engineSequenceNumber: number;
}): EpisodeNumbering & { leaves: ShimLeaf[]; violation?: HostProtocolError } {
  const { orchestration, instanceId } = args;
  const leaves = shimLeaves(args.actions);

  // The engine's tasks by number. A leaf's task is the one whose action it is, or whose parent's
  // action it is (a timer longer than the host's maximum is a LongTimerTask over chunk timers).
  const leafActions = new Set(leaves.map((l) => l.action));
  const newLeafActions = new Set(leaves.slice(args.knownLeaves).map((l) => l.action));
  const engineTasks = new Map<number, LibraryTask>();
  const engineIdOf = new Map<LibraryAction, number>();
  const retrySteps: Array<[number, LibraryTask]> = [];
  for (const [key, task] of args.openTasks) {
    const id = Number(key);
    if (!Number.isInteger(id) || String(id) !== key) continue; // entity calls already sent
    engineTasks.set(id, task);
    const own = typeof task.actionObj === "string" ? undefined : task.actionObj;
    const parentAction = task.parent && typeof task.parent.actionObj !== "string" ? task.parent.actionObj : undefined;
    // Only a new long timer's first chunk stands for it; later chunks are the engine's own steps.
    const parent =
      own?.actionType === ActionType.CreateTimer && parentAction && newLeafActions.has(parentAction) ? parentAction : undefined;
    const leaf = own && leafActions.has(own) ? own : parent && leafActions.has(parent) ? parent : undefined;
    if (leaf && !engineIdOf.has(leaf)) engineIdOf.set(leaf, id);
    // Work the engine opened by itself (retry timers and attempts, further chunks of a long timer)
    // takes its number at the same point of the replay in the host.
    else if (id >= args.firstNew && !leaf) retrySteps.push([id, task]);
  }
  retrySteps.sort((a, b) => a[0] - b[0]);
  const describeTask = (id: number): string => {
    const task = engineTasks.get(id);
    if (!task) return "nothing (no open task has that number: the result is dropped)";
    return typeof task.actionObj === "string" ? "retry step" : `task ${describeAction(task.actionObj)}`;
  };

  // Host numbers for the new leaves: the numbers of this episode, minus those the engine's own
  // steps take at the same points of the replay in both runtimes.
  const retryIds = new Set(retrySteps.map(([id]) => id));
  let next = args.firstNew;
  const takeNumber = (): number => {
    while (retryIds.has(next)) next++;
    return next++;
  };

  let violation: HostProtocolError | undefined;
  const firstSeen = new Map<LibraryAction, ShimLeaf>();
  const scheduled: HostScheduled[] = [];
  leaves.forEach((leaf, index) => {
    const earlier = firstSeen.get(leaf.action);
    const isNew = index >= args.knownLeaves;
    const sequenceNumber = isNew ? takeNumber() : -1;
    if (earlier) {
      const where = isNew ? `as sequence number ${sequenceNumber}, whose completion would reach the orchestrator's ${describeTask(sequenceNumber)}` : "again";
      violation ??= new HostProtocolError(
        orchestration,
        instanceId,
        `${describeAction(leaf.action)} at ${leaf.position}`,
        `the task was already handed to the host at ${earlier.position}; durable-functions copies every child ` +
          `of a new Task.any/Task.all into its action and the host's out-of-process shim schedules every leaf ` +
          `of every compound action, so the work would be scheduled ${where} (Azure/azure-functions-durable-js#574). ` +
          `Never put an already-yielded task into a new Task.any or Task.all.`,
      );
      if (isNew) scheduled.push({ sequenceNumber, action: leaf.action, position: leaf.position });
      return;
    }
    firstSeen.set(leaf.action, leaf);
    if (!isNew) return;
    if (leaf.action.actionType === ActionType.SignalEntity) {
      scheduled.push({ sequenceNumber, action: leaf.action, position: leaf.position }); // fire-and-forget: no open task
      return;
    }
    const engineId = engineIdOf.get(leaf.action);
    const engineTask = engineId === undefined ? undefined : engineTasks.get(engineId);
    // Schedule what the engine waits for: for a long timer that is its first chunk.
    const scheduledAction = engineTask && typeof engineTask.actionObj !== "string" ? engineTask.actionObj : leaf.action;
    scheduled.push({ sequenceNumber, action: scheduledAction, position: leaf.position });
    if (engineId !== sequenceNumber) {
      violation ??= new HostProtocolError(
        orchestration,
        instanceId,
        `${describeAction(leaf.action)} at ${leaf.position}`,
        engineId === undefined
          ? `the host schedules it as sequence number ${sequenceNumber} but the orchestrator is not waiting for it, ` +
              `so its completion would reach the orchestrator's ${describeTask(sequenceNumber)}`
          : `the host numbers it ${sequenceNumber} but the orchestrator waits for it as task ${engineId}, so its ` +
              `completion would reach the orchestrator's ${describeTask(sequenceNumber)}`,
      );
    }
  });
  if (scheduled.length > 0 || retrySteps.length > 0) {
    const used = Math.max(next, ...retrySteps.map(([id]) => id + 1));
    if (used !== args.engineSequenceNumber && args.engineSequenceNumber >= args.firstNew) {
      violation ??= new HostProtocolError(
        orchestration,
        instanceId,
        `the episode's ${scheduled.length} new action(s)`,
        `the host would hand out sequence numbers up to ${used - 1} but the orchestrator's engine handed out ` +
          `up to ${args.engineSequenceNumber - 1}, so later completions would be routed to the wrong tasks`,
      );
    }
  }
  return {
    leaves,
    scheduled,
    retrySteps,
    nextSequenceNumber: Math.max(next, args.engineSequenceNumber, args.firstNew),
    violation,
  };
}
