import { z } from "zod";
import { Platform, platformFromText } from "./platform";

export const CategorySchema = z.enum([
  "configuration",
  "compliance",
  "scripts",
  "apps",
  "appProtection",
  "enrollment",
  "updates",
  "endpointSecurity",
  "foundations",
]);
export type Category = z.infer<typeof CategorySchema>;

/** How a meta key is read from a Graph object and what values it may hold. */
interface MetaField {
  readonly from: string;
  readonly schema: z.ZodType;
}

const shortText = z.string().max(1_024);
const isoDate = z.string().max(64);
const stringList = z.array(z.string().max(256)).max(100);
const META_FIELDS = {
  odataType: { from: "@odata.type", schema: shortText },
  description: { from: "description", schema: z.string().max(2_048) },
  createdDateTime: { from: "createdDateTime", schema: isoDate },
  lastModifiedDateTime: { from: "lastModifiedDateTime", schema: isoDate },
  version: { from: "version", schema: z.union([z.number().int(), z.string().max(64)]) },
  roleScopeTagIds: { from: "roleScopeTagIds", schema: stringList },
  roleScopeTags: { from: "roleScopeTags", schema: stringList },
  isAssigned: { from: "isAssigned", schema: z.boolean() },
  platforms: { from: "platforms", schema: shortText },
  technologies: { from: "technologies", schema: shortText },
  settingCount: { from: "settingCount", schema: z.number().int() },
  templateId: { from: "templateId", schema: shortText },
  publisher: { from: "publisher", schema: shortText },
  publishingState: { from: "publishingState", schema: shortText },
  runAsAccount: { from: "runAsAccount", schema: shortText },
  fileName: { from: "fileName", schema: shortText },
  isGlobalScript: { from: "isGlobalScript", schema: z.boolean() },
  deployedAppCount: { from: "deployedAppCount", schema: z.number().int() },
  targetedMobileApps: { from: "targetedMobileApps", schema: stringList },
  enforcementLevel: { from: "enforcementLevel", schema: shortText },
  language: { from: "language", schema: shortText },
  deviceType: { from: "deviceType", schema: shortText },
  priority: { from: "priority", schema: z.number().int() },
  deviceEnrollmentConfigurationType: { from: "deviceEnrollmentConfigurationType", schema: shortText },
  featureUpdateVersion: { from: "featureUpdateVersion", schema: shortText },
  releaseDateDisplayName: { from: "releaseDateDisplayName", schema: shortText },
  approvalType: { from: "approvalType", schema: shortText },
  platform: { from: "platform", schema: shortText },
  assignmentFilterManagementType: { from: "assignmentFilterManagementType", schema: shortText },
  isBuiltIn: { from: "isBuiltIn", schema: z.boolean() },
  defaultLocale: { from: "defaultLocale", schema: shortText },
  policyConfigurationIngestionType: { from: "policyConfigurationIngestionType", schema: shortText },
  status: { from: "status", schema: shortText },
  settingDefinitionId: { from: "settingDefinitionId", schema: shortText },
  referencingConfigurationPolicyCount: { from: "referencingConfigurationPolicyCount", schema: z.number().int() },
  scopeType: { from: "scopeType", schema: shortText },
  customAttributeName: { from: "customAttributeName", schema: shortText },
  customAttributeType: { from: "customAttributeType", schema: shortText },
  isDefaultProfile: { from: "isDefaultProfile", schema: z.boolean() },
  profileDescription: { from: "profileDescription", schema: z.string().max(2_048) },
  hardwareConfigurationFormat: { from: "hardwareConfigurationFormat", schema: shortText },
  lastUpdateDateTime: { from: "lastUpdateDateTime", schema: isoDate },
  upgradeAutomatically: { from: "upgradeAutomatically", schema: z.boolean() },
  provisioningType: { from: "provisioningType", schema: shortText },
  imageType: { from: "imageType", schema: shortText },
  localAdminEnabled: { from: "localAdminEnabled", schema: z.boolean() },
  selfServiceEnabled: { from: "selfServiceEnabled", schema: z.boolean() },
  expirationDateTime: { from: "expirationDateTime", schema: isoDate },
  state: { from: "state", schema: shortText },
  vppTokenAccountType: { from: "vppTokenAccountType", schema: shortText },
  partnerState: { from: "partnerState", schema: shortText },
  hotpatchEnabled: { from: "hotpatchEnabled", schema: z.boolean() },
  tokenType: { from: "tokenType", schema: shortText },
  tokenExpirationDateTime: { from: "tokenExpirationDateTime", schema: isoDate },
} as const satisfies Record<string, MetaField>;
export type MetaKey = keyof typeof META_FIELDS;

