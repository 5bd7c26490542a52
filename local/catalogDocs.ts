/**
 * The catalog as documentation: the per-type permission table of docs/graph-permissions.md (the
 * consent script's `permissionTableMarkdown`) and docs/policy-types.md (what is inventoried, what was considered and left out, and why) are
 * generated from `POLICY_TYPES` and the list below. `npm run docs:catalog` rewrites the marked
 * blocks; a unit test fails when the committed docs and the generator disagree.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GRAPH_SINGLETON_SEGMENTS, POLICY_TYPES } from "../shared/domain";
import type { PolicyTypeKey } from "../shared/domain";
import { permissionTableMarkdown } from "./graphConsent";

export type LeftOutKind =
  | "device"
  | "microsoftProvided"
  | "duplicate"
  | "retired"
  | "connector"
  | "report"
  | "singleton"
  | "perParent"
  | "later";

export interface LeftOut {
  /** A Graph beta path; `{id}` marks a collection Graph serves only per parent object. */
  readonly graphPath: string;
  readonly kind: LeftOutKind;
  readonly reason: string;
}

const KIND_TEXT: Record<LeftOutKind, string> = {
  device: "Devices and per-device state, not configuration",
  microsoftProvided: "Provided by Microsoft, the same in every tenant (templates, definitions, catalogs)",
  duplicate: "Would list objects another type already inventories",
  retired: "Retired or superseded feature",
  connector: "Connector or agent health, not configuration an admin authors",
  report: "Reports and logs",
  singleton: "One object per tenant (a Graph singleton), not a collection the engine enumerates",
  perParent: "Served only per parent object: one request per parent, not one listing per tenant",
  later: "Tenant configuration, candidates for the next round",
};

/**
 * Considered for the catalog and left out. The schema test checks every claim against the
 * published Graph beta schema: a `singleton` is a single-valued navigation property, a
 * `perParent` collection hangs off each object of its parent collection, the others are
 * collections reachable from the root.
 */
