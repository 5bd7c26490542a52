import { describe, expect, it, vi } from "vitest";
import {
  EVENT_INVALID_MESSAGE,
  EVENT_NAMES,
  EVENT_SCHEMAS,
  REDACTED_VALUE,
  createMemoryLogSink,
  createStructuredLogger,
  eventFields,
  formatEventLine,
  inInvocation,
  invocationContextSink,
  invocationScopedSink,
  joinErrorCodes,
} from "../../../../shared/observability";
import type { EventName, EventProperties } from "../../../../shared/observability";

const tenantId = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";
const selectionHash = "a".repeat(64);
const runId = "run-0001";
const correlationId = "corr-42";

/** One valid sample per event of the catalog: a new event without a sample fails the suite. */
const SAMPLES: { [N in EventName]: EventProperties<N> } = {
  InventoryAfterRunStepFailed: { tenantId, runId, selectionHash, correlationId, trigger: "timer", step: "tenantSummary", errorCode: "STORE_UNAVAILABLE" },
  InventoryRunQueued: { tenantId, runId, selectionHash, correlationId, trigger: "http", status: "queued", policyTypeCount: 22 },
  InventoryRunRunning: {
    tenantId,
    runId,
    selectionHash,
    correlationId,
    trigger: "timer",
    status: "running",
    policyTypeCount: 22,
    durationMs: 850,
  },
  InventoryRunFinalized: {
    tenantId,
    runId,
    selectionHash,
    correlationId,
    trigger: "http",
    status: "partial",
    durationMs: 42_000,
    itemsObserved: 1200,
    itemsUpserted: 1190,
    errors: 2,
    hadErrors: true,
    policyTypeCount: 22,
    policyTypesFailed: 1,
    errorCode: "GRAPH_FORBIDDEN",
    errorCodes: joinErrorCodes(["GRAPH_FORBIDDEN", "ITEM_INVALID", "GRAPH_FORBIDDEN"]),
    baseRunId: "run-0000",
    changesAdded: 3,
    changesChanged: 1,
    changesRemoved: 2,
    changesReappeared: 0,
  },
  InventoryRunSkipped: {
    tenantId,
    runId,
    selectionHash,
    correlationId,
    trigger: "api",
    status: "skipped",
    errorCode: "LOCK_HELD",
    activeRunId: "run-0000",
  },
  InventoryPolicyTypeCompleted: {
    tenantId,
    runId,
    selectionHash,
    correlationId,
    policyType: "settingsCatalogPolicy",
    status: "success",
    durationMs: 3100,
    itemsObserved: 75,
    itemsUpserted: 75,
    errors: 0,
    pages: 3,
    errorCode: null,
  },
  InventoryGraphRetry: {
    tenantId,
    runId,
    correlationId,
    policyType: "mobileApp",
    statusCode: 429,
    attempt: 2,
    retryAfterMs: 5000,
    errorCode: "GRAPH_THROTTLED",
  },
  InventoryMissingReported: { tenantId, selectionHash, correlationId, runId, missingCount: 3, confidence: "low" },
  InventoryDriftEvaluated: {
    tenantId,
    runId,
    correlationId,
    baselineId: "gold-standard",
    baselineVersion: 3,
    basedOnRunId: runId,
    confidence: "high",
    missing: 1,
    extra: 0,
    changed: 2,
    matching: 40,
    drifted: 3,
    newDrift: true,
  },
};

function strictLogger() {
  const memory = createMemoryLogSink();
  return { memory, logger: createStructuredLogger(memory.sink, { strict: true }) };
}

/** What the KQL in infra/monitoring does with a trace message. */
function parseLikeKql(message: string): { eventName: string; p: Record<string, unknown> } {
  const eventName = message.split(" ")[0] ?? "";
  const p = JSON.parse(message.substring(message.indexOf(" ") + 1)) as Record<string, unknown>;
  return { eventName, p };
}

