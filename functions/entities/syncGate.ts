import type { EntityContext, EntityHandler } from "durable-functions";
import { emptyGateState, reduceGate } from "../../shared/sync/gate";
import type { GateState } from "../../shared/sync/gate";

/** Thin shell around the pure reducer: state in, state + result out; never throws. */
export const syncGateEntity: EntityHandler<GateState> = (context: EntityContext<GateState>) => {
  const state = context.df.getState(() => emptyGateState()) ?? emptyGateState();
  const { state: next, result } = reduceGate(state, context.df.operationName ?? "", context.df.getInput());
  context.df.setState(next);
  context.df.return(result);
};