export const LEFT_OUT: readonly LeftOut[] = [
  { graphPath: "/deviceManagement/managedDevices", kind: "device", reason: "Enrolled devices." },
  { graphPath: "/deviceManagement/virtualEndpoint/cloudPCs", kind: "device", reason: "Provisioned Cloud PCs (devices); their provisioning policies are inventoried." },
  { graphPath: "/deviceManagement/windowsAutopilotDeviceIdentities", kind: "device", reason: "Registered hardware hashes, one per device." },
  { graphPath: "/deviceManagement/detectedApps", kind: "device", reason: "Software found on devices." },
  { graphPath: "/deviceAppManagement/managedAppRegistrations", kind: "device", reason: "App protection check-ins per user and device." },
  { graphPath: "/deviceManagement/configurationPolicyTemplates", kind: "microsoftProvided", reason: "Settings catalog templates; the tenant's policies made from them are inventoried." },
  { graphPath: "/deviceManagement/templates", kind: "microsoftProvided", reason: "Security baseline and endpoint security templates; the tenant's instances are `intents`." },
  { graphPath: "/deviceManagement/configurationSettings", kind: "microsoftProvided", reason: "Settings catalog definitions." },
  { graphPath: "/deviceManagement/groupPolicyDefinitions", kind: "microsoftProvided", reason: "ADMX definitions." },
  { graphPath: "/deviceAppManagement/mobileAppCatalogPackages", kind: "microsoftProvided", reason: "Enterprise App Catalog entries." },
  { graphPath: "/deviceManagement/virtualEndpoint/galleryImages", kind: "microsoftProvided", reason: "Windows 365 gallery images." },
  { graphPath: "/deviceAppManagement/managedAppPolicies", kind: "duplicate", reason: "The base collection of every app protection and app configuration policy; each object would be listed twice." },
  { graphPath: "/deviceAppManagement/defaultManagedAppProtections", kind: "retired", reason: "Legacy default app protection policies." },
  { graphPath: "/deviceManagement/resourceAccessProfiles", kind: "retired", reason: "Superseded by settings catalog policies." },
  { graphPath: "/deviceAppManagement/wdacSupplementalPolicies", kind: "retired", reason: "App Control for Business is configured with settings catalog policies (inventoried)." },
  { graphPath: "/deviceManagement/exchangeOnPremisesPolicies", kind: "retired", reason: "Legacy Exchange on-premises access." },
  { graphPath: "/deviceManagement/ndesConnectors", kind: "connector", reason: "Installed NDES connectors." },
  { graphPath: "/deviceManagement/exchangeConnectors", kind: "connector", reason: "Installed Exchange connectors." },
  { graphPath: "/deviceManagement/deviceManagementPartners", kind: "connector", reason: "Partner device management integrations (state, heartbeat)." },
  { graphPath: "/deviceManagement/complianceManagementPartners", kind: "connector", reason: "Partner compliance integrations (state, heartbeat)." },
  { graphPath: "/deviceManagement/auditEvents", kind: "report", reason: "Audit log." },
  { graphPath: "/deviceManagement/userExperienceAnalyticsBaselines", kind: "report", reason: "Endpoint analytics." },
  { graphPath: "/deviceManagement/androidManagedStoreAccountEnterpriseSettings", kind: "singleton", reason: "The managed Google Play binding." },
  { graphPath: "/deviceAppManagement/windowsManagementApp", kind: "singleton", reason: "The Windows management app settings." },
  { graphPath: "/deviceAppManagement/symantecCodeSigningCertificate", kind: "singleton", reason: "One code-signing certificate per tenant." },
  { graphPath: "/deviceManagement/intents/{id}/settings", kind: "perParent", reason: "The settings of each endpoint security policy (content, not inventory)." },
  { graphPath: "/deviceManagement/configurationPolicies/{id}/settings", kind: "perParent", reason: "The settings of each settings catalog policy (content, not inventory)." },
  { graphPath: "/deviceManagement/groupPolicyConfigurations/{id}/definitionValues", kind: "perParent", reason: "The values of each administrative template policy." },
  { graphPath: "/deviceManagement/roleDefinitions/{id}/roleAssignments", kind: "perParent", reason: "Also served at `/deviceManagement/roleAssignments`, which is inventoried." },
  { graphPath: "/deviceManagement/androidDeviceOwnerEnrollmentProfiles", kind: "later", reason: "Android Enterprise enrollment profiles; the listing also carries enrollment tokens and Wi-Fi passwords, which `$select` must keep out." },
  { graphPath: "/deviceManagement/appleUserInitiatedEnrollmentProfiles", kind: "later", reason: "Apple user-initiated enrollment profiles." },
  { graphPath: "/deviceManagement/operationApprovalPolicies", kind: "later", reason: "Multi-admin approval policies." },
  { graphPath: "/deviceManagement/managedDeviceCleanupRules", kind: "later", reason: "Device clean-up rules." },
  { graphPath: "/deviceManagement/virtualEndpoint/onPremisesConnections", kind: "later", reason: "Azure network connections (the entity also holds a domain-join password)." },
  { graphPath: "/deviceManagement/virtualEndpoint/deviceImages", kind: "later", reason: "Custom Windows 365 images." },
];

/**
 * Why each type reads its assignments the way the catalog says; the bracketed references are
 * the sources listed in docs/policy-types.md §5. The schema test checks the half that Graph's
 * published schema can decide (an `assignments` navigation exists exactly where the catalog
 * reads one); the rest is what public tools and Microsoft's pages report.
 */
const LIST_EXPAND = "Listed with `$expand=assignments` by IntuneManagement [IM]";
const PROTECTION =
  "IntuneManagement does not expand its base collection `managedAppPolicies` [IM]; IntuneCD reads `…/{id}/assignments` [CD]. " +
  "One maintainer answer suggests the expand works on the concrete collection [SDK]: unverified, so per object";
