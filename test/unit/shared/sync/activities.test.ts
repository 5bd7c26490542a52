import { describe, expect, it } from "vitest";
import { CodedError } from "../../../../shared/domain";
import type { RunErrorCode } from "../../../../shared/domain";
import type { GraphPageSource } from "../../../../shared/graph/pageIterator";
import type { ItemWriter, Stores } from "../../../../shared/store/ports";
import { STORE_RETRY_DELAYS_MS, createActivities } from "../../../../shared/sync/activities";
import type { SyncServices } from "../../../../shared/sync/activities";
import { silentRunLogger } from "../../../../shared/sync/runEvents";

/**
 * Each enumeration attempt answers the next code of `answers` (the last one repeats): a Graph
 * code fails the page listing, a store code fails the writer's final flush, null succeeds.
 */
function activitiesAnswering(answers: (RunErrorCode | null)[]) {
  const waits: number[] = [];
  let calls = 0;
  const next = () => answers[Math.min(calls++, answers.length - 1)] ?? null;
  let current: RunErrorCode | null = null;
  const graph: GraphPageSource = {
    async *pages() {
      current = next();
      if (current?.startsWith("GRAPH_")) throw new CodedError(current, "graph said no");
      yield { values: [{ id: "a", displayName: "A", "@odata.type": "#microsoft.graph.windows10GeneralConfiguration" }], pageNumber: 1 };
    },
    assignmentsOf: async () => [],
  };
  const writer: ItemWriter = {
    add: async () => undefined,
    flush: async () => undefined,
    async close() {
      if (current?.startsWith("STORE_")) throw new CodedError(current, "store said no");
      return { upserted: 1 };
    },
  };
  const services = {
    // No earlier run of the selection: the type has no change window yet.
    stores: { items: { createWriter: () => writer }, runs: { completedOutlines: async () => [] } } as unknown as Stores,
    settings: { CHANGES_RETENTION_DAYS: 90 },
    log: silentRunLogger,
    now: () => new Date(),
    graphFor: () => graph,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
  } as unknown as SyncServices;
  return { activities: createActivities(services), waits, calls: () => calls };
}

const input = { tenantId: "t", runId: "r", selectionHash: "h", policyType: "deviceConfiguration", correlationId: "c" };

describe("syncPolicyType activity", () => {
  it("enumerates a type again after a brief store outage and reports the successful attempt", async () => {
    const { activities, waits, calls } = activitiesAnswering(["STORE_UNAVAILABLE", "STORE_THROTTLED", null]);
    expect(await activities.syncPolicyType(input)).toMatchObject({ status: "success", errorCode: null });
    expect(calls()).toBe(3);
    expect(waits).toEqual(STORE_RETRY_DELAYS_MS);
  });

  it("gives up after its attempts and keeps the store's code", async () => {
    const { activities, calls } = activitiesAnswering(["STORE_UNAVAILABLE"]);
    expect(await activities.syncPolicyType(input)).toMatchObject({ status: "failed", errorCode: "STORE_UNAVAILABLE" });
    expect(calls()).toBe(1 + STORE_RETRY_DELAYS_MS.length);
  });

  it("does not repeat a Graph failure the client already retried", async () => {
    const { activities, calls } = activitiesAnswering(["GRAPH_THROTTLED", null]);
    expect(await activities.syncPolicyType(input)).toMatchObject({ errorCode: "GRAPH_THROTTLED" });
    expect(calls()).toBe(1);
  });
});