type PlatformRule = { fixed: Platform } | { fromField: string };

/**
 * The read-only Microsoft Graph application permissions the catalog needs. One source of truth
 * for the simulator's 403 text, docs/graph-permissions.md and the consent script.
 */
export const GraphReadPermissionSchema = z.enum([
  "DeviceManagementConfiguration.Read.All",
  "DeviceManagementApps.Read.All",
  "DeviceManagementServiceConfig.Read.All",
  "DeviceManagementRBAC.Read.All",
  "DeviceManagementScripts.Read.All",
  // Windows 365 (`/deviceManagement/virtualEndpoint/…`) is not covered by any DeviceManagement*
  // permission: its reference pages name CloudPC.Read.All as the only read permission.
  "CloudPC.Read.All",
]);
export type GraphReadPermission = z.infer<typeof GraphReadPermissionSchema>;

/**
 * The Graph property that holds an object's name. Most entities have `displayName`; settings
 * catalog and compliance policies `name`; branding profiles `profileName`; Apple ADE tokens
 * `tokenName`. Mobile threat defense connectors have no name at all: their id is the partner's
 * connector id, and that is the most a listing can show.
 */
export type NameField = "displayName" | "name" | "profileName" | "tokenName" | "id";

/**
 * How a type's assignments are read (docs/policy-types.md "Assignments", with the sources per type):
 * - `expand`: `$expand=assignments` on the collection — no extra Graph call per page;
 * - `perObject`: `GET {graphPath}/{id}/assignments` per object, because the collection does not
 *   expand them (refused, or answered with empty lists as `intents` do);
 * - `none`: the entity has no assignments (Graph's schema has no `assignments` navigation) —
 *   stored as `notApplicable`;
 * - `unsupported`: assignments exist but no read is known to work — stored as `unknown`, never as
 *   an empty list that would read as "unassigned".
 */
export const AssignmentsReadSchema = z.enum(["expand", "perObject", "none", "unsupported"]);
export type AssignmentsRead = z.infer<typeof AssignmentsReadSchema>;

export interface PolicyTypeDefinition {
  readonly key: string;
  readonly category: Category;
  readonly graphPath: string;
  readonly graphVersion: "beta" | "v1.0";
  readonly nameField: NameField;
  readonly foundation: boolean;
  /** Graph properties requested with `$select` (`@odata.type` is always returned). */
  readonly select: readonly string[];
  readonly platform: PlatformRule;
  /** The whitelist: only these meta keys are kept; everything else Graph sends is dropped. */
  readonly metaKeys: readonly MetaKey[];
  /** The application permission that lets the app read this type (a 403 names it). */
  readonly readPermission: GraphReadPermission;
  readonly assignments: AssignmentsRead;
}

const COMMON: MetaKey[] = ["odataType", "description", "createdDateTime", "lastModifiedDateTime", "roleScopeTagIds"];
const ODATA: PlatformRule = { fromField: "@odata.type" };

