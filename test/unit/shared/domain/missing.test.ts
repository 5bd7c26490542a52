import { describe, expect, it } from "vitest";
import { deriveMissingReport, isMissing, missingConfidence } from "../../../../shared/domain";
import type { InventoryItemDocument, RunDocument } from "../../../../shared/domain";

const HASH = "a".repeat(64);
const run = (overrides: Partial<RunDocument> = {}): RunDocument => ({
  id: "run-2",
  docType: "run",
  tenantId: "t",
  selectionHash: HASH,
  selection: { policyTypes: ["deviceConfiguration", "mobileApp"], categories: [], includeFoundations: false },
  scope: ["deviceConfiguration", "mobileApp"],
  status: "success",
  trigger: "api",
  correlationId: "c",
  requestedAt: "2025-01-02T00:00:00.000Z",
  startedAt: "2025-01-02T00:00:00.000Z",
  finishedAt: "2025-01-02T00:05:00.000Z",
  hadErrors: false,
  counts: { itemsObserved: 1, itemsUpserted: 1, errors: 0 },
  changes: null,
  baseRunId: null,
  errorCodes: [],
  errors: [],
  policyTypes: [
    {
      policyType: "deviceConfiguration",
      status: "success",
      itemsObserved: 1,
      itemsUpserted: 1,
      pages: 1,
      errorCode: null,
      durationMs: 1,
    },
    {
      policyType: "mobileApp",
      status: "success",
      itemsObserved: 0,
      itemsUpserted: 0,
      pages: 1,
      errorCode: null,
      durationMs: 1,
    },
  ],
  orchestrationInstanceId: null,
  leaseUntil: null,
  activeRunId: null,
  ...overrides,
});
const item = (
  externalId: string,
  policyType: InventoryItemDocument["policyType"],
  seenBy: Record<string, string>,
): InventoryItemDocument => ({
  id: `${policyType}.${externalId}`,
  docType: "item",
  tenantId: "t",
  policyType,
  category: policyType === "mobileApp" ? "apps" : "configuration",
  externalId,
  displayName: externalId,
  platform: "windows",
  meta: {},
  firstSeenAt: "2025-01-01T00:00:00.000Z",
  lastSeenAt: "2025-01-01T00:00:00.000Z",
  lastSeenRunId: "run-1",
  seenBy,
});

describe("isMissing", () => {
  it("is true only for in-scope items the latest run of this selection did not stamp", () => {
    const latest = run();
    expect(isMissing(item("seen", "deviceConfiguration", { [HASH]: "run-2" }), latest)).toBe(false);
    expect(isMissing(item("stale", "deviceConfiguration", { [HASH]: "run-1" }), latest)).toBe(true);
    expect(isMissing(item("never", "deviceConfiguration", {}), latest)).toBe(true);
    expect(
      isMissing(item("otherSelection", "deviceConfiguration", { ["b".repeat(64)]: "run-2" }), latest),
    ).toBe(true);
    expect(isMissing(item("outOfScope", "roleScopeTag", {}), latest)).toBe(false);
  });

  it("never calls an item missing for a type this selection has not read: failed in the latest run and never observed by it", () => {
    const failedApps = run({
      status: "partial",
      policyTypes: [run().policyTypes[0]!, { ...run().policyTypes[1]!, status: "failed", errorCode: "GRAPH_FORBIDDEN" }],
    });
    // Seen only by another selection: this one has no basis to call it missing.
    expect(isMissing(item("otherSelection", "mobileApp", { ["b".repeat(64)]: "run-2" }), failedApps)).toBe(false);
    // Seen by an earlier run of this selection: missing, with the type marked incomplete.
    expect(isMissing(item("seenBefore", "mobileApp", { [HASH]: "run-1" }), failedApps)).toBe(true);
    // A run-level failure has no outcome for the type at all: the same rule.
    const noOutcome = run({ status: "failed", policyTypes: [] });
    expect(isMissing(item("never", "deviceConfiguration", {}), noOutcome)).toBe(false);
    expect(isMissing(item("stale", "deviceConfiguration", { [HASH]: "run-1" }), noOutcome)).toBe(true);
  });
});

describe("deriveMissingReport", () => {
  const candidates = [
    item("seen", "deviceConfiguration", { [HASH]: "run-2" }),
    item("gone", "deviceConfiguration", { [HASH]: "run-1" }),
    item("app", "mobileApp", { [HASH]: "run-1" }),
    item("tag", "roleScopeTag", {}),
  ];

  it("lists missing items with high confidence after a clean success, stripped of engine fields", () => {
    const report = deriveMissingReport(HASH, run(), candidates);
    expect(report.confidence).toBe("high");
    expect(report.latestRun).toEqual({
      id: "run-2",
      status: "success",
      hadErrors: false,
      finishedAt: "2025-01-02T00:05:00.000Z",
    });
    expect(report.items.map((i) => i.externalId)).toEqual(["gone", "app"]);
    expect(report.items.every((i) => i.typeComplete)).toBe(true);
    expect(report.items[0]).not.toHaveProperty("seenBy");
    expect(report.items[0]).not.toHaveProperty("docType");
  });

  it("is low confidence after partial, failed or hadErrors runs and marks incompletely enumerated types", () => {
    const partial = run({
      status: "partial",
      hadErrors: true,
      policyTypes: [
        run().policyTypes[0]!,
        { ...run().policyTypes[1]!, status: "failed", errorCode: "GRAPH_FORBIDDEN" },
      ],
    });
    const report = deriveMissingReport(HASH, partial, candidates);
    expect(report.confidence).toBe("low");
    expect(Object.fromEntries(report.items.map((i) => [i.externalId, i.typeComplete]))).toEqual({
      gone: true,
      app: false,
    });
    expect(missingConfidence({ status: "failed", hadErrors: true })).toBe("low");
    expect(missingConfidence({ status: "success", hadErrors: true })).toBe("low");
  });

  it.each(["queued", "running", "skipped"] as const)(
    "refuses a %s run as the latest completed run",
    (status) => {
      expect(deriveMissingReport(HASH, run({ status }), candidates)).toEqual({
        selectionHash: HASH,
        latestRun: null,
        confidence: null,
        items: [],
      });
    },
  );

  it("refuses a run of another selection and reports nothing without a run", () => {
    expect(
      deriveMissingReport(HASH, run({ selectionHash: "b".repeat(64) }), candidates).latestRun,
    ).toBeNull();
    expect(deriveMissingReport(HASH, null, candidates)).toEqual({
      selectionHash: HASH,
      latestRun: null,
      confidence: null,
      items: [],
    });
  });
});
