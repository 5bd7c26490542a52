import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { tenantPath } from "../api";
import type { Coverage } from "../types";
import { Empty, ErrorBox, Loading, SortHeader, StatusBadge, useLoad, useSorted } from "../ui";
import type { Sort } from "../ui";
import { codeInWords, formatTime } from "../words";

type Column = "policyType" | "category" | "itemCount" | "lastObservedAt" | "status";

/** One row per catalog type: how many items, when last observed, and how the last run of it went. */
export function CoverageTab({ tenantId }: { tenantId: string }) {
  const coverage = useLoad<Coverage>(tenantPath(tenantId, "inventory", "coverage"));
  const [sort, setSort] = useState<Sort<Column> | null>(null);
  const rows = useSorted(coverage.data?.items ?? [], sort, (r, key) =>
    key === "status" ? (r.lastRun?.status ?? null) : key === "itemCount" ? r.itemCount : (r[key] ?? null),
  );
  if (coverage.state === "loading") return <Loading what="coverage" />;
  if (coverage.state === "error") return <ErrorBox error={coverage.error} />;
  if (coverage.data.items.every((r) => r.lastRun === null)) {
    return <Empty>No policy type has been synced for this tenant yet. Start a sync on the Runs page.</Empty>;
  }
  return (
    <table>
      <caption>Coverage per policy type</caption>
      <thead>
        <tr>
          <SortHeader label="Policy type" column="policyType" sort={sort} onSort={setSort} />
          <SortHeader label="Category" column="category" sort={sort} onSort={setSort} />
          <SortHeader label="Items" column="itemCount" sort={sort} onSort={setSort} />
          <SortHeader label="Last observed" column="lastObservedAt" sort={sort} onSort={setSort} />
          <SortHeader label="Last run" column="status" sort={sort} onSort={setSort} />
          <th scope="col">Why</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.policyType}>
            <th scope="row">{r.policyType}</th>
            <td>{r.category}</td>
            <td class="num">{r.itemCount}</td>
            <td>{formatTime(r.lastObservedAt)}</td>
            <td>
              {r.lastRun ? (
                <Link href={`/tenants/${tenantId}/runs/${r.lastRun.id}`} aria-label={`Run of ${r.policyType}: ${r.lastRun.status}`}>
                  <StatusBadge status={r.lastRun.status} />
                </Link>
              ) : (
                <StatusBadge status={null} />
              )}
            </td>
            <td>{r.lastRun?.errorCode ? <><code>{r.lastRun.errorCode}</code> {codeInWords(r.lastRun.errorCode)}</> : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
