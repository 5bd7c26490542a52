import { POLICY_TYPE_KEYS } from "../shared/domain";
import type { PolicyTypeKey } from "../shared/domain";
import { seededRandom } from "../local/simulator/random";
import { PAGE_SIZE_MAX } from "../local/simulator";
import { pagesNeeded } from "./floor";

/** Graph latency of every bench call: uniform in [60, 100] ms, so the median is 80 ms. */
export const LATENCY = { ms: 60, jitterMs: 40, medianMs: 80 } as const;

/**
 * The services' published limits and costs the nightly's floors are computed from
 * (docs/performance.md cites the sources): Intune's budget per app per tenant, Graph's global
 * limit per app, a serverless Cosmos container's throughput, the infra's default autoscale
 * maximum, and request units per item in steady state (a read, then a replace; ~8 on first sight).
 */
export const SERVICE_LIMITS = {
  intuneBudget: { requests: 1_000, windowMs: 20_000 },
  graphGlobalBudget: { requests: 130_000, windowMs: 10_000 },
  cosmosServerlessRuPerSecond: 5_000,
  cosmosAutoscaleDefaultRuPerSecond: 1_000,
  ruPerItem: 11,
} as const;

/** Tenant counts the docs compare the nightly's floors at. */
export const FLOOR_TENANT_COUNTS = [50, 200, 500] as const;

/** What a throttled Graph tells the client to wait (Retry-After, seconds). */
export const RETRY_AFTER_SECONDS = 1;

export type Sizes = Record<PolicyTypeKey, number>;

export interface Scenario {
  name: string;
  kind: "single" | "nightly";
  tenants: number;
  /** Objects per type of each tenant. */
  sizes: Sizes;
  globalLimit: number;
  perTenantLimit: number;
  parallelTypes: number;
  /** The simulator's Intune-like budget (1,000 requests / 20 s per tenant). */
  intuneThrottle: boolean;
  /** Share of page requests answered 429 (Retry-After) once before they succeed. */
  throttledShare: number;
  /** Tenants the sequential baseline runs before it extrapolates to all of them. */
  baselineSampleTenants: number;
  /**
   * Every tenant is assigned one baseline (the first tenant's 300 objects), so each run ends with
   * the drift post-run step: the nightly's cost of drift is this scenario's wall time against
   * the plain nightly's.
   */
  driftBaseline?: boolean;
}

/**
 * A tenant of `total` objects over the full catalog (foundations included): 30 % settings
 * catalog (pages of 25), 20 % mobile apps, the rest spread evenly over the other types.
 */
export function catalogSizes(total: number): Sizes {
  const settingsCatalog = Math.round(total * 0.3);
  const mobileApps = Math.round(total * 0.2);
  const others = POLICY_TYPE_KEYS.filter((k) => k !== "settingsCatalogPolicy" && k !== "mobileApp");
  const rest = total - settingsCatalog - mobileApps;
  const each = Math.floor(rest / others.length);
  let remainder = rest - each * others.length;
  const sizes = { settingsCatalogPolicy: settingsCatalog, mobileApp: mobileApps } as Sizes;
  for (const key of others) {
    sizes[key] = each + (remainder > 0 ? 1 : 0);
    remainder -= 1;
  }
  return sizes;
}

export interface ScenarioOverrides {
  /** A smaller (or larger) nightly while developing; the full bench uses 200. */
  nightlyTenants?: number;
}

export function benchScenarios(quick: boolean, overrides: ScenarioOverrides = {}): Scenario[] {
  const base = { globalLimit: 20, perTenantLimit: 2, parallelTypes: 8, intuneThrottle: false, throttledShare: 0 };
  const large = quick ? 1_000 : 10_000;
  return [
    { ...base, name: "small", kind: "single", tenants: 1, sizes: catalogSizes(quick ? 100 : 300), baselineSampleTenants: 1 },
    { ...base, name: "10k", kind: "single", tenants: 1, sizes: catalogSizes(large), baselineSampleTenants: 1 },
    {
      ...base,
      name: "nightly",
      kind: "nightly",
      tenants: overrides.nightlyTenants ?? (quick ? 10 : 200),
      globalLimit: quick ? 5 : 20,
      sizes: catalogSizes(quick ? 100 : 300),
      baselineSampleTenants: quick ? 2 : 10,
    },
    {
      ...base,
      name: "nightly-drift",
      kind: "nightly",
      tenants: overrides.nightlyTenants ?? (quick ? 10 : 200),
      globalLimit: quick ? 5 : 20,
      sizes: catalogSizes(quick ? 100 : 300),
      baselineSampleTenants: quick ? 2 : 10,
      driftBaseline: true,
    },
    {
      ...base,
      name: "throttled",
      kind: "single",
      tenants: 1,
      sizes: catalogSizes(large),
      intuneThrottle: true,
      throttledShare: 0.1,
      baselineSampleTenants: 1,
    },
  ];
}

export const benchTenantId = (index: number) => `00000000-0000-4000-8000-${String(index + 1).padStart(12, "0")}`;

export interface PlannedFault {
  policyType: PolicyTypeKey;
  page: number;
}

/**
 * Which page requests answer 429 once: exactly round(share × pages) of them, drawn without
 * replacement by a seeded shuffle over every (type, page) of the tenant — the same pages on
 * every run, so the floor (which includes their Retry-After) is known in advance.
 */
export function planThrottledPages(sizes: Sizes, share: number, seed = 429): PlannedFault[] {
  if (share <= 0) return [];
  const pages = pagesNeeded(sizes, PAGE_SIZE_MAX);
  const all: PlannedFault[] = [];
  for (const key of POLICY_TYPE_KEYS) for (let page = 1; page <= (pages[key] ?? 0); page++) all.push({ policyType: key, page });
  const rand = seededRandom(seed);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j] as PlannedFault, all[i] as PlannedFault];
  }
  return all.slice(0, Math.round(all.length * share));
}

export function retriesPerType(faults: readonly PlannedFault[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of faults) out[f.policyType] = (out[f.policyType] ?? 0) + 1;
  return out;
}
