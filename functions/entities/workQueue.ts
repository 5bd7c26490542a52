import type { EntityContext, EntityHandler } from "durable-functions";
import { emptyWorkQueue, reduceWorkQueue } from "../../shared/sync/workQueue";
import type { WorkQueueState } from "../../shared/sync/workQueue";

/** Thin shell around the pure reducer; `delete` removes the queue once its run is done. */
export const workQueueEntity: EntityHandler<WorkQueueState> = (context: EntityContext<WorkQueueState>) => {
  const state = context.df.getState(() => emptyWorkQueue()) ?? emptyWorkQueue();
  const { state: next, result, destroy } = reduceWorkQueue(state, context.df.operationName ?? "", context.df.getInput());
  if (destroy) {
    // No return() after destructOnExit(): durable-functions 3's return() sets entityExists back
    // to true, so the "deleted" queue stayed as an empty entity, one per run, for good (found
    // with the local host's memory: one more entity record after every sync). `delete` is a signal.
    context.df.destructOnExit();
    return;
  }
  context.df.setState(next);
  context.df.return(result);
};