function define<K extends string>(
  key: K,
  category: Category,
  graphPath: string,
  opts: {
    name?: NameField;
    platform: PlatformRule;
    meta?: MetaKey[];
    common?: MetaKey[];
    foundation?: boolean;
    permission?: GraphReadPermission;
    /** Required: every type's assignment read is a decision with a source (docs/policy-types.md). */
    assignments: AssignmentsRead;
  },
): PolicyTypeDefinition & { readonly key: K } {
  const nameField = opts.name ?? "displayName";
  const metaKeys = [...new Set([...(opts.common ?? COMMON), ...(opts.meta ?? [])])];
  const select = [
    "id",
    nameField,
    ...metaKeys.filter((k) => k !== "odataType").map((k) => META_FIELDS[k].from),
  ];
  if ("fromField" in opts.platform && opts.platform.fromField !== "@odata.type" && !select.includes(opts.platform.fromField)) {
    select.push(opts.platform.fromField);
  }
  return {
    key,
    category,
    graphPath,
    graphVersion: "beta",
    nameField,
    foundation: opts.foundation ?? false,
    select: [...new Set(select)],
    platform: opts.platform,
    metaKeys,
    readPermission: opts.permission ?? CONFIG,
    assignments: opts.assignments,
  };
}

const CONFIG: GraphReadPermission = "DeviceManagementConfiguration.Read.All";
const APPS: GraphReadPermission = "DeviceManagementApps.Read.All";
const SERVICE: GraphReadPermission = "DeviceManagementServiceConfig.Read.All";
const RBAC: GraphReadPermission = "DeviceManagementRBAC.Read.All";
const SCRIPTS: GraphReadPermission = "DeviceManagementScripts.Read.All";
const CLOUDPC: GraphReadPermission = "CloudPC.Read.All";

const win: PlatformRule = { fixed: "windows" };
const multi: PlatformRule = { fixed: "multi" };
const macos: PlatformRule = { fixed: "macos" };
const ios: PlatformRule = { fixed: "ios" };
/** Microsoft Tunnel Gateway servers run on Linux; the configuration and sites describe them. */
const linux: PlatformRule = { fixed: "linux" };

