import { z } from "zod";

/**
 * The workQueue entity's logic as a pure reducer: the list a fixed number of lanes pull from, one
 * item at a time. It replaces a sliding window inside one orchestrator, which durable-functions 3
 * cannot express without putting already-yielded tasks into a new Task.any (the host would run
 * them again, durable-js #574). Each item is handed out exactly once, in order, to whichever lane
 * asks first, so the lanes balance themselves the way a sliding window did.
 *
 * An open-ended queue (the nightly registry walk) is refilled by the lanes: when the buffer runs
 * low, the next lane to ask is told to fetch the page after `cursor`; the others keep taking
 * what is left, so the window does not drain while the next page is read.
 */
export const WORK_QUEUE_ENTITY_NAME = "workQueue";

export const WorkQueueStateSchema = z.object({
  items: z.array(z.unknown()),
  /** Items handed out so far: the sequence number of the next item. */
  handedOut: z.number().int().min(0),
  /** Store continuation token of the next page; null for the first page. */
  cursor: z.string().nullable(),
  /** No page left to fetch. */
  exhausted: z.boolean(),
  /** The lane that was told to fetch the next page and has not supplied it yet. */
  fetchingLane: z.number().int().nullable(),
  /** Fetch the next page once no more than this many items are left. */
  lowWater: z.number().int().min(0),
});
export type WorkQueueState = z.infer<typeof WorkQueueStateSchema>;

export const InitQueueInputSchema = z.object({
  items: z.array(z.unknown()),
  exhausted: z.boolean(),
  lowWater: z.number().int().min(0).default(0),
});
export const TakeInputSchema = z.object({ lane: z.number().int().min(0) });
export const SupplyInputSchema = z.object({
  lane: z.number().int().min(0),
  items: z.array(z.unknown()),
  cursor: z.string().nullable(),
  exhausted: z.boolean(),
});

export type TakeResult =
  | { kind: "item"; item: unknown; seq: number }
  | { kind: "fetch"; cursor: string | null }
  | { kind: "wait" }
  | { kind: "done" };

export type QueueResult = TakeResult | { ok: boolean; code?: "INVALID_OPERATION" | "NOT_FETCHING" };

export const emptyWorkQueue = (): WorkQueueState => ({
  items: [],
  handedOut: 0,
  cursor: null,
  exhausted: true,
  fetchingLane: null,
  lowWater: 0,
});

export function reduceWorkQueue(
  current: WorkQueueState,
  operation: string,
  rawInput: unknown,
): { state: WorkQueueState; result: QueueResult; destroy?: boolean } {
  switch (operation) {
    case "init": {
      const parsed = InitQueueInputSchema.safeParse(rawInput);
      if (!parsed.success) return { state: current, result: { ok: false, code: "INVALID_OPERATION" } };
      // Idempotent: a queue that already handed out work is never reset.
      if (current.handedOut > 0 || current.items.length > 0) return { state: current, result: { ok: true } };
      return { state: { ...emptyWorkQueue(), ...parsed.data }, result: { ok: true } };
    }
    case "take": {
      const parsed = TakeInputSchema.safeParse(rawInput);
      if (!parsed.success) return { state: current, result: { ok: false, code: "INVALID_OPERATION" } };
      const { lane } = parsed.data;
      const mayFetch = !current.exhausted && (current.fetchingLane === null || current.fetchingLane === lane);
      if (mayFetch && current.items.length <= current.lowWater) {
        return { state: { ...current, fetchingLane: lane }, result: { kind: "fetch", cursor: current.cursor } };
      }
      if (current.items.length > 0) {
        const [item, ...rest] = current.items;
        return {
          state: { ...current, items: rest, handedOut: current.handedOut + 1 },
          result: { kind: "item", item, seq: current.handedOut },
        };
      }
      return { state: current, result: current.exhausted ? { kind: "done" } : { kind: "wait" } };
    }
    case "supply": {
      const parsed = SupplyInputSchema.safeParse(rawInput);
      if (!parsed.success) return { state: current, result: { ok: false, code: "INVALID_OPERATION" } };
      const input = parsed.data;
      if (current.fetchingLane !== input.lane) return { state: current, result: { ok: false, code: "NOT_FETCHING" } };
      return {
        state: {
          ...current,
          items: [...current.items, ...input.items],
          cursor: input.cursor,
          exhausted: input.exhausted,
          fetchingLane: null,
        },
        result: { ok: true },
      };
    }
    case "delete":
      return { state: current, result: { ok: true }, destroy: true };
    default:
      return { state: current, result: { ok: false, code: "INVALID_OPERATION" } };
  }
}
