import { useMemo, useState } from "preact/hooks";
import { Link, useSearch } from "wouter-preact";
import { navigate } from "wouter-preact/use-hash-location";
import { query } from "../api";
import type { CompareResult, Portfolio } from "../types";
import { Empty, ErrorBox, Loading, PageHeading, useLoad } from "../ui";

type Status = CompareResult["items"][number]["status"];
const STATUS_WORDS: Record<Status, string> = {
  onlyLeft: "only left",
  onlyRight: "only right",
  different: "different",
  same: "same",
  ambiguous: "ambiguous (name twice in one tenant)",
};

/**
 * Two tenants side by side (GET /api/compare): items matched by policy type and name, what
 * exists on one side only and which fields differ. The pair lives in the address, so a
 * comparison can be shared as a link.
 */
export function ComparePage() {
  const search = new URLSearchParams(useSearch());
  const left = search.get("left") ?? "";
  const right = search.get("right") ?? "";
  const tenants = useLoad<Portfolio>("portfolio");
  const [draft, setDraft] = useState({ left, right });
  const result = useLoad<CompareResult>(left && right ? `compare${query({ left, right })}` : null);
  const [show, setShow] = useState<Status | "all" | "notSame">("notSame");
  const names = useMemo(() => new Map((tenants.data?.items ?? []).map((t) => [t.tenantId, t.displayName])), [tenants.data]);
  const rows = (result.data?.items ?? []).filter((r) => (show === "all" ? true : show === "notSame" ? r.status !== "same" : r.status === show));
  const options = (tenants.data?.items ?? []).map((t) => (
    <option key={t.tenantId} value={t.tenantId}>
      {t.displayName}
    </option>
  ));
  return (
    <>
      <PageHeading>Compare two tenants</PageHeading>
      {tenants.state === "error" && <ErrorBox error={tenants.error} />}
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(`/compare${query(draft)}`);
        }}
      >
        <label>
          Left
          <select value={draft.left} onChange={(e) => setDraft({ ...draft, left: e.currentTarget.value })}>
            <option value="">choose a tenant</option>
            {options}
          </select>
        </label>
        <label>
          Right
          <select value={draft.right} onChange={(e) => setDraft({ ...draft, right: e.currentTarget.value })}>
            <option value="">choose a tenant</option>
            {options}
          </select>
        </label>
        <button type="submit" disabled={!draft.left || !draft.right}>
          Compare
        </button>
      </form>
      {!(left && right) && <Empty>Choose two tenants, for example your reference tenant on the left.</Empty>}
      {left && right && result.state === "loading" && <Loading what="the comparison" />}
      {result.state === "error" && <ErrorBox error={result.error} />}
      {result.state === "ok" && (
        <>
          <p role="status">
            <strong>{names.get(left) ?? left}</strong> vs <strong>{names.get(right) ?? right}</strong>: {result.data.counts.same} same,{" "}
            {result.data.counts.different} different, {result.data.counts.onlyLeft} only left, {result.data.counts.onlyRight} only right,{" "}
            {result.data.counts.ambiguous} ambiguous.
          </p>
          <label>
            Show
            <select value={show} onChange={(e) => setShow(e.currentTarget.value as typeof show)}>
              <option value="notSame">every difference</option>
              <option value="all">everything</option>
              {(Object.keys(STATUS_WORDS) as Status[]).map((s) => (
                <option key={s} value={s}>
                  {STATUS_WORDS[s]}
                </option>
              ))}
            </select>
          </label>
          {rows.length === 0 ? (
            <Empty>Nothing to show: {show === "notSame" ? "the two inventories match." : "no row has this status."}</Empty>
          ) : (
            <table>
              <caption>{rows.length} compared names</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Policy type</th>
                  <th scope="col">Result</th>
                  <th scope="col">Differing fields</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.policyType}/${r.displayName}`}>
                    <th scope="row">{r.displayName}</th>
                    <td>{r.policyType}</td>
                    <td>{STATUS_WORDS[r.status]}</td>
                    <td>{r.differences.map((d) => <code key={d}>{d} </code>)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p>
            <Link href={`/tenants/${left}`}>Open {names.get(left) ?? "the left tenant"}</Link> · <Link href={`/tenants/${right}`}>Open {names.get(right) ?? "the right tenant"}</Link>
          </p>
        </>
      )}
    </>
  );
}
