import { describe, expect, it } from "vitest";
import { applyFinishedRun, emptyTenantSummary, portfolioRow, withRunChanges } from "../../../../shared/domain";
import type { FinishedTypeFigures, TenantSummaryDocument } from "../../../../shared/domain";

const TENANT = "20000000-0000-4000-8000-000000000001";
const NOW = new Date("2025-03-01T12:00:00.000Z");
const run = (id: string, status: "success" | "partial" | "failed", finishedAt: string) => ({
  id,
  status,
  finishedAt,
  errorCodes: status === "success" ? [] : ["GRAPH_FORBIDDEN" as const],
  selectionHash: "a".repeat(64),
  scope: ["deviceConfiguration" as const, "mobileApp" as const],
});
const figures = (dc: [number, number], app: [number, number] | "failed"): FinishedTypeFigures[] => [
  { policyType: "deviceConfiguration", status: "success", itemsObserved: dc[0], itemsCreated: dc[1] },
  app === "failed"
    ? { policyType: "mobileApp", status: "failed", itemsObserved: 0, itemsCreated: 0 }
    : { policyType: "mobileApp", status: "success", itemsObserved: app[0], itemsCreated: app[1] },
];
const seededEmpty = (): TenantSummaryDocument => ({ ...emptyTenantSummary(TENANT, NOW.toISOString()), seeded: true });

describe("tenant summary from run figures", () => {
  it("never counts a run twice when finalizeRun is retried", () => {
    const once = applyFinishedRun(seededEmpty(), run("r1", "success", "2025-03-01T10:00:00Z"), figures([5, 5], [3, 3]), NOW.toISOString())!;
    expect(once).toMatchObject({ itemCount: 8, missingCount: 0, lastSuccessAt: "2025-03-01T10:00:00Z" });
    expect(applyFinishedRun(once, run("r1", "success", "2025-03-01T10:00:00Z"), figures([5, 5], [3, 3]), NOW.toISOString())).toBeNull();
  });

  it("counts as missing what a complete enumeration no longer returned, and for a failed type everything not observed", () => {
    const first = applyFinishedRun(seededEmpty(), run("r1", "success", "2025-03-01T10:00:00Z"), figures([5, 5], [3, 3]), NOW.toISOString())!;
    // Two deviceConfigurations gone, one new; mobileApp unreadable (403).
    const second = applyFinishedRun(first, run("r2", "partial", "2025-03-01T11:00:00Z"), figures([4, 1], "failed"), NOW.toISOString())!;
    expect(second).toMatchObject({ itemCount: 9, missingCount: 2 + 3, lastSuccessAt: "2025-03-01T10:00:00Z", lastRun: { id: "r2", status: "partial" } });
  });

  it("keeps the newer run as lastRun when an older one finishes late, and its creations still count", () => {
    const newer = applyFinishedRun(seededEmpty(), run("r2", "success", "2025-03-01T11:00:00Z"), figures([5, 5], [0, 0]), NOW.toISOString())!;
    const late = applyFinishedRun(newer, run("r1", "failed", "2025-03-01T10:00:00Z"), [{ policyType: "mobileApp", status: "failed", itemsObserved: 1, itemsCreated: 1 }], NOW.toISOString())!;
    expect(late.lastRun?.id).toBe("r2");
    expect(late.itemCount).toBe(6);
  });

  it("sums changes of the last 24 hours at read time, null until the change-set step reported", () => {
    const summary = seededEmpty();
    expect(portfolioRow({ tenantId: TENANT, displayName: "T", enabled: true }, summary, NOW).changesLast24h).toBeNull();
    let withChanges = withRunChanges(summary, { runId: "old", at: "2025-02-28T11:00:00Z", total: 7 }, new Date("2025-02-28T11:00:00Z"));
    withChanges = withRunChanges(withChanges, { runId: "new", at: "2025-03-01T11:00:00Z", total: 3 }, NOW);
    withChanges = withRunChanges(withChanges, { runId: "new", at: "2025-03-01T11:00:00Z", total: 3 }, NOW);
    expect(portfolioRow({ tenantId: TENANT, displayName: "T", enabled: true }, withChanges, NOW).changesLast24h).toBe(3);
  });
});
