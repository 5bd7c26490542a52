import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { ObservedItem } from "../../../../shared/domain";
import { createGraphClient } from "../../../../shared/graph/graphClient";
import { enumeratePolicyType } from "../../../../shared/sync/enumerate";
import type { ItemWriter } from "../../../../shared/store/ports";
import { simulatorGraphSettings, startGraphSimulator } from "../../../../local/simulator";
import { createTestStores, newTenantId } from "../../../support/stores";

const stores = createTestStores();
afterAll(() => stores.dispose());

const SIZE = 2_500;
const LATENCY_MS = 50;

/**
 * The Graph floor of a type is its page chain × latency: pages cannot be fetched in parallel
 * because each nextLink comes from the previous page. Sync must stay close to it, i.e. the
 * store must not hold the chain up.
 */
async function measure(writerFor: Parameters<typeof enumeratePolicyType>[0]["writerFor"]) {
  const tenantId = newTenantId();
  const sim = await startGraphSimulator({ tenants: { [tenantId]: { sizes: { settingsCatalogPolicy: SIZE } } }, latencyMs: LATENCY_MS });
  try {
    const graph = createGraphClient({ settings: simulatorGraphSettings(sim.baseUrl), tenantId });
    const started = performance.now();
    const outcome = await enumeratePolicyType(
      { graphFor: () => graph, writerFor, now: () => new Date() },
      { tenantId, runId: randomUUID(), selectionHash: "d".repeat(64), policyType: "settingsCatalogPolicy" },
    );
    const elapsed = performance.now() - started;
    const answeredAt = sim.log.entries({ tenantId }).map((e) => e.startedAt + e.durationMs);
    return { outcome, elapsed, answeredAt, calls: answeredAt.length, concurrency: sim.log.maxConcurrency(tenantId), floor: outcome.pages * LATENCY_MS, tenantId };
  } finally {
    await sim.close();
  }
}

/** A write-behind buffer whose flushes take `flushMs` (a slow store), at most one in flight; records when each flush ran. */
function slowStoreWriter(flushMs: number, batchSize: number, flushes: { from: number; to: number }[]): ItemWriter {
  let buffer: ObservedItem[] = [];
  let inFlight: Promise<void> = Promise.resolve();
  let upserted = 0;
  const startFlush = () => {
    const batch = buffer;
    buffer = [];
    inFlight = inFlight
      .then(() => {
        const from = Date.now();
        return new Promise<void>((resolve) => setTimeout(resolve, flushMs)).then(() => flushes.push({ from, to: Date.now() }));
      })
      .then(() => {
        upserted += batch.length;
      });
  };
  return {
    async add(item) {
      buffer.push(item);
      if (buffer.length >= batchSize) {
        await inFlight;
        startFlush();
      }
    },
    async flush() {
      if (buffer.length > 0) startFlush();
      await inFlight;
    },
    async close() {
      await this.flush();
      return { upserted };
    },
  };
}

describe("sync throughput: 2,500-object settings catalog type, 50 ms Graph latency", () => {
  it("keeps fetching Graph pages while the store flushes (write-behind, not write-then-fetch)", async () => {
    const flushes: { from: number; to: number }[] = [];
    const run = await measure(() => slowStoreWriter(400, 500, flushes));
    expect(run.outcome).toMatchObject({ status: "success", pages: 100, itemsObserved: SIZE, itemsUpserted: SIZE });
    expect(run.calls).toBe(100);
    expect(run.concurrency).toBe(1);
    // Every flush but the last (which starts after the last page) ran while pages kept arriving;
    // a sync that waited for each flush would see no Graph answer during one. At least one, not
    // "about eight": on a loaded machine (load average 15 on 2 cores) a 400 ms flush saw only two
    // 50 ms pages answered, which is still write-behind.
    expect(flushes).toHaveLength(5);
    for (const flush of flushes.slice(0, -1)) {
      expect(run.answeredAt.filter((t) => t > flush.from && t < flush.to).length).toBeGreaterThanOrEqual(1);
    }
    console.log(`slow-store writer (5 × 400 ms flushes): ${run.elapsed.toFixed(0)} ms for a ${run.floor} ms floor (${(run.elapsed / run.floor).toFixed(2)}×)`);
  });

  it("stores all 2,500 objects in the real store with one Graph call per page", async () => {
    await stores.containers(); // database bootstrap is a start-up cost, not a sync cost
    const run = await measure((ctx) => stores.items.createWriter(ctx));
    console.log(
      `settings catalog ${SIZE} objects @${LATENCY_MS} ms: ${run.calls} Graph calls, ${run.outcome.pages} pages, ${run.elapsed.toFixed(0)} ms ` +
        `(floor ${run.floor} ms, ${(run.elapsed / run.floor).toFixed(2)}×), ${run.outcome.itemsUpserted} upserted`,
    );
    expect(run.outcome).toMatchObject({ status: "success", pages: 100, itemsObserved: SIZE, itemsUpserted: SIZE });
    expect(run.calls).toBe(100);
    expect((await stores.items.coverage(run.tenantId)).find((r) => r.policyType === "settingsCatalogPolicy")?.itemCount).toBe(SIZE);
  });
});
