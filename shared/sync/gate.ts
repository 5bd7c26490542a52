import { addSecondsIso } from "../domain/isoTime";
import { z } from "zod";
import type { GateRefusalCode } from "../domain";

/**
 * The syncGate entity's logic as a pure reducer: the lock per (tenant, selection) and the
 * global and per-tenant concurrency counters. Expired leases are evicted on every operation
 * with the `now` the orchestrator passes in (never the wall clock: entity code must be
 * deterministic), so a crashed or terminated orchestration holds a slot no longer than its lease.
 */
export const GATE_ENTITY_NAME = "syncGate";
export const GATE_ENTITY_KEY = "global";

export const GateHolderSchema = z.object({
  tenantId: z.string(),
  selectionHash: z.string(),
  leaseUntil: z.string(),
});
export const GateStateSchema = z.object({ holders: z.record(z.string(), GateHolderSchema) });
export type GateState = z.infer<typeof GateStateSchema>;

export const AcquireInputSchema = z.object({
  runId: z.string().min(1),
  tenantId: z.string().min(1),
  selectionHash: z.string().min(1),
  now: z.string(),
  leaseSeconds: z.number().positive(),
  maxGlobal: z.number().int().positive(),
  maxPerTenant: z.number().int().positive(),
});
export const RenewInputSchema = z.object({ runId: z.string().min(1), now: z.string(), leaseSeconds: z.number().positive() });
export const ReleaseInputSchema = z.object({ runId: z.string().min(1), now: z.string().optional() });
export const GetInputSchema = z.object({ now: z.string().optional() }).optional();

export type GateResult =
  | { ok: true; holders: number }
  | { ok: false; code: GateRefusalCode | "NOT_HELD" | "INVALID_OPERATION"; activeRunId?: string };

export const emptyGateState = (): GateState => ({ holders: {} });


function evictExpired(state: GateState, now: string | undefined): GateState {
  if (!now) return state;
  const at = Date.parse(now);
  const holders = Object.fromEntries(Object.entries(state.holders).filter(([, h]) => Date.parse(h.leaseUntil) > at));
  return { holders };
}

export function reduceGate(
  current: GateState,
  operation: string,
  rawInput: unknown,
): { state: GateState; result: GateResult | GateState } {
  switch (operation) {
    case "acquire": {
      const parsed = AcquireInputSchema.safeParse(rawInput);
      if (!parsed.success) return { state: current, result: { ok: false, code: "INVALID_OPERATION" } };
      const input = parsed.data;
      const state = evictExpired(current, input.now);
      const leaseUntil = addSecondsIso(input.now, input.leaseSeconds);
      const holders = Object.entries(state.holders);
      if (state.holders[input.runId]) {
        return { state: withHolder(state, input.runId, { ...state.holders[input.runId]!, leaseUntil }), result: { ok: true, holders: holders.length } };
      }
      const sameSelection = holders.find(([, h]) => h.tenantId === input.tenantId && h.selectionHash === input.selectionHash);
      if (sameSelection) return { state, result: { ok: false, code: "LOCK_HELD", activeRunId: sameSelection[0] } };
      if (holders.filter(([, h]) => h.tenantId === input.tenantId).length >= input.maxPerTenant) {
        return { state, result: { ok: false, code: "CONCURRENCY_LIMIT_TENANT" } };
      }
      if (holders.length >= input.maxGlobal) return { state, result: { ok: false, code: "CONCURRENCY_LIMIT_GLOBAL" } };
      const next = withHolder(state, input.runId, { tenantId: input.tenantId, selectionHash: input.selectionHash, leaseUntil });
      return { state: next, result: { ok: true, holders: holders.length + 1 } };
    }
    case "renew": {
      const parsed = RenewInputSchema.safeParse(rawInput);
      if (!parsed.success) return { state: current, result: { ok: false, code: "INVALID_OPERATION" } };
      const state = evictExpired(current, parsed.data.now);
      const holder = state.holders[parsed.data.runId];
      if (!holder) return { state, result: { ok: false, code: "NOT_HELD" } };
      const next = withHolder(state, parsed.data.runId, { ...holder, leaseUntil: addSecondsIso(parsed.data.now, parsed.data.leaseSeconds) });
      return { state: next, result: { ok: true, holders: Object.keys(next.holders).length } };
    }
    case "release": {
      const parsed = ReleaseInputSchema.safeParse(rawInput);
      if (!parsed.success) return { state: current, result: { ok: false, code: "INVALID_OPERATION" } };
      const state = evictExpired(current, parsed.data.now);
      const holders = { ...state.holders };
      delete holders[parsed.data.runId];
      return { state: { holders }, result: { ok: true, holders: Object.keys(holders).length } };
    }
    case "get": {
      const parsed = GetInputSchema.safeParse(rawInput ?? undefined);
      const state = evictExpired(current, parsed.success ? parsed.data?.now : undefined);
      return { state, result: state };
    }
    default:
      return { state: current, result: { ok: false, code: "INVALID_OPERATION" } };
  }
}

function withHolder(state: GateState, runId: string, holder: GateState["holders"][string]): GateState {
  return { holders: { ...state.holders, [runId]: holder } };
}
/**
 * Back-off between attempts to get a concurrency slot: 5 s doubling to a 60 s cap. Durable
 * timers are cheap, but each wake-up is an entity call and a history entry, so waits grow.
 */
export function slotWaitDelaySeconds(attempt: number): number {
  return Math.min(5 * 2 ** Math.min(attempt, 10), 60);
}
