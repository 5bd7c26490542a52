import { describe, expect, it } from "vitest";
import { assignmentReadsNeeded, budgetFloorMs, nightlyFloorMs, nightlyFloors, pagesOf, ratioToFloor, scheduledFloorMs, tenantFloorMs, totalPages, typeFloorsMs } from "../../../bench/floor";
import { PAGE_SIZE_MAX } from "../../../local/simulator";
import { POLICY_TYPE_KEYS } from "../../../shared/domain";
import { benchScenarios, catalogSizes, planThrottledPages, retriesPerType } from "../../../bench/scenarios";

describe("bench floor", () => {
  it("counts one round trip per page, and one for an empty collection", () => {
    expect(pagesOf(0, 25)).toBe(1);
    expect(pagesOf(25, 25)).toBe(1);
    expect(pagesOf(26, 25)).toBe(2);
    expect(pagesOf(3_000, 25)).toBe(120);
    expect(() => pagesOf(-1, 25)).toThrow(RangeError);
    expect(() => pagesOf(10, 0)).toThrow(RangeError);
  });

  it("a tenant's floor is its slowest chain; retries add a round trip and their Retry-After", () => {
    const sizes = { a: 3_000, b: 2_000, c: 10 };
    const pageSizes = { a: 25, b: 100, c: 1_000 };
    expect(typeFloorsMs(sizes, pageSizes, 80)).toEqual({ a: 9_600, b: 1_600, c: 80 });
    expect(tenantFloorMs(sizes, pageSizes, 80)).toBe(9_600);
    expect(tenantFloorMs(sizes, pageSizes, 80, { retries: { a: 2, c: 30 }, waitMs: 1_000 })).toBe(31 * 80 + 30_000);
    expect(totalPages(sizes, pageSizes)).toBe(141);
    expect(() => typeFloorsMs({ z: 1 }, {}, 80)).toThrow(/no page size/);
  });

  it("per-object assignment reads: one request per object of a per-object type, `concurrency` at a time on that type's chain", () => {
    const perObject = { types: new Set(["b"]), concurrency: 4 };
    const sizes = { a: 250, b: 10 };
    expect(assignmentReadsNeeded(sizes, perObject)).toBe(10);
    // a: 3 pages of 100, no reads (expanded); b: 1 page + ceil(10 / 4) = 3 rounds of reads.
    expect(typeFloorsMs(sizes, { a: 100, b: 100 }, 100, undefined, perObject)).toEqual({ a: 300, b: 400 });
    expect(typeFloorsMs(sizes, { a: 100, b: 100 }, 100)).toEqual({ a: 300, b: 100 });
  });

  it("nightly: ceil(tenants / global limit) waves of one tenant's floor", () => {
    expect(nightlyFloorMs(200, 20, 320)).toBe(3_200);
    expect(nightlyFloorMs(201, 20, 320)).toBe(3_520);
    expect(nightlyFloorMs(0, 20, 320)).toBe(0);
    expect(() => nightlyFloorMs(10, 0, 320)).toThrow(RangeError);
  });

  it("the 8-slot window: the slowest chain wins unless the small types together outlast it", () => {
    expect(scheduledFloorMs([9_600, 80, 80, 80], 8)).toBe(9_600);
    // 26 one-page types, 8 slots: four waves of 80 ms, above a 160 ms chain.
    expect(scheduledFloorMs(new Array(26).fill(80), 8)).toBe(320);
    expect(scheduledFloorMs([], 8)).toBe(0);
    const tenk = catalogSizes(10_000);
    const floors = typeFloorsMs(tenk, PAGE_SIZE_MAX, 80);
    expect(scheduledFloorMs(POLICY_TYPE_KEYS.map((k) => floors[k] as number), 8)).toBe(tenantFloorMs(tenk, PAGE_SIZE_MAX, 80));
  });

  it("ratio is rounded to two decimals and null without a floor", () => {
    expect(ratioToFloor(11_222, 9_600)).toBe(1.17);
    expect(ratioToFloor(5, 0)).toBeNull();
  });
});

