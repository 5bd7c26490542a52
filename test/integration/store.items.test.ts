import { afterAll, describe, expect, it } from "vitest";
import { itemDocumentId, normaliseGraphObject, normaliseSelection, selectionHash } from "../../shared/domain";
import type { ObservedItem } from "../../shared/domain";
import { createTestStores, newTenantId } from "../support/stores";
import { observed } from "../support/runs";

const stores = createTestStores();
afterAll(() => stores.dispose());
const S = normaliseSelection({ policyTypes: ["deviceConfiguration"] });
const hash = selectionHash(S);

async function write(tenantId: string, runId: string, at: string, items: ObservedItem[]) {
  const writer = stores.items.createWriter({ tenantId, runId, selectionHash: hash, observedAt: at });
  for (const item of items) await writer.add(item);
  return { ...(await writer.close()), stats: writer.stats() };
}

describe("item writer", () => {
  it("upserting the same page twice leaves one document per object, lastSeenAt advanced, firstSeenAt unchanged", async () => {
    const tenantId = newTenantId();
    const page = [observed("deviceConfiguration", "a"), observed("deviceConfiguration", "b")];
    await write(tenantId, "run-1", "2025-01-01T00:00:00.000Z", page);
    await write(tenantId, "run-2", "2025-01-02T00:00:00.000Z", page.map((i) => ({ ...i, displayName: `${i.displayName} v2` })));
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
    const { upserted, stats } = await write(tenantId, "run-bulk", "2025-01-01T00:00:00.000Z", items);
    const elapsed = performance.now() - started;
    console.log(`writer: 3000 items in ${elapsed.toFixed(0)} ms`, stats);
    expect(upserted).toBe(3_000);
    expect(stats.bulkCalls).toBeLessThanOrEqual(2 * Math.ceil(3_000 / 100) + 4);
    expect(stats.maxBuffered).toBeLessThanOrEqual(500);
    const [row] = (await stores.items.coverage(tenantId)).filter((r) => r.policyType === "deviceConfiguration");
    expect(row?.itemCount).toBe(3_000);
    expect(await stores.items.get(tenantId, itemDocumentId("deviceConfiguration", "obj-2999"))).not.toBeNull();
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
});
