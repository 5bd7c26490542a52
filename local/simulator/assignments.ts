import type { PolicyTypeKey } from "../../shared/domain";
import { seedOf, seededRandom } from "./random";
import type { GraphObject } from "./seedData";

/**
 * How this stand-in behaves for each collection's assignments — declared here, on its own, and
 * NOT derived from the catalog's `assignments` entry: a wrong catalog entry must fail against
 * the simulator as it would against Graph (docs/policy-types.md "Assignments" cites the sources).
 * - `expand`: `$expand=assignments` on the collection returns every object's list;
 * - `expandEmpty`: the collection accepts the expand but answers empty lists — the known defect
 *   of `deviceManagement/intents` (microsoft-graph-explorer-v4 #2051) and, per IntuneManagement,
 *   of `roleScopeTags` — only `…/{id}/assignments` tells the truth;
 * - `refused`: the collection answers 400 to the expand; `…/{id}/assignments` works;
 * - `none`: the entity has no assignments; both reads are a 400, as Graph answers for an unknown segment.
 */
export type SimulatedAssignments = "expand" | "expandEmpty" | "refused" | "none";

export const SIMULATED_ASSIGNMENTS: Record<PolicyTypeKey, SimulatedAssignments> = {
  deviceConfiguration: "expand",
  settingsCatalogPolicy: "expand",
  groupPolicyConfiguration: "expand",
  deviceCompliancePolicy: "expand",
  compliancePolicy: "expand",
  deviceManagementScript: "expand",
  deviceShellScript: "expand",
  deviceHealthScript: "expand",
  deviceComplianceScript: "expand",
  mobileApp: "expand",
  mobileAppConfiguration: "expand",
  targetedManagedAppConfiguration: "refused",
  iosManagedAppProtection: "refused",
  androidManagedAppProtection: "refused",
  windowsInformationProtectionPolicy: "refused",
  windowsAutopilotDeploymentProfile: "expand",
  deviceEnrollmentConfiguration: "refused",
  windowsFeatureUpdateProfile: "expand",
  windowsQualityUpdateProfile: "expand",
  windowsDriverUpdateProfile: "expand",
  endpointSecurityIntent: "expandEmpty",
  termsAndConditions: "refused",
  assignmentFilter: "none",
  roleScopeTag: "expandEmpty",
  notificationMessageTemplate: "none",
  roleDefinition: "none",
  policySet: "refused",
  hardwareConfiguration: "expand",
  microsoftTunnelConfiguration: "none",
  microsoftTunnelSite: "none",
  cloudPcUserSetting: "expand",
  deviceCustomAttributeShellScript: "expand",
  iosLobAppProvisioningConfiguration: "refused",
  vppToken: "none",
  managedEBook: "refused",
  windowsManagedAppProtection: "refused",
  mdmWindowsInformationProtectionPolicy: "refused",
  intuneBrandingProfile: "expand",
  depOnboardingSetting: "none",
  cloudPcProvisioningPolicy: "expand",
  windowsQualityUpdatePolicy: "refused",
  mobileThreatDefenseConnector: "none",
  roleAssignment: "none",
  reusablePolicySetting: "none",
  deviceCategory: "none",
  mobileAppCategory: "none",
};

/** Groups a tenant assigns to: a small pool, so one group is referenced by many items (dependency lookups). */
export const SIMULATED_GROUP_COUNT = 6;
export const SIMULATED_FILTER_COUNT = 3;

function poolId(tenantId: string, seed: number, kind: string, n: number): string {
  const hex = seedOf(seed, tenantId, kind, n).toString(16).padStart(8, "0");
  return `${hex}-${kind === "group" ? "6000" : "7000"}-4000-8000-${String(n).padStart(12, "0")}`;
}

/** The tenant's group object ids the seed assigns to (deterministic per tenant and seed). */
export function simulatedGroupIds(tenantId: string, seed: number): string[] {
  return Array.from({ length: SIMULATED_GROUP_COUNT }, (_, n) => poolId(tenantId, seed, "group", n));
}

/** The assignment filter ids the seed refers to. */
export function simulatedFilterIds(tenantId: string, seed: number): string[] {
  return Array.from({ length: SIMULATED_FILTER_COUNT }, (_, n) => poolId(tenantId, seed, "filter", n));
}

const APP_INTENTS = ["required", "available", "uninstall"] as const;

/**
 * A Graph-shaped assignment list for one object: 0–3 assignments over every target kind (group
 * include/exclude, all licensed users, all devices), filters in include and exclude mode, app
 * intents on mobile apps. Drawn from its own random stream, so objects seeded before stay the same.
 */
export function seedAssignments(tenantId: string, policyType: PolicyTypeKey, objectId: string, index: number, seed: number): GraphObject[] {
  if (SIMULATED_ASSIGNMENTS[policyType] === "none") return [];
  const rand = seededRandom(seedOf(seed, tenantId, policyType, index, "assignments"));
  const groups = simulatedGroupIds(tenantId, seed);
  const filters = simulatedFilterIds(tenantId, seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const count = Math.floor(rand() * 4);
  // Cloud PC and scope-tag auto-assignment target groups only, each with its own target type.
  const groupsOnly = policyType === "cloudPcProvisioningPolicy" || policyType === "cloudPcUserSetting" || policyType === "roleScopeTag";
  const groupType = policyType.startsWith("cloudPc") ? "cloudPcManagementGroupAssignmentTarget" : "groupAssignmentTarget";
  const out: GraphObject[] = [];
  // Intune keeps one assignment per target: a group (or "all users") is never assigned twice.
  const used = new Set<string>();
  for (let n = 0; n < count; n++) {
    const roll = groupsOnly ? 0 : rand();
    const target: GraphObject =
      roll < 0.5
        ? { "@odata.type": `#microsoft.graph.${groupType}`, groupId: pick(groups) }
        : roll < 0.65
          ? { "@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", groupId: pick(groups) }
          : roll < 0.85
            ? { "@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget" }
            : { "@odata.type": "#microsoft.graph.allDevicesAssignmentTarget" };
    const key = String(target.groupId ?? target["@odata.type"]);
    if (used.has(key)) continue;
    used.add(key);
    if (!groupsOnly) {
      const filterRoll = rand();
      const mode = filterRoll < 0.2 ? "include" : filterRoll < 0.35 ? "exclude" : "none";
      target.deviceAndAppManagementAssignmentFilterId = mode === "none" ? null : pick(filters);
      target.deviceAndAppManagementAssignmentFilterType = mode;
    }
    const assignment: GraphObject = { id: `${objectId}_${n}`, target };
    if (policyType === "mobileApp") assignment.intent = pick(APP_INTENTS);
    out.push(assignment);
  }
  return out;
}
