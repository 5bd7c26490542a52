import type { PolicyTypeKey } from "../../shared/domain";
import type { Stores } from "../../shared/store/ports";
import { DEFAULT_SIZES } from "../simulator";
import type { GraphSimulator, SimulatorTenantConfig } from "../simulator";

/**
 * The two tenants the local host registers when it serves Graph from the embedded simulator, so
 * `npm start` and `npm run demo` have something to sync with no set-up. Fixed ids (so scripts,
 * curl examples and a persisted registry keep working across restarts) and different sizes (so
 * the two runs do not look alike: Fabrikam pages through settings catalog and apps).
 */
export interface DemoTenant {
  tenantId: string;
  displayName: string;
  sizes: Partial<Record<PolicyTypeKey, number>>;
}

export const CONTOSO_DEMO: DemoTenant = {
  tenantId: "3f9b6c1e-5d2a-4c8e-9a7b-0c1d2e3f4a51",
  displayName: "Contoso Demo",
  // Small; few apps, so a demo that breaks the app type prints a short missing list.
  sizes: { ...DEFAULT_SIZES, mobileApp: 6 },
};

export const FABRIKAM_DEMO: DemoTenant = {
  tenantId: "8a2d4e6f-1b3c-4d5e-8f70-a1b2c3d4e5f6",
  displayName: "Fabrikam Demo",
  sizes: {
    ...DEFAULT_SIZES,
    deviceConfiguration: 60,
    settingsCatalogPolicy: 110,
    deviceCompliancePolicy: 18,
    compliancePolicy: 30,
    mobileApp: 150,
    deviceEnrollmentConfiguration: 9,
    endpointSecurityIntent: 12,
    policySet: 5,
    cloudPcProvisioningPolicy: 4,
    intuneBrandingProfile: 3,
    roleAssignment: 7,
  },
};

export const DEMO_TENANTS: readonly DemoTenant[] = [CONTOSO_DEMO, FABRIKAM_DEMO];

/**
 * Registers the demo tenants that are absent from the registry, and only those: a registration
 * that exists (renamed, disabled, other nightly selections — in a persisted or configured store)
 * is the user's and is left alone. Returns the ids it registered.
 */
export async function seedDemoTenants(
  tenants: Stores["tenants"],
  demo: readonly DemoTenant[] = DEMO_TENANTS,
  now: Date = new Date(),
): Promise<string[]> {
  const registered: string[] = [];
  for (const t of demo) {
    if (await tenants.get(t.tenantId)) continue;
    await tenants.put({ tenantId: t.tenantId, displayName: t.displayName, enabled: true, selections: [] }, now.toISOString());
    registered.push(t.tenantId);
  }
  return registered;
}

/**
 * Makes sure the embedded simulator answers for every tenant the registry knows. The simulator
 * starts empty on every start, while a persisted registry may hold tenants added in an earlier
 * session (or by `tenants add`): those get a simulated tenant of the default sizes, so a sync of a
 * registered tenant never fails just because the simulator forgot it.
 */
export class SimulatedTenants {
  private readonly known = new Set<string>();

  constructor(private readonly simulator: GraphSimulator) {}

  add(tenantId: string, config?: SimulatorTenantConfig): void {
    const id = tenantId.toLowerCase();
    if (this.known.has(id)) return;
    this.simulator.control.addTenant(id, config);
    this.known.add(id);
  }

  has(tenantId: string): boolean {
    return this.known.has(tenantId.toLowerCase());
  }
}
