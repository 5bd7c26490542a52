import { describe, expect, it } from "vitest";
import { itemDocumentId, normaliseGraphObject, platformFromText } from "../../../../shared/domain";

describe("normaliseGraphObject", () => {
  it("takes displayName for most types and name for settings catalog and compliance policies", () => {
    const dc = normaliseGraphObject("deviceConfiguration", {
      id: "1",
      displayName: "Shown",
      name: "ignored",
    });
    expect(dc).toMatchObject({
      ok: true,
      item: { displayName: "Shown", externalId: "1", category: "configuration" },
    });
    const sc = normaliseGraphObject("settingsCatalogPolicy", {
      id: "2",
      name: "Catalog name",
      platforms: "windows10",
    });
    expect(sc).toMatchObject({ ok: true, item: { displayName: "Catalog name", platform: "windows" } });
    const cp = normaliseGraphObject("compliancePolicy", {
      id: "3",
      name: "Linux compliance",
      platforms: "linux",
    });
    expect(cp).toMatchObject({
      ok: true,
      item: { displayName: "Linux compliance", platform: "linux", category: "compliance" },
    });
  });

  it("falls back to the other name field, then to an empty name", () => {
    expect(
      normaliseGraphObject("settingsCatalogPolicy", { id: "1", displayName: "Only display" }),
    ).toMatchObject({
      item: { displayName: "Only display" },
    });
    expect(normaliseGraphObject("deviceConfiguration", { id: "1", displayName: null })).toMatchObject({
      ok: true,
      item: { displayName: "" },
    });
  });

  it.each([
    ["no id", { displayName: "x" }],
    ["an empty id", { id: "" }],
    ["a numeric id", { id: 42 }],
    ["a non-text name", { id: "1", displayName: { text: "x" } }],
    ["not an object", "just text"],
    ["null", null],
  ])("rejects an object with %s as ITEM_INVALID", (_label, raw) => {
    const result = normaliseGraphObject("deviceConfiguration", raw);
    expect(result).toMatchObject({ ok: false, code: "ITEM_INVALID" });
  });

  it("keeps only whitelisted meta keys with valid values and never throws on unknown ones", () => {
    const result = normaliseGraphObject("deviceConfiguration", {
      id: "1",
      displayName: "Baseline",
      "@odata.type": "#microsoft.graph.windows10GeneralConfiguration",
      description: "desc",
      createdDateTime: "2024-01-01T00:00:00Z",
      lastModifiedDateTime: "2024-02-01T00:00:00Z",
      version: 7,
      roleScopeTagIds: ["0", "5"],
      passwordMinimumLength: 12,
      omaSettings: [{ secret: "value" }],
      publisher: "not whitelisted for this type",
      isAssigned: "not a boolean",
    });
    expect(result.ok && result.item.meta).toEqual({
      odataType: "#microsoft.graph.windows10GeneralConfiguration",
      description: "desc",
      createdDateTime: "2024-01-01T00:00:00Z",
      lastModifiedDateTime: "2024-02-01T00:00:00Z",
      version: 7,
      roleScopeTagIds: ["0", "5"],
    });
  });

  it("drops a whitelisted key whose value has the wrong shape", () => {
    const result = normaliseGraphObject("mobileApp", {
      id: "1",
      displayName: "App",
      publisher: 12,
      isAssigned: true,
    });
    expect(result.ok && result.item.meta).toEqual({ isAssigned: true });
  });

  it.each([
    ["deviceConfiguration", { "@odata.type": "#microsoft.graph.windows10GeneralConfiguration" }, "windows"],
    ["deviceConfiguration", { "@odata.type": "#microsoft.graph.iosGeneralDeviceConfiguration" }, "ios"],
    ["deviceConfiguration", { "@odata.type": "#microsoft.graph.macOSGeneralDeviceConfiguration" }, "macos"],
    [
      "deviceConfiguration",
      { "@odata.type": "#microsoft.graph.androidWorkProfileGeneralDeviceConfiguration" },
      "android",
    ],
    [
      "deviceConfiguration",
      { "@odata.type": "#microsoft.graph.aospDeviceOwnerDeviceConfiguration" },
      "android",
    ],
    ["deviceConfiguration", {}, "unknown"],
    ["mobileApp", { "@odata.type": "#microsoft.graph.win32LobApp" }, "windows"],
    ["mobileApp", { "@odata.type": "#microsoft.graph.managedIOSStoreApp" }, "ios"],
    ["mobileApp", { "@odata.type": "#microsoft.graph.macOSMicrosoftEdgeApp" }, "macos"],
    ["mobileApp", { "@odata.type": "#microsoft.graph.macOSOfficeSuiteApp" }, "macos"],
    ["mobileApp", { "@odata.type": "#microsoft.graph.windowsMicrosoftEdgeApp" }, "windows"],
    ["mobileApp", { "@odata.type": "#microsoft.graph.webApp" }, "unknown"],
    ["settingsCatalogPolicy", { platforms: "windows10,macOS" }, "multi"],
    ["assignmentFilter", { platform: "iOSMobileApplicationManagement" }, "ios"],
    ["iosManagedAppProtection", {}, "ios"],
    ["deviceShellScript", {}, "macos"],
    ["roleScopeTag", {}, "multi"],
  ] as const)("derives the platform of a %s with %j as %s", (type, fields, platform) => {
    const result = normaliseGraphObject(type, { id: "1", displayName: "x", ...fields });
    expect(result.ok && result.item.platform).toBe(platform);
  });
});

describe("platformFromText", () => {
  it("is unknown for nothing and multi for several platforms", () => {
    expect(platformFromText(undefined)).toBe("unknown");
    expect(platformFromText("")).toBe("unknown");
    expect(platformFromText("android,iOS")).toBe("multi");
  });
});

describe("itemDocumentId", () => {
  it("keeps the ids already stored: the digest of an id never changes between versions (an upgrade must not duplicate items)", () => {
    // Pinned from the version before the one-shot hash (createHash().update(type).update("\0").update(id)).
    expect(itemDocumentId("deviceConfiguration", "x/é#")).toBe("deviceConfiguration.r5_mU6JY8ENNfg-cY0wwACKRRFpza62Mrhnkp47iPmg");
  });

  it("is deterministic, Cosmos-safe and bounded whatever the Graph id holds", () => {
    for (const id of ["a/b", "c#d", "e?f", "g\\h", "sp ace", "ünï-ポリシー", "x".repeat(1_024)]) {
      const docId = itemDocumentId("deviceConfiguration", id);
      expect(docId).toBe(itemDocumentId("deviceConfiguration", id));
      expect(docId).not.toMatch(/[/\\?#\s]/);
      expect(docId.length).toBeLessThanOrEqual(255);
    }
  });

  it("differs per policy type and per id", () => {
    expect(itemDocumentId("deviceConfiguration", "1")).not.toBe(itemDocumentId("mobileApp", "1"));
    expect(itemDocumentId("deviceConfiguration", "1")).not.toBe(itemDocumentId("deviceConfiguration", "2"));
  });
});
