import type { EntityContext, EntityHandler } from "durable-functions";
import { emptyWorkQueue, reduceWorkQueue } from "../../shared/sync/workQueue";
import type { WorkQueueState } from "../../shared/sync/workQueue";

/** Thin shell around the pure reducer; `delete` removes the queue once its run is done. */
export const workQueueEntity: EntityHandler<WorkQueueState> = (context: EntityContext<WorkQueueState>) => {
  const state = context.df.getState(() => emptyWorkQueue()) ?? emptyWorkQueue();
  const { state: next, result, destroy } = reduceWorkQueue(state, context.df.operationName ?? "", context.df.getInput());
  if (destroy) {
    // No return() after destructOnExit(): durable-functions 3's return() sets entityExists back
    // to true. The offline driver then kept an empty queue per run (found with the local host's
    // memory); the real extension reads it as gone either way (test/realEngine). `delete` is a signal.
    context.df.destructOnExit();
    return;
  }
  context.df.setState(next);
  context.df.return(result);
};