export const ASSIGNMENT_SOURCES: Record<PolicyTypeKey, string> = {
  deviceConfiguration: `${LIST_EXPAND}; documented navigation [S]`,
  settingsCatalogPolicy: `${LIST_EXPAND} [S]`,
  groupPolicyConfiguration: `${LIST_EXPAND} [S]`,
  deviceCompliancePolicy: `${LIST_EXPAND} [S]`,
  compliancePolicy: `${LIST_EXPAND} [S]`,
  deviceManagementScript: `${LIST_EXPAND} [S]`,
  deviceShellScript: `${LIST_EXPAND}; IntuneCD reads it per object with \`{id}?$expand=assignments\` [CD]`,
  deviceHealthScript: `${LIST_EXPAND} [S]`,
  deviceComplianceScript: `${LIST_EXPAND}; usually empty (the compliance policy using the script is what is assigned) [S]`,
  mobileApp: "IntuneManagement lists apps with `$expand=categories,assignments` [IM] [S]",
  mobileAppConfiguration: `${LIST_EXPAND} [S]`,
  targetedManagedAppConfiguration: "IntuneManagement sets `ExpandAssignmentsList = $false` for it [IM]; per object [CD]",
  iosManagedAppProtection: PROTECTION,
  androidManagedAppProtection: PROTECTION,
  windowsInformationProtectionPolicy: PROTECTION,
  windowsAutopilotDeploymentProfile: `${LIST_EXPAND} [S]`,
  deviceEnrollmentConfiguration:
    "IntuneCD reads `…/{id}/assignments` [CD]; IntuneManagement lists it expanded [IM], contrary to this project's issue: per object until verified on a real tenant",
  windowsFeatureUpdateProfile: `${LIST_EXPAND} [S]`,
  windowsQualityUpdateProfile: `${LIST_EXPAND} [S]`,
  windowsDriverUpdateProfile: `${LIST_EXPAND} [S]`,
  endpointSecurityIntent: "The expand answers `assignments: []` for assigned intents [GE]; per intent it works [TK] [CD]",
  termsAndConditions: "IntuneManagement: expand \"not supported for this object type\" [IM]; `…/{id}/assignments` is documented [S]",
  assignmentFilter: "No `assignments` navigation [S]: filters are used by assignments, see dependencies",
  roleScopeTag: "Auto-assignment to groups; the list expand \"adds the assignments property but always empty\" [IM]; per object [CD]",
  notificationMessageTemplate: "No `assignments` navigation [S]",
  roleDefinition: "No `assignments` navigation [S] (its role assignments are the `roleAssignment` type)",
  policySet: "IntuneManagement: \"expand is not allowed\" on the list [IM]; per object [S]",
  hardwareConfiguration: `${LIST_EXPAND} [S]`,
  microsoftTunnelConfiguration: "No `assignments` navigation [S]",
  microsoftTunnelSite: "No `assignments` navigation [S]",
  cloudPcUserSetting: `${LIST_EXPAND}; Cloud PC lists support \`$expand\` [CPC] [S]`,
  deviceCustomAttributeShellScript: `${LIST_EXPAND}; IntuneCD reads it per object with \`{id}?$expand=assignments\` [CD]`,
  iosLobAppProvisioningConfiguration: "No public evidence that the list expands; a wrong expand fails the whole listing, per object costs one call [S]",
  vppToken: "No `assignments` navigation [S] (the apps it licenses carry the assignments)",
  managedEBook: "No public evidence that the list expands; per object [S]",
  windowsManagedAppProtection: PROTECTION,
  mdmWindowsInformationProtectionPolicy: PROTECTION,
  intuneBrandingProfile: `${LIST_EXPAND} [S]`,
  depOnboardingSetting: "No `assignments` navigation [S] (enrollment profiles under the token are assigned per device)",
  cloudPcProvisioningPolicy: "Microsoft documents `$expand` on the list [CPC]; IntuneManagement lists it expanded [IM] [S]",
  windowsQualityUpdatePolicy: "No public evidence that the list expands (a 2024 type); per object [S]",
  mobileThreatDefenseConnector: "No `assignments` navigation [S]",
  roleAssignment: "No `assignments` navigation [S]; its members and scope groups are role-based access, not policy targets",
  reusablePolicySetting: "No `assignments` navigation [S]: referenced by settings catalog policies",
  deviceCategory: "No `assignments` navigation [S]",
  mobileAppCategory: "No `assignments` navigation [S]",
};

