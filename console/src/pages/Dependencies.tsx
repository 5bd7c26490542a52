import { useMemo } from "preact/hooks";
import { Link } from "wouter-preact";
import { query, tenantPath } from "../api";
import type { ItemDetail, ItemPage } from "../types";
import { Empty, ErrorBox, Loading, Pager, useLoad, useTokenPages } from "../ui";
import { REFERENCE_WORDS } from "../words";
import type { ReferenceKind } from "../words";

const PAGE_SIZE = 100;
/** The dependencies route's query parameter per kind (docs/api.md "Dependencies"). */
const PARAM: Record<ReferenceKind, string> = { group: "groupId", filter: "filterId", scopeTag: "scopeTagId" };
/** Items that are themselves something other items reference: an assignment filter, a scope tag. */
const REFERENCED_AS: Readonly<Record<string, ReferenceKind>> = { assignmentFilter: "filter", roleScopeTag: "scopeTag" };
/** Where a filter or scope tag is itself in the inventory (foundation types); groups are Entra objects, never inventory items. */
const INVENTORY_TYPE: Partial<Record<ReferenceKind, string>> = { filter: "assignmentFilter", scopeTag: "roleScopeTag" };

interface Reference {
  kind: ReferenceKind;
  id: string;
}

/**
 * `group:<id>` (the API's own reference key form) ↔ a reference: the console's address of "items
 * using it". The id is encoded (the router decodes paths with decodeURI, which leaves `%3A` alone,
 * so the kind's colon is written as is).
 */
const referenceKey = (r: Reference) => `${r.kind}:${encodeURIComponent(r.id)}`;
function parseReference(key: string): Reference | null {
  const at = key.indexOf(":");
  const kind = key.slice(0, at);
  if (at <= 0 || !(kind in REFERENCE_WORDS)) return null;
  try {
    return { kind: kind as ReferenceKind, id: decodeURIComponent(key.slice(at + 1)) };
  } catch {
    return null;
  }
}

/**
 * What an item references, as the dependencies route indexes it: the groups it targets and the
 * assignment filters it applies (known assignments only), and its scope tags (`roleScopeTagIds`,
 * or `roleScopeTags` on filters and policy sets). Ids are compared case-insensitively, as Graph does.
 */
function referencesOf(item: ItemDetail): Reference[] {
  const seen = new Map<string, Reference>();
  const add = (kind: ReferenceKind, id: string | null | undefined) => {
    if (id) seen.set(`${kind}:${id.toLowerCase()}`, { kind, id });
  };
  for (const target of item.assignments.status === "known" ? item.assignments.targets : []) {
    add("group", target.groupId);
    add("filter", target.filterId);
  }
  const tags = item.meta.roleScopeTagIds ?? item.meta.roleScopeTags;
  for (const tag of Array.isArray(tags) ? tags : []) if (typeof tag === "string") add("scopeTag", tag);
  return [...seen.values()];
}

const usesHref = (tenantId: string, r: Reference) => `/tenants/${tenantId}/uses/${referenceKey(r)}`;

/**
 * The filters or scope tags of the inventory by Graph id, to name a reference and link to its item.
 * One page of the type (the API's maximum, 200): a tenant has a few dozen filters and scope tags
 * at most; one beyond the first page is shown by its id only.
 */
function useInventoryNames(tenantId: string, kind: ReferenceKind, needed: boolean): Map<string, ItemDetail> {
  const type = INVENTORY_TYPE[kind];
  const page = useLoad<ItemPage>(needed && type ? tenantPath(tenantId, "inventory", "items") + query({ policyType: type, limit: 200 }) : null);
  return useMemo(() => new Map((page.data?.items ?? []).map((i) => [i.externalId.toLowerCase(), i])), [page.data]);
}

