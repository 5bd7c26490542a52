import { describe, expect, it } from "vitest";
import { MAX_RUN_ERRORS, RunDocumentSchema, aggregateRun, fail, finish, newRun, normaliseSelection, selectionHash, skip, startRunning } from "../../../../shared/domain";
import type { PolicyTypeOutcome } from "../../../../shared/domain";

const ok = (
  policyType: PolicyTypeOutcome["policyType"],
  observed = 10,
  extra: Partial<PolicyTypeOutcome> = {},
): PolicyTypeOutcome => ({
  policyType,
  status: "success",
  itemsObserved: observed,
  itemsUpserted: observed,
  itemsInvalid: 0,
  itemsCreated: 0,
  pages: 1,
  errorCode: null,
  errorMessage: null,
  durationMs: 5,
  ...extra,
});
const failed = (
  policyType: PolicyTypeOutcome["policyType"],
  errorCode: PolicyTypeOutcome["errorCode"],
  extra: Partial<PolicyTypeOutcome> = {},
) => ok(policyType, 0, { status: "failed", errorCode, errorMessage: `${errorCode} happened`, ...extra });

describe("aggregateRun", () => {
  it("is success without errors when every type was enumerated completely", () => {
    const run = aggregateRun([ok("deviceConfiguration", 3), ok("mobileApp", 4)]);
    expect(run).toMatchObject({
      status: "success",
      hadErrors: false,
      counts: { itemsObserved: 7, itemsUpserted: 7, errors: 0 },
      errorCodes: [],
      errors: [],
    });
    expect(run.policyTypes.map((p) => p.policyType)).toEqual(["deviceConfiguration", "mobileApp"]);
    expect(run.policyTypes[0]).not.toHaveProperty("errorMessage");
  });

  it("is partial when at least one type succeeded and one failed", () => {
    const run = aggregateRun([ok("deviceConfiguration"), failed("mobileApp", "GRAPH_FORBIDDEN")]);
    expect(run.status).toBe("partial");
    expect(run.hadErrors).toBe(true);
    expect(run.errors).toEqual([
      { code: "GRAPH_FORBIDDEN", policyType: "mobileApp", message: "GRAPH_FORBIDDEN happened" },
    ]);
    expect(run.counts.errors).toBe(1);
  });

  it("is failed when no type succeeded", () => {
    const run = aggregateRun([
      failed("deviceConfiguration", "GRAPH_THROTTLED"),
      failed("mobileApp", "GRAPH_UNAVAILABLE"),
    ]);
    expect(run.status).toBe("failed");
    expect(run.errorCodes).toEqual(["GRAPH_THROTTLED", "GRAPH_UNAVAILABLE"]);
  });

  it("is failed on a run-level failure even when types succeeded, and counts it", () => {
    const run = aggregateRun([ok("deviceConfiguration")], {
      code: "CREDENTIAL_UNAVAILABLE",
      message: "no credential",
    });
    expect(run.status).toBe("failed");
    expect(run.hadErrors).toBe(true);
    expect(run.errors[0]).toEqual({ code: "CREDENTIAL_UNAVAILABLE", message: "no credential" });
    expect(run.counts.errors).toBe(1);
    expect(aggregateRun([], { code: "CREDENTIAL_UNAVAILABLE", message: "x" }).status).toBe("failed");
  });

  it("stays success but hadErrors when objects failed the contract, counting each invalid object", () => {
    const run = aggregateRun([ok("deviceConfiguration", 10, { itemsInvalid: 2 })]);
    expect(run.status).toBe("success");
    expect(run.hadErrors).toBe(true);
    expect(run.counts.errors).toBe(2);
    expect(run.errorCodes).toEqual(["ITEM_INVALID"]);
  });

  it("lists each error code once, sorted, and caps the stored errors", () => {
    const types = ["deviceConfiguration", "mobileApp", "roleScopeTag", "deviceShellScript"] as const;
    const outcomes = Array.from({ length: 60 }, (_, i) =>
      failed(types[i % types.length]!, i % 2 ? "GRAPH_TIMEOUT" : "GRAPH_FORBIDDEN", {
        itemsInvalid: i === 0 ? 1 : 0,
      }),
    );
    const run = aggregateRun(outcomes);
    expect(run.errorCodes).toEqual(["GRAPH_FORBIDDEN", "GRAPH_TIMEOUT", "ITEM_INVALID"]);
    expect(run.errors).toHaveLength(MAX_RUN_ERRORS);
    expect(run.counts.errors).toBe(61);
  });

  it("is success for an empty scope", () => {
    expect(aggregateRun([])).toMatchObject({
      status: "success",
      hadErrors: false,
      counts: { itemsObserved: 0, itemsUpserted: 0, errors: 0 },
    });
  });
});

