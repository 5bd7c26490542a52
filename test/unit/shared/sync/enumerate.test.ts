import { describe, expect, it } from "vitest";
import { CodedError } from "../../../../shared/domain";
import type { ObservedItem } from "../../../../shared/domain";
import type { GraphPage, GraphPageSource } from "../../../../shared/graph/pageIterator";
import { enumeratePolicyType } from "../../../../shared/sync/enumerate";
import type { ItemWriter, WriterContext } from "../../../../shared/store/ports";

/**
 * Pages served from memory; `failOn` makes that page throw like the client does. Per-object
 * assignments come from `assignments` (an Error is thrown as the client would; absent: none).
 */
function pagesOf(
  pages: unknown[][],
  failOn?: { page: number; error: unknown },
  assignments: Record<string, unknown[] | Error> = {},
  reads: string[] = [],
): GraphPageSource {
  return {
    async *pages() {
      for (const [i, values] of pages.entries()) {
        if (failOn?.page === i + 1) throw failOn.error;
        yield { values, pageNumber: i + 1 } satisfies GraphPage;
      }
    },
    async assignmentsOf(_def, externalId) {
      reads.push(externalId);
      const answer = assignments[externalId] ?? [];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

/** A writer that only stores on flush, to prove sync flushes before returning. */
function memoryWriter(opts: { failOnClose?: unknown } = {}) {
  const stored = new Map<string, ObservedItem>();
  const contexts: WriterContext[] = [];
  let buffer: ObservedItem[] = [];
  const writerFor = (ctx: WriterContext): ItemWriter => {
    contexts.push(ctx);
    const flush = async () => {
      for (const item of buffer) stored.set(item.externalId, item);
      buffer = [];
    };
    return {
      add: async (item) => {
        buffer.push(item);
      },
      flush,
      close: async () => {
        if (opts.failOnClose) throw opts.failOnClose;
        const n = buffer.length;
        await flush();
        return { upserted: n };
      },
    };
  };
  return { stored, contexts, writerFor };
}

const input = { tenantId: "t1", runId: "run-1", selectionHash: "h".repeat(64), policyType: "deviceConfiguration" as const };
const obj = (id: string) => ({ id, displayName: `Policy ${id}`, "@odata.type": "#microsoft.graph.windows10GeneralConfiguration" });
const clock = () => {
  let t = Date.parse("2025-01-01T00:00:00Z");
  return () => new Date((t += 5));
};

describe("enumeratePolicyType", () => {
  it("stores every object of every page and reports the outcome", async () => {
    const writer = memoryWriter();
    const outcome = await enumeratePolicyType(
      { graphFor: () => pagesOf([[obj("a"), obj("b")], [obj("c")]]), writerFor: writer.writerFor, now: clock() },
      input,
    );
    expect(outcome).toMatchObject({ policyType: "deviceConfiguration", status: "success", itemsObserved: 3, itemsUpserted: 3, pages: 2, errorCode: null });
    expect(outcome.durationMs).toBeGreaterThan(0);
    expect([...writer.stored.keys()]).toEqual(["a", "b", "c"]);
    expect(writer.contexts[0]).toMatchObject({ tenantId: "t1", runId: "run-1", observedAt: "2025-01-01T00:00:00.005Z" });
  });

  it("counts the same object on two pages once", async () => {
    const writer = memoryWriter();
    const outcome = await enumeratePolicyType({ graphFor: () => pagesOf([[obj("a"), obj("b")], [obj("b"), obj("c")]]), writerFor: writer.writerFor, now: clock() }, input);
    expect(outcome.itemsObserved).toBe(3);
    expect(outcome.itemsUpserted).toBe(3);
  });

  it("skips invalid objects as ITEM_INVALID and stores the rest of the page; the type stays successful", async () => {
    const writer = memoryWriter();
    const outcome = await enumeratePolicyType(
      { graphFor: () => pagesOf([[obj("a"), { displayName: "no id" }, null, obj("b"), { id: 7 }]]), writerFor: writer.writerFor, now: clock() },
      input,
    );
    expect(outcome).toMatchObject({ status: "success", itemsObserved: 2, itemsInvalid: 3, errorCode: null });
    expect(writer.stored.size).toBe(2);
  });

  it("a failing page fails the type with its code, after flushing what earlier pages gave", async () => {
    const writer = memoryWriter();
    const error = new CodedError("GRAPH_UNAVAILABLE", "Graph answered 503 after 6 attempts");
    const outcome = await enumeratePolicyType(
      { graphFor: () => pagesOf([[obj("a")], [obj("b")], [obj("c")]], { page: 3, error }), writerFor: writer.writerFor, now: clock() },
      input,
    );
    expect(outcome).toMatchObject({ status: "failed", errorCode: "GRAPH_UNAVAILABLE", pages: 2, itemsObserved: 2, itemsUpserted: 2 });
    expect([...writer.stored.keys()]).toEqual(["a", "b"]);
  });

  it("never throws: a store failure, an unknown error or a client that cannot be built become outcomes", async () => {
    const store = await enumeratePolicyType(
      { graphFor: () => pagesOf([[obj("a")]]), writerFor: memoryWriter({ failOnClose: new CodedError("STORE_UNAVAILABLE", "cosmos down") }).writerFor, now: clock() },
      input,
    );
    expect(store).toMatchObject({ status: "failed", errorCode: "STORE_UNAVAILABLE" });
    const unknown = await enumeratePolicyType({ graphFor: () => pagesOf([[obj("a")]], { page: 1, error: new TypeError("boom") }), writerFor: memoryWriter().writerFor, now: clock() }, input);
    expect(unknown).toMatchObject({ status: "failed", errorCode: "INTERNAL_ERROR" });
    const noClient = await enumeratePolicyType(
      {
        graphFor: () => {
          throw new CodedError("CREDENTIAL_UNAVAILABLE", "no token");
        },
        writerFor: memoryWriter().writerFor,
        now: clock(),
      },
      input,
    );
    expect(noClient).toMatchObject({ status: "failed", errorCode: "CREDENTIAL_UNAVAILABLE", pages: 0 });
  });

  it("redacts the failure message it keeps", async () => {
    const jwt = "eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ4In0.c2lnbmF0dXJl";
    const outcome = await enumeratePolicyType(
      { graphFor: () => pagesOf([[obj("a")]], { page: 1, error: new CodedError("GRAPH_FORBIDDEN", `Bearer ${jwt} client_secret=hunter2`) }), writerFor: memoryWriter().writerFor, now: clock() },
      input,
    );
    expect(outcome.errorMessage).not.toContain(jwt);
    expect(outcome.errorMessage).not.toContain("hunter2");
  });
});

describe("enumeratePolicyType: assignments", () => {
  const group = (groupId: string) => ({ id: `x_${groupId}`, target: { "@odata.type": "#microsoft.graph.groupAssignmentTarget", groupId } });
  const protection = { ...input, policyType: "iosManagedAppProtection" as const };
  const app = (id: string) => ({ id, displayName: `App policy ${id}`, "@odata.type": "#microsoft.graph.iosManagedAppProtection" });

  it("takes an expand type's assignments from the listing itself, with no per-object read", async () => {
    const writer = memoryWriter();
    const reads: string[] = [];
    await enumeratePolicyType(
      { graphFor: () => pagesOf([[{ ...obj("a"), assignments: [group("g1")] }, { ...obj("b"), assignments: [] }]], undefined, {}, reads), writerFor: writer.writerFor, now: clock() },
      input,
    );
    expect(reads).toEqual([]);
    expect(writer.stored.get("a")?.assignments).toMatchObject({ status: "known", targets: [{ kind: "group", groupId: "g1" }] });
    expect(writer.stored.get("b")?.assignments).toEqual({ status: "known", targets: [] });
  });

  it("calls an expand type's object whose listing carries no assignments unknown, never unassigned", async () => {
    const writer = memoryWriter();
    await enumeratePolicyType({ graphFor: () => pagesOf([[obj("a")]]), writerFor: writer.writerFor, now: clock() }, input);
    expect(writer.stored.get("a")?.assignments).toEqual({ status: "unknown", targets: [] });
  });

  it("reads a perObject type's assignments once per object, and a failed read leaves only that item unknown", async () => {
    const writer = memoryWriter();
    const reads: string[] = [];
    const outcome = await enumeratePolicyType(
      {
        graphFor: () => pagesOf([[app("p1"), app("p2")], [app("p3")]], undefined, { p1: [group("g1")], p2: new CodedError("GRAPH_UNAVAILABLE", "503") }, reads),
        writerFor: writer.writerFor,
        now: clock(),
      },
      protection,
    );
    expect(outcome).toMatchObject({ status: "success", itemsObserved: 3 });
    expect(reads.sort()).toEqual(["p1", "p2", "p3"]);
    expect(writer.stored.get("p1")?.assignments).toMatchObject({ status: "known", targets: [{ groupId: "g1" }] });
    expect(writer.stored.get("p2")?.assignments).toEqual({ status: "unknown", targets: [] });
    expect(writer.stored.get("p3")?.assignments).toEqual({ status: "known", targets: [] });
  });

  it("stops reading a type's assignments after a run of failures, leaving the rest unknown", async () => {
    const writer = memoryWriter();
    const reads: string[] = [];
    const ids = Array.from({ length: 20 }, (_, i) => `p${i}`);
    const failing = Object.fromEntries(ids.map((id) => [id, new CodedError("GRAPH_THROTTLED", "429")]));
    const outcome = await enumeratePolicyType(
      { graphFor: () => pagesOf([ids.map(app)], undefined, failing, reads), writerFor: writer.writerFor, now: clock(), assignmentReadConcurrency: 1 },
      protection,
    );
    expect(outcome.status).toBe("success");
    expect(reads).toHaveLength(5);
    expect([...writer.stored.values()].every((i) => i.assignments?.status === "unknown")).toBe(true);
  });

  it("never reads the assignments of a type that has none, and stores them as notApplicable", async () => {
    const writer = memoryWriter();
    const reads: string[] = [];
    await enumeratePolicyType(
      { graphFor: () => pagesOf([[{ id: "f1", displayName: "Filter", "@odata.type": "#microsoft.graph.deviceAndAppManagementAssignmentFilter" }]], undefined, {}, reads), writerFor: writer.writerFor, now: clock() },
      { ...input, policyType: "assignmentFilter" },
    );
    expect(reads).toEqual([]);
    expect(writer.stored.get("f1")?.assignments).toEqual({ status: "notApplicable", targets: [] });
  });
});