/** The item page's dependencies: what it references (each a link to every item using the same), and what references it. */
export function ItemDependencies({ tenantId, item }: { tenantId: string; item: ItemDetail }) {
  const references = referencesOf(item);
  const referencedAs = REFERENCED_AS[item.policyType];
  const filters = useInventoryNames(tenantId, "filter", references.some((r) => r.kind === "filter"));
  const scopeTags = useInventoryNames(tenantId, "scopeTag", references.some((r) => r.kind === "scopeTag"));
  const inventoryItemOf = (r: Reference) => (r.kind === "filter" ? filters : r.kind === "scopeTag" ? scopeTags : null)?.get(r.id.toLowerCase());
  return (
    <section aria-labelledby="dependencies">
      <h3 id="dependencies">Dependencies</h3>
      {references.length === 0 ? (
        <p class="muted">
          It references no group, assignment filter or scope tag{item.assignments.status === "unknown" ? " that is known (its assignments could not be read)" : ""}.
        </p>
      ) : (
        <table>
          <caption>What this item references</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Id</th>
              <th scope="col">In the inventory</th>
              <th scope="col">Used by</th>
            </tr>
          </thead>
          <tbody>
            {references.map((r) => (
              <tr key={referenceKey(r)}>
                <th scope="row">{REFERENCE_WORDS[r.kind]}</th>
                <td>
                  <code>{r.id}</code>
                </td>
                <td>
                  <InventoryLink tenantId={tenantId} reference={r} item={inventoryItemOf(r)} />
                </td>
                <td>
                  <Link href={usesHref(tenantId, r)}>
                    every item using this {REFERENCE_WORDS[r.kind].toLowerCase()}
                    <span class="sr-only"> ({r.id})</span>
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {referencedAs ? (
        <UsesList tenantId={tenantId} reference={{ kind: referencedAs, id: item.externalId }} caption={`Items using this ${REFERENCE_WORDS[referencedAs].toLowerCase()}`} />
      ) : (
        <p class="muted">Nothing references an item of this type: the inventory tracks references to groups, assignment filters and scope tags.</p>
      )}
    </section>
  );
}

function InventoryLink({ tenantId, reference, item }: { tenantId: string; reference: Reference; item: ItemDetail | undefined }) {
  if (item) return <Link href={`/tenants/${tenantId}/items/${encodeURIComponent(item.id)}`}>{item.displayName}</Link>;
  return (
    <span class="muted">
      {reference.kind === "group" ? "an Entra group (not inventoried)" : "not in the inventory (sync with foundations to read it)"}
    </span>
  );
}

/** Every item using one group, filter or scope tag (`/tenants/{t}/uses/{kind}:{id}`). */
export function UsesPage({ tenantId, reference }: { tenantId: string; reference: string }) {
  const r = parseReference(reference);
  if (!r) return <Empty>Not a reference: expected group:, filter: or scopeTag: and an id.</Empty>;
  return (
    <>
      <h2>
        Items using {REFERENCE_WORDS[r.kind].toLowerCase()} <code>{r.id}</code>
      </h2>
      <UsesList tenantId={tenantId} reference={r} caption={`Items using this ${REFERENCE_WORDS[r.kind].toLowerCase()}`} />
    </>
  );
}

function UsesList({ tenantId, reference, caption }: { tenantId: string; reference: Reference; caption: string }) {
  const params = { [PARAM[reference.kind]]: reference.id };
  const pages = useTokenPages(referenceKey(reference));
  const page = useLoad<ItemPage>(tenantPath(tenantId, "inventory", "dependencies") + query({ ...params, limit: PAGE_SIZE, continuationToken: pages.token }));
  if (page.state === "loading") return <Loading what="the items using it" />;
  if (page.state === "error") return <ErrorBox error={page.error} title="The items using it could not be read" />;
  return (
    <>
      {page.data.items.length === 0 ? (
        <Empty>
          {pages.number > 1 ? "No more items." : `No item uses it${reference.kind === "scopeTag" ? "" : " (items whose assignments could not be read are not counted)"}.`}
        </Empty>
      ) : (
        <table>
          <caption>{caption}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Policy type</th>
              <th scope="col">Platform</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((i) => (
              <tr key={i.id}>
                <th scope="row">
                  <Link href={`/tenants/${tenantId}/items/${encodeURIComponent(i.id)}`}>{i.displayName}</Link>
                </th>
                <td>{i.policyType}</td>
                <td>{i.platform}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager label="Pages of items using it" pages={pages} next={page.data.continuationToken} />
    </>
  );
}