describe("event catalog", () => {
  it("has the run transitions, the per-policy-type outcome, Graph retries, missing reports and drift evaluations", () => {
    expect([...EVENT_NAMES].sort()).toEqual(
      [
        "InventoryAfterRunStepFailed",
        "InventoryDriftEvaluated",
        "InventoryGraphRetry",
        "InventoryMissingReported",
        "InventoryPolicyTypeCompleted",
        "InventoryRunFinalized",
        "InventoryRunQueued",
        "InventoryRunRunning",
        "InventoryRunSkipped",
      ].sort(),
    );
  });

  it("gives every run transition and policy-type outcome tenantId, runId, selectionHash, status and correlationId", () => {
    const runEvents: EventName[] = [
      "InventoryRunQueued",
      "InventoryRunRunning",
      "InventoryRunFinalized",
      "InventoryRunSkipped",
      "InventoryPolicyTypeCompleted",
    ];
    for (const name of runEvents) {
      expect(eventFields(name), name).toEqual(
        expect.arrayContaining(["tenantId", "runId", "selectionHash", "status", "correlationId"]),
      );
    }
    expect(eventFields("InventoryRunFinalized")).toEqual(
      expect.arrayContaining(["durationMs", "itemsObserved", "itemsUpserted", "errors", "errorCode", "errorCodes"]),
    );
    expect(eventFields("InventoryPolicyTypeCompleted")).toEqual(
      expect.arrayContaining(["policyType", "durationMs", "itemsObserved", "itemsUpserted", "errors", "errorCode"]),
    );
    expect(eventFields("InventoryGraphRetry")).toEqual(
      expect.arrayContaining(["tenantId", "policyType", "statusCode", "attempt", "retryAfterMs"]),
    );
    expect(eventFields("InventoryMissingReported")).toEqual(
      expect.arrayContaining(["tenantId", "selectionHash", "missingCount", "confidence"]),
    );
  });

  it("pins each run transition to its status", () => {
    const { logger } = strictLogger();
    expect(() => logger.event("InventoryRunQueued", { ...SAMPLES.InventoryRunQueued, status: "running" } as never)).toThrow(
      /status/,
    );
    expect(() =>
      logger.event("InventoryRunFinalized", { ...SAMPLES.InventoryRunFinalized, status: "running" } as never),
    ).toThrow(/status/);
    expect(() =>
      logger.event("InventoryRunSkipped", { ...SAMPLES.InventoryRunSkipped, errorCode: "GRAPH_THROTTLED" } as never),
    ).toThrow(/errorCode/);
  });

  it("refuses nested counts: counts are flat numbers", () => {
    const { logger } = strictLogger();
    const nested = { ...SAMPLES.InventoryRunFinalized, counts: { itemsObserved: 1, itemsUpserted: 1, errors: 0 } };
    expect(() => logger.event("InventoryRunFinalized", nested as never)).toThrow();
  });
});

