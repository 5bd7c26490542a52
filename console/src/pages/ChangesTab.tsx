import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { query, tenantPath } from "../api";
import type { Change, ChangePage, PolicyTypeList, RunChanges } from "../types";
import { Empty, ExportLinks, Loading, PageError, Pager, useLoad, useTokenPages } from "../ui";
import { CHANGE_KIND_WORDS, formatTime } from "../words";

/** 100 changes a page: the DOM stays small whatever a tenant's churn (the API pages at most 200). */
const PAGE_SIZE = 100;
const HOUR = 3_600_000;

/** The periods the Changes tab offers; `/tenants/{t}/changes/{period}` opens it on one (the portfolio links to 24h). */
const PERIODS = {
  "24h": { label: "the last 24 hours", ms: 24 * HOUR },
  "7d": { label: "the last 7 days", ms: 7 * 24 * HOUR },
  "30d": { label: "the last 30 days", ms: 30 * 24 * HOUR },
  all: { label: "everything retained", ms: null },
  range: { label: "between two dates", ms: null },
} as const;
type Period = keyof typeof PERIODS;
const isPeriod = (value: string | null): value is Period => value !== null && value in PERIODS;

/**
 * `since` of a period, as of the moment it is chosen: computed once, not on every render, so the
 * request (and its continuation tokens) stay the same while the person pages through it.
 */
const sinceOf = (period: Period): string | undefined => {
  const ms = PERIODS[period].ms;
  return ms === null ? undefined : new Date(Date.now() - ms).toISOString();
};

/** A date input's value (local calendar day) as the instant that day starts, `days` later. */
const dayStart = (day: string, days = 0): string | undefined => {
  if (!day) return undefined;
  const date = new Date(`${day}T00:00:00`);
  if (Number.isNaN(date.getTime())) return undefined;
  date.setDate(date.getDate() + days);
  return date.toISOString();
};

interface Filters {
  period: Period;
  since: string | undefined;
  from: string;
  to: string;
  kind: string;
  policyType: string;
}

/**
 * The tenant's changes over time (GET …/inventory/changes): every run and selection, newest
 * first, filtered by period, kind and policy type on the server and paged by continuation token;
 * each change links to the run that found it and to the item.
 */
