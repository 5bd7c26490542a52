import { useMemo, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { API, query, tenantPath } from "../api";
import type { Item, ItemPage, PolicyTypeList } from "../types";
import { Empty, ErrorBox, Loading, SortHeader, useLoad, useSorted } from "../ui";
import type { Sort } from "../ui";
import { formatTime } from "../words";

/** The API's platform values (a type error here means the contract changed). */
const PLATFORMS: readonly Item["platform"][] = ["windows", "ios", "macos", "android", "linux", "multi", "unknown"];
/**
 * One page of the API at a time: 100 rows keep the DOM small whatever the tenant's size (a 10k
 * tenant is 100 pages, each one request), so no virtualised list is needed.
 */
const PAGE_SIZE = 100;

type Column = "displayName" | "policyType" | "category" | "platform" | "lastSeenAt";
interface Filters {
  q: string;
  policyType: string;
  category: string;
  platform: string;
}
const NO_FILTERS: Filters = { q: "", policyType: "", category: "", platform: "" };

/** The inventory: search and filters run on the server, paging follows the API's continuation tokens. */
export function ItemsTab({ tenantId }: { tenantId: string }) {
  const catalog = useLoad<PolicyTypeList>("policy-types");
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // Tokens of the pages before this one: "Previous" pops, "Next" pushes.
  const [tokens, setTokens] = useState<(string | null)[]>([null]);
  const token = tokens[tokens.length - 1] ?? null;
  const path = tenantPath(tenantId, "inventory", "items") + query({ ...filters, limit: PAGE_SIZE, continuationToken: token });
  const page = useLoad<ItemPage>(path);
  const [sort, setSort] = useState<Sort<Column> | null>(null);
  const rows = useSorted(page.data?.items ?? [], sort, (item, key) => item[key]);
  const categories = useMemo(() => [...new Set((catalog.data?.items ?? []).map((t) => t.category))].sort(), [catalog.data]);
  const apply = (next: Filters) => {
    setFilters(next);
    setTokens([null]);
  };
  const filtered = Object.values(filters).some(Boolean);
  return (
    <>
      <form
        class="filters"
        role="search"
        aria-label="Inventory"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <label>
          Search names <input type="search" name="q" value={draft.q} onInput={(e) => setDraft({ ...draft, q: e.currentTarget.value })} />
        </label>
        <label>
          Policy type
          <select value={draft.policyType} onChange={(e) => setDraft({ ...draft, policyType: e.currentTarget.value })}>
            <option value="">any</option>
            {(catalog.data?.items ?? []).map((t) => (
              <option key={t.key} value={t.key}>
                {t.key}
              </option>
            ))}
          </select>
        </label>
        <label>
          Category
          <select value={draft.category} onChange={(e) => setDraft({ ...draft, category: e.currentTarget.value })}>
            <option value="">any</option>
            {categories.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          Platform
          <select value={draft.platform} onChange={(e) => setDraft({ ...draft, platform: e.currentTarget.value })}>
            <option value="">any</option>
            {PLATFORMS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Apply</button>
        {filtered && (
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setDraft(NO_FILTERS);
              apply(NO_FILTERS);
            }}
          >
            Clear
          </button>
        )}
      </form>
      <p class="exports">
        Export {filtered ? "the matching items" : "the whole inventory"} (every row, streamed by the API):{" "}
        <a href={`${API}/${tenantPath(tenantId, "inventory", "items")}${query({ ...filters, format: "csv" })}`} download>
          CSV
        </a>{" "}
        ·{" "}
        <a href={`${API}/${tenantPath(tenantId, "inventory", "items")}${query({ ...filters, format: "ndjson" })}`} download>
          NDJSON
        </a>
      </p>
      {page.state === "loading" && <Loading what="items" />}
      {page.state === "error" && (
        <>
          <ErrorBox error={page.error} />
          {page.error.code === "INVALID_CONTINUATION_TOKEN" && (
            <button type="button" onClick={() => setTokens([null])}>
              Back to the first page
            </button>
          )}
        </>
      )}
      {page.state === "ok" &&
        (page.data.items.length === 0 ? (
          <Empty>{filtered ? "No item matches these filters." : tokens.length > 1 ? "No more items." : "No item in the inventory yet: start a sync on the Runs page."}</Empty>
        ) : (
          <>
            <table>
              <caption>
                Items {(tokens.length - 1) * PAGE_SIZE + 1}–{(tokens.length - 1) * PAGE_SIZE + page.data.items.length}
                {page.data.continuationToken ? " (more on the next page)" : ""}
              </caption>
              <thead>
                <tr>
                  <SortHeader label="Name" column="displayName" sort={sort} onSort={setSort} />
                  <SortHeader label="Policy type" column="policyType" sort={sort} onSort={setSort} />
                  <SortHeader label="Category" column="category" sort={sort} onSort={setSort} />
                  <SortHeader label="Platform" column="platform" sort={sort} onSort={setSort} />
                  <SortHeader label="Last seen" column="lastSeenAt" sort={sort} onSort={setSort} />
                </tr>
              </thead>
              <tbody>
                {rows.map((item) => (
                  <tr key={item.id}>
                    <th scope="row">
                      <Link href={`/tenants/${tenantId}/items/${encodeURIComponent(item.id)}`}>{item.displayName}</Link>
                    </th>
                    <td>{item.policyType}</td>
                    <td>{item.category}</td>
                    <td>{item.platform}</td>
                    <td>{formatTime(item.lastSeenAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p class="muted">Sorting orders this page; search and filters apply to the whole inventory.</p>
          </>
        ))}
      <nav class="pager" aria-label="Pages of items">
        <button type="button" disabled={tokens.length <= 1} onClick={() => setTokens(tokens.slice(0, -1))}>
          Previous page
        </button>
        <span class="muted">Page {tokens.length}</span>
        <button type="button" disabled={!page.data?.continuationToken} onClick={() => setTokens([...tokens, page.data?.continuationToken ?? null])}>
          Next page
        </button>
      </nav>
    </>
  );
}