describe("bench scenarios", () => {
  it("the 10k tenant: 10,000 objects, settings catalog 3,000 at 25 per page, mobile apps 2,000, the rest spread", () => {
    const sizes = catalogSizes(10_000);
    expect(Object.values(sizes).reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(sizes.settingsCatalogPolicy).toBe(3_000);
    expect(sizes.mobileApp).toBe(2_000);
    expect(Object.keys(sizes).sort()).toEqual([...POLICY_TYPE_KEYS].sort());
    expect(tenantFloorMs(sizes, PAGE_SIZE_MAX, 80)).toBe(9_600);
    expect(catalogSizes(300).settingsCatalogPolicy).toBe(90);
  });

  it("throttled: exactly 10 % of the page requests planned as 429s, the same on every run", () => {
    const sizes = catalogSizes(10_000);
    const plan = planThrottledPages(sizes, 0.1);
    expect(plan).toHaveLength(Math.round(totalPages(sizes, PAGE_SIZE_MAX) * 0.1));
    expect(planThrottledPages(sizes, 0.1)).toEqual(plan);
    expect(new Set(plan.map((p) => `${p.policyType}:${p.page}`)).size).toBe(plan.length);
    expect(Object.values(retriesPerType(plan)).reduce((a, b) => a + b, 0)).toBe(plan.length);
    expect(planThrottledPages(sizes, 0)).toEqual([]);
  });

  it("the full run has the four scenarios of the issue and the nightly with drift; --quick keeps them small", () => {
    const full = benchScenarios(false);
    expect(full.map((s) => s.name)).toEqual(["small", "10k", "nightly", "nightly-drift", "throttled"]);
    // The same nightly, plus one baseline for every tenant: the two rows differ by the drift step only.
    const { name: _n, driftBaseline, ...drift } = full.find((s) => s.name === "nightly-drift")!;
    const { name: _m, ...plain } = full.find((s) => s.name === "nightly")!;
    expect(driftBaseline).toBe(true);
    expect(drift).toEqual(plain);
    expect(full.find((s) => s.name === "nightly")).toMatchObject({ tenants: 200, globalLimit: 20, perTenantLimit: 2 });
    expect(full.find((s) => s.name === "throttled")).toMatchObject({ intuneThrottle: true, throttledShare: 0.1 });
    for (const s of benchScenarios(true)) expect(Object.values(s.sizes).reduce((a, b) => a + b, 0) * s.tenants).toBeLessThanOrEqual(1_000);
  });
});

describe("the nightly's floors beyond paging", () => {
  const budget = { requests: 1_000, windowMs: 20_000 };
  const shape = {
    globalLimit: 20,
    tenantFloorMs: 320,
    requestsPerTenant: 29,
    itemsPerTenant: 300,
    intuneBudget: budget,
    graphGlobalBudget: { requests: 130_000, windowMs: 10_000 },
    ruPerItem: 11,
    cosmosRuPerSecond: 5_000,
  };

  it("a windowed budget costs nothing until a burst exceeds it, then one window per extra budget", () => {
    expect(budgetFloorMs(0, budget)).toBe(0);
    expect(budgetFloorMs(1_000, budget)).toBe(0);
    expect(budgetFloorMs(1_001, budget)).toBe(20_000);
    expect(budgetFloorMs(3_500, budget)).toBe(60_000);
    expect(() => budgetFloorMs(1, { requests: 0, windowMs: 1 })).toThrow(RangeError);
  });

  it("Intune's budget is per tenant: it never grows with the number of tenants", () => {
    const at50 = nightlyFloors({ ...shape, tenants: 50 });
    const at500 = nightlyFloors({ ...shape, tenants: 500 });
    expect(at50.intuneBudgetMs).toBe(320);
    expect(at500.intuneBudgetMs).toBe(320);
    expect(nightlyFloors({ ...shape, tenants: 1, requestsPerTenant: 2_500 }).intuneBudgetMs).toBe(40_000);
  });

  it("Cosmos throughput grows with every item of every tenant, and binds at 50, 200 and 500 tenants", () => {
    const rows = [50, 200, 500].map((tenants) => nightlyFloors({ ...shape, tenants }));
    expect(rows.map((r) => r.wavesMs)).toEqual([960, 3_200, 8_000]);
    expect(rows.map((r) => r.cosmosMs)).toEqual([33_000, 132_000, 330_000]);
    expect(rows.map((r) => r.graphGlobalMs)).toEqual([0, 0, 0]);
    expect(rows.map((r) => r.binding)).toEqual(["cosmos", "cosmos", "cosmos"]);
  });

  it("without a store limit, one process's measured CPU binds when it exceeds the waves", () => {
    const floors = nightlyFloors({ ...shape, tenants: 200, cosmosRuPerSecond: Number.POSITIVE_INFINITY, cpuMsPerTenant: 100 });
    expect(floors).toMatchObject({ cosmosMs: 0, cpuMs: 20_000, binding: "cpu" });
    expect(nightlyFloors({ ...shape, tenants: 200, cosmosRuPerSecond: Number.POSITIVE_INFINITY, cpuMsPerTenant: 1 }).binding).toBe("waves");
  });
});