const READ_TEXT = { expand: "expand", perObject: "per object", none: "none (notApplicable)", unsupported: "unsupported (unknown)" } as const;

/** The per-type assignments table of docs/policy-types.md §5. */
export function renderAssignmentsTable(): string {
  const count = (mode: keyof typeof READ_TEXT) => POLICY_TYPES.filter((t) => t.assignments === mode).length;
  return [
    row(["Key", "Assignments read", "Why (sources below)"]),
    row(["---", "---", "---"]),
    ...POLICY_TYPES.map((t) => row([t.key, READ_TEXT[t.assignments], ASSIGNMENT_SOURCES[t.key]])),
    "",
    `${count("expand")} expand, ${count("perObject")} per object, ${count("none")} none, ${count("unsupported")} unsupported.`,
  ].join("\n");
}

const row = (cells: string[]) => `| ${cells.join(" | ")} |`;

/** The catalog table of docs/policy-types.md. */
export function renderCatalogTable(): string {
  const lines = [
    row(["Key", "Category", "Graph path (beta)", "Name field", "Platform", "Meta whitelist", "Foundation"]),
    row(["---", "---", "---", "---", "---", "---", "---"]),
    ...POLICY_TYPES.map((t) =>
      row([
        t.key,
        t.category,
        t.graphPath,
        `\`${t.nameField}\``,
        "fixed" in t.platform ? t.platform.fixed : `from \`${t.platform.fromField}\``,
        t.metaKeys.join(", "),
        t.foundation ? "yes" : "",
      ]),
    ),
    "",
    `${POLICY_TYPES.length} types. Single-valued hops a path may take: ${GRAPH_SINGLETON_SEGMENTS.map((s) => `\`${s}\``).join(", ")}.`,
  ];
  return lines.join("\n");
}

/** The considered-and-left-out table of docs/policy-types.md, grouped by reason. */
export function renderLeftOut(): string {
  const kinds = [...new Set(LEFT_OUT.map((l) => l.kind))];
  const lines: string[] = [];
  for (const kind of kinds) {
    lines.push(`**${KIND_TEXT[kind]}**`, "");
    for (const l of LEFT_OUT.filter((x) => x.kind === kind)) lines.push(`- \`${l.graphPath}\` — ${l.reason}`);
    lines.push("");
  }
  return lines.join("\n").trimEnd();
}

export const GENERATED_BLOCKS = {
  // The consent script owns the permission table; this only writes it into the doc.
  "docs/graph-permissions.md": { permissions: permissionTableMarkdown },
  "docs/policy-types.md": { catalog: renderCatalogTable, "left-out": renderLeftOut, assignments: renderAssignmentsTable },
} as const;

const marker = (name: string, edge: "start" | "end") => `<!-- generated:${name}:${edge} (npm run docs:catalog) -->`;

/** Replaces each marked block of `text` with its generated content; throws when a marker is absent. */
export function applyGeneratedBlocks(text: string, blocks: Record<string, () => string>): string {
  let out = text;
  for (const [name, render] of Object.entries(blocks)) {
    const start = marker(name, "start");
    const end = marker(name, "end");
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`missing markers for generated block ${name}`);
    out = `${out.slice(0, from + start.length)}\n${render()}\n${out.slice(to)}`;
  }
  return out;
}

if (require.main === module) {
  const root = join(__dirname, "..");
  for (const [file, blocks] of Object.entries(GENERATED_BLOCKS)) {
    const path = join(root, file);
    writeFileSync(path, applyGeneratedBlocks(readFileSync(path, "utf8"), blocks));
    console.log(`wrote ${file}`);
  }
}
