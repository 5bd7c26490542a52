import { describe, expect, it } from "vitest";
import { CodedError } from "../../../../shared/domain";
import { iteratePages } from "../../../../shared/graph/pageIterator";

const ORIGIN = "https://graph.microsoft.com";

/** A fake Graph: pages keyed by URL, and the list of URLs actually fetched. */
function fakeGraph(pages: Record<string, unknown>) {
  const fetched: string[] = [];
  return {
    fetched,
    fetchPage: async (url: URL) => {
      fetched.push(url.href);
      if (!(url.href in pages)) throw new Error(`unexpected ${url.href}`);
      return pages[url.href];
    },
  };
}

async function collect(iterable: AsyncIterable<{ values: unknown[]; pageNumber: number }>) {
  const pages: { values: unknown[]; pageNumber: number }[] = [];
  let error: unknown = null;
  try {
    for await (const page of iterable) pages.push(page);
  } catch (e) {
    error = e;
  }
  return { pages, error };
}

const first = new URL(`${ORIGIN}/beta/deviceManagement/deviceConfigurations`);

describe("page iteration", () => {
  it("follows nextLinks of any page size until a page has none", async () => {
    const graph = fakeGraph({
      [first.href]: { value: [1, 2, 3], "@odata.nextLink": `${ORIGIN}/beta/x?$skiptoken=a` },
      [`${ORIGIN}/beta/x?$skiptoken=a`]: { value: [4], "@odata.nextLink": `${ORIGIN}/beta/x?$skiptoken=b` },
      [`${ORIGIN}/beta/x?$skiptoken=b`]: { value: [] },
    });
    const { pages, error } = await collect(iteratePages(graph.fetchPage, first, ORIGIN));
    expect(error).toBeNull();
    expect(pages.map((p) => p.values)).toEqual([[1, 2, 3], [4], []]);
    expect(pages.map((p) => p.pageNumber)).toEqual([1, 2, 3]);
  });

  it.each([
    ["another host", "https://evil.example/beta/x?$skiptoken=a"],
    ["another port", "https://graph.microsoft.com:8443/beta/x"],
    ["another scheme", "http://graph.microsoft.com/beta/x"],
    ["a look-alike host", "https://graph.microsoft.com.evil.example/beta/x"],
  ])("refuses a nextLink to %s before fetching it, after delivering the page", async (_, link) => {
    const graph = fakeGraph({ [first.href]: { value: [1], "@odata.nextLink": link } });
    const { pages, error } = await collect(iteratePages(graph.fetchPage, first, ORIGIN));
    expect(pages).toHaveLength(1);
    expect((error as CodedError).code).toBe("GRAPH_UNSAFE_NEXT_LINK");
    expect(graph.fetched).toEqual([first.href]);
  });

  it("fetches the next page while the caller is still handling the current one", async () => {
    const graph = fakeGraph({
      [first.href]: { value: [1], "@odata.nextLink": `${ORIGIN}/beta/x?p=2` },
      [`${ORIGIN}/beta/x?p=2`]: { value: [2] },
    });
    const iterator = iteratePages(graph.fetchPage, first, ORIGIN);
    await iterator.next();
    expect(graph.fetched).toHaveLength(2);
    await iterator.return(undefined);
  });

  it("rejects a page that is not a collection, and a chain that loops", async () => {
    const shape = await collect(iteratePages(fakeGraph({ [first.href]: { items: [] } }).fetchPage, first, ORIGIN));
    expect((shape.error as CodedError).code).toBe("GRAPH_BAD_RESPONSE");
    const loop = await collect(iteratePages(fakeGraph({ [first.href]: { value: [1], "@odata.nextLink": first.href } }).fetchPage, first, ORIGIN));
    expect(loop.pages).toHaveLength(1);
    expect((loop.error as CodedError).code).toBe("GRAPH_BAD_RESPONSE");
  });
});
