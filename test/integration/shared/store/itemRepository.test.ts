import { afterAll, describe, expect, it } from "vitest";
import type { OperationResponse } from "@azure/cosmos";
import { itemDocumentId, normaliseGraphObject, normaliseSelection, selectionHash } from "../../../../shared/domain";
import type { ObservedItem } from "../../../../shared/domain";
import type { ItemWriterOptions } from "../../../../shared/store";
import { createTestStores, newTenantId } from "../../../support/stores";
import { observed, simulateRun } from "../../../support/runs";

const stores = createTestStores();
afterAll(() => stores.dispose());
const S = normaliseSelection({ policyTypes: ["deviceConfiguration"] });
const hash = selectionHash(S);

async function write(
  tenantId: string,
  runId: string,
  at: string,
  items: ObservedItem[],
  options: ItemWriterOptions = {},
) {
  const writer = stores.items.createWriter({ tenantId, runId, selectionHash: hash, observedAt: at }, options);
  for (const item of items) await writer.add(item);
  return { ...(await writer.close()), stats: writer.stats() };
}

describe("item writer", () => {
  it("upserting the same page twice leaves one document per object, lastSeenAt advanced, firstSeenAt unchanged", async () => {
    const tenantId = newTenantId();
    const page = [observed("deviceConfiguration", "a"), observed("deviceConfiguration", "b")];
    await write(tenantId, "run-1", "2025-01-01T00:00:00.000Z", page);
    await write(
      tenantId,
      "run-2",
      "2025-01-02T00:00:00.000Z",
      page.map((i) => ({ ...i, displayName: `${i.displayName} v2` })),
    );
    const listed = await stores.items.list(tenantId, { limit: 50 });
    expect(listed.items).toHaveLength(2);
    for (const item of listed.items) {
      expect(item.firstSeenAt).toBe("2025-01-01T00:00:00.000Z");
      expect(item.lastSeenAt).toBe("2025-01-02T00:00:00.000Z");
      expect(item.lastSeenRunId).toBe("run-2");
      expect(item.displayName).toMatch(/ v2$/);
    }
  });

  it("stores 3,000 items with a bounded number of bulk calls and a buffer that never exceeds its cap", async () => {
    const tenantId = newTenantId();
    const items = Array.from({ length: 3_000 }, (_, i) => observed("deviceConfiguration", `obj-${i}`));
    const started = performance.now();
    const { upserted, stats } = await write(tenantId, "run-bulk", "2025-01-01T00:00:00.000Z", items, {
      batchSize: 500,
      maxInFlightBatches: 2,
    });
    const elapsed = performance.now() - started;
    console.log(`writer: 3000 items in ${elapsed.toFixed(0)} ms`, stats);
    expect(upserted).toBe(3_000);
    expect(stats.bulkCalls).toBeLessThanOrEqual(2 * Math.ceil(3_000 / 100) + 4);
    expect(stats.maxBuffered).toBeLessThanOrEqual(500);
    // Buffer + in-flight flushes: batchSize × (maxInFlightBatches + 1), whatever the tenant size.
    expect(stats.maxHeld).toBeLessThanOrEqual(500 * 3);
    const [row] = (await stores.items.coverage(tenantId)).filter(
      (r) => r.policyType === "deviceConfiguration",
    );
    expect(row?.itemCount).toBe(3_000);
    expect(
      await stores.items.get(tenantId, itemDocumentId("deviceConfiguration", "obj-2999")),
    ).not.toBeNull();
  });

  it("meta whitelist drops unknown keys without an exception", async () => {
    const tenantId = newTenantId();
    const result = normaliseGraphObject("deviceConfiguration", {
      id: "m1",
      displayName: "Meta",
      "@odata.type": "#microsoft.graph.windows10GeneralConfiguration",
      version: 3,
      passwordRequired: true,
      secretSetting: { nested: "x" },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    await write(tenantId, "run-m", "2025-01-01T00:00:00.000Z", [result.item]);
    const item = await stores.items.get(tenantId, itemDocumentId("deviceConfiguration", "m1"));
    expect(item?.meta).toEqual({ odataType: "#microsoft.graph.windows10GeneralConfiguration", version: 3 });
  });

  it("stores ids containing / # ? \\, spaces and unicode and reads them back", async () => {
    const tenantId = newTenantId();
    const ids = [
      "a/b",
      "c#d",
      "e?f",
      "g\\h",
      "with space",
      "ünïcødé-ポリシー-🚀",
      "/#?\\ all of them ",
      "x".repeat(1_000),
    ];
    await write(
      tenantId,
      "run-ids",
      "2025-01-01T00:00:00.000Z",
      ids.map((id) => observed("deviceConfiguration", id)),
    );
    for (const id of ids) {
      const item = await stores.items.get(tenantId, itemDocumentId("deviceConfiguration", id));
      expect(item?.externalId, id).toBe(id);
    }
    expect((await stores.items.list(tenantId, { limit: 100 })).items.map((i) => i.externalId).sort()).toEqual(
      [...ids].sort(),
    );
  });

  it("keeps one document and the other selection's seenBy entry when two selections' writers race on the same items", async () => {
    const tenantId = newTenantId();
    const items = Array.from({ length: 300 }, (_, i) => observed("deviceConfiguration", `race-${i}`));
    const writers = ["s1", "s2"].map((h) =>
      stores.items.createWriter(
        { tenantId, runId: `run-${h}`, selectionHash: h, observedAt: "2025-01-01T00:00:00.000Z" },
        { batchSize: 100 },
      ),
    );
    await Promise.all(
      writers.map(async (w) => {
        for (const item of items) await w.add(item);
        await w.close();
      }),
    );
    for (const i of [0, 150, 299]) {
      const doc = await stores.items.readDocument(
        tenantId,
        itemDocumentId("deviceConfiguration", `race-${i}`),
      );
      expect(doc?.seenBy).toEqual({ s1: "run-s1", s2: "run-s2" });
    }
    expect(
      (await stores.items.coverage(tenantId)).find((r) => r.policyType === "deviceConfiguration")?.itemCount,
    ).toBe(300);
  });

  it("writes a Graph duplicate once per buffer and counts the writes it performed", async () => {
    const tenantId = newTenantId();
    const item = observed("deviceConfiguration", "dup");
    const { upserted, stats } = await write(tenantId, "run-dup", "2025-01-01T00:00:00.000Z", [
      item,
      { ...item, displayName: "last" },
    ]);
    expect(upserted).toBe(1);
    expect(stats.created).toBe(1);
    expect(
      (await stores.items.get(tenantId, itemDocumentId("deviceConfiguration", "dup")))?.displayName,
    ).toBe("last");
  });

  it("retries per-operation throttling and reports STORE_THROTTLED when it persists", async () => {
    const tenantId = newTenantId();
    let throttleFirst = 3;
    const flaky = stores.items.createWriter(
      { tenantId, runId: "r", selectionHash: hash, observedAt: "2025-01-01T00:00:00.000Z" },
      {
        wrapTransport: (send) => async (ops) => {
          const responses = await send(ops);
          return responses.map((r): OperationResponse =>
            throttleFirst-- > 0 && r.statusCode < 300 ? { ...r, statusCode: 429 } : r,
          );
        },
      },
    );
    for (let i = 0; i < 10; i++) await flaky.add(observed("deviceConfiguration", `t${i}`));
    expect(await flaky.close()).toEqual({ upserted: 10, created: 10 });
    const hopeless = stores.items.createWriter(
      { tenantId, runId: "r2", selectionHash: hash, observedAt: "2025-01-01T00:00:00.000Z" },
      {
        maxRounds: 2,
        wrapTransport: () => async (ops) => ops.map(() => ({ statusCode: 429, requestCharge: 0 })),
      },
    );
    await hopeless.add(observed("deviceConfiguration", "never"));
    await expect(hopeless.close()).rejects.toMatchObject({ code: "STORE_THROTTLED" });
  });

  it("reports STORE_UNAVAILABLE with a redacted message when the store cannot be reached", async () => {
    const tenantId = newTenantId();
    const broken = stores.items.createWriter(
      { tenantId, runId: "r", selectionHash: hash, observedAt: "2025-01-01T00:00:00.000Z" },
      {
        maxRounds: 3,
        wrapTransport: () => async () => {
          throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1 AccountKey=c2VjcmV0;"), {
            code: "ECONNREFUSED",
          });
        },
      },
    );
    await broken.add(observed("deviceConfiguration", "z"));
    const error = await broken.close().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "STORE_UNAVAILABLE" });
    expect(String((error as Error).message)).not.toContain("c2VjcmV0");
    expect(broken.stats().transportRetries).toBe(3);
  });

  it("re-runs a round whose bulk request was lost in transport, and settles a write that landed before its answer was lost", async () => {
    const tenantId = newTenantId();
    const page = ["a", "b", "c"].map((id) => observed("deviceConfiguration", id));
    await write(tenantId, "run-1", "2025-01-01T00:00:00.000Z", page.slice(0, 1));
    let lostAnswers = 0;
    const result = await write(tenantId, "run-2", "2025-01-02T00:00:00.000Z", page, {
      wrapTransport: (send) => async (ops) => {
        const responses = await send(ops);
        // The first write request lands in the store, then its connection dies before the answer.
        if (lostAnswers === 0 && ops.some((o) => o.operationType !== "Read")) {
          lostAnswers += 1;
          throw Object.assign(new Error("Bulk request errored with: socket hang up"), { code: "ECONNRESET" });
        }
        return responses;
      },
    });
    expect(lostAnswers).toBe(1);
    expect(result.stats.transportRetries).toBe(1);
    // Each object written and counted once in the round that answered; the landed writes are
    // replaced (ETag of the landed version), never duplicated.
    expect(result.upserted).toBe(3);
    const listed = await stores.items.list(tenantId, { limit: 50 });
    expect(listed.items.map((i) => i.externalId).sort()).toEqual(["a", "b", "c"]);
    expect(listed.items.every((i) => i.lastSeenRunId === "run-2")).toBe(true);
    expect(listed.items.find((i) => i.externalId === "a")?.firstSeenAt).toBe("2025-01-01T00:00:00.000Z");
  });
});

