import { policyTypeDefinition } from "../../shared/domain";
import type { PolicyTypeKey } from "../../shared/domain";
import { seedAssignments } from "./assignments";
import { seedOf, seededRandom } from "./random";

/**
 * Deterministic Intune-like objects per tenant and policy type: the same (tenant, type, seed,
 * index) always yields the same object, so tests and benchmarks can predict what a sync must
 * store. Shapes follow Graph: `@odata.type` of the derived type, `name` or `displayName` per
 * the catalog, ISO dates, `roleScopeTagIds`, fields outside every whitelist
 * (`secretSettingsBlob`, `settings`) that a sync must drop, and the object's `assignments`
 * (served only as Graph serves a navigation property: see assignments.ts).
 */

export type GraphObject = Record<string, unknown>;

function guid(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${"89ab"[Math.floor(rand() * 4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

/** Derived `@odata.type` values Graph returns per collection (they drive platform derivation). */
const ODATA_TYPES: Partial<Record<PolicyTypeKey, readonly string[]>> = {
  deviceConfiguration: [
    "windows10GeneralConfiguration",
    "iosGeneralDeviceConfiguration",
    "macOSCustomConfiguration",
    "androidWorkProfileGeneralDeviceConfiguration",
    "windows10CustomConfiguration",
    "iosCustomConfiguration",
    "windowsHealthMonitoringConfiguration",
  ],
  deviceCompliancePolicy: ["windows10CompliancePolicy", "iosCompliancePolicy", "macOSCompliancePolicy", "androidWorkProfileCompliancePolicy"],
  mobileApp: ["win32LobApp", "iosStoreApp", "macOSLobApp", "androidManagedStoreApp", "winGetApp", "officeSuiteApp", "iosVppApp", "webApp"],
  mobileAppConfiguration: ["iosMobileAppConfiguration", "androidManagedStoreAppConfiguration"],
  deviceEnrollmentConfiguration: [
    "deviceEnrollmentLimitConfiguration",
    "deviceEnrollmentPlatformRestrictionsConfiguration",
    "windows10EnrollmentCompletionPageConfiguration",
    "deviceEnrollmentWindowsHelloForBusinessConfiguration",
  ],
  windowsAutopilotDeploymentProfile: ["azureADWindowsAutopilotDeploymentProfile", "activeDirectoryWindowsAutopilotDeploymentProfile"],
  settingsCatalogPolicy: ["deviceManagementConfigurationPolicy"],
  compliancePolicy: ["deviceManagementCompliancePolicy"],
  endpointSecurityIntent: ["deviceManagementIntent"],
  roleDefinition: ["deviceAndAppManagementRoleDefinition"],
  notificationMessageTemplate: ["notificationMessageTemplate"],
  roleAssignment: ["deviceAndAppManagementRoleAssignment"],
  reusablePolicySetting: ["deviceManagementReusablePolicySetting"],
  cloudPcProvisioningPolicy: ["cloudPcProvisioningPolicy"],
  cloudPcUserSetting: ["cloudPcUserSetting"],
  // Graph lists the VPP e-books under their derived type; a base managedEBook is possible too.
  managedEBook: ["iosVppEBook", "iosVppEBook", "managedEBook"],
};

/**
 * Properties the real entity carries but a sync never asks for: large blobs and secrets (a VPP
 * token, script bodies, BIOS configuration files). The simulator returns them only when it
 * ignores `$select`, and a sync must drop them.
 */
const UNSELECTED_PAYLOAD: Partial<Record<PolicyTypeKey, readonly string[]>> = {
  vppToken: ["token", "appleId"],
  deviceCustomAttributeShellScript: ["scriptContent"],
  deviceShellScript: ["scriptContent"],
  deviceManagementScript: ["scriptContent"],
  hardwareConfiguration: ["configurationFileContent"],
  iosLobAppProvisioningConfiguration: ["payload"],
  depOnboardingSetting: ["appleIdentifier"],
};

const CATALOG_PLATFORMS = ["windows10", "macOS", "iOS", "android", "linux", "windows10,macOS"] as const;
const FILTER_PLATFORMS = ["windows10AndLater", "iOS", "macOS", "androidForWork", "androidAOSP"] as const;
const NOUNS = ["Baseline", "BitLocker", "Defender", "Wi-Fi", "VPN", "Kiosk", "Edge", "OneDrive", "Update ring", "Firewall", "Passcode", "Certificates"];
const SCOPES = ["Corp", "Sales", "Finance", "HQ", "Contoso", "Fabrikam", "Pilot", "Ring 0"];

/**
 * Ids Graph may legitimately return and that break naive stores and URLs: path separators,
 * fragment and query markers, backslashes, spaces, non-ASCII. Placed spread over the listing.
 */
export const SPECIAL_IDS = [
  "policy/with/slashes",
  "policy#hash",
  "policy?query=1&x",
  "policy\\backslash",
  "policy with spaces",
  "ポリシー-ünïcødé-策略-🙂",
] as const;

function fieldValue(field: string, rand: () => number, index: number): unknown {
  switch (field) {
    case "platforms":
      return pick(rand, CATALOG_PLATFORMS);
    case "technologies":
      return pick(rand, ["mdm", "mdm,microsoftSense", "mdm,appleRemoteManagement"]);
    case "settingCount":
      return 1 + Math.floor(rand() * 60);
    case "isAssigned":
    case "isGlobalScript":
      return rand() < 0.6;
    case "isBuiltIn":
      return index === 0;
    case "publisher":
      return pick(rand, ["Microsoft Corporation", "Contoso IT", "Adobe Inc.", "Google LLC"]);
    case "publishingState":
      return pick(rand, ["published", "processing"]);
    case "runAsAccount":
      return pick(rand, ["system", "user"]);
    case "fileName":
      return `script-${index}.${rand() < 0.5 ? "ps1" : "sh"}`;
    case "deployedAppCount":
      return Math.floor(rand() * 25);
    case "targetedMobileApps":
      return [guid(rand), guid(rand)];
    case "enforcementLevel":
      return pick(rand, ["noProtection", "encryptAndAuditOnly", "encryptAuditAndBlock"]);
    case "language":
      return pick(rand, ["os-default", "en-US", "de-DE"]);
    case "deviceType":
      return pick(rand, ["windowsPc", "surfaceHub2", "holoLens"]);
    case "priority":
      return index;
    case "deviceEnrollmentConfigurationType":
      return pick(rand, ["limit", "platformRestrictions", "windowsHelloForBusiness", "enrollmentNotificationsConfiguration"]);
    case "featureUpdateVersion":
      return pick(rand, ["Windows 11, version 23H2", "Windows 11, version 24H2", "Windows 10, version 22H2"]);
    case "releaseDateDisplayName":
      return pick(rand, ["March 12, 2024 - 2024.03 B Security Updates", "October 8, 2024 - 2024.10 B Security Updates"]);
    case "approvalType":
      return pick(rand, ["manual", "automatic"]);
    case "platform":
      return pick(rand, FILTER_PLATFORMS);
    case "assignmentFilterManagementType":
      return pick(rand, ["devices", "apps"]);
    case "defaultLocale":
      return pick(rand, ["en-us", "de-de", "fr-fr"]);
    case "policyConfigurationIngestionType":
      return pick(rand, ["builtIn", "custom", "mixed"]);
    case "templateId":
      return guid(rand);
    case "roleScopeTags":
    case "roleScopeTagIds":
      return rand() < 0.7 ? ["0"] : ["0", String(1 + Math.floor(rand() * 9))];
    case "version":
      return 1 + Math.floor(rand() * 12);
    case "description":
    case "profileDescription":
      return rand() < 0.3 ? "" : `Managed by the MSP (${pick(rand, SCOPES)})`;
    case "status":
      return pick(rand, ["validated", "validated", "partialSuccess", "validating"]);
    case "settingDefinitionId":
      return pick(rand, [
        "vendor_msft_firewall_mdmstore_firewallrules_{firewallrulename}_remoteaddressdynamickeywords",
        "device_vendor_msft_policy_privilegemanagement_elevationrules_{elevationrulename}_fileinformation",
      ]);
    case "referencingConfigurationPolicyCount":
      return Math.floor(rand() * 6);
    case "scopeType":
      return pick(rand, ["resourceScope", "allDevices", "allLicensedUsers", "allDevicesAndLicensedUsers"]);
    case "customAttributeName":
      return pick(rand, ["BatteryCycleCount", "FileVaultStatus", "XcodeVersion", "AssetTag"]);
    case "customAttributeType":
      return pick(rand, ["string", "integer", "dateTime"]);
    case "isDefaultProfile":
      return index === 0;
    case "hardwareConfigurationFormat":
      return pick(rand, ["dell", "surface", "surfaceDock"]);
    case "lastUpdateDateTime":
    case "expirationDateTime":
    case "tokenExpirationDateTime":
      return new Date(Date.UTC(2025, 0, 1) + Math.floor(rand() * 365 * 86_400_000)).toISOString();
    case "upgradeAutomatically":
    case "localAdminEnabled":
    case "selfServiceEnabled":
    case "hotpatchEnabled":
      return rand() < 0.5;
    case "provisioningType":
      return pick(rand, ["dedicated", "dedicated", "shared"]);
    case "imageType":
      return pick(rand, ["gallery", "custom"]);
    case "state":
      return pick(rand, ["valid", "valid", "expired"]);
    case "vppTokenAccountType":
      return pick(rand, ["business", "education"]);
    case "partnerState":
      return pick(rand, ["enabled", "available", "unresponsive"]);
    case "tokenType":
      return pick(rand, ["dep", "appleSchoolManager"]);
    case "token":
      return Buffer.from(`vpp-secret-${Math.floor(rand() * 1e12)}`).toString("base64");
    case "appleId":
    case "appleIdentifier":
      return `apple-admin-${index}@example.com`;
    case "scriptContent":
    case "configurationFileContent":
    case "payload":
      return Buffer.from(`#!/bin/sh\necho ${Math.floor(rand() * 1e9)}\n`).toString("base64");
    default:
      return undefined;
  }
}

export interface SeedOptions {
  seed: number;
  /** Give a few objects ids with `/ # ? \`, spaces and unicode (default true). */
  specialIds?: boolean;
}

/** Where the special ids go in a listing of `count`: spread, so they land on different pages. */
function specialIdAt(index: number, count: number): string | undefined {
  if (count < SPECIAL_IDS.length * 2) return index < SPECIAL_IDS.length && count >= SPECIAL_IDS.length ? SPECIAL_IDS[index] : undefined;
  const stride = Math.floor(count / SPECIAL_IDS.length);
  return index % stride === 0 ? SPECIAL_IDS[index / stride] : undefined;
}

/** The object at `index` of a tenant's listing of `policyType`. */
export function seedObject(tenantId: string, policyType: PolicyTypeKey, index: number, count: number, opts: SeedOptions): GraphObject {
  const def = policyTypeDefinition(policyType);
  const rand = seededRandom(seedOf(opts.seed, tenantId, policyType, index));
  const odataType = pick(rand, ODATA_TYPES[policyType] ?? [policyType]);
  const special = opts.specialIds === false ? undefined : specialIdAt(index, count);
  const id = special ?? guid(rand);
  const created = Date.UTC(2021, 0, 1) + Math.floor(rand() * 3 * 365 * 86_400_000);
  const modified = created + Math.floor(rand() * 200 * 86_400_000);
  const name = `${pick(rand, SCOPES)} ${pick(rand, NOUNS)} ${String(index + 1).padStart(4, "0")}`;
  // Drawn for every type so the random sequence (and every object seeded before) stays the same;
  // kept only where the entity has the property, as Graph's objects differ in shape.
  const common: GraphObject = {
    description: fieldValue("description", rand, index),
    createdDateTime: new Date(created).toISOString(),
    lastModifiedDateTime: new Date(modified).toISOString(),
    roleScopeTagIds: fieldValue("roleScopeTagIds", rand, index),
  };
  const obj: GraphObject = { "@odata.type": `#microsoft.graph.${odataType}`, id };
  // A connector named by its id has no name property of its own.
  if (def.nameField !== "id") obj[def.nameField] = name;
  for (const [field, value] of Object.entries(common)) if (def.select.includes(field)) obj[field] = value;
  for (const field of [...def.select, ...(UNSELECTED_PAYLOAD[policyType] ?? [])]) {
    if (field in obj) continue;
    const value = fieldValue(field, rand, index);
    if (value !== undefined) obj[field] = value;
  }
  // Outside every whitelist: a sync must drop these (and never persist a secret-looking blob).
  obj.secretSettingsBlob = Buffer.from(`omaSettings:${id}:${Math.floor(rand() * 1e9)}`).toString("base64");
  // A navigation property: served only through `$expand=assignments` or `…/{id}/assignments`
  // (simulatorServer.ts). The draw keeps every later field of the sequence where it was.
  guid(rand);
  obj.assignments = seedAssignments(tenantId, policyType, id, index, opts.seed);
  obj.supportsScopeTags = true;
  return obj;
}

export function seedObjects(tenantId: string, policyType: PolicyTypeKey, count: number, opts: SeedOptions): GraphObject[] {
  return Array.from({ length: count }, (_, index) => seedObject(tenantId, policyType, index, count, opts));
}

/** Objects for `control.mutate({ add: n })`: new, deterministic per (tenant, type, generation). */
export function seedAddedObjects(tenantId: string, policyType: PolicyTypeKey, n: number, generation: number, opts: SeedOptions): GraphObject[] {
  return Array.from({ length: n }, (_, i) =>
    seedObject(tenantId, policyType, 1_000_000 + generation * 10_000 + i, Number.MAX_SAFE_INTEGER, { ...opts, specialIds: false }),
  );
}

/** Objects that fail the item contract in different ways (no id, numeric id, non-text name, not an object). */
export function malformedObjects(n: number, generation: number): unknown[] {
  const shapes: ((i: number) => unknown)[] = [
    (i) => ({ "@odata.type": "#microsoft.graph.windows10GeneralConfiguration", displayName: `No id ${i}` }),
    (i) => ({ id: 40_000 + i, displayName: "Numeric id" }),
    (i) => ({ id: `bad-name-${generation}-${i}`, displayName: { text: "not a string" }, name: ["nope"] }),
    () => null,
    (i) => ({ id: "", displayName: `Empty id ${i}` }),
  ];
  return Array.from({ length: n }, (_, i) => (shapes[i % shapes.length] as (i: number) => unknown)(i));
}
