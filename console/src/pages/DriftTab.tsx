import { useMemo, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { navigate } from "wouter-preact/use-hash-location";
import { query, tenantPath } from "../api";
import type { BaselineList, DriftReport, Tenant } from "../types";
import { Empty, ErrorBox, Loading, useLoad } from "../ui";
import { formatTime } from "../words";
import { DiffTable } from "./DiffTable";

type Row = DriftReport["items"][number];

const STATUS_WORDS: Record<Row["status"], string> = {
  missing: "missing (expected, not in the tenant)",
  extra: "extra (in the tenant, not expected)",
  changed: "changed",
  matching: "matching",
};

/**
 * The tenant against a baseline (GET …/drift): what the baseline expects and the tenant lacks,
 * what it has on top, and what differs; low confidence when a covered type was not read
 * completely, whose items are then called neither missing nor extra. The baseline is in the
 * address (`drift/{baselineId}`, as the portfolio links it); without one, the tenant's assigned
 * baseline — the one evaluated after its runs — and never an unassigned one picked for the reader.
 */
export function DriftTab({ tenant, baselineId }: { tenant: Tenant; baselineId: string | null }) {
  const baselines = useLoad<BaselineList>("baselines");
  const assigned = tenant.baselines ?? [];
  const chosen = baselineId ?? assigned[0] ?? "";
  const report = useLoad<DriftReport>(chosen ? tenantPath(tenant.tenantId, "drift") + query({ baselineId: chosen }) : null);
  const [all, setAll] = useState(false);
  const rows = useMemo(() => (report.data?.items ?? []).filter((r) => all || r.status !== "matching"), [report.data, all]);
  if (baselines.state === "loading") return <Loading what="baselines" />;
  if (baselines.state === "error") return <ErrorBox error={baselines.error} />;
  if (baselines.data.items.length === 0) {
    return <Empty>No baseline exists yet. Capture one from a reference tenant with <code>PUT /api/baselines/&#123;baselineId&#125;</code>.</Empty>;
  }
  return (
    <>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Baseline
          <select value={chosen} onChange={(e) => navigate(`/tenants/${tenant.tenantId}/drift/${encodeURIComponent(e.currentTarget.value)}`)}>
            {!chosen && <option value="">choose a baseline</option>}
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
      {assigned.length === 0 && (
        <p class="notice">
          No baseline is assigned to this tenant, so no drift is evaluated after its runs (assign one with the tenant's <code>baselines</code> in{" "}
          <code>PUT /api/tenants/&#123;tenantId&#125;</code>).{chosen ? " This report is evaluated now, on request." : " Choose a baseline to evaluate the tenant against it now."}
        </p>
      )}
      {report.state === "loading" && chosen && <Loading what="drift" />}
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
            {report.data.basedOnRunId ? (
              <>
                {" "}
                on <Link href={`/tenants/${tenant.tenantId}/runs/${report.data.basedOnRunId}`}>this run</Link>
              </>
            ) : (
              ", with no completed run that read a covered type"
            )}
            .
          </p>
          {rows.length === 0 ? (
            report.data.confidence === "low" ? (
              <Empty>
                No drift found in what was read, but drift cannot be confirmed:{" "}
                {report.data.basedOnRunId
                  ? `the baseline's types ${report.data.incompleteTypes.join(", ")} were not read completely by the latest run that covered them, and their items may differ.`
                  : `no completed run of this tenant has read the baseline's types (${report.data.incompleteTypes.join(", ")}): sync it first.`}
              </Empty>
            ) : (
              <Empty>No drift: every type the baseline covers was read completely and the tenant matches the baseline.</Empty>
            )
          ) : (
            <DiffTable
              caption={`Drift against ${chosen}`}
              statusHeader="Status"
              rows={rows}
              pageKey={`${chosen}/${all}`}
              cells={(r: Row) => ({
                // Unique: an item id, or — for what the tenant lacks — the baseline's own name, which a baseline holds once.
                key: r.itemId ?? `expected:${r.policyType}/${r.displayName}`,
                name: r.itemId ? <Link href={`/tenants/${tenant.tenantId}/items/${encodeURIComponent(r.itemId)}`}>{r.displayName}</Link> : r.displayName,
                policyType: r.policyType,
                status: STATUS_WORDS[r.status],
                differences: r.differences,
              })}
            />
          )}
        </>
      )}
    </>
  );
}