describe("structured logger", () => {
  it.each(EVENT_NAMES)("writes %s as one line '<EventName> <json>' holding exactly its fields", (name) => {
    const { memory, logger } = strictLogger();
    logger.event(name, SAMPLES[name] as never);

    expect(memory.records).toHaveLength(1);
    const [record] = memory.records;
    expect(record?.level).toBe("info");
    expect(record?.message).toBe(formatEventLine(name, record!.properties));
    const { eventName, p } = parseLikeKql(record!.message);
    expect(eventName).toBe(name);
    expect(p).toEqual(record!.properties);
    expect(Object.keys(p).sort()).toEqual(["eventName", ...eventFields(name)].sort());
    for (const value of Object.values(p)) {
      expect(value === null || ["string", "number", "boolean"].includes(typeof value), `${name}: ${String(value)}`).toBe(
        true,
      );
    }
    expect(memory.events(name)).toHaveLength(1);
  });

  it("records the four run transitions of one run with their statuses, counts and duration", () => {
    const { memory, logger } = strictLogger();
    logger.event("InventoryRunQueued", SAMPLES.InventoryRunQueued);
    logger.event("InventoryRunRunning", SAMPLES.InventoryRunRunning);
    logger.event("InventoryPolicyTypeCompleted", SAMPLES.InventoryPolicyTypeCompleted);
    logger.event("InventoryRunFinalized", SAMPLES.InventoryRunFinalized);

    const statuses = memory.events().map((r) => [r.properties["eventName"], r.properties["status"]]);
    expect(statuses).toEqual([
      ["InventoryRunQueued", "queued"],
      ["InventoryRunRunning", "running"],
      ["InventoryPolicyTypeCompleted", "success"],
      ["InventoryRunFinalized", "partial"],
    ]);
    const finalized = memory.events("InventoryRunFinalized")[0]!.properties;
    expect(finalized).toMatchObject({
      tenantId,
      runId,
      selectionHash,
      correlationId,
      durationMs: 42_000,
      itemsObserved: 1200,
      itemsUpserted: 1190,
      errors: 2,
      errorCode: "GRAPH_FORBIDDEN",
      errorCodes: "GRAPH_FORBIDDEN,ITEM_INVALID",
    });
  });

  it("redacts secrets in every event value before it reaches the sink", () => {
    const memory = createMemoryLogSink();
    const logger = createStructuredLogger(memory.sink);
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    logger.event("InventoryRunQueued", { ...SAMPLES.InventoryRunQueued, correlationId: `Bearer ${jwt}` });

    const line = memory.records.map((r) => r.message).join("\n");
    expect(line).not.toContain(jwt);
    expect(JSON.stringify(memory.records)).not.toContain(jwt);
  });

  it("redacts free-form messages and properties, dropping values of credential-named keys whole", () => {
    const memory = createMemoryLogSink();
    const logger = createStructuredLogger(memory.sink);
    logger.error("token request failed: client_secret=s3cr3t-value&grant_type=client_credentials", {
      clientSecret: "plain-secret-value",
      connectionString: "AccountName=x;AccountKey=abc123",
      body: { error: "invalid_client", client_assertion: "eyJhbGciOiJSUzI1NiJ9.eyJ4IjoxfQ.sig" },
      sasUrl: "https://x.blob.core.windows.net/c?sv=2024&sig=abcdef",
      status: 401,
    });

    const [record] = memory.records;
    const all = JSON.stringify(record);
    for (const secret of ["s3cr3t-value", "plain-secret-value", "abc123", "eyJhbGciOiJSUzI1NiJ9", "abcdef"]) {
      expect(all, secret).not.toContain(secret);
    }
    expect(record?.properties["clientSecret"]).toBe(REDACTED_VALUE);
    expect(record?.properties["connectionString"]).toBe(REDACTED_VALUE);
    expect(record?.properties["status"]).toBe(401);
    expect(typeof record?.properties["body"]).toBe("string");
  });

  it("never throws in production: an invalid event is written with a warning naming the bad field", () => {
    const memory = createMemoryLogSink();
    const logger = createStructuredLogger(memory.sink);
    expect(() => logger.event("InventoryRunQueued", { ...SAMPLES.InventoryRunQueued, selectionHash: "nope" })).not.toThrow();
    const warning = memory.records.find((r) => r.message.startsWith(`${EVENT_INVALID_MESSAGE} `));
    expect(warning?.level).toBe("warn");
    expect(String(warning?.properties["problems"])).toContain("selectionHash");
    expect(memory.events("InventoryRunQueued")).toHaveLength(1);
  });

  it("survives a sink that throws", () => {
    const logger = createStructuredLogger(() => {
      throw new Error("sink down");
    });
    expect(() => logger.event("InventoryRunQueued", SAMPLES.InventoryRunQueued)).not.toThrow();
    expect(() => logger.info("hello")).not.toThrow();
  });

  it("writes nothing while an orchestrator replays", () => {
    const memory = createMemoryLogSink();
    let replaying = true;
    const logger = createStructuredLogger(memory.sink, { isReplaying: () => replaying });
    logger.event("InventoryRunRunning", SAMPLES.InventoryRunRunning);
    expect(memory.records).toHaveLength(0);
    replaying = false;
    logger.event("InventoryRunRunning", SAMPLES.InventoryRunRunning);
    expect(memory.records).toHaveLength(1);
  });

  it("adds child properties to free-form records but never overrides event fields", () => {
    const memory = createMemoryLogSink();
    const logger = createStructuredLogger(memory.sink, { strict: true }).child({ invocationId: "inv-1", tenantId: "other" });
    logger.info("starting", { step: 1 });
    logger.event("InventoryRunQueued", SAMPLES.InventoryRunQueued);
    expect(memory.records[0]?.properties).toMatchObject({ invocationId: "inv-1", step: 1 });
    expect(memory.events("InventoryRunQueued")[0]?.properties["tenantId"]).toBe(tenantId);
  });
});

