import { z } from "zod";
import { graphError } from "./graphErrors";

/**
 * Follows a Graph collection's `@odata.nextLink` chain to its end and streams it page by page.
 * Never assumes a page size (settings catalog pages at 25, others at whatever Graph picks):
 * the only end signal is a page without a nextLink.
 */

export interface GraphPage {
  values: unknown[];
  /** 1-based position in the chain. */
  pageNumber: number;
}

/** A request of the chain is about to be retried (throttling, 5xx, timeout: statusCode 0). */
export interface GraphRetryInfo {
  statusCode: number;
  attempt: number;
  waitMs: number;
}

export interface PageHooks {
  onRetry?(info: GraphRetryInfo): void;
}

/** What the client needs of a catalog entry to list it (PolicyTypeDefinition satisfies it). */
export interface GraphListDef {
  graphPath: string;
  graphVersion: string;
  select: readonly string[];
  /** `expand` adds `$expand=assignments` to the listing; other modes leave the URL alone. */
  assignments?: string;
}

/** What sync needs from Graph: the pages of one policy type, in order, and per-object assignments. */
export interface GraphPageSource {
  pages(def: GraphListDef, hooks?: PageHooks): AsyncIterable<GraphPage>;
  /** Every assignment of one object (`GET {graphPath}/{id}/assignments`, all pages). */
  assignmentsOf(def: GraphListDef, externalId: string, hooks?: PageHooks): Promise<unknown[]>;
}

/** Fetches one page (an absolute URL already checked to be on GRAPH_BASE_URL's origin) and returns its parsed JSON. */
export type PageFetcher = (url: URL) => Promise<unknown>;

const CollectionPageSchema = z.looseObject({
  value: z.array(z.unknown()),
  "@odata.nextLink": z.string().min(1).optional().nullable(),
});

/** A chain this long is a server bug (or a loop we failed to spot), not an Intune tenant. */
export const MAX_PAGES = 100_000;

/**
 * Resolves a nextLink and refuses it unless scheme, host and port equal the base URL's. The
 * check runs before the link is handed to any fetcher, so the token is never offered to
 * another origin (a compromised or buggy answer cannot redirect our credentials).
 */
export function checkNextLink(link: string, current: URL, allowedOrigin: string): URL {
  let next: URL;
  try {
    next = new URL(link, current);
  } catch {
    throw graphError("GRAPH_BAD_RESPONSE", "Graph returned an @odata.nextLink that is not a URL");
  }
  if (next.origin !== allowedOrigin) {
    throw graphError(
      "GRAPH_UNSAFE_NEXT_LINK",
      `refused an @odata.nextLink to ${next.protocol}//${next.host}: it is not GRAPH_BASE_URL's origin; the token was not sent`,
    );
  }
  return next;
}

function parsePage(body: unknown, pageNumber: number): z.infer<typeof CollectionPageSchema> {
  const parsed = CollectionPageSchema.safeParse(body);
  if (!parsed.success) {
    throw graphError("GRAPH_BAD_RESPONSE", `page ${pageNumber} is not a Graph collection (expected an object with a value array)`);
  }
  return parsed.data;
}

type Next = { url: URL; request: Promise<unknown> } | { error: unknown } | null;

/**
 * Yields every page of the chain. While the caller handles page n, page n+1 is already being
 * fetched (one page of look-ahead): memory stays at two pages, and the Graph chain — the floor
 * of a sync — never waits for the store. A page is always delivered before a problem with its
 * nextLink is raised, so what Graph did answer can still be stored.
 */
export async function* iteratePages(fetchPage: PageFetcher, firstUrl: URL, allowedOrigin: string): AsyncGenerator<GraphPage> {
  const first = checkNextLink(firstUrl.href, firstUrl, allowedOrigin);
  const seen = new Set<string>([first.href]);
  let current: { url: URL; request: Promise<unknown> } = { url: first, request: fetchPage(first) };
  for (let pageNumber = 1; ; pageNumber += 1) {
    const page = parsePage(await current.request, pageNumber);
    const link = page["@odata.nextLink"];
    let next: Next = null;
    if (link) {
      try {
        const url = checkNextLink(link, current.url, allowedOrigin);
        if (seen.has(url.href)) throw graphError("GRAPH_BAD_RESPONSE", `page ${pageNumber} links back to an earlier page`);
        if (pageNumber + 1 > MAX_PAGES) throw graphError("GRAPH_BAD_RESPONSE", `more than ${MAX_PAGES} pages`);
        seen.add(url.href);
        const request = fetchPage(url);
        // Settled later by the consumer; if it stops early the rejection must not go unhandled.
        request.catch(() => undefined);
        next = { url, request };
      } catch (error) {
        next = { error };
      }
    }
    yield { values: page.value, pageNumber };
    if (next === null) return;
    if ("error" in next) throw next.error;
    current = next;
  }
}