describe("item queries", () => {
  it("filters by policyType, category, platform and a case-insensitive displayName substring, page by page", async () => {
    const tenantId = newTenantId();
    const items: ObservedItem[] = [
      { ...observed("deviceConfiguration", "1", "Windows BitLocker Baseline"), platform: "windows" },
      { ...observed("deviceConfiguration", "2", "iOS restrictions"), platform: "ios" },
      { ...observed("deviceConfiguration", "3", "BITLOCKER for kiosks"), platform: "windows" },
      {
        ...observed("deviceCompliancePolicy", "4", "Bitlocker compliance"),
        category: "compliance",
        platform: "windows",
      },
    ];
    await write(tenantId, "run-q", "2025-01-01T00:00:00.000Z", items);
    const names = async (query: Parameters<typeof stores.items.list>[1]) =>
      (await stores.items.list(tenantId, query)).items.map((i) => i.externalId).sort();
    expect(await names({ limit: 50, q: "BitLocker" })).toEqual(["1", "3", "4"]);
    expect(await names({ limit: 50, q: "bitlocker", policyType: "deviceConfiguration" })).toEqual(["1", "3"]);
    expect(await names({ limit: 50, category: "compliance" })).toEqual(["4"]);
    expect(await names({ limit: 50, platform: "ios" })).toEqual(["2"]);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await stores.items.list(tenantId, { limit: 3, continuationToken: token });
      seen.push(...page.items.map((i) => i.externalId));
      token = page.continuationToken ?? undefined;
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual(["1", "2", "3", "4"]);
  });

  it("covers every catalog type with its count, last observation and the latest completed run that covered it", async () => {
    const tenantId = newTenantId();
    const S2 = normaliseSelection({ policyTypes: ["deviceConfiguration", "deviceCompliancePolicy"] });
    await write(tenantId, "pre", "2025-01-01T00:00:00.000Z", [observed("deviceConfiguration", "old")]);
    const run = await simulateRun(
      stores,
      tenantId,
      S2,
      "2025-01-02T00:00:00.000Z",
      [observed("deviceConfiguration", "new")],
      {
        status: "partial",
        hadErrors: true,
        failedTypes: ["deviceCompliancePolicy"],
      },
    );
    const rows = await stores.items.coverage(tenantId);
    expect(rows.length).toBeGreaterThanOrEqual(26);
    expect(rows.find((r) => r.policyType === "deviceConfiguration")).toEqual({
      policyType: "deviceConfiguration",
      category: "configuration",
      itemCount: 2,
      lastObservedAt: "2025-01-02T00:00:00.000Z",
      lastRun: { id: run.id, status: "success", errorCode: null },
    });
    expect(rows.find((r) => r.policyType === "deviceCompliancePolicy")?.lastRun).toEqual({
      id: run.id,
      status: "failed",
      errorCode: "GRAPH_FORBIDDEN",
    });
    expect(rows.find((r) => r.policyType === "mobileApp")).toMatchObject({
      itemCount: 0,
      lastObservedAt: null,
      lastRun: null,
    });
  });
});
