import { useMemo, useState } from "preact/hooks";
import { Link, useSearch } from "wouter-preact";
import { navigate } from "wouter-preact/use-hash-location";
import { query } from "../api";
import type { CompareResult, Portfolio } from "../types";
import { Empty, ErrorBox, ExportLinks, Loading, PageHeading, useLoad } from "../ui";
import { DiffTable } from "./DiffTable";

type Row = CompareResult["items"][number];
type Status = Row["status"];
const STATUS_WORDS: Record<Status, string> = {
  onlyLeft: "only left",
  onlyRight: "only right",
  different: "different",
  same: "same",
  ambiguous: "ambiguous (name twice in one tenant)",
};

/** Why a row is unconfirmed, in words: which side's read of the type it rests on (API.md "Compare"). */
const UNCONFIRMED_WHY: Partial<Record<Status, string>> = {
  onlyLeft: "the right tenant's type was not read completely",
  onlyRight: "the left tenant's type was not read completely",
  different: "a side's type was not read completely",
};

const itemHref = (tenantId: string, itemId: string) => `/tenants/${tenantId}/items/${encodeURIComponent(itemId)}`;

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
  const rows = useMemo(
    () => (result.data?.items ?? []).filter((r) => (show === "all" ? true : show === "notSame" ? r.status !== "same" : r.status === show)),
    [result.data, show],
  );
  const leftName = names.get(left) ?? left;
  const rightName = names.get(right) ?? right;
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
            <strong>{leftName}</strong> vs <strong>{rightName}</strong>: {result.data.counts.same} same, {result.data.counts.different} different,{" "}
            {result.data.counts.onlyLeft} only left, {result.data.counts.onlyRight} only right, {result.data.counts.ambiguous} ambiguous. Confidence:{" "}
            {result.data.confidence}.
          </p>
          {result.data.confidence === "low" && (
            <div class="notice">
              <p>
                <strong>Low confidence: some types were not read completely</strong> by the latest run that covered them (a 403, throttling, a
                partial run) or were never synced. A row resting on one is marked <em>unconfirmed</em>: the item may exist on the other side
                all the same, or may have changed since it was last read.
              </p>
              <ul>
                {result.data.incompleteTypes.left.length > 0 && (
                  <li>
                    Not read completely in {leftName} (left): {result.data.incompleteTypes.left.join(", ")}
                  </li>
                )}
                {result.data.incompleteTypes.right.length > 0 && (
                  <li>
                    Not read completely in {rightName} (right): {result.data.incompleteTypes.right.join(", ")}
                  </li>
                )}
              </ul>
            </div>
          )}
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
            <Empty>
              Nothing to show:{" "}
              {show !== "notSame"
                ? "no row has this status."
                : result.data.confidence === "low"
                  ? "no difference among what was read, but the types above were not read completely, so the two inventories cannot be called equal."
                  : "the two inventories match."}
            </Empty>
          ) : (
            <DiffTable
              caption="Compared names"
              statusHeader="Result"
              rows={rows}
              pageKey={`${left}/${right}/${show}`}
              withItems
              cells={(r: Row) => ({
                key: `${r.left?.itemId ?? ""}|${r.right?.itemId ?? ""}`,
                name: r.displayName,
                policyType: r.policyType,
                status: r.unconfirmed ? (
                  <>
                    {STATUS_WORDS[r.status]} — <strong>unconfirmed</strong>: {UNCONFIRMED_WHY[r.status]}
                  </>
                ) : (
                  STATUS_WORDS[r.status]
                ),
                differences: r.differences,
                items: (
                  <>
                    {r.left && (
                      <Link href={itemHref(left, r.left.itemId)} aria-label={`${r.displayName} in ${leftName}`}>
                        {leftName}
                      </Link>
                    )}
                    {r.left && r.right && " · "}
                    {r.right && (
                      <Link href={itemHref(right, r.right.itemId)} aria-label={`${r.displayName} in ${rightName}`}>
                        {rightName}
                      </Link>
                    )}
                  </>
                ),
              })}
            />
          )}
          <ExportLinks what="every compared name" path="compare" params={{ left, right }} />
          <p>
            <Link href={`/tenants/${left}`}>Open {names.get(left) ?? "the left tenant"}</Link> · <Link href={`/tenants/${right}`}>Open {names.get(right) ?? "the right tenant"}</Link>
          </p>
        </>
      )}
    </>
  );
}
