import { Link } from "wouter-preact";
import { tenantPath } from "../api";
import type { Tenant } from "../types";
import { ErrorBox, Loading, PageHeading, useLoad } from "../ui";
import { ChangesTab } from "./ChangesTab";
import { CoverageTab } from "./CoverageTab";
import { UsesPage } from "./Dependencies";
import { DriftTab } from "./DriftTab";
import { ItemPage } from "./ItemPage";
import { ItemsTab } from "./ItemsTab";
import { MissingTab } from "./MissingTab";
import { RunPage } from "./RunPage";
import { RunsTab } from "./RunsTab";

const TABS = [
  { key: "items", label: "Inventory" },
  { key: "coverage", label: "Coverage" },
  { key: "runs", label: "Runs" },
  { key: "changes", label: "Changes" },
  { key: "missing", label: "Missing" },
  { key: "drift", label: "Drift" },
] as const;

/** One tenant: its name, then inventory (one item, the items using a reference), coverage, runs (one run), changes, missing and drift as sub-pages. */
export function TenantPage({ tenantId, tab, subId }: { tenantId: string; tab: string; subId: string | null }) {
  const tenant = useLoad<Tenant>(tenantPath(tenantId));
  const base = `/tenants/${tenantId}`;
  if (tenant.state === "loading") return <Loading what="the tenant" />;
  if (tenant.state === "error") {
    return (
      <>
        <PageHeading>Tenant {tenantId}</PageHeading>
        <ErrorBox error={tenant.error} />
        <p>
          <Link href="/">Back to the portfolio</Link>
        </p>
      </>
    );
  }
  // `uses/{kind}:{id}` (the items using a group, filter or scope tag) belongs to the inventory.
  const current = tab === "uses" ? "items" : (TABS.find((t) => t.key === tab)?.key ?? "items");
  return (
    <>
      <nav aria-label="Breadcrumb" class="crumbs">
        <Link href="/">Portfolio</Link> <span aria-hidden="true">›</span> <span>{tenant.data.displayName}</span>
      </nav>
      <PageHeading>
        {tenant.data.displayName} {!tenant.data.enabled && <span class="badge badge-skipped">disabled</span>}
      </PageHeading>
      <p class="muted">
        <code>{tenantId}</code>
      </p>
      <nav aria-label="Tenant" class="tabs">
        {TABS.map((t) => (
          <Link key={t.key} href={`${base}/${t.key}`} aria-current={current === t.key && (!subId || t.key === "changes" || t.key === "drift") ? "page" : undefined}>
            {t.label}
          </Link>
        ))}
      </nav>
      <section aria-label={TABS.find((t) => t.key === current)?.label}>
        {current === "items" &&
          (tab === "uses" && subId ? <UsesPage tenantId={tenantId} reference={subId} /> : subId ? <ItemPage tenantId={tenantId} itemId={subId} /> : <ItemsTab tenantId={tenantId} />)}
        {current === "coverage" && <CoverageTab tenantId={tenantId} />}
        {current === "runs" && (subId ? <RunPage tenantId={tenantId} runId={subId} /> : <RunsTab tenantId={tenantId} />)}
        {current === "changes" && <ChangesTab key={subId} tenantId={tenantId} period={subId} />}
        {current === "missing" && <MissingTab tenantId={tenantId} />}
        {current === "drift" && <DriftTab tenant={tenant.data} baselineId={subId} />}
      </section>
    </>
  );
}