/** The policy types we inventory (docs/design.md §4). Order is the display order. */
export const POLICY_TYPES = [
  define("deviceConfiguration", "configuration", "/deviceManagement/deviceConfigurations", { assignments: "expand", platform: ODATA, meta: ["version"] }),
  define("settingsCatalogPolicy", "configuration", "/deviceManagement/configurationPolicies", { assignments: "expand",
    name: "name",
    platform: { fromField: "platforms" },
    meta: ["platforms", "technologies", "settingCount", "isAssigned"],
  }),
  define("groupPolicyConfiguration", "configuration", "/deviceManagement/groupPolicyConfigurations", { assignments: "expand",
    platform: win,
    meta: ["policyConfigurationIngestionType"],
  }),
  define("deviceCompliancePolicy", "compliance", "/deviceManagement/deviceCompliancePolicies", { assignments: "expand", platform: ODATA, meta: ["version"] }),
  define("compliancePolicy", "compliance", "/deviceManagement/compliancePolicies", { assignments: "expand",
    name: "name",
    platform: { fromField: "platforms" },
    meta: ["platforms", "technologies", "settingCount"],
  }),
  define("deviceManagementScript", "scripts", "/deviceManagement/deviceManagementScripts", { assignments: "expand", permission: SCRIPTS, platform: win, meta: ["runAsAccount", "fileName"] }),
  define("deviceShellScript", "scripts", "/deviceManagement/deviceShellScripts", { assignments: "expand", permission: SCRIPTS, platform: { fixed: "macos" }, meta: ["runAsAccount", "fileName"] }),
  define("deviceHealthScript", "scripts", "/deviceManagement/deviceHealthScripts", { assignments: "expand", permission: SCRIPTS,
    platform: win,
    meta: ["publisher", "version", "runAsAccount", "isGlobalScript"],
  }),
  define("deviceComplianceScript", "scripts", "/deviceManagement/deviceComplianceScripts", { assignments: "expand", permission: SCRIPTS,
    platform: win,
    meta: ["publisher", "version", "runAsAccount"],
  }),
  define("mobileApp", "apps", "/deviceAppManagement/mobileApps", { assignments: "expand", permission: APPS, platform: ODATA, meta: ["publisher", "publishingState", "isAssigned"] }),
  define("mobileAppConfiguration", "apps", "/deviceAppManagement/mobileAppConfigurations", { assignments: "expand", permission: APPS,
    platform: ODATA,
    meta: ["version", "targetedMobileApps"],
  }),
  define("targetedManagedAppConfiguration", "appProtection", "/deviceAppManagement/targetedManagedAppConfigurations", { assignments: "perObject", permission: APPS,
    platform: multi,
    meta: ["version", "isAssigned", "deployedAppCount"],
  }),
  define("iosManagedAppProtection", "appProtection", "/deviceAppManagement/iosManagedAppProtections", { assignments: "perObject", permission: APPS,
    platform: { fixed: "ios" },
    meta: ["version", "isAssigned", "deployedAppCount"],
  }),
  define("androidManagedAppProtection", "appProtection", "/deviceAppManagement/androidManagedAppProtections", { assignments: "perObject", permission: APPS,
    platform: { fixed: "android" },
    meta: ["version", "isAssigned", "deployedAppCount"],
  }),
  define("windowsInformationProtectionPolicy", "appProtection", "/deviceAppManagement/windowsInformationProtectionPolicies", { assignments: "perObject", permission: APPS,
    platform: win,
    meta: ["version", "isAssigned", "enforcementLevel"],
  }),
  define("windowsAutopilotDeploymentProfile", "enrollment", "/deviceManagement/windowsAutopilotDeploymentProfiles", { assignments: "expand", permission: SERVICE,
    platform: win,
    meta: ["language", "deviceType"],
  }),
  define("deviceEnrollmentConfiguration", "enrollment", "/deviceManagement/deviceEnrollmentConfigurations", { assignments: "perObject", permission: SERVICE,
    platform: { fixed: "multi" },
    meta: ["version", "priority", "deviceEnrollmentConfigurationType"],
  }),
  define("windowsFeatureUpdateProfile", "updates", "/deviceManagement/windowsFeatureUpdateProfiles", { assignments: "expand", platform: win, meta: ["featureUpdateVersion"] }),
  define("windowsQualityUpdateProfile", "updates", "/deviceManagement/windowsQualityUpdateProfiles", { assignments: "expand", platform: win, meta: ["releaseDateDisplayName"] }),
  define("windowsDriverUpdateProfile", "updates", "/deviceManagement/windowsDriverUpdateProfiles", { assignments: "expand", platform: win, meta: ["approvalType"] }),
  define("endpointSecurityIntent", "endpointSecurity", "/deviceManagement/intents", { assignments: "perObject",
    platform: { fixed: "unknown" },
    common: ["odataType", "description", "lastModifiedDateTime", "roleScopeTagIds"],
    meta: ["templateId", "isAssigned"],
  }),
  define("termsAndConditions", "enrollment", "/deviceManagement/termsAndConditions", { assignments: "perObject", permission: SERVICE, platform: multi, meta: ["version"] }),
  define("assignmentFilter", "foundations", "/deviceManagement/assignmentFilters", { assignments: "none",
    foundation: true,
    platform: { fromField: "platform" },
    common: ["odataType", "description", "createdDateTime", "lastModifiedDateTime", "roleScopeTags"],
    meta: ["platform", "assignmentFilterManagementType"],
  }),
  define("roleScopeTag", "foundations", "/deviceManagement/roleScopeTags", { assignments: "perObject", permission: RBAC,
    foundation: true,
    platform: multi,
    common: ["odataType", "description"],
    meta: ["isBuiltIn"],
  }),
  define("notificationMessageTemplate", "foundations", "/deviceManagement/notificationMessageTemplates", { assignments: "none", permission: SERVICE,
    foundation: true,
    platform: multi,
    common: ["odataType", "description", "lastModifiedDateTime", "roleScopeTagIds"],
    meta: ["defaultLocale"],
  }),
  define("roleDefinition", "foundations", "/deviceManagement/roleDefinitions", { assignments: "none", permission: RBAC,
    foundation: true,
    platform: multi,
    common: ["odataType", "description", "roleScopeTagIds"],
    meta: ["isBuiltIn"],
  }),
  // Added with issue 18 (MSP coverage). Appended, never inserted: the order is display order, and
  // keys are never renamed or removed because stored runs and items name them.
  define("policySet", "configuration", "/deviceAppManagement/policySets", { assignments: "perObject",
    platform: multi,
    common: ["odataType", "description", "createdDateTime", "lastModifiedDateTime", "roleScopeTags"],
    meta: ["status"],
  }),
  define("hardwareConfiguration", "configuration", "/deviceManagement/hardwareConfigurations", { assignments: "expand",
    platform: win,
    meta: ["version", "fileName", "hardwareConfigurationFormat"],
  }),
  define("microsoftTunnelConfiguration", "configuration", "/deviceManagement/microsoftTunnelConfigurations", { assignments: "none",
    platform: linux,
    common: ["odataType", "description", "lastUpdateDateTime", "roleScopeTagIds"],
  }),
  define("microsoftTunnelSite", "configuration", "/deviceManagement/microsoftTunnelSites", { assignments: "none",
    platform: linux,
    common: ["odataType", "description", "roleScopeTagIds"],
    meta: ["upgradeAutomatically"],
  }),
  define("cloudPcUserSetting", "configuration", "/deviceManagement/virtualEndpoint/userSettings", { assignments: "expand",
    permission: CLOUDPC,
    platform: win,
    common: ["odataType", "createdDateTime", "lastModifiedDateTime"],
    meta: ["localAdminEnabled", "selfServiceEnabled"],
  }),
  define("deviceCustomAttributeShellScript", "scripts", "/deviceManagement/deviceCustomAttributeShellScripts", { assignments: "expand",
    platform: macos,
    meta: ["runAsAccount", "fileName", "customAttributeName", "customAttributeType"],
  }),
  define("iosLobAppProvisioningConfiguration", "apps", "/deviceAppManagement/iosLobAppProvisioningConfigurations", { assignments: "perObject",
    permission: APPS,
    platform: ios,
    meta: ["version", "expirationDateTime"],
  }),
  define("vppToken", "apps", "/deviceAppManagement/vppTokens", { assignments: "none",
    permission: APPS,
    // Apple Business/School Manager locations serve iOS/iPadOS and macOS apps alike.
    platform: multi,
    common: ["odataType", "lastModifiedDateTime", "roleScopeTagIds"],
    meta: ["state", "expirationDateTime", "vppTokenAccountType"],
  }),
  define("managedEBook", "apps", "/deviceAppManagement/managedEBooks", { assignments: "perObject",
    permission: APPS,
    platform: ODATA,
    common: ["odataType", "description", "createdDateTime", "lastModifiedDateTime"],
    meta: ["publisher"],
  }),
  define("windowsManagedAppProtection", "appProtection", "/deviceAppManagement/windowsManagedAppProtections", { assignments: "perObject",
    permission: APPS,
    platform: win,
    meta: ["version", "isAssigned", "deployedAppCount"],
  }),
  define("mdmWindowsInformationProtectionPolicy", "appProtection", "/deviceAppManagement/mdmWindowsInformationProtectionPolicies", { assignments: "perObject",
    permission: APPS,
    platform: win,
    meta: ["version", "isAssigned", "enforcementLevel"],
  }),
  define("intuneBrandingProfile", "enrollment", "/deviceManagement/intuneBrandingProfiles", { assignments: "expand",
    permission: SERVICE,
    name: "profileName",
    platform: multi,
    common: ["odataType", "createdDateTime", "lastModifiedDateTime", "roleScopeTagIds"],
    meta: ["profileDescription", "isDefaultProfile"],
  }),
  define("depOnboardingSetting", "enrollment", "/deviceManagement/depOnboardingSettings", { assignments: "none",
    permission: SERVICE,
    name: "tokenName",
    // Automated Device Enrollment tokens enrol iOS/iPadOS and macOS devices.
    platform: multi,
    common: ["odataType", "lastModifiedDateTime", "roleScopeTagIds"],
    meta: ["tokenType", "tokenExpirationDateTime"],
  }),
  define("cloudPcProvisioningPolicy", "enrollment", "/deviceManagement/virtualEndpoint/provisioningPolicies", { assignments: "expand",
    permission: CLOUDPC,
    platform: win,
    common: ["odataType", "description", "createdDateTime", "lastModifiedDateTime"],
    meta: ["provisioningType", "imageType"],
  }),
  define("windowsQualityUpdatePolicy", "updates", "/deviceManagement/windowsQualityUpdatePolicies", { assignments: "perObject",
    platform: win,
    meta: ["hotpatchEnabled"],
  }),
  define("mobileThreatDefenseConnector", "endpointSecurity", "/deviceManagement/mobileThreatDefenseConnectors", { assignments: "none",
    permission: SERVICE,
    name: "id",
    platform: multi,
    common: ["odataType"],
    meta: ["partnerState"],
  }),
  define("roleAssignment", "foundations", "/deviceManagement/roleAssignments", { assignments: "none",
    permission: RBAC,
    foundation: true,
    platform: multi,
    common: ["odataType", "description", "roleScopeTagIds"],
    meta: ["scopeType"],
  }),
  define("reusablePolicySetting", "foundations", "/deviceManagement/reusablePolicySettings", { assignments: "none",
    foundation: true,
    // Reusable settings groups exist for Windows firewall rules and endpoint privilege management.
    platform: win,
    common: ["odataType", "description", "createdDateTime", "lastModifiedDateTime"],
    meta: ["version", "settingDefinitionId", "referencingConfigurationPolicyCount"],
  }),
  define("deviceCategory", "foundations", "/deviceManagement/deviceCategories", { assignments: "none",
    foundation: true,
    platform: multi,
    common: ["odataType", "description", "roleScopeTagIds"],
  }),
  define("mobileAppCategory", "foundations", "/deviceAppManagement/mobileAppCategories", { assignments: "none",
    permission: APPS,
    foundation: true,
    platform: multi,
    common: ["odataType", "lastModifiedDateTime"],
  }),
] as const;

