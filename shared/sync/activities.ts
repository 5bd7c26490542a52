import { finish, isTerminalStatus, safeMessage, skip, startRunning } from "../domain";
import { addSecondsIso } from "../domain/isoTime";
import { DEFAULT_NIGHTLY_SELECTION, effectiveNightlySelections } from "../domain/selection";
import type { PolicyTypeOutcome, RunDocument } from "../domain";
import type { Settings } from "../config/settings";
import type { GraphPageSource } from "../graph/pageIterator";
import type { Stores } from "../store/ports";
import { noopLogger } from "../observability";
import type { StructuredLogger } from "../observability";
import { evaluateDriftAfterRun } from "./afterRun/drift";
import { admitRun } from "./start";
import {
  FinalizeRunInputSchema,
  ListNightlyWorkInputSchema,
  MarkRunningInputSchema,
  NightlySummarySchema,
  SyncPolicyTypeInputSchema,
} from "./contracts";
import type { NightlySummary, NightlyWorkPage, PreparedRun } from "./contracts";
import { updateTenantSummary } from "./afterRun/tenantSummary";
import { enumeratePolicyType } from "./enumerate";
import { changeRetentionSeconds, changeWindowsOf, computeChangeSet, reportChangesToSummary } from "./afterRun/changeSet";
import type { RunLogger } from "./runEvents";
import { z } from "zod";

/** What the activity bodies need; the composition root builds it once per process. */
export interface SyncServices {
  stores: Stores;
  settings: Settings;
  log: RunLogger;
  /** Where post-run steps write their events and warnings (absent: they run silently). */
  logger?: StructuredLogger;
  now(): Date;
  /** The tenant's Graph pages (one client per tenant, cached by the composition root). */
  graphFor(tenantId: string): GraphPageSource;
  /** Called once a nightly walk is done. */
  reportNightly?(summary: NightlySummary): void;
  /** Waits between attempts of a type whose store briefly failed (tests shorten it). */
  sleep?(ms: number): Promise<void>;
}

/**
 * Renews a run's gate lease (a signal to the syncGate entity) and says whether the run's
 * orchestration is still alive. It needs the invocation's Durable client, so the host passes it
 * per call (shared/sync/durableClient.ts: gateLeaseRenewerOf).
 */
export type GateLeaseRenewer = (renew: { runId: string; now: string; leaseSeconds: number }) => Promise<boolean>;

/** Last beat per run in this process: the run's lanes start types at once, one beat covers them all. */
const lastBeatMs = new Map<string, number>();
const MAX_TRACKED_RUNS = 10_000;

/**
 * A run whose types are all still enumerating completes no task for a long time (a settings
 * catalog type can page for 30 minutes). So each type's activity renews the run's store lease
 * and gate lease when it starts and every third of a lease while it enumerates: a healthy run is
 * never finalised by the watchdog, and one whose worker died stops renewing and is finalised
 * within one lease. The gate lease of a run whose orchestration ended is not renewed.
 */
