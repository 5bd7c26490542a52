/**
 * Replay determinism: every replay of an instance must ask for the same actions, in the same
 * order, as the replay before it, and may only add new ones at the end. A mismatch means the
 * orchestrator read the wall clock, a random number, I/O or changed code between episodes.
 */
import { ActionType, type LibraryAction } from "./libraryBoundary";

export class NonDeterministicOrchestrationError extends Error {
  override readonly name = "NonDeterministicOrchestrationError";
  constructor(
    readonly instanceId: string,
    readonly index: number,
    readonly expected: string | undefined,
    readonly actual: string | undefined,
  ) {
    super(
      `Non-deterministic orchestration '${instanceId}': action #${index} was ${expected ?? "(none)"} ` +
        `in the previous replay but is ${actual ?? "(none)"} now. Orchestrator code must not use ` +
        `Date.now, Math.random, I/O or anything else that changes between replays.`,
    );
  }
}

const actionTypeNames = new Map<number, string>(Object.entries(ActionType).map(([k, v]) => [v, k]));

function isAction(value: unknown): value is LibraryAction {
  return typeof value === "object" && value !== null && typeof (value as LibraryAction).actionType === "number";
}

/** Leaf actions in scheduling order, whatever the replay schema nests them in. */
export function flattenActions(actions: unknown): LibraryAction[] {
  const out: LibraryAction[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (isAction(node)) {
      if (node.compoundActions) node.compoundActions.forEach(visit);
      else out.push(node);
    }
  };
  visit(actions);
  return out;
}

/** A stable text for comparing one action across replays. */
export function describeAction(action: LibraryAction): string {
  const parts: Record<string, unknown> = { type: actionTypeNames.get(action.actionType) ?? action.actionType };
  if (action.functionName !== undefined) parts.name = action.functionName;
  if (action.operation !== undefined) parts.operation = action.operation;
  if (action.externalEventName !== undefined) parts.event = action.externalEventName;
  if (action.instanceId !== undefined) parts.instanceId = action.instanceId;
  if (action.fireAt !== undefined) parts.fireAt = new Date(action.fireAt).toISOString();
  if (action.input !== undefined) parts.input = action.input;
  if (action.retryOptions !== undefined) parts.retry = action.retryOptions;
  return JSON.stringify(parts);
}

/** Throws unless `current` starts with every action of `previous`, in order. */
export function assertExtends(instanceId: string, previous: readonly string[], current: readonly string[]): void {
  for (let i = 0; i < previous.length; i++) {
    if (previous[i] !== current[i]) {
      throw new NonDeterministicOrchestrationError(instanceId, i, previous[i], current[i]);
    }
  }
}

/** Throws unless both replays asked for exactly the same actions. */
export function assertSameActions(instanceId: string, previous: readonly string[], current: readonly string[]): void {
  assertExtends(instanceId, previous, current);
  if (current.length > previous.length) {
    throw new NonDeterministicOrchestrationError(instanceId, previous.length, undefined, current[previous.length]);
  }
}
