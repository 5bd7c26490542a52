import { randomUUID } from "node:crypto";
import { POLICY_TYPES, normaliseGraphObject } from "../shared/domain";
import type { JSONObject } from "@azure/cosmos";
import { createGraphClient } from "../shared/graph";
import { mergeObservation } from "../shared/store";
import type { Scenario } from "./scenarios";
import { startScenarioStack, storedItemCounts } from "./stack";

/** What the sequential baseline measured, and how it reached the whole scenario. */
export interface BaselineMeasurement {
  /** For the whole scenario: measured, or extrapolated from the sample. */
  wallMs: number;
  measuredMs: number;
  sampledTenants: number;
  totalTenants: number;
  extrapolated: boolean;
  itemsStored: number;
  graphCalls: number;
}

/**
 * What a naive implementation does: one tenant after another, one policy type at a time,
 * every page in turn, and one awaited `container.items.upsert` per object — no fan-out, no
 * write-behind, no bulk. Same Graph client (same retries), same data, same store, same item
 * documents as the engine writes (a blind upsert of `mergeObservation(…, null)`).
 *
 * A sequential nightly takes the sum of its tenants, so it runs `baselineSampleTenants` of them
 * and extrapolates linearly (tenants are alike); the output says so.
 */
export async function measureBaseline(scenario: Scenario): Promise<BaselineMeasurement> {
  const scenarioStack = await startScenarioStack(scenario);
  const { stack, standIns, tenantIds } = scenarioStack;
  try {
    const { items: container } = await stack.stores.containers();
    const sample = tenantIds.slice(0, Math.max(1, Math.min(scenario.baselineSampleTenants, tenantIds.length)));
    const started = performance.now();
    for (const tenantId of sample) {
      const graph = createGraphClient({ settings: stack.settings, tenantId });
      const ctx = { tenantId, runId: randomUUID(), selectionHash: "b".repeat(64), observedAt: new Date().toISOString() };
      for (const def of POLICY_TYPES) {
        for await (const page of graph.pages(def)) {
          for (const raw of page.values) {
            const result = normaliseGraphObject(def.key, raw);
            if (!result.ok) continue;
            await container.items.upsert(mergeObservation(ctx, result.item, null) as unknown as JSONObject);
          }
        }
      }
    }
    const measuredMs = performance.now() - started;
    const counts = await storedItemCounts(stack);
    const itemsStored = sample.reduce((n, t) => n + (counts.get(t) ?? 0), 0);
    const extrapolated = sample.length < tenantIds.length;
    return {
      wallMs: Math.round(extrapolated ? (measuredMs * tenantIds.length) / sample.length : measuredMs),
      measuredMs: Math.round(measuredMs),
      sampledTenants: sample.length,
      totalTenants: tenantIds.length,
      extrapolated,
      itemsStored,
      graphCalls: (await standIns.simulator.logSummary()).requests,
    };
  } finally {
    await scenarioStack.close();
  }
}
