import { Fragment } from "preact";
import { Link } from "wouter-preact";
import { tenantPath } from "../api";
import type { ItemDetail } from "../types";
import { ErrorBox, Loading, useLoad } from "../ui";
import { formatTime } from "../words";
import { ItemDependencies } from "./Dependencies";

const ASSIGNMENT_WORDS = {
  unknown: "The assignments of this item could not be read (Graph does not return them for this type, or the read failed). That is not the same as unassigned.",
  notApplicable: "Items of this type have no assignments.",
} as const;

/** One item (GET …/inventory/items/{itemId}): what is stored of it, its meta and its assignments. */
export function ItemPage({ tenantId, itemId }: { tenantId: string; itemId: string }) {
  const item = useLoad<ItemDetail>(tenantPath(tenantId, "inventory", "items", itemId));
  if (item.state === "loading") return <Loading what="the item" />;
  if (item.state === "error") return <ErrorBox error={item.error} title="The item could not be read" />;
  const i = item.data;
  const assignments = i.assignments;
  return (
    <>
      <h2>{i.displayName}</h2>
      <dl class="facts">
        <dt>Policy type</dt>
        <dd>
          {i.policyType} ({i.category})
        </dd>
        <dt>Platform</dt>
        <dd>{i.platform}</dd>
        <dt>Graph id</dt>
        <dd>
          <code>{i.externalId}</code>
        </dd>
        <dt>First seen</dt>
        <dd>{formatTime(i.firstSeenAt)}</dd>
        <dt>Last seen</dt>
        <dd>
          {formatTime(i.lastSeenAt)} by <Link href={`/tenants/${tenantId}/runs/${i.lastSeenRunId}`}>this run</Link>
        </dd>
        {Object.entries(i.meta).map(([key, value]) => (
          <Fragment key={key}>
            <dt>{key}</dt>
            <dd>
              <code>{typeof value === "string" ? value : JSON.stringify(value)}</code>
            </dd>
          </Fragment>
        ))}
      </dl>
      <h3>Assignments</h3>
      {assignments.status !== "known" ? (
        <p class={assignments.status === "unknown" ? "notice" : "muted"}>{ASSIGNMENT_WORDS[assignments.status]}</p>
      ) : assignments.targets.length === 0 ? (
        <p>Not assigned.</p>
      ) : (
        <table>
          <caption class="sr-only">Assignment targets</caption>
          <thead>
            <tr>
              <th scope="col">Target</th>
              <th scope="col">Intent</th>
              <th scope="col">App intent</th>
              <th scope="col">Filter</th>
            </tr>
          </thead>
          <tbody>
            {assignments.targets.map((t, n) => (
              <tr key={n}>
                <th scope="row">{t.kind === "group" ? <>group <code>{t.groupId}</code></> : t.kind}</th>
                <td>{t.intent}</td>
                <td>{t.appIntent ?? "—"}</td>
                <td>{t.filterId ? <>{t.filterMode} <code>{t.filterId}</code></> : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ItemDependencies tenantId={tenantId} item={i} />
      <p>
        <Link href={`/tenants/${tenantId}/items`}>Back to the inventory</Link>
      </p>
    </>
  );
}