/**
 * Single-valued navigation properties that a catalog path may pass through. Graph serves
 * Windows 365 under the `virtualEndpoint` singleton; every other path goes straight from
 * `deviceManagement`/`deviceAppManagement` to a collection. Declared, not inferred, so that a
 * new path through a singleton is a decision (the schema test holds every path to this list).
 */
export const GRAPH_SINGLETON_SEGMENTS = ["/deviceManagement/virtualEndpoint"] as const;

export type PolicyTypeKey = (typeof POLICY_TYPES)[number]["key"];
export const POLICY_TYPE_KEYS = POLICY_TYPES.map((t) => t.key) as [PolicyTypeKey, ...PolicyTypeKey[]];
export const PolicyTypeKeySchema = z.enum(POLICY_TYPE_KEYS);

const byKey = new Map<string, PolicyTypeDefinition & { readonly key: PolicyTypeKey }>(POLICY_TYPES.map((t) => [t.key, t]));

export function policyTypeDefinition(key: PolicyTypeKey): PolicyTypeDefinition & { readonly key: PolicyTypeKey } {
  const def = byKey.get(key);
  if (!def) throw new Error(`unknown policy type ${key}`);
  return def;
}

export function policyTypesOfCategory(category: Category): PolicyTypeKey[] {
  return POLICY_TYPES.filter((t) => t.category === category).map((t) => t.key);
}

/** The distinct read permissions the given types need (all types by default), sorted. */
export function requiredGraphPermissions(keys: readonly PolicyTypeKey[] = POLICY_TYPE_KEYS): GraphReadPermission[] {
  return [...new Set(keys.map((k) => policyTypeDefinition(k).readPermission))].sort();
}

export function derivePlatform(def: PolicyTypeDefinition, raw: Record<string, unknown>): Platform {
  if ("fixed" in def.platform) return def.platform.fixed;
  const value = raw[def.platform.fromField];
  return typeof value === "string" ? platformFromText(value) : "unknown";
}

/** Keeps only whitelisted meta keys whose values have the expected shape; never throws. */
export function whitelistMeta(def: PolicyTypeDefinition, raw: Record<string, unknown>): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  for (const key of def.metaKeys) {
    const field: MetaField = META_FIELDS[key];
    const value = raw[field.from];
    if (value === undefined || value === null) continue;
    const parsed = field.schema.safeParse(value);
    if (parsed.success) meta[key] = parsed.data;
  }
  return meta;
}
