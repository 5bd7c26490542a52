import { Link } from "wouter-preact";
import { query, tenantPath } from "../api";
import type { RunPage as RunPageBody } from "../types";
import { Empty, ErrorBox, Loading, Pager, StatusBadge, useLoad, useMayDo, useTokenPages } from "../ui";
import { formatTime } from "../words";
import { SyncForm } from "./SyncForm";

const PAGE_SIZE = 50;

/** The tenant's runs, newest first, paged by continuation token; the sync form for those who may sync. */
export function RunsTab({ tenantId }: { tenantId: string }) {
  const maySync = useMayDo("Inventory.Sync");
  const pages = useTokenPages("");
  const page = useLoad<RunPageBody>(tenantPath(tenantId, "inventory", "runs") + query({ limit: PAGE_SIZE, continuationToken: pages.token }));
  return (
    <>
      {maySync && <SyncForm tenantId={tenantId} />}
      <h2>Runs</h2>
      {page.state === "loading" && <Loading what="runs" />}
      {page.state === "error" && <ErrorBox error={page.error} />}
      {page.state === "ok" &&
        (page.data.items.length === 0 ? (
          <Empty>No run yet for this tenant.{maySync ? " Start one above." : ""}</Empty>
        ) : (
          <table>
            <caption class="sr-only">Runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Requested</th>
                <th scope="col">Status</th>
                <th scope="col">Trigger</th>
                <th scope="col">Selection</th>
                <th scope="col" class="num">Items</th>
                <th scope="col">Errors</th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((run) => (
                <tr key={run.id}>
                  <th scope="row">
                    <Link href={`/tenants/${tenantId}/runs/${run.id}`}>{formatTime(run.requestedAt)}</Link>
                  </th>
                  <td>
                    <StatusBadge status={run.status} />
                  </td>
                  <td>{run.trigger}</td>
                  <td>
                    <code title={run.selectionHash}>{run.selectionHash.slice(0, 8)}</code> {selectionText(run.selection)}
                  </td>
                  <td class="num">{run.counts.itemsObserved}</td>
                  <td>{run.errorCodes.map((c) => <code key={c}>{c} </code>)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      <Pager label="Pages of runs" pages={pages} next={page.data?.continuationToken} words={["Newer runs", "Older runs"]} />
    </>
  );
}

export function selectionText(selection: { policyTypes: string[]; categories: string[]; includeFoundations: boolean }): string {
  const parts = [...selection.categories, ...selection.policyTypes];
  return `${parts.length === 0 ? "every type" : parts.join(", ")}${selection.includeFoundations ? " + foundations" : ""}`;
}
