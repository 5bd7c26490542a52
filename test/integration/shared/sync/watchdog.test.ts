/**
 * The watchdog (shared code: the Azure timer runs the same pass) leaves nothing `queued` or
 * `running` that no longer runs: runs of tenants deleted from the registry, runs whose claim
 * another run took over, runs whose orchestration is gone — while a run that is merely starting
 * or still working is left alone.
 */
import { afterEach, describe, expect, it } from "vitest";
import { POLICY_TYPE_KEYS, newRun } from "../../../../shared/domain";
import type { PolicyTypeKey } from "../../../../shared/domain";
import { START_GRACE_MS } from "../../../../shared/sync/watchdog";
import { startEngineFixture, startAcceptedRun } from "../../../support/engine";
import type { EngineFixture } from "../../../support/engine";

const ONE_EACH = Object.fromEntries(POLICY_TYPE_KEYS.map((k) => [k, 1])) as Record<PolicyTypeKey, number>;

let fixture: EngineFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

/** An engine whose clock the test moves forward (the watchdog and the engine read the same one). */
async function setup() {
  let offsetMs = 0;
  fixture = await startEngineFixture({
    sizes: ONE_EACH,
    engine: { now: () => new Date(Date.now() + offsetMs) },
  });
  return { f: fixture, advance: (ms: number) => (offsetMs += ms) };
}

/** A run as a starter leaves it when its process dies right after writing it: queued, claimed, no orchestration. */
async function orphanRun(f: EngineFixture, tenantId: string, runId: string, categories: string[]) {
  const now = new Date();
  const leaseUntil = new Date(now.getTime() + 30 * 60_000).toISOString();
  const run = await f.stores.runs.create(
    newRun({ id: runId, tenantId, selection: { categories: categories as never }, trigger: "http", correlationId: "corr-watchdog", requestedAt: now.toISOString(), leaseUntil, orchestrationInstanceId: runId }),
  );
  const hash = run.selectionHash;
  expect(await f.stores.runs.claim(tenantId, hash, runId, leaseUntil, now.toISOString())).toEqual({
    ok: true,
  });
  return { hash, leaseUntil };
}

describe("watchdog", () => {
  it("finalises a run of a tenant deleted from the registry, and frees its selection", async () => {
    const { f, advance } = await setup();
    const tenantId = f.tenants[0]!;
    const { hash } = await orphanRun(f, tenantId, "run-of-deleted-tenant", ["apps"]);
    expect(await f.stores.tenants.delete(tenantId)).toBe(true);
    advance(START_GRACE_MS + 1_000);

    const report = await f.engine.watchdog();
    expect(report.runsFinalized).toEqual(["run-of-deleted-tenant"]);
    const run = await f.stores.runs.get(tenantId, "run-of-deleted-tenant");
    expect(run).toMatchObject({ status: "failed", hadErrors: true, leaseUntil: null });
    expect(run?.errors.at(-1)?.message).toMatch(/orchestration no longer runs/);
    expect(await f.stores.runs.claimHolder(tenantId, hash)).toBeNull();
  });

  it("finalises the old run whose claim another run took over, and leaves the new run's claim alone", async () => {
    const { f, advance } = await setup();
    const tenantId = f.tenants[0]!;
    const { hash, leaseUntil } = await orphanRun(f, tenantId, "old-run", ["scripts"]);
    // The claim's lease has passed: a new request takes it over (what the starter does).
    const later = new Date(Date.parse(leaseUntil) + 1_000).toISOString();
    expect(
      await f.stores.runs.claim(
        tenantId,
        hash,
        "new-run",
        new Date(Date.parse(later) + 1_800_000).toISOString(),
        later,
      ),
    ).toEqual({ ok: true });
    advance(START_GRACE_MS + 1_000);

    const report = await f.engine.watchdog();
    expect(report.runsFinalized).toEqual(["old-run"]);
    const old = await f.stores.runs.get(tenantId, "old-run");
    expect(old?.status).toBe("failed");
    expect(old?.errors.at(-1)?.message).toMatch(/took its claim over/);
    expect((await f.stores.runs.claimHolder(tenantId, hash))?.runId).toBe("new-run");
  });

  it("finalises a run whose orchestration the host no longer knows (a crashed process) after the start grace, not before", async () => {
    const { f, advance } = await setup();
    const tenantId = f.tenants[0]!;
    const { hash } = await orphanRun(f, tenantId, "crashed-run", ["updates"]);
    expect((await f.engine.watchdog()).runsFinalized).toEqual([]);
    expect((await f.stores.runs.get(tenantId, "crashed-run"))?.status).toBe("queued");

    advance(START_GRACE_MS + 1_000);
    expect((await f.engine.watchdog()).runsFinalized).toEqual(["crashed-run"]);
    // The selection is free again: a new sync of it is accepted.
    const again = await f.engine.startSync({
      tenantId,
      selection: { categories: ["updates"] },
      waitForSlotSeconds: 0,
      trigger: "http",
      correlationId: "corr-again",
    });
    expect(again.kind).toBe("accepted");
    if (again.kind === "accepted") {
      expect(again.run.selectionHash).toBe(hash);
      expect((await f.waitForRun(tenantId, again.run.id)).status).toBe("success");
    }
  });

  it("leaves a live run alone, however old", async () => {
    const { f, advance } = await setup();
    const tenantId = f.tenants[0]!;
    f.simulator.control.latency(tenantId, null, 300);
    const runId = await startAcceptedRun(f, tenantId, { categories: ["apps"] }, "corr-live");
    advance(START_GRACE_MS + 1_000);
    const report = await f.engine.watchdog();
    expect(report.runsFinalized).toEqual([]);
    expect((await f.waitForRun(tenantId, runId)).status).toBe("success");
  });
});
