import { createContext } from "preact";
import type { ComponentChildren } from "preact";
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { API, ApiError, get, query } from "./api";
import type { WhoAmI } from "./types";
import { codeInWords, STATUS_WORDS } from "./words";

export type Load<T> =
  | { state: "loading"; data: null; error: null }
  | { state: "ok"; data: T; error: null }
  | { state: "error"; data: null; error: ApiError };

/**
 * GETs `path` (null: nothing yet) and aborts the request when the path changes or the page goes.
 * What was loaded counts only for the path it was loaded for: the render right after the path
 * changed (before the effect starts the new request) says "loading", never the previous page's
 * data (seen as an item page showing the item before it for a frame).
 */
export function useLoad<T>(path: string | null): Load<T> & { reload(): void } {
  const [load, setLoad] = useState<Load<T> & { path: string | null }>({ state: "loading", data: null, error: null, path });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setLoad({ state: "loading", data: null, error: null, path });
    get<T>(path, controller.signal).then(
      (data) => setLoad({ state: "ok", data, error: null, path }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setLoad({ state: "error", data: null, error: error instanceof ApiError ? error : new ApiError(0, { detail: String(error) }, null), path });
      },
    );
    return () => controller.abort();
  }, [path, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const current: Load<T> = load.path === path ? load : { state: "loading", data: null, error: null };
  return { ...current, reload };
}

/** What the signed-in person may do (GET /api/me), for the whole page. */
export const SessionContext = createContext<WhoAmI | null>(null);

export function useMayDo(role: WhoAmI["roles"][number]): boolean {
  return useContext(SessionContext)?.roles.includes(role) ?? false;
}

