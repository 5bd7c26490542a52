import { INTUNE_THROTTLE } from "../local/simulator";
import { startLocalStack } from "../local/runtime/localStack";
import type { LocalStack } from "../local/runtime/localStack";
import type { Scenario } from "./scenarios";
import { LATENCY, RETRY_AFTER_SECONDS, benchTenantId, planThrottledPages } from "./scenarios";

/**
 * A fresh local stack for one scenario (or its baseline): the in-process Cosmos-compatible
 * server, Azurite tables and the Graph simulator serving the scenario's tenants, with the
 * scenario's latency, throttle and planned 429s. Only loopback; nothing configured leaks in
 * from the caller's environment (the bench passes its own env).
 */
export async function startScenarioStack(scenario: Scenario): Promise<{ stack: LocalStack; tenantIds: string[] }> {
  const tenantIds = Array.from({ length: scenario.tenants }, (_, i) => benchTenantId(i));
  const stack = await startLocalStack({
    env: {
      SYNC_MAX_CONCURRENT_RUNS: String(scenario.globalLimit),
      SYNC_MAX_CONCURRENT_RUNS_PER_TENANT: String(scenario.perTenantLimit),
      SYNC_MAX_PARALLEL_TYPES: String(scenario.parallelTypes),
      GRAPH_REQUEST_TIMEOUT_MS: "30000",
      GRAPH_MAX_ATTEMPTS: "6",
    },
    simulatorTenants: Object.fromEntries(tenantIds.map((id, i) => [id, { sizes: scenario.sizes, seed: 1_000 + i }])),
    simulator: {
      latencyMs: LATENCY.ms,
      latencyJitterMs: LATENCY.jitterMs,
      throttle: scenario.intuneThrottle ? INTUNE_THROTTLE : false,
    },
    engine: {
      // Activities in flight bounded by the engine's own limits, as on an app scaled out to
      // enough instances (see docs/performance.md); one Functions instance runs 16.
      driver: { maxConcurrentActivities: scenario.globalLimit * scenario.parallelTypes, log: (level, ...args) => (level === "error" ? console.error(...args) : undefined) },
    },
  });
  const simulator = stack.simulator;
  if (!simulator) throw new Error("the bench needs the embedded Graph simulator (unset GRAPH_BASE_URL)");
  for (const tenantId of tenantIds) {
    for (const fault of planThrottledPages(scenario.sizes, scenario.throttledShare)) {
      simulator.control.fault(tenantId, fault.policyType, { status: 429, onPage: fault.page, times: 1, retryAfter: RETRY_AFTER_SECONDS });
    }
  }
  return { stack, tenantIds };
}

/**
 * Inventory documents stored per tenant, in one cross-partition query. Only for single-tenant
 * scenarios: the in-process server scans (and copies) the whole container for every query, and
 * beyond ~20,000 documents that grows worse than linearly (measured: COUNT over 6,000 docs
 * 0.15 s, over 20,000 docs 5.4 s), so the nightly reads its figures from the run documents.
 */
export async function storedItemCounts(stack: LocalStack): Promise<Map<string, number>> {
  const { items } = await stack.stores.containers();
  const { resources } = await items.items
    .query<{ tenantId: string }>("SELECT c.tenantId FROM c WHERE c.docType = 'item'", { maxItemCount: 100_000 })
    .fetchAll();
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.tenantId, (counts.get(r.tenantId) ?? 0) + 1);
  return counts;
}

/** Every run document's tenant and status, in one cross-partition query. */
export async function runStatuses(stack: LocalStack): Promise<{ tenantId: string; status: string; itemsUpserted: number; errorCodes: string[] }[]> {
  const { runs } = await stack.stores.containers();
  const { resources } = await runs.items
    .query<{ tenantId: string; status: string; itemsUpserted: number; errorCodes: string[] }>(
      "SELECT c.tenantId, c.status, c.counts.itemsUpserted, c.errorCodes FROM c WHERE c.docType = 'run'",
      { maxItemCount: 100_000 },
    )
    .fetchAll();
  return resources;
}
