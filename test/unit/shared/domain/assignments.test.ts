import { describe, expect, it } from "vitest";
import { itemReferences, normaliseAssignments } from "../../../../shared/domain";

const target = (type: string, extra: Record<string, unknown> = {}) => ({ "@odata.type": `#microsoft.graph.${type}`, ...extra });
const assignment = (t: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ id: "a", target: t, ...extra });

describe("normaliseAssignments: every kind of target", () => {
  it("an included group, with its filter and filter mode", () => {
    const raw = [assignment(target("groupAssignmentTarget", { groupId: "g-1", deviceAndAppManagementAssignmentFilterId: "f-1", deviceAndAppManagementAssignmentFilterType: "include" }))];
    expect(normaliseAssignments(raw)).toEqual({
      status: "known",
      targets: [{ kind: "group", groupId: "g-1", intent: "include", appIntent: null, filterId: "f-1", filterMode: "include" }],
    });
  });

  it("an excluded group (the exclusion target type)", () => {
    expect(normaliseAssignments([assignment(target("exclusionGroupAssignmentTarget", { groupId: "g-2" }))]).targets).toEqual([
      { kind: "group", groupId: "g-2", intent: "exclude", appIntent: null, filterId: null, filterMode: null },
    ]);
  });

  it("all licensed users, all users and all devices, with an exclude filter", () => {
    const raw = [
      assignment(target("allLicensedUsersAssignmentTarget")),
      assignment(target("allUsersAssignmentTarget")),
      assignment(target("allDevicesAssignmentTarget", { deviceAndAppManagementAssignmentFilterId: "f-9", deviceAndAppManagementAssignmentFilterType: "exclude" })),
    ];
    expect(normaliseAssignments(raw).targets).toEqual([
      { kind: "allLicensedUsers", groupId: null, intent: "include", appIntent: null, filterId: null, filterMode: null },
      { kind: "allUsers", groupId: null, intent: "include", appIntent: null, filterId: null, filterMode: null },
      { kind: "allDevices", groupId: null, intent: "include", appIntent: null, filterId: "f-9", filterMode: "exclude" },
    ]);
  });

  it("an app's intent: required, available, uninstall; available without enrollment reads as available", () => {
    const raw = ["required", "available", "uninstall", "availableWithoutEnrollment"].map((intent) =>
      assignment(target("groupAssignmentTarget", { groupId: "g" }), { intent }),
    );
    expect(normaliseAssignments(raw).targets.map((t) => t.appIntent)).toEqual(["required", "available", "uninstall", "available"]);
  });

  it("a Cloud PC policy's group target", () => {
    expect(normaliseAssignments([assignment(target("cloudPcManagementGroupAssignmentTarget", { groupId: "g-pc" }))]).targets[0]).toMatchObject({
      kind: "group",
      groupId: "g-pc",
      intent: "include",
    });
  });

  it("a filter of type none, or a filter type without an id, is no filter", () => {
    const raw = [
      assignment(target("groupAssignmentTarget", { groupId: "g", deviceAndAppManagementAssignmentFilterId: "f", deviceAndAppManagementAssignmentFilterType: "none" })),
      assignment(target("groupAssignmentTarget", { groupId: "g", deviceAndAppManagementAssignmentFilterId: null, deviceAndAppManagementAssignmentFilterType: "include" })),
    ];
    expect(normaliseAssignments(raw).targets.map((t) => [t.filterId, t.filterMode])).toEqual([
      [null, null],
      [null, null],
    ]);
  });

  it("an empty list is known and unassigned", () => {
    expect(normaliseAssignments([])).toEqual({ status: "known", targets: [] });
  });

  it("is unknown — never a shorter list — for a target it cannot represent, a group without id, or a list that is not one", () => {
    const unknown = { status: "unknown", targets: [] };
    expect(normaliseAssignments([assignment(target("groupAssignmentTarget", { groupId: "g" })), assignment(target("configurationManagerCollectionAssignmentTarget", { collectionId: "c" }))])).toEqual(unknown);
    expect(normaliseAssignments([assignment(target("groupAssignmentTarget"))])).toEqual(unknown);
    expect(normaliseAssignments([assignment(target("groupAssignmentTarget", { groupId: "g" }), { intent: "sideways" })])).toEqual(unknown);
    expect(normaliseAssignments([{ id: "a", target: null }])).toEqual(unknown);
    expect(normaliseAssignments(undefined)).toEqual(unknown);
    expect(normaliseAssignments({ value: [] })).toEqual(unknown);
  });
});

describe("itemReferences", () => {
  it("lists the groups, filters and scope tags an item references, once each, case-folded", () => {
    const assignments = normaliseAssignments([
      assignment(target("groupAssignmentTarget", { groupId: "G-1", deviceAndAppManagementAssignmentFilterId: "F-1", deviceAndAppManagementAssignmentFilterType: "include" })),
      assignment(target("exclusionGroupAssignmentTarget", { groupId: "g-1" })),
    ]);
    expect(itemReferences(assignments, ["0", "7"])).toEqual(["filter:f-1", "group:g-1", "scopeTag:0", "scopeTag:7"]);
  });

  it("references no group or filter through assignments that were not read", () => {
    expect(itemReferences({ status: "unknown", targets: [] }, ["0"])).toEqual(["scopeTag:0"]);
    expect(itemReferences(undefined, [])).toEqual([]);
  });
});
