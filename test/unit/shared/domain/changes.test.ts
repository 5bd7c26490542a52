import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  changeWindows,
  classifyObservation,
  differingDigests,
  differingFields,
  fieldDigests,
  incompleteTypes,
} from "../../../../shared/domain";
import type { ComparableItem, RunOutline } from "../../../../shared/domain";

const item = (overrides: Partial<ComparableItem> = {}): ComparableItem => ({
  displayName: "Baseline – Windows",
  platform: "windows",
  meta: { version: 3, roleScopeTagIds: ["0", "7"] },
  assignments: {
    status: "known",
    targets: [
      { kind: "group", groupId: "g1", intent: "include", appIntent: null, filterId: null, filterMode: null },
    ],
  },
  ...overrides,
});

const run = (id: string, outcomes: Record<string, "success" | "failed">): RunOutline => ({
  id,
  policyTypes: Object.entries(outcomes).map(([policyType, status]) => ({
    policyType: policyType as RunOutline["policyTypes"][number]["policyType"],
    status,
  })),
});

describe("field digests", () => {
  it("name exactly the fields differingFields names, for any pair of items", () => {
    const arbitraryItem = fc.record({
      displayName: fc.constantFrom("A", "B"),
      platform: fc.constantFrom("windows", "ios"),
      meta: fc.record(
        { version: fc.integer({ min: 1, max: 3 }), roleScopeTagIds: fc.shuffledSubarray(["0", "1", "2"]) },
        { requiredKeys: [] },
      ),
      assignments: fc.option(
        fc.record({
          status: fc.constantFrom("known" as const, "unknown" as const),
          targets: fc.shuffledSubarray([
            {
              kind: "allUsers" as const,
              groupId: null,
              intent: "include" as const,
              appIntent: null,
              filterId: null,
              filterMode: null,
            },
            {
              kind: "group" as const,
              groupId: "g",
              intent: "exclude" as const,
              appIntent: null,
              filterId: null,
              filterMode: null,
            },
          ]),
        }),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(arbitraryItem, arbitraryItem, (a, b) => {
        expect(differingDigests(fieldDigests(a), fieldDigests(b))).toEqual(differingFields(a, b));
      }),
    );
  });

  it("are short and never hold the value itself", () => {
    const digests = fieldDigests(item({ displayName: "x".repeat(1_000) }));
    expect(Object.keys(digests).sort()).toEqual([
      "assignments",
      "displayName",
      "meta.roleScopeTagIds",
      "meta.version",
      "platform",
    ]);
    for (const d of Object.values(digests)) expect(d).toMatch(/^[A-Za-z0-9_-]{11}$/);
  });
});

describe("change windows", () => {
  it("reach back to the newest run that read the type completely, that run included", () => {
    const runs = [
      run("r3", { deviceConfiguration: "success", mobileApp: "failed" }),
      run("r2", { mobileApp: "failed" }),
      run("r1", { mobileApp: "success" }),
    ];
    const windows = changeWindows(runs, ["deviceConfiguration", "mobileApp", "deviceShellScript"]);
    expect(windows.get("deviceConfiguration")).toEqual({ runs: ["r3"], complete: true });
    expect(windows.get("mobileApp")).toEqual({ runs: ["r3", "r2", "r1"], complete: true });
    // Never read completely: every run is in the window, and the type has no baseline.
    expect(windows.get("deviceShellScript")).toEqual({ runs: ["r3", "r2", "r1"], complete: false });
  });
});

describe("classifying an observation", () => {
  const digests = fieldDigests(item());
  const window = { runs: ["base"], complete: true };

  it("calls an object the selection never saw `added` only once the type has a baseline", () => {
    expect(classifyObservation({ runId: undefined, digests: undefined }, digests, "now", window)).toEqual({
      kind: "added",
      changedFields: [],
    });
    expect(
      classifyObservation({ runId: undefined, digests: undefined }, digests, "now", {
        runs: [],
        complete: false,
      }),
    ).toBeNull();
  });

  it("names the changed fields against the selection's last view, and nothing when none differs", () => {
    const renamed = fieldDigests(item({ displayName: "Renamed" }));
    expect(classifyObservation({ runId: "base", digests }, renamed, "now", window)).toEqual({
      kind: "changed",
      changedFields: ["displayName"],
    });
    expect(classifyObservation({ runId: "base", digests }, digests, "now", window)).toBeNull();
  });

  it("calls an object last seen before the window `reappeared` (it was reported removed since)", () => {
    expect(classifyObservation({ runId: "older", digests }, digests, "now", window)).toEqual({
      kind: "reappeared",
      changedFields: [],
    });
  });

  it("records nothing twice: an observation by this very run, or one stored before change sets, is no change", () => {
    expect(classifyObservation({ runId: "now", digests: {} }, digests, "now", window)).toBeNull();
    expect(classifyObservation({ runId: "base", digests: undefined }, digests, "now", window)).toBeNull();
  });

  it("never compares assignments that were not read", () => {
    const unread = fieldDigests(item({ assignments: { status: "unknown", targets: [] } }));
    expect(classifyObservation({ runId: "base", digests }, unread, "now", window)).toBeNull();
  });
});

describe("incomplete types", () => {
  it("are the scope's types without a successful outcome (a run-level failure leaves them all)", () => {
    expect(
      incompleteTypes({
        scope: ["deviceConfiguration", "mobileApp", "deviceShellScript"],
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
            status: "failed",
            itemsObserved: 0,
            itemsUpserted: 0,
            pages: 0,
            errorCode: "GRAPH_FORBIDDEN",
            durationMs: 1,
          },
        ],
      }),
    ).toEqual(["mobileApp", "deviceShellScript"]);
  });
});
