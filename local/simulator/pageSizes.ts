import type { PolicyTypeKey } from "../../shared/domain";

/**
 * The most objects one page holds per type when the caller sends no (or a larger) `$top`.
 * Settings catalog and the new compliance policies page at 25 in real Graph; the others are
 * simulator choices in the 100–1000 range, so clients cannot get away with assuming one size.
 */
export const PAGE_SIZE_MAX: Record<PolicyTypeKey, number> = {
  deviceConfiguration: 200,
  settingsCatalogPolicy: 25,
  groupPolicyConfiguration: 100,
  deviceCompliancePolicy: 200,
  compliancePolicy: 25,
  deviceManagementScript: 100,
  deviceShellScript: 100,
  deviceHealthScript: 100,
  deviceComplianceScript: 100,
  mobileApp: 100,
  mobileAppConfiguration: 100,
  targetedManagedAppConfiguration: 100,
  iosManagedAppProtection: 100,
  androidManagedAppProtection: 100,
  windowsInformationProtectionPolicy: 100,
  windowsAutopilotDeploymentProfile: 100,
  deviceEnrollmentConfiguration: 100,
  windowsFeatureUpdateProfile: 1_000,
  windowsQualityUpdateProfile: 1_000,
  windowsDriverUpdateProfile: 1_000,
  endpointSecurityIntent: 100,
  termsAndConditions: 1_000,
  assignmentFilter: 1_000,
  roleScopeTag: 1_000,
  notificationMessageTemplate: 1_000,
  roleDefinition: 1_000,
};

/** Listing sizes of a tenant nobody configured: small, but above one settings-catalog page. */
export const DEFAULT_SIZES: Record<PolicyTypeKey, number> = {
  deviceConfiguration: 12,
  settingsCatalogPolicy: 30,
  groupPolicyConfiguration: 4,
  deviceCompliancePolicy: 6,
  compliancePolicy: 3,
  deviceManagementScript: 5,
  deviceShellScript: 2,
  deviceHealthScript: 3,
  deviceComplianceScript: 2,
  mobileApp: 40,
  mobileAppConfiguration: 4,
  targetedManagedAppConfiguration: 2,
  iosManagedAppProtection: 2,
  androidManagedAppProtection: 2,
  windowsInformationProtectionPolicy: 1,
  windowsAutopilotDeploymentProfile: 2,
  deviceEnrollmentConfiguration: 5,
  windowsFeatureUpdateProfile: 2,
  windowsQualityUpdateProfile: 1,
  windowsDriverUpdateProfile: 1,
  endpointSecurityIntent: 4,
  termsAndConditions: 1,
  assignmentFilter: 6,
  roleScopeTag: 3,
  notificationMessageTemplate: 2,
  roleDefinition: 8,
};
