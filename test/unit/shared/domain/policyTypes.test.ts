import { describe, expect, it } from "vitest";
import { POLICY_TYPES, policyTypeDefinition, requiredGraphPermissions } from "../../../../shared/domain";
import type { NameField, PolicyTypeKey } from "../../../../shared/domain";

/** docs/design.md §4: key, Graph path (beta), category; `name` marks the settings-catalog name field. */
const DESIGN_TABLE: [PolicyTypeKey, string, string, NameField?][] = [
  ["deviceConfiguration", "/deviceManagement/deviceConfigurations", "configuration"],
  ["settingsCatalogPolicy", "/deviceManagement/configurationPolicies", "configuration", "name"],
  ["groupPolicyConfiguration", "/deviceManagement/groupPolicyConfigurations", "configuration"],
  ["deviceCompliancePolicy", "/deviceManagement/deviceCompliancePolicies", "compliance"],
  ["compliancePolicy", "/deviceManagement/compliancePolicies", "compliance", "name"],
  ["deviceManagementScript", "/deviceManagement/deviceManagementScripts", "scripts"],
  ["deviceShellScript", "/deviceManagement/deviceShellScripts", "scripts"],
  ["deviceHealthScript", "/deviceManagement/deviceHealthScripts", "scripts"],
  ["deviceComplianceScript", "/deviceManagement/deviceComplianceScripts", "scripts"],
  ["mobileApp", "/deviceAppManagement/mobileApps", "apps"],
  ["mobileAppConfiguration", "/deviceAppManagement/mobileAppConfigurations", "apps"],
  [
    "targetedManagedAppConfiguration",
    "/deviceAppManagement/targetedManagedAppConfigurations",
    "appProtection",
  ],
  ["iosManagedAppProtection", "/deviceAppManagement/iosManagedAppProtections", "appProtection"],
  ["androidManagedAppProtection", "/deviceAppManagement/androidManagedAppProtections", "appProtection"],
  [
    "windowsInformationProtectionPolicy",
    "/deviceAppManagement/windowsInformationProtectionPolicies",
    "appProtection",
  ],
  ["windowsAutopilotDeploymentProfile", "/deviceManagement/windowsAutopilotDeploymentProfiles", "enrollment"],
  ["deviceEnrollmentConfiguration", "/deviceManagement/deviceEnrollmentConfigurations", "enrollment"],
  ["windowsFeatureUpdateProfile", "/deviceManagement/windowsFeatureUpdateProfiles", "updates"],
  ["windowsQualityUpdateProfile", "/deviceManagement/windowsQualityUpdateProfiles", "updates"],
  ["windowsDriverUpdateProfile", "/deviceManagement/windowsDriverUpdateProfiles", "updates"],
  ["endpointSecurityIntent", "/deviceManagement/intents", "endpointSecurity"],
  ["termsAndConditions", "/deviceManagement/termsAndConditions", "enrollment"],
  ["assignmentFilter", "/deviceManagement/assignmentFilters", "foundations"],
  ["roleScopeTag", "/deviceManagement/roleScopeTags", "foundations"],
  ["notificationMessageTemplate", "/deviceManagement/notificationMessageTemplates", "foundations"],
  ["roleDefinition", "/deviceManagement/roleDefinitions", "foundations"],
];

