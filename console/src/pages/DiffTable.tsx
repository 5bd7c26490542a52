import type { ComponentChildren } from "preact";
import { RowPager, useRowPages } from "../ui";

/** What one row of a comparison shows: compare (two tenants) and drift (a tenant against a baseline) both have these. */
export interface DiffCells {
  /** Unique among the rows (an item id, or what the baseline expects): two items may share a name. */
  key: string;
  name: ComponentChildren;
  policyType: string;
  status: ComponentChildren;
  differences: readonly string[];
  /** Links to the items the row is about. */
  items?: ComponentChildren;
}

/**
 * The rows of a compare or drift answer, a page at a time (both answers are computed whole, so
 * they are paged here, not by the API): name, policy type, status in words, the differing fields.
 * `pageKey` names what is shown (the answer and its filter); a new one starts at page 1.
 */
export function DiffTable<T>({
  caption,
  statusHeader,
  rows,
  pageKey,
  cells,
  withItems = false,
}: {
  caption: string;
  statusHeader: string;
  rows: readonly T[];
  pageKey: string;
  cells: (row: T) => DiffCells;
  withItems?: boolean;
}) {
  const pages = useRowPages(rows, pageKey);
  const last = pages.first + pages.rows.length - 1;
  return (
    <>
      <table>
        <caption>
          {caption}: {rows.length === pages.rows.length ? rows.length : `${pages.first}–${last} of ${rows.length}`}
        </caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Policy type</th>
            <th scope="col">{statusHeader}</th>
            <th scope="col">Differing fields</th>
            {withItems && <th scope="col">Items</th>}
          </tr>
        </thead>
        <tbody>
          {pages.rows.map((row) => {
            const c = cells(row);
            return (
              <tr key={c.key}>
                <th scope="row">{c.name}</th>
                <td>{c.policyType}</td>
                <td>{c.status}</td>
                <td>{c.differences.map((d) => <code key={d}>{d} </code>)}</td>
                {withItems && <td>{c.items}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
      <RowPager label={`Pages of ${caption.toLowerCase()}`} pages={pages} />
    </>
  );
}
