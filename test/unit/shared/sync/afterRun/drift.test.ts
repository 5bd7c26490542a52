import { describe, expect, it } from "vitest";
import { evaluateDriftAfterRun } from "../../../../../shared/sync/afterRun/drift";
import { recordOfDrift } from "../../../../../shared/domain";
import type { DriftReport, RunDocument } from "../../../../../shared/domain";
import { createStructuredLogger } from "../../../../../shared/observability";
import type { Stores } from "../../../../../shared/store/ports";

const tenantId = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";
const run = { tenantId, id: "run-1", correlationId: "c-1", status: "success" } as RunDocument;

describe("the drift post-run step", () => {
  it("never throws: a failing store is reported as the drift step's failure and the run stays as it finished", async () => {
    const failures: string[] = [];
    const stores = {
      tenants: { get: async () => ({ tenantId, baselines: ["gone", "broken"] }) },
      baselines: {
        getWithItems: async (id: string) => {
          if (id === "broken") throw new Error("store down");
          return null;
        },
      },
    } as unknown as Stores;
    const recorded = await evaluateDriftAfterRun(
      { stores, logger: createStructuredLogger(() => undefined), log: { afterRunStepFailed: (_run, step) => failures.push(step) }, now: () => new Date() },
      run,
    );
    expect(recorded).toEqual([]);
    expect(failures).toEqual(["drift"]);
  });

  it("does nothing for a run that never ran (skipped)", async () => {
    const stores = { tenants: { get: () => Promise.reject(new Error("must not be read")) } } as unknown as Stores;
    const services = { stores, logger: createStructuredLogger(() => undefined), log: { afterRunStepFailed: () => undefined }, now: () => new Date() };
    expect(await evaluateDriftAfterRun(services, { ...run, status: "skipped" })).toEqual([]);
  });
});

describe("the recorded drift summary", () => {
  const report = (confidence: "high" | "low", missing: string[]): DriftReport => ({
    baselineId: "gold",
    baselineVersion: 1,
    evaluatedAt: "2026-01-01T00:00:00Z",
    basedOnRunId: "run-1",
    confidence,
    counts: { missing: missing.length, extra: 0, changed: 0, matching: 1 },
    incompleteTypes: confidence === "low" ? ["mobileApp"] : [],
    items: [
      ...missing.map((displayName) => ({ status: "missing" as const, policyType: "deviceConfiguration" as const, displayName, itemId: null, differences: [] })),
      { status: "matching" as const, policyType: "deviceConfiguration" as const, displayName: "Same", itemId: "x", differences: [] },
    ],
  });

  it("calls drift new once, not again while it stays the same, and again when it changes", () => {
    const first = recordOfDrift(tenantId, report("high", ["A"]), null);
    expect(first.newDrift).toBe(true);
    const same = recordOfDrift(tenantId, report("high", ["A"]), first);
    expect(same.newDrift).toBe(false);
    expect(recordOfDrift(tenantId, report("high", ["A", "B"]), same).newDrift).toBe(true);
    expect(recordOfDrift(tenantId, report("high", []), same).newDrift).toBe(false);
  });

  it("never raises new drift from a low-confidence evaluation, nor after one when the same drift comes back high", () => {
    const high = recordOfDrift(tenantId, report("high", ["A"]), null);
    const low = recordOfDrift(tenantId, report("low", ["B"]), high);
    expect(low.newDrift).toBe(false);
    expect(low.lastHighDigest).toBe(high.driftDigest);
    expect(recordOfDrift(tenantId, report("high", ["A"]), low).newDrift).toBe(false);
  });
});
