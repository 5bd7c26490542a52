import { describe, expect, it } from "vitest";
import { RequestLog } from "../../../../local/simulator/requestLog";

const entry = (n: number) => ({ method: "GET", path: `/beta/p${n}`, query: "", tenantId: "t1", policyType: null, hadAuthorization: true, startedAt: n });

describe("simulator request log", () => {
  it("keeps at most a quarter over its capacity, dropping the oldest entries, while the concurrency maxima stay exact", () => {
    const log = new RequestLog(100);
    for (let n = 0; n < 1_000; n++) log.begin(entry(n), () => n)(200);
    expect(log.count()).toBeLessThanOrEqual(125);
    expect(log.count()).toBeGreaterThanOrEqual(100);
    expect(log.entries().at(-1)?.path).toBe("/beta/p999");
    expect(log.dropped + log.count()).toBe(1_000);
    expect(log.maxConcurrency("t1")).toBe(1);
  });
});
