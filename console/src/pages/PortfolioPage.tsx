import { useMemo, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import type { Portfolio } from "../types";
import { Empty, ErrorBox, Loading, PageHeading, SortHeader, StatusBadge, useLoad, useSorted } from "../ui";
import type { Sort } from "../ui";
import { formatTime } from "../words";

type Row = Portfolio["items"][number];
type Column = "displayName" | "lastRun" | "lastSuccessAt" | "stale" | "itemCount" | "missingCount" | "changesLast24h" | "drift";
type Show = "all" | "attention";

/** Needs a look: the last run did not succeed, no success in 26 h, or drift against a baseline. */
const needsAttention = (r: Row) =>
  r.enabled && (r.stale || (r.lastRun !== null && r.lastRun.status !== "success") || (r.drift !== null && r.drift.missing + r.drift.extra + r.drift.changed > 0));

const driftTotal = (r: Row) => (r.drift ? r.drift.missing + r.drift.extra + r.drift.changed : null);

/**
 * The morning page (GET /api/portfolio): every tenant the caller may see, worst first as the API
 * orders them, filterable by name and to those needing attention; each row opens the tenant.
 */
export function PortfolioPage() {
  const portfolio = useLoad<Portfolio>("portfolio");
  const [filter, setFilter] = useState("");
  const [show, setShow] = useState<Show>("all");
  const [sort, setSort] = useState<Sort<Column> | null>(null);
  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return (portfolio.data?.items ?? []).filter(
      (t) => (show === "all" || needsAttention(t)) && (!needle || t.displayName.toLowerCase().includes(needle) || t.tenantId.includes(needle)),
    );
  }, [portfolio.data, filter, show]);
  const sorted = useSorted(rows, sort, (t, key) => {
    switch (key) {
      case "lastRun":
        return t.lastRun?.finishedAt ?? null;
      case "stale":
        return t.stale ? 1 : 0;
      case "drift":
        return driftTotal(t);
      default:
        return t[key];
    }
  });
  return (
    <>
      <PageHeading>Portfolio</PageHeading>
      {portfolio.state === "loading" && <Loading what="the portfolio" />}
      {portfolio.state === "error" && <ErrorBox error={portfolio.error} />}
      {portfolio.state === "ok" &&
        (portfolio.data.items.length === 0 ? (
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
              <label>
                Show
                <select value={show} onChange={(e) => setShow(e.currentTarget.value as Show)}>
                  <option value="all">every tenant</option>
                  <option value="attention">only those needing attention</option>
                </select>
              </label>
              <span class="muted" aria-live="polite">
                {rows.length} of {portfolio.data.items.length} tenants · as of {formatTime(portfolio.data.generatedAt)}
              </span>
            </div>
            <table>
              <caption class="sr-only">Tenants, worst first</caption>
              <thead>
                <tr>
                  <SortHeader label="Tenant" column="displayName" sort={sort} onSort={setSort} />
                  <SortHeader label="Last run" column="lastRun" sort={sort} onSort={setSort} />
                  <SortHeader label="Last success" column="lastSuccessAt" sort={sort} onSort={setSort} />
                  <SortHeader label="Stale" column="stale" sort={sort} onSort={setSort} />
                  <SortHeader label="Items" column="itemCount" sort={sort} onSort={setSort} />
                  <SortHeader label="Missing" column="missingCount" sort={sort} onSort={setSort} />
                  <SortHeader label="Changes 24 h" column="changesLast24h" sort={sort} onSort={setSort} />
                  <SortHeader label="Drift" column="drift" sort={sort} onSort={setSort} />
                </tr>
              </thead>
              <tbody>
                {sorted.map((t) => (
                  <tr key={t.tenantId}>
                    <th scope="row">
                      <Link href={`/tenants/${t.tenantId}`}>{t.displayName}</Link>
                      {!t.enabled && <span class="badge badge-skipped"> disabled</span>}
                    </th>
                    <td>
                      <StatusBadge status={t.lastRun?.status} /> {t.lastRun && formatTime(t.lastRun.finishedAt)}{" "}
                      {t.lastRun?.errorCodes.map((c) => <code key={c}>{c} </code>)}
                    </td>
                    <td>{formatTime(t.lastSuccessAt)}</td>
                    <td>{t.stale ? <strong>stale</strong> : "no"}</td>
                    <td class="num">{t.itemCount}</td>
                    <td class="num">{t.missingCount}</td>
                    <td class="num">
                      {t.changesLast24h === null ? (
                        <span title="not recorded yet">—</span>
                      ) : (
                        <Link href={`/tenants/${t.tenantId}/changes/24h`} aria-label={`${t.changesLast24h} change${t.changesLast24h === 1 ? "" : "s"} in the last 24 hours`}>
                          {t.changesLast24h}
                        </Link>
                      )}
                    </td>
                    <td>
                      {t.drift ? (
                        <Link
                          href={`/tenants/${t.tenantId}/drift/${encodeURIComponent(t.drift.baselineId)}`}
                          aria-label={`drift against ${t.drift.baselineId}: ${t.drift.missing} missing, ${t.drift.extra} extra, ${t.drift.changed} changed`}
                        >
                          {t.drift.missing} missing, {t.drift.extra} extra, {t.drift.changed} changed
                        </Link>
                      ) : (
                        <span title="no baseline evaluated">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {rows.length === 0 && <Empty>No tenant matches.</Empty>}
          </>
        ))}
    </>
  );
}
