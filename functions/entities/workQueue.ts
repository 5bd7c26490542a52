import type { EntityContext, EntityHandler } from "durable-functions";
import { emptyWorkQueue, reduceWorkQueue } from "../../shared/sync/workQueue";
import type { WorkQueueState } from "../../shared/sync/workQueue";

/** Thin shell around the pure reducer; `delete` removes the queue once its run is done. */
export const workQueueEntity: EntityHandler<WorkQueueState> = (context: EntityContext<WorkQueueState>) => {
  const state = context.df.getState(() => emptyWorkQueue()) ?? emptyWorkQueue();
  const { state: next, result, destroy } = reduceWorkQueue(state, context.df.operationName ?? "", context.df.getInput());
  if (destroy) context.df.destructOnExit();
  else context.df.setState(next);
  context.df.return(result);
};
