import type { OrchestrationContext, Task } from "durable-functions";

/**
 * The next finished task of a sliding window. durable-functions 3 never completes a Task.any
 * built over a child that already finished (its compound task only reacts to completions that
 * happen after it exists), so a task that completed while the orchestrator was waiting on
 * something else must be picked up without yielding. Deterministic: task states at this point
 * are a function of the history replayed so far.
 */
export function* nextCompleted(context: OrchestrationContext, tasks: Task[]): Generator<Task, Task, unknown> {
  const finished = tasks.find((t) => t.isCompleted || t.isFaulted);
  if (finished) return finished;
  return (yield context.df.Task.any(tasks)) as Task;
}
