import { useMemo, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { query, tenantPath } from "../api";
import type { MissingReport, Run, SelectionList } from "../types";
import { Empty, ErrorBox, ExportLinks, Loading, RowPager, StatusBadge, useLoad, useRowPages } from "../ui";
import { codeInWords, formatTime } from "../words";
import { selectionText } from "./RunsTab";

/**
 * Missing items of a selection, with how sure that is and why, in words: an item of a type the
 * run could not read completely (a 403, say) may well still exist, and the page says so per item.
 */
export function MissingTab({ tenantId }: { tenantId: string }) {
  const [selectionHash, setSelectionHash] = useState("");
  const report = useLoad<MissingReport>(tenantPath(tenantId, "inventory", "missing") + query({ selectionHash }));
  const selections = useLoad<SelectionList>(tenantPath(tenantId, "inventory", "selections"));
  const latestRunId = report.data?.latestRun?.id ?? null;
  const latest = useLoad<Run>(latestRunId ? tenantPath(tenantId, "inventory", "runs", latestRunId) : null);
  const typeErrors = useMemo(() => new Map((latest.data?.policyTypes ?? []).map((t) => [t.policyType, t.errorCode])), [latest.data]);
  return (
    <>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Selection
          <select value={selectionHash} onChange={(e) => setSelectionHash(e.currentTarget.value)}>
            <option value="">of the latest completed run</option>
            {(selections.data?.items ?? []).map((s) => (
              <option key={s.selectionHash} value={s.selectionHash}>
                {selectionText(s.selection)} ({s.selectionHash.slice(0, 8)}){s.nightly ? ", nightly" : ""}
                {s.latestRun ? "" : ", never run"}
              </option>
            ))}
          </select>
        </label>
      </form>
      {report.state === "loading" && <Loading what="missing items" />}
      {report.state === "error" && <ErrorBox error={report.error} />}
      {report.state === "ok" && (
        <>
          <Report tenantId={tenantId} report={report.data} typeErrors={typeErrors} />
          {report.data.items.length > 0 && (
            <ExportLinks what="these missing items" path={tenantPath(tenantId, "inventory", "missing")} params={{ selectionHash: report.data.selectionHash }} />
          )}
        </>
      )}
    </>
  );
}

function Report({ tenantId, report, typeErrors }: { tenantId: string; report: MissingReport; typeErrors: Map<string, string | null> }) {
  // The report is computed whole (no continuation tokens): paged here, so a mass deletion's thousands of rows stay out of the DOM.
  const pages = useRowPages(report.items, `${report.selectionHash}/${report.latestRun?.id ?? ""}`);
  if (!report.latestRun) return <Empty>No completed run of this selection yet, so nothing can be called missing.</Empty>;
  const run = report.latestRun;
  return (
    <>
      <p class={report.confidence === "low" ? "notice" : undefined}>
        <strong>Confidence: {report.confidence}.</strong>{" "}
        {report.confidence === "high"
          ? "The latest run of this selection read every type completely: a missing item was not returned by Graph."
          : `The latest run of this selection ended ${run.status}${run.hadErrors ? " with errors" : ""}: some types were not read completely, and their items may only look missing.`}{" "}
        Based on <Link href={`/tenants/${tenantId}/runs/${run.id}`}>the run</Link> <StatusBadge status={run.status} /> finished {formatTime(run.finishedAt)}.
      </p>
      {report.items.length === 0 ? (
        <Empty>Nothing is missing: every item in the inventory of this selection was seen by that run.</Empty>
      ) : (
        <table>
          <caption>
            {report.items.length} missing items{pages.count > 1 && `, ${pages.first}–${pages.first + pages.rows.length - 1} shown`}
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Policy type</th>
              <th scope="col">Last seen</th>
              <th scope="col">Why it is missing</th>
            </tr>
          </thead>
          <tbody>
            {pages.rows.map((item) => {
              const code = typeErrors.get(item.policyType) ?? null;
              return (
                <tr key={item.id}>
                  <th scope="row">{item.displayName}</th>
                  <td>{item.policyType}</td>
                  <td>{formatTime(item.lastSeenAt)}</td>
                  <td>
                    {item.typeComplete ? (
                      "Its type was read completely and Graph no longer returned it (deleted, or out of reach)."
                    ) : (
                      <>
                        <strong>Type not read completely</strong> in that run
                        {code ? (
                          <>
                            : <code>{code}</code> {codeInWords(code)}
                          </>
                        ) : (
                          "."
                        )}{" "}
                        It may still exist.
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <RowPager label="Pages of missing items" pages={pages} />
    </>
  );
}
