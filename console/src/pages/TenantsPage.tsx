import { useMemo, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import type { TenantList } from "../types";
import { Empty, ErrorBox, Loading, PageHeading, SortHeader, useLoad, useSorted } from "../ui";
import type { Sort } from "../ui";

type Column = "displayName" | "tenantId" | "enabled";

/** Every registered tenant the caller may see (GET /api/tenants), filterable, each a link. */
export function TenantsPage() {
  const tenants = useLoad<TenantList>("tenants");
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState<Sort<Column> | null>({ key: "displayName", direction: "ascending" });
  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const items = tenants.data?.items ?? [];
    return needle ? items.filter((t) => t.displayName.toLowerCase().includes(needle) || t.tenantId.includes(needle)) : items;
  }, [tenants.data, filter]);
  const sorted = useSorted(rows, sort, (t, key) => (key === "enabled" ? (t.enabled ? 1 : 0) : t[key]));
  return (
    <>
      <PageHeading>Tenants</PageHeading>
      {tenants.state === "loading" && <Loading what="tenants" />}
      {tenants.state === "error" && <ErrorBox error={tenants.error} />}
      {tenants.state === "ok" &&
        (tenants.data.items.length === 0 ? (
          <Empty>
            No tenant is registered (or none you may see). Register one with <code>PUT /api/tenants/&#123;tenantId&#125;</code> or{" "}
            <code>tenant-inventory tenants add</code>.
          </Empty>
        ) : (
          <>
            <div class="toolbar">
              <label>
                Filter tenants <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} placeholder="name or id" />
              </label>
              <span class="muted" aria-live="polite">
                {rows.length} of {tenants.data.items.length} tenants
              </span>
            </div>
            <table>
              <caption class="sr-only">Registered tenants</caption>
              <thead>
                <tr>
                  <SortHeader label="Tenant" column="displayName" sort={sort} onSort={setSort} />
                  <SortHeader label="Tenant id" column="tenantId" sort={sort} onSort={setSort} />
                  <SortHeader label="Enabled" column="enabled" sort={sort} onSort={setSort} />
                  <th scope="col">Nightly selections</th>
                </tr>
              </thead>
              <tbody>
                {sorted.map((t) => (
                  <tr key={t.tenantId}>
                    <th scope="row">
                      <Link href={`/tenants/${t.tenantId}`}>{t.displayName}</Link>
                    </th>
                    <td>
                      <code>{t.tenantId}</code>
                    </td>
                    <td>{t.enabled ? "yes" : "disabled"}</td>
                    <td>{t.selections.length}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {rows.length === 0 && <Empty>No tenant matches “{filter}”.</Empty>}
          </>
        ))}
    </>
  );
}
