import { describe, expect, it } from "vitest";
import { orderFreeJson, differingFields, fingerprint, normaliseDisplayName } from "../../../../shared/domain";
import type { ComparableItem } from "../../../../shared/domain";

const item = (overrides: Partial<ComparableItem> = {}): ComparableItem => ({
  displayName: "Baseline – Windows",
  platform: "windows",
  meta: { version: 3, roleScopeTagIds: ["0", "7"], description: "d" },
  assignments: {
    status: "known",
    targets: [
      { kind: "group", groupId: "g1", intent: "include", appIntent: null, filterId: null, filterMode: null },
      { kind: "allDevices", groupId: null, intent: "include", appIntent: null, filterId: "f1", filterMode: "exclude" },
    ],
  },
  ...overrides,
});

describe("canonical comparison", () => {
  it("never sees a difference in the order of keys or of array elements", () => {
    const a = item();
    const b = item({
      meta: { description: "d", roleScopeTagIds: ["7", "0"], version: 3 },
      assignments: { status: "known", targets: [...a.assignments!.targets].reverse() },
    });
    expect(differingFields(a, b)).toEqual([]);
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(orderFreeJson({ b: [2, 1], a: { y: 1, x: 2 } })).toBe(orderFreeJson({ a: { x: 2, y: 1 }, b: [1, 2] }));
  });

  it("names each field that differs, meta by its key", () => {
    const a = item();
    const b = item({ displayName: "Renamed", meta: { ...a.meta, version: 4 } });
    expect(differingFields(a, b)).toEqual(["displayName", "meta.version"]);
    expect(fingerprint(a)).not.toBe(fingerprint(b));
  });

  it("calls an added assignment a change of assignments", () => {
    const a = item();
    const more = { kind: "allUsers", groupId: null, intent: "include", appIntent: null, filterId: null, filterMode: null } as const;
    const b = item({ assignments: { status: "known", targets: [...a.assignments!.targets, more] } });
    expect(differingFields(a, b)).toEqual(["assignments"]);
  });

  it("never turns assignments that could not be read into a difference", () => {
    const a = item();
    const b = item({ assignments: { status: "unknown", targets: [] } });
    expect(differingFields(a, b)).toEqual([]);
    expect(differingFields(b, a)).toEqual([]);
  });

  it("reports a meta field present on one side only and leaves ignored fields out", () => {
    const a = item();
    const b = item({ meta: { ...a.meta, isAssigned: true, lastModifiedDateTime: "2026-01-01T00:00:00Z" } });
    expect(differingFields(a, b)).toEqual(["meta.isAssigned", "meta.lastModifiedDateTime"]);
    expect(differingFields(a, b, { ignore: (f) => f === "meta.lastModifiedDateTime" })).toEqual(["meta.isAssigned"]);
  });

  it("matches names case-folded with whitespace collapsed", () => {
    expect(normaliseDisplayName("  Baseline\t–  WINDOWS ")).toBe(normaliseDisplayName("baseline – windows"));
    expect(normaliseDisplayName("Ｂaseline")).toBe("baseline");
  });
});