function startLeaseHeartbeat(services: SyncServices, input: z.infer<typeof SyncPolicyTypeInputSchema>, renewGateLease?: GateLeaseRenewer): () => void {
  const leaseSeconds = input.leaseSeconds;
  if (!leaseSeconds) return () => undefined;
  const intervalMs = (leaseSeconds * 1000) / 3;
  const beat = async () => {
    const now = services.now();
    // Concurrent types of one run would otherwise all rewrite the run document (ETag retries).
    if (now.getTime() - (lastBeatMs.get(input.runId) ?? -Infinity) < intervalMs) return;
    if (lastBeatMs.size >= MAX_TRACKED_RUNS) lastBeatMs.delete(lastBeatMs.keys().next().value as string);
    lastBeatMs.set(input.runId, now.getTime());
    try {
      // A lane outlives a terminated parent: its heartbeat must then keep neither lease alive.
      const alive = (await renewGateLease?.({ runId: input.runId, now: now.toISOString(), leaseSeconds })) ?? true;
      if (!alive) return;
      await services.stores.runs.update(input.tenantId, input.runId, (r) =>
        r.status === "running" ? { ...r, leaseUntil: addSecondsIso(now, leaseSeconds) } : null,
      );
    } catch {
      // A missed beat is covered by the next one; a third of a lease leaves two more before expiry.
    }
  };
  void beat();
  const timer = setInterval(() => void beat(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Store failures that a fresh attempt usually gets past; the rerun is idempotent (upserts by id). */
const TRANSIENT_STORE_CODES = new Set(["STORE_UNAVAILABLE", "STORE_THROTTLED"]);
export const STORE_RETRY_DELAYS_MS = [1_000, 4_000];

/** What a tenant registered without explicit selections syncs at night (the domain's one definition). */
export const defaultNightlySelection = DEFAULT_NIGHTLY_SELECTION;

/**
 * Activity bodies. Each parses its input (history is data: a bad input fails loudly, never
 * silently), touches one tenant partition, and is idempotent so a Durable retry or a replayed
 * schedule cannot corrupt a run. Run status changes go through the domain's lifecycle
 * (shared/domain/run.ts), which leaves a run alone once it is terminal.
 */
export function createActivities(services: SyncServices) {
  const { stores } = services;
  const sleep = services.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return {
    async markRunning(raw: unknown): Promise<{ ok: boolean }> {
      const input = MarkRunningInputSchema.parse(raw);
      const now = services.now();
      let changed = false;
      const run = await stores.runs.update(input.tenantId, input.runId, (r) => {
        const next = startRunning(r, now, input.leaseSeconds);
        changed = next !== null;
        return next;
      });
      if (changed) services.log.runRunning(run);
      // A run the watchdog already finalised must not be synced.
      return { ok: run.status === "running" };
    },

    async syncPolicyType(raw: unknown, renewGateLease?: GateLeaseRenewer): Promise<PolicyTypeOutcome> {
      const input = SyncPolicyTypeInputSchema.parse(raw);
      const enumerate = () =>
        enumeratePolicyType(
          {
            graphFor: (tenantId) => services.graphFor(tenantId),
            writerFor: (ctx) => stores.items.createWriter(ctx),
            now: () => services.now(),
            onRetry: (info) => services.log.graphRetry(input, info),
            changeContext: async () => {
              const { windows } = await changeWindowsOf(stores, input.tenantId, input.selectionHash, [input.policyType]);
              return {
                window: windows.get(input.policyType) ?? { runs: [], complete: false },
                retentionSeconds: changeRetentionSeconds(services.settings.CHANGES_RETENTION_DAYS),
              };
            },
          },
          input,
        );
      // Graph failures were already retried by the client; a store outage of a few seconds is
      // worth one more enumeration rather than a partial run.
      const stopHeartbeat = startLeaseHeartbeat(services, input, renewGateLease);
      let outcome: PolicyTypeOutcome;
      try {
        outcome = await enumerate();
        for (const delay of STORE_RETRY_DELAYS_MS) {
          if (!outcome.errorCode || !TRANSIENT_STORE_CODES.has(outcome.errorCode)) break;
          await sleep(delay);
          // What an earlier attempt created is replaced, not created, by the next one: keep its count.
          const createdBefore = outcome.itemsCreated;
          outcome = await enumerate();
          outcome = { ...outcome, itemsCreated: outcome.itemsCreated + createdBefore };
        }
      } finally {
        stopHeartbeat();
      }
      services.log.policyTypeCompleted(input, outcome);
      return outcome;
    },

    async finalizeRun(raw: unknown): Promise<{ status: RunDocument["status"] }> {
      const input = FinalizeRunInputSchema.parse(raw);
      const finishedAt = services.now().toISOString();
      const redacted = (e: { code: RunDocument["errorCodes"][number]; message: string }) => ({ code: e.code, message: safeMessage(e.message) });
      const stored = await stores.runs.get(input.tenantId, input.runId);
      // Post-run step 1, the change set: its counts go into the finish update. Only while the run
      // is active (a retry after the update landed must not recount), never for a skipped run.
      const changeSet =
        !input.skipped && stored && !isTerminalStatus(stored.status)
          ? await computeChangeSet(stores, stored, input.outcomes, finishedAt, changeRetentionSeconds(services.settings.CHANGES_RETENTION_DAYS))
          : undefined;
      const finalise = (r: RunDocument) =>
        input.skipped
          ? skip(r, redacted(input.skipped), finishedAt)
          : finish(
              r,
              input.outcomes.map((o) => ({ ...o, errorMessage: o.errorMessage === null ? null : safeMessage(o.errorMessage) })),
              finishedAt,
              input.runLevelError ? redacted(input.runLevelError) : undefined,
              changeSet,
            );
      // The tenant summary (portfolio) is brought up to date from the run as it is about to be
      // written, before the run reads final: whoever sees the run finished (a console, a flow
      // polling Location) sees it in the portfolio too, and the gate is not held longer after the
      // run's own write. On a retry that finds the run final already, from the stored run (the
      // step is idempotent per run, so a summary write lost to a crash is caught up here). The
      // change counts (changesLast24h) go in with it, once per run (idempotent per run id).
      const finished = stored && (finalise(stored) ?? stored);
      if (finished && finished.status !== "skipped" && isTerminalStatus(finished.status)) {
        await updateTenantSummary(services, finished, input.outcomes);
        if (finished.changes) await reportChangesToSummary(services, finished, finished.changes);
      }
      let changed = false;
      const run = await stores.runs.update(input.tenantId, input.runId, (r) => {
        const next = finalise(r);
        changed = next !== null;
        return next;
      });
      if (changed) (run.status === "skipped" ? services.log.runSkipped : services.log.runFinalized)(run);
      // Post-run steps (shared/sync/afterRun/), each swallowing its own failure: the summary and
      // the change counts ran above; drift is not evaluated twice for one run. Drift reads the
      // items this run marked as seen, so it runs before the claim is released: until then no
      // newer run of the selection can mark them as its own (the run would look like it missed them).
      if (changed) await evaluateDriftAfterRun({ stores, logger: services.logger ?? noopLogger, log: services.log, now: services.now }, run);
      await stores.runs.releaseClaim(input.tenantId, input.selectionHash, input.runId);
      return { status: run.status };
    },

    /**
     * One page of the nightly walk: enabled tenants × their selections, in registry key order,
     * resumed by the registry's continuation token so that tenants added or removed meanwhile
     * neither shift nor repeat the others.
     */
    async listNightlyWork(raw: unknown): Promise<NightlyWorkPage> {
      const { cursor, limit } = ListNightlyWorkInputSchema.parse(raw);
      const page = await stores.tenants.listPage({ limit, continuationToken: cursor });
      const enabled = page.tenants.filter((t) => t.enabled);
      return {
        items: enabled.flatMap((t) => effectiveNightlySelections(t.selections).map((_, i) => ({ tenantId: t.tenantId, selectionIndex: i }))),
        tenants: enabled.length,
        cursor: page.continuationToken,
        done: page.continuationToken === null,
      };
    },

    /** Admits one nightly run (the same path as HTTP); the orchestrator then runs it as a sub-orchestration. */
    async prepareNightlyRun(raw: unknown): Promise<PreparedRun> {
      const input = z
        .object({ tenantId: z.string(), selectionIndex: z.number().int().min(0), runId: z.string(), correlationId: z.string() })
        .parse(raw);
      const tenant = await stores.tenants.get(input.tenantId);
      if (!tenant) return { kind: "skipped", runId: input.runId, code: "INTERNAL_ERROR" };
      const selection = tenant.selections[input.selectionIndex] ?? defaultNightlySelection;
      const admitted = await admitRun(services, {
        tenant,
        selection,
        runId: input.runId,
        trigger: "timer",
        correlationId: input.correlationId,
        waitForSlotSeconds: services.settings.SYNC_NIGHTLY_WAIT_SECONDS,
      });
      if (admitted.kind === "queued") {
        services.log.runQueued(admitted.run);
        return { kind: "start", input: admitted.input };
      }
      services.log.runSkipped(admitted.run);
      return { kind: "skipped", runId: admitted.run.id, code: admitted.kind === "lockHeld" ? "LOCK_HELD" : "TENANT_DISABLED" };
    },

    async reportNightly(raw: unknown): Promise<NightlySummary> {
      const summary = NightlySummarySchema.parse(raw);
      services.reportNightly?.(summary);
      return summary;
    },
  };
}

export type SyncActivities = ReturnType<typeof createActivities>;
