import { addSecondsIso } from "../domain/isoTime";
import { DEFAULT_NIGHTLY_SELECTION, effectiveNightlySelections } from "../domain/selection";
import { aggregateRun, isTerminalStatus, safeMessage } from "../domain";
import type { PolicyTypeOutcome, RunDocument } from "../domain";
import type { Settings } from "../config/settings";
import type { Stores } from "../store/ports";
import { admitRun } from "./admitRun";
import {
  FinalizeRunInputSchema,
  MarkRunningInputSchema,
  NightlyInputSchema,
  SyncPolicyTypeInputSchema,
} from "./orchestrationInput";
import type { NightlySummary, NightlyWorkPage, PreparedRun, SyncPolicyTypeInput } from "./orchestrationInput";
import type { RunLogger } from "./runEvents";
import { z } from "zod";

export interface EngineServices {
  stores: Stores;
  settings: Settings;
  log: RunLogger;
  now(): Date;
  /** Enumerates one policy type into the store; never throws for Graph or store failures. */
  syncPolicyType(input: SyncPolicyTypeInput): Promise<PolicyTypeOutcome>;
  /** Called once a nightly walk is done. */
  reportNightly?(summary: NightlySummary): void;
  /** Waits between attempts of a type whose store briefly failed (tests shorten it). */
  sleep?(ms: number): Promise<void>;
}

/** Store failures that a fresh attempt usually gets past; the rerun is idempotent (upserts by id). */
const TRANSIENT_STORE_CODES = new Set(["STORE_UNAVAILABLE", "STORE_THROTTLED"]);
export const STORE_RETRY_DELAYS_MS = [1_000, 4_000];


/**
 * Activity bodies. Each parses its input (history is data: a bad input fails loudly, never
 * silently), touches one tenant partition, and is idempotent so a Durable retry or a replayed
 * schedule cannot corrupt a run.
 */
export function createActivities(services: EngineServices) {
  const { stores } = services;
  return {
    async markRunning(raw: unknown): Promise<{ ok: boolean }> {
      const input = MarkRunningInputSchema.parse(raw);
      const now = services.now();
      let changed = false;
      const run = await stores.runs.update(input.tenantId, input.runId, (r) => {
        if (r.status !== "queued" && r.status !== "running") return null;
        changed = true;
        return {
          ...r,
          status: "running",
          startedAt: r.startedAt ?? now.toISOString(),
          leaseUntil: addSecondsIso(now, input.leaseSeconds),
          orchestrationInstanceId: r.orchestrationInstanceId ?? r.id,
        };
      });
      if (changed) services.log.runRunning(run);
      // A run the watchdog already finalised must not be synced.
      return { ok: run.status === "running" };
    },

    async syncPolicyType(raw: unknown): Promise<PolicyTypeOutcome> {
      const input = SyncPolicyTypeInputSchema.parse(raw);
      const sleep = services.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
      // Graph failures were already retried by the client; a store outage of a few seconds is
      // worth one more enumeration rather than a partial run.
      let outcome = await services.syncPolicyType(input);
      for (const delay of STORE_RETRY_DELAYS_MS) {
        if (!outcome.errorCode || !TRANSIENT_STORE_CODES.has(outcome.errorCode)) break;
        await sleep(delay);
        outcome = await services.syncPolicyType(input);
      }
      services.log.policyTypeCompleted(input, outcome);
      return outcome;
    },

    async finalizeRun(raw: unknown): Promise<{ status: RunDocument["status"] }> {
      const input = FinalizeRunInputSchema.parse(raw);
      const finishedAt = services.now().toISOString();
      let changed = false;
      const run = await stores.runs.update(input.tenantId, input.runId, (r) => {
        if (isTerminalStatus(r.status)) return null;
        changed = true;
        if (input.skipped) {
          const message = safeMessage(input.skipped.message);
          return {
            ...r,
            status: "skipped",
            hadErrors: true,
            finishedAt,
            leaseUntil: null,
            errorCodes: [input.skipped.code],
            errors: [{ code: input.skipped.code, message }],
            counts: { itemsObserved: 0, itemsUpserted: 0, errors: 1 },
          };
        }
        const aggregate = aggregateRun(
          input.outcomes.map((o) => ({ ...o, errorMessage: o.errorMessage === null ? null : safeMessage(o.errorMessage) })),
          input.runLevelError ? { code: input.runLevelError.code, message: safeMessage(input.runLevelError.message) } : undefined,
        );
        return { ...r, ...aggregate, startedAt: r.startedAt ?? finishedAt, finishedAt, leaseUntil: null };
      });
      await stores.runs.releaseClaim(input.tenantId, input.selectionHash, input.runId);
      if (changed) (run.status === "skipped" ? services.log.runSkipped : services.log.runFinalized)(run);
      return { status: run.status };
    },

    /** One page of the nightly walk: enabled tenants × their selections, in registry order. */
    async listNightlyWork(raw: unknown): Promise<NightlyWorkPage> {
      const { offset, limit } = z.object({ offset: z.number().int().min(0), limit: z.number().int().positive() }).parse(raw);
      const tenants = (await stores.tenants.list()).filter((t) => t.enabled).sort((a, b) => a.tenantId.localeCompare(b.tenantId));
      const page = tenants.slice(offset, offset + limit);
      return {
        items: page.flatMap((t) => effectiveNightlySelections(t.selections).map((_, i) => ({ tenantId: t.tenantId, selectionIndex: i }))),
        tenants: page.length,
        done: offset + limit >= tenants.length,
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
      const summary = NightlyInputSchema.shape.summary.parse(raw);
      services.reportNightly?.(summary);
      return summary;
    },
  };
}

export type EngineActivities = ReturnType<typeof createActivities>;

/** What a tenant registered without explicit selections syncs at night (the domain's one definition). */
export const defaultNightlySelection = DEFAULT_NIGHTLY_SELECTION;