/** Added for MSP coverage (issue 18); docs/policy-types.md explains the choice and what was left out. */
const MSP_TABLE: [PolicyTypeKey, string, string, NameField?][] = [
  ["policySet", "/deviceAppManagement/policySets", "configuration"],
  ["hardwareConfiguration", "/deviceManagement/hardwareConfigurations", "configuration"],
  ["microsoftTunnelConfiguration", "/deviceManagement/microsoftTunnelConfigurations", "configuration"],
  ["microsoftTunnelSite", "/deviceManagement/microsoftTunnelSites", "configuration"],
  ["cloudPcUserSetting", "/deviceManagement/virtualEndpoint/userSettings", "configuration"],
  ["deviceCustomAttributeShellScript", "/deviceManagement/deviceCustomAttributeShellScripts", "scripts"],
  ["iosLobAppProvisioningConfiguration", "/deviceAppManagement/iosLobAppProvisioningConfigurations", "apps"],
  ["vppToken", "/deviceAppManagement/vppTokens", "apps"],
  ["managedEBook", "/deviceAppManagement/managedEBooks", "apps"],
  ["windowsManagedAppProtection", "/deviceAppManagement/windowsManagedAppProtections", "appProtection"],
  ["mdmWindowsInformationProtectionPolicy", "/deviceAppManagement/mdmWindowsInformationProtectionPolicies", "appProtection"],
  ["intuneBrandingProfile", "/deviceManagement/intuneBrandingProfiles", "enrollment", "profileName"],
  ["depOnboardingSetting", "/deviceManagement/depOnboardingSettings", "enrollment", "tokenName"],
  ["cloudPcProvisioningPolicy", "/deviceManagement/virtualEndpoint/provisioningPolicies", "enrollment"],
  ["windowsQualityUpdatePolicy", "/deviceManagement/windowsQualityUpdatePolicies", "updates"],
  ["mobileThreatDefenseConnector", "/deviceManagement/mobileThreatDefenseConnectors", "endpointSecurity", "id"],
  ["roleAssignment", "/deviceManagement/roleAssignments", "foundations"],
  ["reusablePolicySetting", "/deviceManagement/reusablePolicySettings", "foundations"],
  ["deviceCategory", "/deviceManagement/deviceCategories", "foundations"],
  ["mobileAppCategory", "/deviceAppManagement/mobileAppCategories", "foundations"],
];

describe("policy-type catalog", () => {
  it("has at least 40 types — the 26 of docs/design.md §4 and the MSP additions — each key and path unique", () => {
    expect(POLICY_TYPES.length).toBeGreaterThanOrEqual(40);
    expect(POLICY_TYPES.map((t) => t.key)).toEqual([...DESIGN_TABLE, ...MSP_TABLE].map(([key]) => key));
    expect(new Set(POLICY_TYPES.map((t) => t.key)).size).toBe(POLICY_TYPES.length);
    expect(new Set(POLICY_TYPES.map((t) => t.graphPath.toLowerCase())).size).toBe(POLICY_TYPES.length);
  });

  it.each([...DESIGN_TABLE, ...MSP_TABLE])(
    "defines %s at %s (beta) in category %s",
    (key, path, category, nameField = "displayName") => {
      const def = policyTypeDefinition(key);
      expect(def).toMatchObject({ graphPath: path, graphVersion: "beta", category, nameField });
      expect(def.foundation).toBe(category === "foundations");
    },
  );

  it("selects the id, the name field and every whitelisted meta source, and whitelists odataType everywhere", () => {
    for (const def of POLICY_TYPES) {
      expect(def.select, def.key).toContain("id");
      expect(def.select, def.key).toContain(def.nameField);
      expect(def.metaKeys, def.key).toContain("odataType");
      expect(new Set(def.select).size, def.key).toBe(def.select.length);
    }
  });

  it("names one read-only application permission per type, and the union a selection needs", () => {
    for (const def of POLICY_TYPES) expect(def.readPermission, def.key).toMatch(/^(DeviceManagement\w+|CloudPC)\.Read\.All$/);
    expect(requiredGraphPermissions(["mobileApp", "iosManagedAppProtection"])).toEqual(["DeviceManagementApps.Read.All"]);
    expect(requiredGraphPermissions(["roleScopeTag", "deviceConfiguration"])).toEqual([
      "DeviceManagementConfiguration.Read.All",
      "DeviceManagementRBAC.Read.All",
    ]);
    expect(requiredGraphPermissions(["cloudPcProvisioningPolicy", "cloudPcUserSetting"])).toEqual(["CloudPC.Read.All"]);
    expect(requiredGraphPermissions()).toEqual([
      "CloudPC.Read.All",
      "DeviceManagementApps.Read.All",
      "DeviceManagementConfiguration.Read.All",
      "DeviceManagementRBAC.Read.All",
      "DeviceManagementScripts.Read.All",
      "DeviceManagementServiceConfig.Read.All",
    ]);
  });
});
