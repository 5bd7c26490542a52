/**
 * Runs one orchestration episode: the orchestrator generator replays the whole history through
 * durable-functions' own engine (createOrchestrator) and reports what it wants next.
 */
import type { OrchestrationHandler } from "durable-functions";
import { flattenActions } from "./determinism";
import {
  ActionType,
  createOrchestrationContext,
  createOrchestrationTrigger,
  createOrchestratorListener,
  inspectEpisode,
  isOrchestratorState,
  orchestratorStateFromFailure,
  type EpisodeInspection,
  type HistoryEvent,
  type LibraryAction,
  type ReplaySchemaVersion,
} from "./libraryBoundary";

/** `actions` are the leaves in order (for the determinism check); `tree` is the list as the host receives it. */
export type EpisodeOutcome =
  | { kind: "running"; actions: LibraryAction[]; tree: unknown[]; customStatus: unknown; inspection: EpisodeInspection }
  | {
      kind: "completed";
      actions: LibraryAction[];
      tree: unknown[];
      customStatus: unknown;
      inspection: EpisodeInspection;
      output: unknown;
    }
  | {
      kind: "continuedAsNew";
      actions: LibraryAction[];
      tree: unknown[];
      customStatus: unknown;
      inspection: EpisodeInspection;
      input: unknown;
    }
  | { kind: "failed"; actions: LibraryAction[]; customStatus: unknown; message: string };

export interface EpisodeRequest {
  handler: OrchestrationHandler;
  name: string;
  instanceId: string;
  history: HistoryEvent[];
  input: unknown;
  schemaVersion: ReplaySchemaVersion;
  parentInstanceId?: string;
  invocationId: string;
  log: (level: string, ...args: unknown[]) => void;
}

/** durable-functions JSON-encodes string inputs of some actions; the host decodes them again. */
export function decodeActionInput(input: unknown): unknown {
  if (typeof input !== "string") return input;
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}

export async function runEpisode(request: EpisodeRequest): Promise<EpisodeOutcome> {
  const listener = createOrchestratorListener(request.handler);
  const context = createOrchestrationContext(request.name, request.invocationId, request.log);
  const trigger = createOrchestrationTrigger({
    instanceId: request.instanceId,
    history: request.history,
    input: request.input,
    schemaVersion: request.schemaVersion,
    parentInstanceId: request.parentInstanceId,
  });

  let state: unknown;
  try {
    state = await listener(trigger, context);
  } catch (error) {
    const failedState = orchestratorStateFromFailure(error);
    const message =
      failedState?.error ?? (error instanceof Error ? error.message : `Orchestrator failed: ${String(error)}`);
    return {
      kind: "failed",
      actions: failedState ? flattenActions(failedState.actions) : [],
      customStatus: failedState?.customStatus,
      message,
    };
  }
  if (!isOrchestratorState(state)) {
    return { kind: "failed", actions: [], customStatus: undefined, message: "Orchestrator returned no state" };
  }

  const actions = flattenActions(state.actions);
  const tree = state.actions;
  const customStatus = state.customStatus;
  const inspection = inspectEpisode(context);
  if (!state.isDone) return { kind: "running", actions, tree, customStatus, inspection };

  const continueAsNew = actions.find((a) => a.actionType === ActionType.ContinueAsNew);
  if (continueAsNew) {
    return { kind: "continuedAsNew", actions, tree, customStatus, inspection, input: decodeActionInput(continueAsNew.input) };
  }
  return { kind: "completed", actions, tree, customStatus, inspection, output: state.output };
}
