/**
 * Two simulated tenants with hand-written listings — a gold tenant and a customer — for the
 * compare and drift tests: every other type is empty, so each row of a report is one the test
 * wrote down. Objects are shaped as Graph returns them (`@odata.type`, timestamps, version,
 * scope tag ids), so the volatile and tenant-specific fields are really there to be ignored.
 */
import { expect } from "vitest";
import { POLICY_TYPE_KEYS } from "../../shared/domain";
import type { PolicyTypeKey } from "../../shared/domain";
import type { DemoTenant } from "../../local/host/demoTenants";
import type { GraphObject } from "../../local/simulator";
import { followLocation, http, syncUrl } from "./hostFixture";
import type { E2eHost } from "./hostFixture";

export const GOLD = "11111111-aaaa-4aaa-8aaa-111111111111";
export const CUSTOMER = "22222222-bbbb-4bbb-8bbb-222222222222";
const EMPTY = Object.fromEntries(POLICY_TYPE_KEYS.map((k) => [k, 0])) as Record<PolicyTypeKey, number>;
export const GOLD_TENANTS: DemoTenant[] = [
  { tenantId: GOLD, displayName: "Gold Tenant", sizes: EMPTY },
  { tenantId: CUSTOMER, displayName: "Customer Tenant", sizes: EMPTY },
];

let counter = 0;
/** A Windows device configuration as Graph lists it; `overrides` win. */
export function deviceConfiguration(displayName: string, overrides: GraphObject = {}): GraphObject {
  counter += 1;
  return {
    "@odata.type": "#microsoft.graph.windows10GeneralConfiguration",
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
    displayName,
    description: `${displayName} (standard)`,
    createdDateTime: "2024-01-01T00:00:00Z",
    lastModifiedDateTime: "2024-02-01T00:00:00Z",
    version: 1,
    roleScopeTagIds: ["0"],
    ...overrides,
  };
}

/** A settings catalog policy (named by `name`, platforms as text). */
export function settingsCatalogPolicy(name: string, overrides: GraphObject = {}): GraphObject {
  counter += 1;
  return {
    "@odata.type": "#microsoft.graph.deviceManagementConfigurationPolicy",
    id: `10000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
    name,
    description: "",
    platforms: "windows10",
    technologies: "mdm",
    settingCount: 4,
    isAssigned: true,
    createdDateTime: "2024-01-01T00:00:00Z",
    lastModifiedDateTime: "2024-01-01T00:00:00Z",
    roleScopeTagIds: ["0"],
    ...overrides,
  };
}

export function addObjects(e2e: E2eHost, tenantId: string, policyType: PolicyTypeKey, objects: GraphObject[]): void {
  const simulator = e2e.host.stack.simulator;
  if (!simulator) throw new Error("the e2e host runs no simulator");
  simulator.control.mutate(tenantId, policyType, { add: objects });
}

/** POST a sync and follow its Location to the end; returns the finished run. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function syncAndWait(e2e: E2eHost, tenantId: string, selection: object = {}): Promise<any> {
  const accepted = await http("POST", syncUrl(e2e.baseUrl, tenantId), { json: selection });
  expect(accepted.status, accepted.text).toBe(202);
  const { final } = await followLocation(accepted.headers.get("location")!, { timeoutMs: 60_000 });
  expect(final.status, final.text).toBe(200);
  return final.body;
}
