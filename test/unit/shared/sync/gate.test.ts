import { describe, expect, it } from "vitest";
import { emptyGateState, reduceGate } from "../../../../shared/sync/gate";
import type { GateState, GateResult } from "../../../../shared/sync/gate";

const T0 = "2026-01-01T00:00:00.000Z";
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const limits = { leaseSeconds: 60, maxGlobal: 3, maxPerTenant: 2 };

function acquire(state: GateState, runId: string, tenantId: string, selectionHash: string, now = T0) {
  return reduceGate(state, "acquire", { runId, tenantId, selectionHash, now, ...limits }) as { state: GateState; result: GateResult };
}

describe("syncGate reducer", () => {
  it("grants a slot and records the holder with its lease", () => {
    const { state, result } = acquire(emptyGateState(), "r1", "t1", "h1");
    expect(result).toEqual({ ok: true, holders: 1 });
    expect(state.holders.r1).toEqual({ tenantId: "t1", selectionHash: "h1", leaseUntil: at(60) });
  });

  it("is idempotent for the same run and extends its lease", () => {
    const first = acquire(emptyGateState(), "r1", "t1", "h1");
    const again = acquire(first.state, "r1", "t1", "h1", at(30));
    expect(again.result).toEqual({ ok: true, holders: 1 });
    expect(Object.keys(again.state.holders)).toEqual(["r1"]);
    expect(again.state.holders.r1?.leaseUntil).toBe(at(90));
  });

  it("refuses a second run of the same tenant and selection with LOCK_HELD naming the holder", () => {
    const first = acquire(emptyGateState(), "r1", "t1", "h1");
    expect(acquire(first.state, "r2", "t1", "h1").result).toEqual({ ok: false, code: "LOCK_HELD", activeRunId: "r1" });
  });

  it("refuses past the per-tenant limit with CONCURRENCY_LIMIT_TENANT", () => {
    let state = acquire(emptyGateState(), "r1", "t1", "h1").state;
    state = acquire(state, "r2", "t1", "h2").state;
    expect(acquire(state, "r3", "t1", "h3").result).toEqual({ ok: false, code: "CONCURRENCY_LIMIT_TENANT" });
  });

  it("refuses past the global limit with CONCURRENCY_LIMIT_GLOBAL", () => {
    let state = emptyGateState();
    for (const t of ["t1", "t2", "t3"]) state = acquire(state, `r-${t}`, t, "h").state;
    expect(acquire(state, "r4", "t4", "h").result).toEqual({ ok: false, code: "CONCURRENCY_LIMIT_GLOBAL" });
  });

  it("evicts expired leases on every operation, so a dead holder frees its slot", () => {
    let state = emptyGateState();
    for (const t of ["t1", "t2", "t3"]) state = acquire(state, `r-${t}`, t, "h").state;
    const later = acquire(state, "r4", "t4", "h", at(61));
    expect(later.result).toEqual({ ok: true, holders: 1 });
    expect(Object.keys(later.state.holders)).toEqual(["r4"]);
  });

  it("renews only a held slot and releases idempotently", () => {
    const { state } = acquire(emptyGateState(), "r1", "t1", "h1");
    const renewed = reduceGate(state, "renew", { runId: "r1", now: at(50), leaseSeconds: 60 });
    expect(renewed.result).toEqual({ ok: true, holders: 1 });
    expect((renewed.state as GateState).holders.r1?.leaseUntil).toBe(at(110));
    expect(reduceGate(state, "renew", { runId: "nope", now: at(1), leaseSeconds: 60 }).result).toEqual({ ok: false, code: "NOT_HELD" });
    const released = reduceGate(renewed.state, "release", { runId: "r1", now: at(51) });
    expect(released.state).toEqual({ holders: {} });
    expect(reduceGate(released.state, "release", { runId: "r1" }).result).toEqual({ ok: true, holders: 0 });
  });

  it("answers a bad operation with a code instead of throwing, leaving state unchanged", () => {
    const { state } = acquire(emptyGateState(), "r1", "t1", "h1");
    expect(reduceGate(state, "explode", {}).result).toEqual({ ok: false, code: "INVALID_OPERATION" });
    expect(reduceGate(state, "acquire", { runId: 5 })).toEqual({ state, result: { ok: false, code: "INVALID_OPERATION" } });
  });

  it("get returns the holders after evicting expired ones", () => {
    const { state } = acquire(emptyGateState(), "r1", "t1", "h1");
    expect(reduceGate(state, "get", { now: at(10) }).result).toEqual(state);
    expect(reduceGate(state, "get", { now: at(61) }).result).toEqual({ holders: {} });
  });
});
