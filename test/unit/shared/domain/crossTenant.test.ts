import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CROSS_TENANT_IGNORED_META, compareInventories, crossTenantDifferences } from "../../../../shared/domain";
import type { ComparedItem } from "../../../../shared/domain";

const item = (overrides: Partial<ComparedItem> = {}): ComparedItem => ({
  id: "deviceConfiguration.a",
  externalId: "a",
  policyType: "deviceConfiguration",
  displayName: "Firewall Baseline",
  platform: "windows",
  meta: {
    odataType: "#microsoft.graph.windows10GeneralConfiguration",
    description: "standard",
    version: 3,
    createdDateTime: "2024-01-01T00:00:00Z",
    lastModifiedDateTime: "2024-02-01T00:00:00Z",
    roleScopeTagIds: ["0", "7"],
  },
  assignments: {
    status: "known",
    targets: [
      { kind: "group", groupId: "gold-group", intent: "include", appIntent: null, filterId: "gold-filter", filterMode: "include" },
      { kind: "allDevices", groupId: null, intent: "include", appIntent: null, filterId: null, filterMode: null },
    ],
  },
  ...overrides,
});

describe("cross-tenant comparison (compare and drift)", () => {
  it("never sees a difference in a reordering of keys, scope tags or assignment targets", () => {
    const a = item();
    const b = item({
      meta: Object.fromEntries(Object.entries(a.meta).reverse().map(([k, v]) => [k, Array.isArray(v) ? [...v].reverse() : v])),
      assignments: { status: "known", targets: [...a.assignments!.targets].reverse() },
    });
    expect(crossTenantDifferences(a, b)).toEqual([]);
  });

  it("never sees a difference in any volatile or tenant-specific field, whatever its values", () => {
    const volatile = fc.record(Object.fromEntries(CROSS_TENANT_IGNORED_META.map((k) => [k, fc.oneof(fc.string(), fc.integer(), fc.array(fc.string()))])));
    fc.assert(
      fc.property(volatile, fc.uuid(), fc.uuid(), (values, groupId, filterId) => {
        const a = item();
        const b = item({
          id: "deviceConfiguration.other",
          externalId: "other",
          displayName: "  FIREWALL   baseline ",
          meta: { ...a.meta, ...values },
          assignments: {
            status: "known",
            targets: a.assignments!.targets.map((t) => ({ ...t, groupId: t.groupId && groupId, filterId: t.filterId && filterId })),
          },
        });
        expect(crossTenantDifferences(a, b)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("still names every meaningful difference: platform, description, the meaning of an assignment", () => {
    const a = item();
    const excluded = { ...a.assignments!.targets[0]!, intent: "exclude" as const };
    const b = item({
      platform: "macos",
      meta: { ...a.meta, description: "relaxed" },
      assignments: { status: "known", targets: [excluded, a.assignments!.targets[1]!] },
    });
    expect(crossTenantDifferences(a, b)).toEqual(["assignments", "meta.description", "platform"]);
    // Assignments not read on one side are not a difference (unknown is not "unassigned").
    expect(crossTenantDifferences(a, item({ assignments: { status: "unknown", targets: [] } }))).toEqual([]);
  });

  it("matches by policy type and normalised name, and calls a name twice in one tenant ambiguous", () => {
    const left = [item(), item({ id: "l2", externalId: "l2", displayName: "Only Gold" }), item({ id: "l3", externalId: "l3", displayName: "Twice" })];
    const right = [
      item({ id: "r1", externalId: "r1", displayName: "firewall  BASELINE" }),
      item({ id: "r2", externalId: "r2", displayName: "twice" }),
      item({ id: "r3", externalId: "r3", displayName: "TWICE" }),
      item({ id: "r4", externalId: "r4", policyType: "settingsCatalogPolicy", displayName: "Only Gold" }),
    ];
    const { counts, items } = compareInventories(left, right);
    expect(counts).toEqual({ onlyLeft: 1, onlyRight: 1, different: 0, same: 1, ambiguous: 1 });
    expect(items.find((r) => r.status === "ambiguous")).toMatchObject({ left: { itemId: "l3" }, right: { itemId: "r2" }, differences: [] });
    expect(items.find((r) => r.status === "onlyRight")).toMatchObject({ policyType: "settingsCatalogPolicy" });
  });

  it("calls a row unconfirmed only when its status rests on a type the other side (or, for different, either side) did not read completely", () => {
    const left = [item(), item({ id: "l2", externalId: "l2", displayName: "Only Gold" }), item({ id: "l3", externalId: "l3", displayName: "Edited", meta: { description: "x" } })];
    const right = [item({ id: "r1", externalId: "r1" }), item({ id: "r2", externalId: "r2", displayName: "Only Customer" }), item({ id: "r3", externalId: "r3", displayName: "Edited" })];
    const status = (rows: ReturnType<typeof compareInventories>["items"]) => Object.fromEntries(rows.map((r) => [r.displayName, [r.status, r.unconfirmed]]));
    expect(status(compareInventories(left, right).items)).toEqual({
      "Firewall Baseline": ["same", false],
      "Only Gold": ["onlyLeft", false],
      "Only Customer": ["onlyRight", false],
      Edited: ["different", false],
    });
    expect(status(compareInventories(left, right, { left: [], right: ["deviceConfiguration"] }).items)).toEqual({
      "Firewall Baseline": ["same", false],
      "Only Gold": ["onlyLeft", true],
      "Only Customer": ["onlyRight", false],
      Edited: ["different", true],
    });
    expect(status(compareInventories(left, right, { left: ["deviceConfiguration"], right: [] }).items)).toEqual({
      "Firewall Baseline": ["same", false],
      "Only Gold": ["onlyLeft", false],
      "Only Customer": ["onlyRight", true],
      Edited: ["different", true],
    });
    // Another type's incompleteness proves nothing about this one.
    expect(compareInventories(left, right, { left: ["mobileApp"], right: ["mobileApp"] }).items.every((r) => !r.unconfirmed)).toBe(true);
  });
});
