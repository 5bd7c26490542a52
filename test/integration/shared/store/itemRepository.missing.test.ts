import { afterAll, describe, expect, it } from "vitest";
import { normaliseSelection, policyTypesInScope, selectionHash, startRunning } from "../../../../shared/domain";
import type { PolicyTypeKey } from "../../../../shared/domain";
import { createTestStores, newTenantId } from "../../../support/stores";
import { observed, queuedRun, simulateRun, skippedRun } from "../../../support/runs";

const stores = createTestStores();
afterAll(() => stores.dispose());

const S1 = normaliseSelection({ policyTypes: ["deviceConfiguration"] });
const S2 = normaliseSelection({ policyTypes: ["deviceConfiguration", "deviceCompliancePolicy"] });
const X = observed("deviceConfiguration", "x");
const Y = observed("deviceConfiguration", "y");
const C = { ...observed("deviceCompliancePolicy", "c"), category: "compliance" as const };
const missingIds = async (tenantId: string, selection: typeof S1) =>
  (await stores.items.missing(tenantId, selectionHash(selection))).items.map((i) => i.externalId).sort();

describe("missing report", () => {
  it("is isolated per selection: a run of S2 that no longer sees X makes X missing for S2 only, until S2 sees it again", async () => {
    const tenantId = newTenantId();
    await simulateRun(stores, tenantId, S2, "2025-01-01T00:00:00.000Z", [X, Y, C]);
    await simulateRun(stores, tenantId, S1, "2025-01-02T00:00:00.000Z", [X, Y]);
    // X disappears from Graph; S2 runs.
    await simulateRun(stores, tenantId, S2, "2025-01-03T00:00:00.000Z", [Y, C]);
    const forS2 = await stores.items.missing(tenantId, selectionHash(S2));
    expect(forS2.items.map((i) => i.externalId)).toEqual(["x"]);
    expect(forS2.confidence).toBe("high");
    expect(forS2.items[0]?.typeComplete).toBe(true);
    expect(await missingIds(tenantId, S1)).toEqual([]);
    // X reappears; S2 runs again.
    await simulateRun(stores, tenantId, S2, "2025-01-04T00:00:00.000Z", [X, Y, C]);
    expect(await missingIds(tenantId, S2)).toEqual([]);
    expect(await missingIds(tenantId, S1)).toEqual([]);
  });

  it("never calls an item of a newly added type missing before a run has read it", async () => {
    const tenantId = newTenantId();
    const configuration = normaliseSelection({ categories: ["configuration"] });
    const newTypes: PolicyTypeKey[] = ["cloudPcUserSetting", "microsoftTunnelSite"];
    // The scope "configuration" had before those types joined the catalog.
    const oldScope = policyTypesInScope(configuration).filter((t) => !newTypes.includes(t));
    const cloudPcOnly = normaliseSelection({ policyTypes: ["cloudPcUserSetting"] });
    const W = { ...observed("cloudPcUserSetting", "w"), category: "configuration" as const };

    // A run recorded by the old catalog; then another selection reads the new type.
    await simulateRun(stores, tenantId, configuration, "2025-01-01T00:00:00.000Z", [X, Y], { scope: oldScope });
    await simulateRun(stores, tenantId, cloudPcOnly, "2025-01-02T00:00:00.000Z", [W]);
    const beforeAnyNewRun = await stores.items.missing(tenantId, selectionHash(configuration));
    expect(beforeAnyNewRun.latestRun).not.toBeNull();
    expect(beforeAnyNewRun.items).toEqual([]);

    // The first run with the new scope cannot read the new type yet (consent pending): partial.
    await simulateRun(stores, tenantId, configuration, "2025-01-03T00:00:00.000Z", [Y], {
      status: "partial",
      hadErrors: true,
      failedTypes: ["cloudPcUserSetting"],
    });
    const afterFailedRead = await stores.items.missing(tenantId, selectionHash(configuration));
    expect(afterFailedRead.items.map((i) => i.externalId)).toEqual(["x"]);

    // Once a run of the selection has read the type, its items count like any other.
    await simulateRun(stores, tenantId, configuration, "2025-01-04T00:00:00.000Z", [X, Y, W]);
    expect(await missingIds(tenantId, configuration)).toEqual([]);
    await simulateRun(stores, tenantId, configuration, "2025-01-05T00:00:00.000Z", [X, Y], {
      status: "partial",
      hadErrors: true,
      failedTypes: ["cloudPcUserSetting"],
    });
    const afterLaterFailure = await stores.items.missing(tenantId, selectionHash(configuration));
    expect(afterLaterFailure.items.map((i) => [i.externalId, i.typeComplete])).toEqual([["w", false]]);
  });

  it("has no latest run, no confidence and no items before the selection's first completed run", async () => {
    const tenantId = newTenantId();
    await simulateRun(stores, tenantId, S1, "2025-01-01T00:00:00.000Z", [X]);
    expect(await stores.items.missing(tenantId, selectionHash(S2))).toEqual({
      selectionHash: selectionHash(S2),
      latestRun: null,
      confidence: null,
      items: [],
    });
  });

  type Outcome = {
    status: "success" | "partial" | "failed";
    hadErrors: boolean;
    failedTypes?: PolicyTypeKey[];
  };
  it.each<[string, Outcome]>([
    ["partial", { status: "partial", hadErrors: true, failedTypes: ["deviceCompliancePolicy"] }],
    [
      "failed",
      { status: "failed", hadErrors: true, failedTypes: ["deviceConfiguration", "deviceCompliancePolicy"] },
    ],
    ["success with hadErrors", { status: "success", hadErrors: true }],
  ])("is low confidence when the latest completed run is %s", async (_label, outcome) => {
    const tenantId = newTenantId();
    await simulateRun(stores, tenantId, S2, "2025-01-01T00:00:00.000Z", [X, Y, C]);
    await simulateRun(stores, tenantId, S2, "2025-01-02T00:00:00.000Z", [Y], outcome);
    const report = await stores.items.missing(tenantId, selectionHash(S2));
    expect(report.confidence).toBe("low");
    expect(report.latestRun?.status).toBe(outcome.status);
    expect(report.items.map((i) => i.externalId).sort()).toEqual(["c", "x"]);
    const failed = new Set<string>(outcome.failedTypes ?? []);
    for (const item of report.items) expect(item.typeComplete).toBe(!failed.has(item.policyType));
  });

  it("never takes a running, queued or skipped run as the latest completed run", async () => {
    const tenantId = newTenantId();
    const done = await simulateRun(stores, tenantId, S1, "2025-01-01T00:00:00.000Z", [X, Y]);
    const running = await stores.runs.create(queuedRun(tenantId, S1, "2025-01-02T00:00:00.000Z"));
    await stores.runs.update(tenantId, running.id, (r) => startRunning(r, new Date("2025-01-02T00:00:01.000Z"), 60));
    await stores.runs.create(queuedRun(tenantId, S1, "2025-01-03T00:00:00.000Z"));
    await stores.runs.create(skippedRun(tenantId, S1, "2025-01-04T00:00:00.000Z", { code: "LOCK_HELD", message: "held" }, running.id));
    expect((await stores.runs.latestCompleted(tenantId, selectionHash(S1)))?.id).toBe(done.id);
    const report = await stores.items.missing(tenantId, selectionHash(S1));
    expect(report.latestRun?.id).toBe(done.id);
    expect(report.items).toEqual([]);
  });
});