describe("Functions InvocationContext sink", () => {
  function fakeContext() {
    return { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  }

  it("passes exactly one string per event to the context's log method (Application Insights stores it as one trace)", () => {
    const context = fakeContext();
    const logger = createStructuredLogger(invocationContextSink(context), { strict: true });
    logger.event("InventoryRunSkipped", SAMPLES.InventoryRunSkipped);

    expect(context.info).toHaveBeenCalledTimes(1);
    const args = context.info.mock.calls[0]!;
    expect(args).toHaveLength(1);
    expect(typeof args[0]).toBe("string");
    const { eventName, p } = parseLikeKql(args[0] as string);
    expect(eventName).toBe("InventoryRunSkipped");
    expect(p).toMatchObject({ status: "skipped", errorCode: "LOCK_HELD", tenantId, runId, selectionHash });
  });

  it("routes free-form records by level and appends their properties as JSON", () => {
    const context = fakeContext();
    const logger = createStructuredLogger(invocationContextSink(context));
    logger.warn("Graph slow", { tenantId, ms: 900 });
    logger.error("boom");
    expect(context.warn).toHaveBeenCalledWith(`Graph slow ${JSON.stringify({ tenantId, ms: 900 })}`);
    expect(context.error).toHaveBeenCalledWith("boom");
    expect(context.info).not.toHaveBeenCalled();
  });
});

describe("a process-wide logger inside invocations", () => {
  it("writes to the invocation that is running, even across awaits, and to the fallback outside any", async () => {
    const first = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn(), invocationId: "inv-1" };
    const second = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn(), invocationId: "inv-2" };
    const fallback = vi.fn();
    // Built once, as the composition root builds it: the invocation decides where records go.
    const logger = createStructuredLogger(invocationScopedSink(fallback));
    const work = async (label: string) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.warn(label, { tenantId });
      logger.event("InventoryRunSkipped", SAMPLES.InventoryRunSkipped);
    };
    await Promise.all([inInvocation(first, () => work("one")), inInvocation(second, () => work("two"))]);
    logger.info("between invocations");

    expect(first.warn).toHaveBeenCalledWith(`one ${JSON.stringify({ invocationId: "inv-1", tenantId })}`);
    expect(second.warn).toHaveBeenCalledWith(`two ${JSON.stringify({ invocationId: "inv-2", tenantId })}`);
    // Events keep their own catalog fields: no invocationId is added to them.
    expect(parseLikeKql(first.info.mock.calls[0]![0] as string).p).not.toHaveProperty("invocationId");
    expect(second.info).toHaveBeenCalledTimes(1);
    expect(fallback).toHaveBeenCalledTimes(1);
    expect(fallback.mock.calls[0]![1]).toBe("between invocations");
  });
});

describe("schemas", () => {
  it("accept every sample (so the samples above are the documented shape)", () => {
    for (const name of EVENT_NAMES) {
      expect(EVENT_SCHEMAS[name].safeParse(SAMPLES[name]).success, name).toBe(true);
    }
  });
});