describe("the run lifecycle", () => {
  const at = "2026-01-02T03:04:05.000Z";
  const queued = () =>
    newRun({
      id: "run-1",
      tenantId: "t",
      selection: { categories: ["compliance"], policyTypes: ["deviceConfiguration"] },
      trigger: "http",
      correlationId: "c",
      requestedAt: at,
      leaseUntil: "2026-01-02T04:04:05.000Z",
      orchestrationInstanceId: "run-1",
    });

  it("queues a run with its selection normalised, hashed and its scope fixed", () => {
    const run = queued();
    expect(run).toMatchObject({ status: "queued", startedAt: null, finishedAt: null, hadErrors: false, errors: [] });
    expect(run.selectionHash).toBe(selectionHash(normaliseSelection({ categories: ["compliance"], policyTypes: ["deviceConfiguration"] })));
    expect(run.scope).toContain("deviceConfiguration");
    expect(RunDocumentSchema.parse(run)).toEqual(run);
  });

  it("starts running once and keeps the first start time when renewed", () => {
    const first = startRunning(queued(), new Date(at), 60)!;
    expect(first).toMatchObject({ status: "running", startedAt: at, leaseUntil: "2026-01-02T03:05:05.000Z" });
    const renewed = startRunning(first, new Date("2026-01-02T03:10:00.000Z"), 60)!;
    expect(renewed.startedAt).toBe(at);
    expect(renewed.leaseUntil).toBe("2026-01-02T03:11:00.000Z");
  });

  it("never moves a terminal run again", () => {
    const done = finish(startRunning(queued(), new Date(at), 60)!, [ok("deviceConfiguration")], at)!;
    expect(done.status).toBe("success");
    expect(startRunning(done, new Date(at), 60)).toBeNull();
    expect(skip(done, { code: "LOCK_HELD", message: "x" }, at)).toBeNull();
    expect(fail(done, { code: "INTERNAL_ERROR", message: "x" }, at)).toBeNull();
    expect(finish(done, [], at)).toBeNull();
  });

  it("leaves no terminal run holding a lease, whichever way it ended", () => {
    const running = startRunning(queued(), new Date(at), 60)!;
    for (const ended of [
      finish(running, [ok("deviceConfiguration")], at),
      fail(queued(), { code: "INTERNAL_ERROR", message: "could not start the orchestration" }, at),
      fail(running, { code: "INTERNAL_ERROR", message: "lease passed" }, at),
      skip(queued(), { code: "LOCK_HELD", message: "held" }, at, "run-0"),
    ]) {
      expect(ended?.leaseUntil).toBeNull();
      expect(ended?.finishedAt).toBe(at);
    }
  });

  it("records a skip with its code and the active run", () => {
    expect(skip(queued(), { code: "LOCK_HELD", message: "held" }, at, "run-0")).toMatchObject({
      status: "skipped",
      hadErrors: true,
      errorCodes: ["LOCK_HELD"],
      activeRunId: "run-0",
      counts: { itemsObserved: 0, itemsUpserted: 0, errors: 1 },
    });
  });

  it("keeps at most MAX_RUN_ERRORS errors when a run fails after many", () => {
    const noisy = { ...startRunning(queued(), new Date(at), 60)!, errors: Array.from({ length: MAX_RUN_ERRORS }, () => ({ code: "GRAPH_FORBIDDEN" as const, message: "no" })) };
    const failed = fail(noisy, { code: "INTERNAL_ERROR", message: "lease passed" }, at)!;
    expect(failed.errors).toHaveLength(MAX_RUN_ERRORS);
    expect(failed.errorCodes).toEqual(["INTERNAL_ERROR"]);
    expect(failed.counts.errors).toBe(noisy.counts.errors + 1);
  });
});