/** An API error as people read it: what happened in words, the stable code and the correlation id to quote. */
export function ErrorBox({ error, title = "The request failed" }: { error: ApiError; title?: string }) {
  const words = codeInWords(error.code);
  return (
    <div class="problem" role="alert">
      <h3>{title}</h3>
      <p>
        {error.status > 0 && <span class="status-code">HTTP {error.status}</span>}{" "}
        {error.code && <code class="code">{error.code}</code>} {error.problem?.detail ?? (error.status === 401 ? "Sign-in required." : "")}
      </p>
      {words && words !== error.problem?.detail && <p>{words}</p>}
      {error.status === 401 && (
        <p>
          <a href={`/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(location.pathname + location.hash)}`}>Sign in with Microsoft Entra ID</a>
        </p>
      )}
      {error.problem?.errors && error.problem.errors.length > 0 && (
        <ul>
          {error.problem.errors.map((e) => (
            <li key={e.path}>
              <code>{e.path}</code>: {e.message}
            </li>
          ))}
        </ul>
      )}
      {error.problem?.correlationId && <p class="muted">Correlation id: <code>{error.problem.correlationId}</code></p>}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** A run status as a word and a colour (never the colour alone). */
export function StatusBadge({ status }: { status: string | null | undefined }) {
  if (!status) return <span class="badge badge-none">never run</span>;
  return <span class={`badge badge-${status}`}>{STATUS_WORDS[status] ?? status}</span>;
}

export type SortDirection = "ascending" | "descending";
export interface Sort<K extends string> {
  key: K;
  direction: SortDirection;
}

/** Sorts rows by a column, comparing numbers as numbers and text by the reader's locale. */
export function useSorted<T, K extends string>(rows: readonly T[], sort: Sort<K> | null, value: (row: T, key: K) => string | number | null) {
  return useMemo(() => {
    if (!sort) return rows;
    const factor = sort.direction === "ascending" ? 1 : -1;
    const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
    return [...rows].sort((a, b) => {
      const x = value(a, sort.key);
      const y = value(b, sort.key);
      if (x === y) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      return factor * (typeof x === "number" && typeof y === "number" ? x - y : collator.compare(String(x), String(y)));
    });
  }, [rows, sort, value]);
}

/** A column header that sorts: a real button (keyboard), and aria-sort on the header cell. */
export function SortHeader<K extends string>({ label, column, sort, onSort }: { label: string; column: K; sort: Sort<K> | null; onSort(next: Sort<K>): void }) {
  const active = sort?.key === column;
  const direction: SortDirection = active && sort.direction === "ascending" ? "descending" : "ascending";
  return (
    <th scope="col" aria-sort={active ? sort.direction : "none"}>
      <button type="button" class="sort" onClick={() => onSort({ key: column, direction })}>
        {label}
        <span aria-hidden="true">{active ? (sort.direction === "ascending" ? " ▲" : " ▼") : " ↕"}</span>
      </button>
    </th>
  );
}

let navigated = false;
export function markNavigated(): void {
  navigated = true;
}

/**
 * A page's h1. Once the person has navigated inside the console, the heading takes the focus when
 * it appears (after its data loaded), so a screen reader announces the new page and the next Tab
 * starts from it; the first page load leaves the focus where the browser put it.
 */
export function PageHeading({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (navigated) ref.current?.focus();
  }, []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}

/**
 * Paging through the API's continuation tokens: the tokens of the pages before this one
 * ("Previous" drops one, "Next" adds one). A different `query` (new filters) starts again at
 * page 1, since a token is bound to the query it came from (the API answers
 * INVALID_CONTINUATION_TOKEN otherwise).
 */
export function useTokenPages(query: string) {
  const [state, setState] = useState<{ query: string; tokens: (string | null)[] }>({ query, tokens: [null] });
  const tokens = state.query === query ? state.tokens : [null];
  return {
    token: tokens[tokens.length - 1] ?? null,
    number: tokens.length,
    next: (token: string) => setState({ query, tokens: [...tokens, token] }),
    previous: () => setState({ query, tokens: tokens.slice(0, -1) }),
    first: () => setState({ query, tokens: [null] }),
  };
}

/** Previous / next buttons and where the reader is ("Page 2 of 7" when the count is known). */
function PageButtons({ label, number, count, onPrevious, onNext, words }: { label: string; number: number; count?: number; onPrevious(): void; onNext: (() => void) | null; words: [string, string] }) {
  // One page only: no buttons that could only be disabled.
  if (number <= 1 && !onNext) return null;
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" disabled={number <= 1} onClick={onPrevious}>
        {words[0]}
      </button>
      <span class="muted">
        Page {number}
        {count !== undefined && ` of ${count}`}
      </span>
      <button type="button" disabled={!onNext} onClick={() => onNext?.()}>
        {words[1]}
      </button>
    </nav>
  );
}

/** Previous / next buttons for useTokenPages; `next` is the answer's continuationToken (null: last page). */
export function Pager({ label, pages, next, words = ["Previous page", "Next page"] }: { label: string; pages: ReturnType<typeof useTokenPages>; next: string | null | undefined; words?: [string, string] }) {
  return <PageButtons label={label} number={pages.number} onPrevious={pages.previous} onNext={next ? () => pages.next(next) : null} words={words} />;
}

/** A paged list's error; an expired or foreign continuation token offers the way back to page one. */
export function PageError({ error, title, pages }: { error: ApiError; title?: string; pages: ReturnType<typeof useTokenPages> }) {
  return (
    <>
      <ErrorBox error={error} {...(title !== undefined && { title })} />
      {error.code === "INVALID_CONTINUATION_TOKEN" && (
        <button type="button" onClick={pages.first}>
          Back to the first page
        </button>
      )}
    </>
  );
}

/** Rows a page when a whole answer is in memory (compare, drift, missing): what the DOM holds stays bounded. */
export const ROWS_PER_PAGE = 100;

/**
 * Pages of rows the API sent in one answer (compare, drift and missing are computed whole, so
 * they have no continuation tokens): only the current page's rows are rendered. A 10k-per-side
 * comparison is ~20k rows; as 20k `<tr>` the page took seconds to lay out and to scroll, as 100
 * it is as quick as any other. A different `key` (another filter, another answer) starts again at
 * page 1; a page past the end (fewer rows now) shows the last page.
 */
export function useRowPages<T>(rows: readonly T[], key: string) {
  const [state, setState] = useState({ key, number: 1 });
  const count = Math.max(1, Math.ceil(rows.length / ROWS_PER_PAGE));
  const number = state.key === key ? Math.min(state.number, count) : 1;
  return {
    rows: rows.slice((number - 1) * ROWS_PER_PAGE, number * ROWS_PER_PAGE),
    number,
    count,
    /** The row's position in all rows, for a caption such as "rows 101–200 of 20,000". */
    first: (number - 1) * ROWS_PER_PAGE + 1,
    previous: () => setState({ key, number: Math.max(1, number - 1) }),
    next: number < count ? () => setState({ key, number: number + 1 }) : null,
  };
}

export function RowPager({ label, pages }: { label: string; pages: ReturnType<typeof useRowPages> }) {
  return <PageButtons label={label} number={pages.number} count={pages.count} onPrevious={pages.previous} onNext={pages.next} words={["Previous page", "Next page"]} />;
}

/** CSV / NDJSON links for an exporting route (`path` under /api, `params` its filters): every matching row, streamed. */
export function ExportLinks({ what, path, params }: { what: string; path: string; params: Record<string, string | undefined> }) {
  return (
    <p class="exports">
      Export {what} (every row, streamed by the API):{" "}
      <a href={`${API}/${path}${query({ ...params, format: "csv" })}`} download>
        CSV
      </a>{" "}
      ·{" "}
      <a href={`${API}/${path}${query({ ...params, format: "ndjson" })}`} download>
        NDJSON
      </a>
    </p>
  );
}
