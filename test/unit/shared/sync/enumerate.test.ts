import { describe, expect, it } from "vitest";
import { CodedError } from "../../../../shared/domain";
import type { ObservedItem } from "../../../../shared/domain";
import type { GraphPage, GraphPageSource } from "../../../../shared/graph/pageIterator";
import { enumeratePolicyType } from "../../../../shared/sync/enumerate";
import type { ItemWriter, WriterContext } from "../../../../shared/store/ports";

/** Pages served from memory; `failOn` makes that page throw like the client does. */
function pagesOf(pages: unknown[][], failOn?: { page: number; error: unknown }): GraphPageSource {
  return {
    async *pages() {
      for (const [i, values] of pages.entries()) {
        if (failOn?.page === i + 1) throw failOn.error;
        yield { values, pageNumber: i + 1 } satisfies GraphPage;
      }
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
