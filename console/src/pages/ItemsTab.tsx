import { useMemo, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { query, tenantPath } from "../api";
import type { Item, ItemPage, PolicyTypeList } from "../types";
import { Empty, ExportLinks, Loading, PageError, Pager, SortHeader, useLoad, useSorted, useTokenPages } from "../ui";
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
  const pages = useTokenPages(query({ ...filters }));
  const page = useLoad<ItemPage>(tenantPath(tenantId, "inventory", "items") + query({ ...filters, limit: PAGE_SIZE, continuationToken: pages.token }));
  const [sort, setSort] = useState<Sort<Column> | null>(null);
  const rows = useSorted(page.data?.items ?? [], sort, (item, key) => item[key]);
  const categories = useMemo(() => [...new Set((catalog.data?.items ?? []).map((t) => t.category))].sort(), [catalog.data]);
  // New filters start at page 1 again (useTokenPages).
  const apply = setFilters;
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
      <ExportLinks what={filtered ? "the matching items" : "the whole inventory"} path={tenantPath(tenantId, "inventory", "items")} params={{ ...filters }} />
      {page.state === "loading" && <Loading what="items" />}
      {page.state === "error" && <PageError error={page.error} pages={pages} />}
      {page.state === "ok" &&
        (page.data.items.length === 0 ? (
          <Empty>{filtered ? "No item matches these filters." : pages.number > 1 ? "No more items." : "No item in the inventory yet: start a sync on the Runs page."}</Empty>
        ) : (
          <>
            <table>
              <caption>
                Items {(pages.number - 1) * PAGE_SIZE + 1}–{(pages.number - 1) * PAGE_SIZE + page.data.items.length}
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
      <Pager label="Pages of items" pages={pages} next={page.data?.continuationToken} />
    </>
  );
}
