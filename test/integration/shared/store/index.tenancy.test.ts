import { afterAll, describe, expect, it } from "vitest";
import { itemDocumentId, normaliseSelection, selectionHash } from "../../../../shared/domain";
import { createTestStores, newTenantId } from "../../../support/stores";
import { observed, simulateRun } from "../../../support/runs";

const stores = createTestStores();
afterAll(() => stores.dispose());
const S = normaliseSelection({ policyTypes: ["deviceConfiguration"] });

describe("tenant isolation", () => {
  it("never shows tenant A's items, runs, missing report or coverage to tenant B", async () => {
    const [a, b] = [newTenantId(), newTenantId()];
    const runA = await simulateRun(stores, a, S, "2025-01-01T00:00:00.000Z", [
      observed("deviceConfiguration", "shared-id"),
    ]);
    await simulateRun(stores, a, S, "2025-01-02T00:00:00.000Z", []);
    expect((await stores.items.list(b, { limit: 50 })).items).toEqual([]);
    expect(await stores.items.get(b, itemDocumentId("deviceConfiguration", "shared-id"))).toBeNull();
    expect(await stores.runs.get(b, runA.id)).toBeNull();
    expect((await stores.runs.list(b, { limit: 50 })).items).toEqual([]);
    expect(await stores.runs.latestCompleted(b, selectionHash(S))).toBeNull();
    expect((await stores.items.missing(b, selectionHash(S))).items).toEqual([]);
    expect((await stores.items.coverage(b)).every((row) => row.itemCount === 0 && row.lastRun === null)).toBe(
      true,
    );
    await expect(stores.runs.update(b, runA.id, (r) => ({ ...r, status: "failed" }))).rejects.toMatchObject({
      code: "RUN_NOT_FOUND",
    });
    expect((await stores.runs.get(a, runA.id))?.status).toBe("success");
  });

  it("refuses tenant A's continuation tokens for tenant B, and for another query of tenant A", async () => {
    const [a, b] = [newTenantId(), newTenantId()];
    const items = Array.from({ length: 5 }, (_, i) => observed("deviceConfiguration", `i${i}`));
    await simulateRun(stores, a, S, "2025-01-01T00:00:00.000Z", items);
    await simulateRun(stores, a, S, "2025-01-02T00:00:00.000Z", items);
    const itemPage = await stores.items.list(a, { limit: 2 });
    const runPage = await stores.runs.list(a, { limit: 1 });
    expect(itemPage.continuationToken).toEqual(expect.any(String));
    expect(runPage.continuationToken).toEqual(expect.any(String));
    const itemToken = itemPage.continuationToken as string;
    const runToken = runPage.continuationToken as string;
    await expect(stores.items.list(b, { limit: 2, continuationToken: itemToken })).rejects.toMatchObject({
      code: "INVALID_CONTINUATION_TOKEN",
    });
    await expect(stores.runs.list(b, { limit: 1, continuationToken: runToken })).rejects.toMatchObject({
      code: "INVALID_CONTINUATION_TOKEN",
    });
    await expect(stores.runs.list(a, { limit: 1, continuationToken: itemToken })).rejects.toMatchObject({
      code: "INVALID_CONTINUATION_TOKEN",
    });
    await expect(
      stores.items.list(a, { limit: 2, q: "i", continuationToken: itemToken }),
    ).rejects.toMatchObject({ code: "INVALID_CONTINUATION_TOKEN" });
  });

  it("refuses a well-formed token whose inner Cosmos part is garbage, instead of restarting at page 1", async () => {
    const a = newTenantId();
    await simulateRun(stores, a, S, "2025-01-01T00:00:00.000Z", [observed("deviceConfiguration", "y"), observed("deviceConfiguration", "z")]);
    const page = await stores.items.list(a, { limit: 1 });
    const outer = JSON.parse(Buffer.from(page.continuationToken ?? "e30", "base64url").toString()) as Record<string, unknown>;
    for (const inner of ["garbage", "{}", "[]", "12345", '"text"']) {
      const token = Buffer.from(JSON.stringify({ ...outer, c: inner })).toString("base64url");
      await expect(stores.items.list(a, { limit: 1, continuationToken: token }), inner).rejects.toMatchObject({ code: "INVALID_CONTINUATION_TOKEN" });
    }
    // The genuine token still pages on.
    const next = await stores.items.list(a, { limit: 1, continuationToken: page.continuationToken as string });
    expect(next.items.map((i) => i.externalId)).not.toEqual(page.items.map((i) => i.externalId));
  });

  it("answers INVALID_CONTINUATION_TOKEN, never a store error, for forged or garbled tokens", async () => {
    const a = newTenantId();
    await simulateRun(stores, a, S, "2025-01-01T00:00:00.000Z", [observed("deviceConfiguration", "z")]);
    const page = await stores.items.list(a, { limit: 1 });
    const forgedSdk = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(page.continuationToken ?? "e30", "base64url").toString()),
        c: "not-a-cosmos-token{",
      }),
    ).toString("base64url");
    for (const token of [
      "garbage",
      "%%%",
      Buffer.from("{}").toString("base64url"),
      "x".repeat(30_000),
      forgedSdk,
    ]) {
      await expect(
        stores.items.list(a, { limit: 1, continuationToken: token }),
        token.slice(0, 20),
      ).rejects.toMatchObject({
        code: "INVALID_CONTINUATION_TOKEN",
      });
    }
  });
});
