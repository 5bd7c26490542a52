import { describe, expect, it } from "vitest";
import type { PolicyTypeOutcome } from "../../../../shared/domain";
import { STORE_RETRY_DELAYS_MS, createActivities } from "../../../../shared/sync/activities";
import type { EngineServices } from "../../../../shared/sync/activities";
import { silentRunLogger } from "../../../../shared/sync/runEvents";

const outcome = (errorCode: PolicyTypeOutcome["errorCode"]): PolicyTypeOutcome => ({
  policyType: "deviceConfiguration",
  status: errorCode ? "failed" : "success",
  itemsObserved: errorCode ? 0 : 5,
  itemsUpserted: errorCode ? 0 : 5,
  itemsInvalid: 0,
  pages: 1,
  errorCode,
  errorMessage: errorCode,
  durationMs: 1,
});

function activitiesAnswering(answers: PolicyTypeOutcome["errorCode"][]) {
  const waits: number[] = [];
  let calls = 0;
  const services = {
    log: silentRunLogger,
    now: () => new Date(),
    sleep: async (ms: number) => {
      waits.push(ms);
    },
    syncPolicyType: async () => outcome(answers[Math.min(calls++, answers.length - 1)] ?? null),
  } as unknown as EngineServices;
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
