import { applyFinishedRun, emptyTenantSummary, seededTenantSummary, withDrift, withRunChanges } from "../../domain";
import type { PortfolioDrift, FinishedTypeFigures, RunChangeEntry, RunDocument } from "../../domain";
import type { Stores } from "../../store/ports";
import type { RunLogger } from "../runEvents";

/**
 * Post-run step "tenant summary" (the portfolio's document, docs/api.md "Portfolio"): called by
 * finalizeRun (and by the watchdog when it fails an abandoned run) once the run document is
 * final. It folds the run's own figures into the tenant's summary — one point read and one
 * write, never a look at the items — except once per tenant, when the summary does not exist
 * yet: one COUNT of its documents, and when that is more than this run created (a deployment
 * that already holds items), a count per type to seed it. A failure is logged and swallowed: it never fails or un-finishes the run, and the
 * next finished run of the tenant brings the summary up to date again.
 */
export async function updateTenantSummary(
  deps: { stores: Pick<Stores, "summaries" | "items" | "runs">; log: Pick<RunLogger, "afterRunStepFailed">; now(): Date },
  run: RunDocument,
  figures: readonly FinishedTypeFigures[],
): Promise<void> {
  try {
    await deps.stores.summaries.update(run.tenantId, async (current) => {
      const now = deps.now().toISOString();
      if (current?.seeded) return applyFinishedRun(current, run, figures, now);
      const base = current ?? emptyTenantSummary(run.tenantId, now);
      // A tenant whose every document this run created (a new tenant: the usual case) needs no
      // count per type; a nightly of 50 new tenants would otherwise add 50 × one aggregate query
      // per catalog type to the store's load. With no earlier completed run of the tenant, every
      // document was created by a run that reports it (this one, or one still in flight that
      // adds its own when it finishes), so not even the COUNT is needed: on the Cosmos-compatible
      // server a query scans the whole container, and 200 such COUNTs turned the 200-tenant
      // nightly bench from seconds into more than ten minutes.
      const created = figures.reduce((n, f) => n + f.itemsCreated, 0);
      const [earlier] = await deps.stores.runs.completedRunsNewestFirst(run.tenantId, 1);
      if (!earlier || earlier.id === run.id || (await deps.stores.items.count(run.tenantId)) === created) {
        return applyFinishedRun({ ...base, seeded: true }, run, figures, now) ?? { ...base, seeded: true };
      }
      const counts = await deps.stores.items.countByType(run.tenantId);
      const seeded = seededTenantSummary(base, new Map([...counts].map(([type, row]) => [type, row.itemCount])), now);
      return applyFinishedRun(seeded, run, figures, now, { createdCounted: true }) ?? seeded;
    });
  } catch (error) {
    deps.log.afterRunStepFailed(run, "tenantSummary", error);
  }
}

/**
 * For the change-set step: records a finished run's change counts, from which the portfolio's
 * `changesLast24h` is summed at read time. Idempotent per run id. Throws on a store failure
 * (the caller logs it as its own step's failure).
 */
export async function recordTenantChanges(
  deps: { stores: Pick<Stores, "summaries">; now(): Date },
  tenantId: string,
  entry: RunChangeEntry,
): Promise<void> {
  const now = deps.now();
  await deps.stores.summaries.update(tenantId, (current) => withRunChanges(current ?? emptyTenantSummary(tenantId, now.toISOString()), entry, now));
}

/**
 * After a tenant's baseline list changed outside a run (its registration replaced, a baseline
 * deleted): the portfolio's drift becomes that of the first of `baselineIds` with a recorded
 * evaluation, or null — never drift against a baseline no longer assigned, which otherwise stayed
 * until the tenant's next run. Reads only the small drift records, evaluates nothing; writes only
 * when the shown drift changes (and never creates a summary: a tenant without one shows none).
 */
export async function refreshTenantDrift(
  deps: { stores: Pick<Stores, "summaries" | "driftRecords">; now(): Date },
  tenantId: string,
  baselineIds: readonly string[],
): Promise<void> {
  let drift: PortfolioDrift | null = null;
  for (const baselineId of baselineIds) {
    const record = await deps.stores.driftRecords.get(tenantId, baselineId);
    if (record) {
      drift = { baselineId, missing: record.counts.missing, extra: record.counts.extra, changed: record.counts.changed };
      break;
    }
  }
  const now = deps.now();
  await deps.stores.summaries.update(tenantId, (current) =>
    current && JSON.stringify(current.drift) !== JSON.stringify(drift) ? withDrift(current, drift, now) : null,
  );
}

/** For the drift step: records the tenant's latest drift figures (null: no baseline any more). */
export async function recordTenantDrift(
  deps: { stores: Pick<Stores, "summaries">; now(): Date },
  tenantId: string,
  drift: PortfolioDrift | null,
): Promise<void> {
  const now = deps.now();
  await deps.stores.summaries.update(tenantId, (current) => withDrift(current ?? emptyTenantSummary(tenantId, now.toISOString()), drift, now));
}
