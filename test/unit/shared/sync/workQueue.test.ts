import { describe, expect, it } from "vitest";
import { emptyWorkQueue, reduceWorkQueue } from "../../../../shared/sync/workQueue";
import type { WorkQueueState } from "../../../../shared/sync/workQueue";

function apply(state: WorkQueueState, operation: string, input?: unknown) {
  return reduceWorkQueue(state, operation, input);
}

describe("workQueue reducer", () => {
  it("hands out every item exactly once, in order, to whichever lane asks, then says done", () => {
    let state = apply(emptyWorkQueue(), "init", { items: ["a", "b", "c"], exhausted: true }).state;
    const handed: unknown[] = [];
    for (const lane of [0, 1, 0, 2, 1]) {
      const step = apply(state, "take", { lane });
      state = step.state;
      if ("kind" in step.result && step.result.kind === "item") handed.push([step.result.item, step.result.seq]);
      else expect(step.result).toEqual({ kind: "done" });
    }
    expect(handed).toEqual([["a", 0], ["b", 1], ["c", 2]]);
  });

  it("never resets a queue that already handed out work (init is idempotent)", () => {
    let state = apply(emptyWorkQueue(), "init", { items: ["a", "b"], exhausted: true }).state;
    state = apply(state, "take", { lane: 0 }).state;
    state = apply(state, "init", { items: ["a", "b"], exhausted: true }).state;
    expect(apply(state, "take", { lane: 1 }).result).toEqual({ kind: "item", item: "b", seq: 1 });
  });

  it("asks one lane to fetch the next page while a window's worth is still queued; the others keep taking or wait", () => {
    let state = apply(emptyWorkQueue(), "init", { items: [], exhausted: false, lowWater: 1 }).state;
    let step = apply(state, "take", { lane: 0 });
    expect(step.result).toEqual({ kind: "fetch", cursor: null });
    state = step.state;
    expect(apply(state, "take", { lane: 1 }).result).toEqual({ kind: "wait" });
    expect(apply(state, "supply", { lane: 1, items: ["x"], cursor: null, exhausted: true }).result).toEqual({ ok: false, code: "NOT_FETCHING" });
    state = apply(state, "supply", { lane: 0, items: ["t1", "t2"], cursor: "next", exhausted: false }).state;
    step = apply(state, "take", { lane: 1 });
    expect(step.result).toEqual({ kind: "item", item: "t1", seq: 0 });
    state = step.state;
    step = apply(state, "take", { lane: 2 }); // one left = lowWater: lane 2 fetches, t2 stays for the others
    expect(step.result).toEqual({ kind: "fetch", cursor: "next" });
    state = step.state;
    expect(apply(state, "take", { lane: 0 }).result).toEqual({ kind: "item", item: "t2", seq: 1 });
  });

  it("refuses malformed operations with a stable code instead of throwing, and deletes itself on delete", () => {
    expect(apply(emptyWorkQueue(), "take", { lane: -1 }).result).toEqual({ ok: false, code: "INVALID_OPERATION" });
    expect(apply(emptyWorkQueue(), "bogus").result).toEqual({ ok: false, code: "INVALID_OPERATION" });
    expect(apply(emptyWorkQueue(), "delete").destroy).toBe(true);
  });
});