export function ChangesTab({ tenantId, period: initial }: { tenantId: string; period: string | null }) {
  const catalog = useLoad<PolicyTypeList>("policy-types");
  const [filters, setFilters] = useState<Filters>(() => {
    const period = isPeriod(initial) ? initial : "7d";
    return { period, since: sinceOf(period), from: "", to: "", kind: "", policyType: "" };
  });
  const params = {
    since: filters.period === "range" ? dayStart(filters.from) : filters.since,
    // The "to" day is included: changes before the start of the next day.
    until: filters.period === "range" ? dayStart(filters.to, 1) : undefined,
    kind: filters.kind || undefined,
    policyType: filters.policyType || undefined,
  };
  const path = tenantPath(tenantId, "inventory", "changes");
  const filterQuery = query(params);
  const pages = useTokenPages(filterQuery);
  const page = useLoad<ChangePage>(path + query({ ...params, limit: PAGE_SIZE, continuationToken: pages.token }));
  const set = (next: Partial<Filters>) => setFilters({ ...filters, ...next });
  return (
    <>
      <h2>Changes</h2>
      <form class="filters" aria-label="Changes" onSubmit={(e) => e.preventDefault()}>
        <label>
          Period
          <select value={filters.period} onChange={(e) => {
            const period = e.currentTarget.value as Period;
            set({ period, since: sinceOf(period) });
          }}>
            {Object.entries(PERIODS).map(([key, p]) => (
              <option key={key} value={key}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        {filters.period === "range" && (
          <>
            <label>
              From <input type="date" value={filters.from} onChange={(e) => set({ from: e.currentTarget.value })} />
            </label>
            <label>
              To <input type="date" value={filters.to} onChange={(e) => set({ to: e.currentTarget.value })} />
            </label>
          </>
        )}
        <KindSelect value={filters.kind} onChange={(kind) => set({ kind })} />
        <label>
          Policy type
          <select value={filters.policyType} onChange={(e) => set({ policyType: e.currentTarget.value })}>
            <option value="">any</option>
            {(catalog.data?.items ?? []).map((t) => (
              <option key={t.key} value={t.key}>
                {t.key}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ExportLinks what="these changes" path={path} params={params} />
      {page.state === "loading" && <Loading what="changes" />}
      {page.state === "error" && <PageError error={page.error} title="The changes could not be read" pages={pages} />}
      {page.state === "ok" &&
        (page.data.items.length === 0 ? (
          <Empty>
            {pages.number > 1
              ? "No more changes."
              : `No change in ${filters.period === "range" ? "these dates" : PERIODS[filters.period].label}${filters.kind || filters.policyType ? " with these filters" : ""}. A run's first complete read of a type is its baseline, so changes appear from the second run of a selection on.`}
          </Empty>
        ) : (
          <ChangeTable tenantId={tenantId} changes={page.data.items} caption={`Changes in ${filters.period === "range" ? "the chosen dates" : PERIODS[filters.period].label}, newest first`} withRun />
        ))}
      <Pager label="Pages of changes" pages={pages} next={page.data?.continuationToken} words={["Newer changes", "Older changes"]} />
    </>
  );
}

/**
 * What one run changed (GET …/inventory/runs/{runId}/changes), for the run page once the run is
 * final: the counts against the selection's previous completed run, the types of which nothing
 * could be called removed, and the changes themselves, paged.
 */
export function RunChangesSection({ tenantId, runId }: { tenantId: string; runId: string }) {
  const [kind, setKind] = useState("");
  const path = tenantPath(tenantId, "inventory", "runs", runId, "changes");
  const pages = useTokenPages(kind);
  const page = useLoad<RunChanges>(path + query({ kind, limit: PAGE_SIZE, continuationToken: pages.token }));
  const c = page.data?.counts;
  return (
    <section aria-labelledby="run-changes">
      <h3 id="run-changes">Changes in this run</h3>
      {page.state === "loading" && <Loading what="the run's changes" />}
      {page.state === "error" && <PageError error={page.error} title="The run's changes could not be read" pages={pages} />}
      {page.state === "ok" && c && (
        <>
          <p>
            <strong>
              {c.added} added, {c.changed} changed, {c.removed} removed, {c.reappeared} reappeared
            </strong>{" "}
            {page.data.baseRunId ? (
              <>
                since <Link href={`/tenants/${tenantId}/runs/${page.data.baseRunId}`}>the selection's previous completed run</Link>.
              </>
            ) : (
              "— the selection's first completed run: what it read is the baseline later runs are compared with."
            )}
          </p>
          {page.data.incompleteTypes.length > 0 && (
            <p class="notice">
              Not read completely, so nothing of them is called removed: {page.data.incompleteTypes.map((t) => <code key={t}>{t} </code>)}
            </p>
          )}
          <form class="filters" aria-label="Changes in this run" onSubmit={(e) => e.preventDefault()}>
            <KindSelect value={kind} onChange={setKind} />
          </form>
          {c.added + c.changed + c.removed + c.reappeared > 0 && <ExportLinks what="this run's changes" path={path} params={{ kind: kind || undefined }} />}
          {page.data.items.length === 0 ? (
            <Empty>{pages.number > 1 ? "No more changes." : kind ? `No ${CHANGE_KIND_WORDS[kind]?.label.toLowerCase() ?? kind} item in this run.` : "No changes in this run."}</Empty>
          ) : (
            <ChangeTable tenantId={tenantId} changes={page.data.items} caption="What this run changed" />
          )}
          <Pager label="Pages of the run's changes" pages={pages} next={page.data.continuationToken} />
        </>
      )}
    </section>
  );
}

function KindSelect({ value, onChange }: { value: string; onChange(kind: string): void }) {
  return (
    <label>
      Kind of change
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">any</option>
        {Object.entries(CHANGE_KIND_WORDS).map(([key, words]) => (
          <option key={key} value={key}>
            {words.label.toLowerCase()}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Changes as a table: the item (a link), what happened and to which fields, its type, when and (over time) by which run. */
function ChangeTable({ tenantId, changes, caption, withRun = false }: { tenantId: string; changes: Change[]; caption: string; withRun?: boolean }) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Item</th>
          <th scope="col">Change</th>
          <th scope="col">Fields</th>
          <th scope="col">Policy type</th>
          <th scope="col">Detected</th>
          {withRun && <th scope="col">Run</th>}
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={`${c.runId}/${c.itemId}`}>
            <th scope="row">
              <Link href={`/tenants/${tenantId}/items/${encodeURIComponent(c.itemId)}`}>{c.displayName}</Link>
            </th>
            <td>
              <span class={`badge change-${c.kind}`} title={CHANGE_KIND_WORDS[c.kind]?.meaning}>
                {CHANGE_KIND_WORDS[c.kind]?.label ?? c.kind}
              </span>
            </td>
            <td>{c.changedFields.length > 0 ? c.changedFields.map((f) => <code key={f}>{f} </code>) : <span class="muted">—</span>}</td>
            <td>{c.policyType}</td>
            <td>{formatTime(c.detectedAt)}</td>
            {withRun && (
              <td>
                <Link href={`/tenants/${tenantId}/runs/${c.runId}`}>
                  open run<span class="sr-only"> that found this change to {c.displayName}</span>
                </Link>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
