import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { query, tenantPath } from "../api";
import type { BaselineList, DriftReport, Tenant } from "../types";
import { Empty, ErrorBox, Loading, useLoad } from "../ui";
import { formatTime } from "../words";

const STATUS_WORDS: Record<DriftReport["items"][number]["status"], string> = {
  missing: "missing (expected, not in the tenant)",
  extra: "extra (in the tenant, not expected)",
  changed: "changed",
  matching: "matching",
};

/**
 * The tenant against a baseline (GET …/drift): what the baseline expects and the tenant lacks,
 * what it has on top, and what differs; low confidence when a covered type was not read
 * completely, whose items are then called neither missing nor extra.
 */
export function DriftTab({ tenant }: { tenant: Tenant }) {
  const baselines = useLoad<BaselineList>("baselines");
  const assigned = tenant.baselines ?? [];
  const [baselineId, setBaselineId] = useState(assigned[0] ?? "");
  const chosen = baselineId || (baselines.data?.items[0]?.baselineId ?? "");
  const report = useLoad<DriftReport>(chosen ? tenantPath(tenant.tenantId, "drift") + query({ baselineId: chosen }) : null);
  const [all, setAll] = useState(false);
  if (baselines.state === "loading") return <Loading what="baselines" />;
  if (baselines.state === "error") return <ErrorBox error={baselines.error} />;
  if (baselines.data.items.length === 0) {
    return <Empty>No baseline exists yet. Capture one from a reference tenant with <code>PUT /api/baselines/&#123;baselineId&#125;</code>.</Empty>;
  }
  const rows = (report.data?.items ?? []).filter((r) => all || r.status !== "matching");
  return (
    <>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Baseline
          <select value={chosen} onChange={(e) => setBaselineId(e.currentTarget.value)}>
            {baselines.data.items.map((b) => (
              <option key={b.baselineId} value={b.baselineId}>
                {b.displayName} ({b.baselineId}){assigned.includes(b.baselineId) ? " — assigned" : ""}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} /> Show matching items too
        </label>
      </form>
      {report.state === "loading" && <Loading what="drift" />}
      {report.state === "error" && <ErrorBox error={report.error} />}
      {report.state === "ok" && (
        <>
          <p role="status" class={report.data.confidence === "low" ? "notice" : undefined}>
            <strong>
              {report.data.counts.missing} missing, {report.data.counts.extra} extra, {report.data.counts.changed} changed, {report.data.counts.matching} matching.
            </strong>{" "}
            Confidence: {report.data.confidence}
            {report.data.incompleteTypes.length > 0 && <> — not read completely, so nothing of them is called missing or extra: {report.data.incompleteTypes.join(", ")}</>}. Evaluated{" "}
            {formatTime(report.data.evaluatedAt)} against version {report.data.baselineVersion}
            {report.data.basedOnRunId && (
              <>
                {" "}
                on <Link href={`/tenants/${tenant.tenantId}/runs/${report.data.basedOnRunId}`}>this run</Link>
              </>
            )}
            .
          </p>
          {rows.length === 0 ? (
            <Empty>No drift: the tenant matches the baseline.</Empty>
          ) : (
            <table>
              <caption>Drift against {chosen}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Policy type</th>
                  <th scope="col">Status</th>
                  <th scope="col">Differing fields</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.status}/${r.policyType}/${r.displayName}`}>
                    <th scope="row">{r.displayName}</th>
                    <td>{r.policyType}</td>
                    <td>{STATUS_WORDS[r.status]}</td>
                    <td>{r.differences.map((d) => <code key={d}>{d} </code>)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}
