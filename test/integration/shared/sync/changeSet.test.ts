import { afterAll, describe, expect, it } from "vitest";
import type { OperationInput } from "@azure/cosmos";
import { finish, normaliseSelection, selectionHash, startRunning } from "../../../../shared/domain";
import type { ObservedItem, PolicyTypeOutcome } from "../../../../shared/domain";
import {
  changeRetentionSeconds,
  changeWindowsOf,
  computeChangeSet,
} from "../../../../shared/sync/afterRun/changeSet";
import { createTestStores, newTenantId } from "../../../support/stores";
import { observed, queuedRun } from "../../../support/runs";

/**
 * The cost of change sets, counted at the store: one write per observed object (as before change
 * sets) plus one per change, and nothing more when a write is re-done. Through the real writer
 * and the Cosmos-compatible server. CHANGES_COST_SIZE=10000 gives the figure docs/performance.md
 * quotes.
 */
const stores = createTestStores();
afterAll(() => stores.dispose());
const S = normaliseSelection({ policyTypes: ["deviceConfiguration"] });
const hash = selectionHash(S);
const RETENTION = changeRetentionSeconds(90);
const SIZE = Number(process.env.CHANGES_COST_SIZE ?? 2_000);

/** Counts every document write the writer sends (items and changes alike), by operation. */
function countingWrites() {
  const writes: Record<string, number> = {};
  return {
    writes,
    wrapTransport:
      (transport: (ops: OperationInput[]) => Promise<unknown>) => async (ops: OperationInput[]) => {
        for (const op of ops)
          if (op.operationType !== "Read") writes[op.operationType] = (writes[op.operationType] ?? 0) + 1;
        return transport(ops);
      },
  };
}

/** One run of the selection as the engine makes it: queue, start, write through the writer with the type's window, change set, finish. */
async function syncRun(
  tenantId: string,
  at: string,
  items: ObservedItem[],
  options: { retryWrites?: boolean } = {},
) {
  const queued = await stores.runs.create(queuedRun(tenantId, S, at));
  await stores.runs.update(tenantId, queued.id, (r) => startRunning(r, new Date(at), 600));
  const { windows } = await changeWindowsOf(stores, tenantId, hash, ["deviceConfiguration"]);
  const writeAll = async () => {
    const counter = countingWrites();
    const writer = stores.items.createWriter(
      {
        tenantId,
        runId: queued.id,
        selectionHash: hash,
        observedAt: at,
        changes: { window: windows.get("deviceConfiguration")!, retentionSeconds: RETENTION },
      },
      { wrapTransport: counter.wrapTransport as never },
    );
    for (const item of items) await writer.add(item);
    await writer.close();
    return { ...writer.stats(), writes: counter.writes };
  };
  const stats = await writeAll();
  // A retried activity writes the same observations again: nothing new may be recorded.
  const retried = options.retryWrites ? await writeAll() : null;
  const outcomes: PolicyTypeOutcome[] = [
    {
      policyType: "deviceConfiguration",
      status: "success",
      itemsObserved: items.length,
      itemsUpserted: stats.upserted,
      itemsCreated: stats.created,
      itemsInvalid: 0,
      pages: 1,
      errorCode: null,
      errorMessage: null,
      durationMs: 1,
    },
  ];
  const changeSet = await computeChangeSet(stores, queued, outcomes, at, RETENTION);
  const run = await stores.runs.update(tenantId, queued.id, (r) =>
    finish(r, outcomes, at, undefined, changeSet),
  );
  return { run, stats, retried, writes: stats.writes };
}

describe("change set cost and idempotency", () => {
  it(`costs one write per observed object plus one per change (${SIZE} objects)`, async () => {
    const tenantId = newTenantId();
    const base = Array.from({ length: SIZE }, (_, i) => observed("deviceConfiguration", `obj-${i}`));
    const first = await syncRun(tenantId, "2026-01-01T02:00:00.000Z", base);
    expect(first.run.changes).toEqual({ added: 0, changed: 0, removed: 0, reappeared: 0 });
    expect(first.stats.changesWritten).toBe(0);

    // 10 renamed, 7 deleted, 5 new.
    const next = base
      .filter((_, i) => i < SIZE - 7)
      .map((item, i) => (i < 10 ? { ...item, displayName: `${item.displayName} (renamed)` } : item))
      .concat(Array.from({ length: 5 }, (_, i) => observed("deviceConfiguration", `new-${i}`)));
    const started = performance.now();
    const second = await syncRun(tenantId, "2026-01-02T02:00:00.000Z", next, { retryWrites: true });
    const ms = performance.now() - started;
    expect(second.run).toMatchObject({
      baseRunId: first.run.id,
      changes: { added: 5, changed: 10, removed: 7, reappeared: 0 },
    });
    // The writer's own writes: one per observed object, one per added/changed object; the removed
    // ones are written by the change set step (7 more).
    expect(second.stats.upserted).toBe(next.length);
    expect(second.stats.changesWritten).toBe(15);
    // Counted at the transport: every document write the writer sent.
    expect(second.writes).toEqual({ Create: 5, Replace: next.length - 5, Upsert: 15 });
    // The retried write of the same run re-wrote the items (as before change sets) and no change.
    expect(second.retried?.changesWritten).toBe(0);
    const firstPass = { itemWrites: second.stats.upserted, changeWrites: second.stats.changesWritten + 7 };
    console.log(
      `change set: ${next.length} observed, 22 changes → ${firstPass.itemWrites} item writes + ${firstPass.changeWrites} change writes ` +
        `(${((firstPass.itemWrites + firstPass.changeWrites) / next.length).toFixed(4)} writes per observed object) in ${ms.toFixed(0)} ms (a retried write pass included)`,
      second.writes,
    );
    const page = await stores.changes.listForRun(tenantId, second.run.id, { limit: 200 });
    expect(page.items).toHaveLength(22);
  });

  it("keeps each change for the retention (Cosmos TTL) in the tenant's partition of the runs container", async () => {
    const tenantId = newTenantId();
    await syncRun(tenantId, "2026-01-01T02:00:00.000Z", [observed("deviceConfiguration", "a")]);
    const { run } = await syncRun(tenantId, "2026-01-02T02:00:00.000Z", [
      observed("deviceConfiguration", "a", "Renamed"),
    ]);
    const { runs } = await stores.containers();
    const { resources } = await runs.items
      .query(
        {
          query: 'SELECT * FROM c WHERE c.docType = "change" AND c.runId = @r',
          parameters: [{ name: "@r", value: run.id }],
        },
        { partitionKey: tenantId },
      )
      .fetchAll();
    expect(resources).toHaveLength(1);
    expect(resources[0]).toMatchObject({
      tenantId,
      kind: "changed",
      changedFields: ["displayName"],
      ttl: 90 * 86_400,
    });
  });
});
