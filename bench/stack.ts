import { INTUNE_THROTTLE } from "../local/simulator";
import { startLocalStack } from "../local/runtime/localStack";
import type { LocalStack } from "../local/runtime/localStack";
import { startStandInProcesses } from "../local/standIns";
import { createStructuredLogger } from "../shared/observability";
import type { StandInProcesses } from "../local/standIns";
import type { Scenario } from "./scenarios";
import { LATENCY, RETRY_AFTER_SECONDS, benchTenantId, planThrottledPages } from "./scenarios";

export interface ScenarioStack {
  /** The sync's side: settings, stores and the engine on the local driver, in this process. */
  stack: LocalStack;
  /** The Cosmos-compatible server, Azurite tables and the Graph simulator, each in a child process. */
  standIns: StandInProcesses;
  tenantIds: string[];
  /** Graph retries the engine reported (InventoryGraphRetry), by status: "0" is a timeout or broken connection. */
  graphRetries: Record<string, number>;
  close(): Promise<void>;
}

/**
 * A fresh stack for one scenario (or its baseline): the Cosmos-compatible server, Azurite tables
 * and the Graph simulator serving the scenario's tenants — with the scenario's latency, throttle
 * and planned 429s — each in a process of its own on loopback, as the remote services they
 * stand in for; the engine in this process. Nothing configured leaks in from the caller's
 * environment (the bench passes its own env).
 */
export async function startScenarioStack(scenario: Scenario): Promise<ScenarioStack> {
  const tenantIds = Array.from({ length: scenario.tenants }, (_, i) => benchTenantId(i));
  const standIns = await startStandInProcesses({
    graph: {
      tenants: Object.fromEntries(tenantIds.map((id, i) => [id, { sizes: scenario.sizes, seed: 1_000 + i }])),
      latencyMs: LATENCY.ms,
      latencyJitterMs: LATENCY.jitterMs,
      throttle: scenario.intuneThrottle ? INTUNE_THROTTLE : false,
    },
  });
  const graphRetries: Record<string, number> = {};
  // The engine's own account of every retried Graph request: why a page was asked for twice.
  const logger = createStructuredLogger((_level, _message, properties) => {
    if (properties.eventName === "InventoryGraphRetry") {
      const status = String(properties.statusCode);
      graphRetries[status] = (graphRetries[status] ?? 0) + 1;
    }
  });
  try {
    const stack = await startLocalStack({
      logger,
      env: {
        ...standIns.env,
        SYNC_MAX_CONCURRENT_RUNS: String(scenario.globalLimit),
        SYNC_MAX_CONCURRENT_RUNS_PER_TENANT: String(scenario.perTenantLimit),
        SYNC_MAX_PARALLEL_TYPES: String(scenario.parallelTypes),
        GRAPH_REQUEST_TIMEOUT_MS: "30000",
        GRAPH_MAX_ATTEMPTS: "6",
      },
      trustLoopbackCosmosCertificate: true,
      engine: {
        // Activities in flight bounded by the engine's own limits, as on an app scaled out to
        // enough instances (see docs/performance.md); one Functions instance runs 16.
        driver: { maxConcurrentActivities: scenario.globalLimit * scenario.parallelTypes, log: (level, ...args) => (level === "error" ? console.error(...args) : undefined) },
      },
    });
    for (const tenantId of tenantIds) {
      for (const fault of planThrottledPages(scenario.sizes, scenario.throttledShare)) {
        await standIns.simulator.fault(tenantId, fault.policyType, { status: 429, onPage: fault.page, times: 1, retryAfter: RETRY_AFTER_SECONDS });
      }
    }
    return {
      stack,
      standIns,
      tenantIds,
      graphRetries,
      async close() {
        await stack.close();
        await standIns.stop();
      },
    };
  } catch (error) {
    await standIns.stop();
    throw error;
  }
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
