import type { Container, SqlParameter } from "@azure/cosmos";
import { z } from "zod";
import { COMPLETED_STATUSES, CodedError, RunDocumentSchema, SelectionSchema, isTerminalStatus, safeMessage } from "../domain";
import type { RunDocument, RunOutline, RunStatus } from "../domain";
import type { ClaimResult, Page, RunListQuery, RunRepository, SelectionActivity } from "./ports";
import { queryFingerprint } from "./continuationToken";
import { queryAll, queryPage, withoutSystemProperties } from "./cosmosQuery";
import { backoffMs, sleep, statusOf, toStoreError } from "./storeErrors";

/** Run projections read per page for the selections listing. */
const SELECTION_ACTIVITY_PAGE = 1_000;
/** Optimistic-concurrency attempts for `update` and `claim` before giving up (STORE_UNAVAILABLE). */
const MAX_CAS_ATTEMPTS = 50;
/** How long a claim may exist without its run document before it is considered abandoned. */
export const CLAIM_WITHOUT_RUN_GRACE_MS = 60_000;

/**
 * The lock of (tenant, selection), kept beside the runs in the same partition so that claiming
 * it is one atomic create: Cosmos accepts exactly one create of an id per partition.
 */
export const ClaimDocumentSchema = z.object({
  id: z.string(),
  docType: z.literal("claim"),
  tenantId: z.string(),
  selectionHash: z.string(),
  runId: z.string(),
  leaseUntil: z.string(),
  /** When the claim was taken (absent on claims written before it was recorded). */
  claimedAt: z.string().optional(),
});
export type ClaimDocument = z.infer<typeof ClaimDocumentSchema>;

export const claimDocumentId = (selectionHash: string) => `claim.${selectionHash}`;

/**
 * Redacts every free-text field of a run before it is written: whatever a caller put into an
 * error message (Graph and Entra bodies echo assertions, secrets, SAS URLs) is stored redacted.
 */
export function sanitiseRun(run: RunDocument): RunDocument {
  return RunDocumentSchema.parse({
    ...run,
    errors: run.errors.map((e) => ({ ...e, message: safeMessage(e.message) })),
  });
}

export class CosmosRunRepository implements RunRepository {
  constructor(private readonly container: () => Promise<Container>) {}

  /** Idempotent: re-creating the same run id (a retried starter) returns the stored run. */
  async create(doc: RunDocument): Promise<RunDocument> {
    const container = await this.resolve();
    const safe = sanitiseRun(doc);
    try {
      await container.items.create(safe);
      return safe;
    } catch (error) {
      if (statusOf(error) === 409) {
        const existing = await this.get(doc.tenantId, doc.id);
        if (existing) return existing;
      }
      throw toStoreError(error, "create run");
    }
  }

  async get(tenantId: string, runId: string): Promise<RunDocument | null> {
    return (await this.readWithEtag(tenantId, runId))?.run ?? null;
  }

  async update(
    tenantId: string,
    runId: string,
    mutate: (run: RunDocument) => RunDocument | null,
  ): Promise<RunDocument> {
    const container = await this.resolve();
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.readWithEtag(tenantId, runId);
      if (!current) throw new CodedError("RUN_NOT_FOUND", `run ${runId} not found`, { status: 404 });
      const mutated = mutate(structuredClone(current.run));
      if (mutated === null) return current.run;
      // Identity fields are not the mutator's to change.
      const next = sanitiseRun({ ...mutated, id: runId, tenantId, docType: "run" });
      try {
        const { resource } = await container
          .item(runId, tenantId)
          .replace(next, { accessCondition: { type: "IfMatch", condition: current.etag } });
        return RunDocumentSchema.parse(withoutSystemProperties(resource ?? next));
      } catch (error) {
        if (statusOf(error) !== 412) throw toStoreError(error, "update run");
        await sleep(backoffMs(attempt, 5, 200));
      }
    }
    throw new CodedError("STORE_UNAVAILABLE", `run ${runId}: too many concurrent updates`, {
      retryable: true,
    });
  }

  async list(tenantId: string, query: RunListQuery): Promise<Page<RunDocument>> {
    const where = ['c.docType = "run"', "c.tenantId = @tenantId"];
    const parameters: SqlParameter[] = [{ name: "@tenantId", value: tenantId }];
    if (query.selectionHash) {
      where.push("c.selectionHash = @selectionHash");
      parameters.push({ name: "@selectionHash", value: query.selectionHash });
    }
    if (query.status) {
      where.push("c.status = @status");
      parameters.push({ name: "@status", value: query.status });
    }
    const fingerprint = queryFingerprint("runs", {
      selectionHash: query.selectionHash ?? null,
      status: query.status ?? null,
    });
    const page = await queryPage<RunDocument>(
      await this.resolve(),
      { query: `SELECT * FROM c WHERE ${where.join(" AND ")} ORDER BY c.requestedAt DESC`, parameters },
      { tenantId, fingerprint, limit: query.limit, continuationToken: query.continuationToken },
      "list runs",
    );
    return { items: page.items.map((doc) => parseRun(doc)), continuationToken: page.continuationToken };
  }

  async latestCompleted(tenantId: string, selectionHash: string): Promise<RunDocument | null> {
    // Runs of one selection are serialised by the claim, so the newest requested completed run
    // is also the newest finished one.
    const [doc] = await queryAll<RunDocument>(
      await this.resolve(),
      {
        query:
          'SELECT TOP 1 * FROM c WHERE c.docType = "run" AND c.tenantId = @tenantId AND c.selectionHash = @selectionHash ' +
          "AND ARRAY_CONTAINS(@completed, c.status) ORDER BY c.requestedAt DESC",
        parameters: [
          { name: "@tenantId", value: tenantId },
          { name: "@selectionHash", value: selectionHash },
          { name: "@completed", value: [...COMPLETED_STATUSES] },
        ],
      },
      tenantId,
      "latest completed run",
    );
    return doc ? parseRun(doc) : null;
  }

  async completedOutlines(
    tenantId: string,
    selectionHash: string,
    enough: (runsSoFar: readonly RunOutline[]) => boolean,
    max: number,
  ): Promise<RunOutline[]> {
    const container = await this.resolve();
    const out: RunOutline[] = [];
    try {
      // Pages of 10: the newest run usually closes every window, so one small page is the norm.
      const iterator = container.items.query<RunOutline>(
        {
          query:
            'SELECT c.id, c.policyTypes FROM c WHERE c.docType = "run" AND c.tenantId = @tenantId AND c.selectionHash = @selectionHash ' +
            "AND ARRAY_CONTAINS(@completed, c.status) ORDER BY c.requestedAt DESC",
          parameters: [
            { name: "@tenantId", value: tenantId },
            { name: "@selectionHash", value: selectionHash },
            { name: "@completed", value: [...COMPLETED_STATUSES] },
          ],
        },
        { partitionKey: tenantId, maxItemCount: 10 },
      );
      while (out.length < max && !enough(out) && iterator.hasMoreResults()) {
        const { resources } = await iterator.fetchNext();
        for (const r of resources ?? []) {
          out.push({ id: r.id, policyTypes: (r.policyTypes ?? []).map((p) => ({ policyType: p.policyType, status: p.status })) });
        }
      }
    } catch (error) {
      throw toStoreError(error, "completed runs of a selection");
    }
    return out.slice(0, max);
  }

  async selectionActivity(tenantId: string): Promise<SelectionActivity[]> {
    const container = await this.resolve();
    const iterator = container.items.query<{ id: string; selectionHash: string; selection: unknown; status: RunStatus; requestedAt: string; finishedAt: string | null }>(
      {
        query:
          'SELECT c.id, c.selectionHash, c.selection, c.status, c.requestedAt, c.finishedAt FROM c WHERE c.docType = "run" AND c.tenantId = @tenantId ' +
          "ORDER BY c.requestedAt DESC",
        parameters: [{ name: "@tenantId", value: tenantId }],
      },
      { partitionKey: tenantId, maxItemCount: SELECTION_ACTIVITY_PAGE },
    );
    const byHash = new Map<string, SelectionActivity>();
    try {
      while (iterator.hasMoreResults()) {
        for (const run of (await iterator.fetchNext()).resources ?? []) {
          let entry = byHash.get(run.selectionHash);
          if (!entry) {
            const selection = SelectionSchema.safeParse(run.selection);
            if (!selection.success) continue;
            entry = { selectionHash: run.selectionHash, selection: selection.data, lastRequestedAt: run.requestedAt, latestRun: null };
            byHash.set(run.selectionHash, entry);
          }
          if (!entry.latestRun && run.status !== "skipped") entry.latestRun = { id: run.id, status: run.status, finishedAt: run.finishedAt };
        }
      }
    } catch (error) {
      throw toStoreError(error, "selection activity");
    }
    return [...byHash.values()];
  }

  /** Completed runs of every selection, newest first (coverage attributes types to them). */
  async completedRunsNewestFirst(tenantId: string, max: number): Promise<RunDocument[]> {
    const docs = await queryAll<RunDocument>(
      await this.resolve(),
      {
        query:
          'SELECT TOP @max * FROM c WHERE c.docType = "run" AND c.tenantId = @tenantId AND ARRAY_CONTAINS(@completed, c.status) ' +
          "ORDER BY c.requestedAt DESC",
        parameters: [
          { name: "@tenantId", value: tenantId },
          { name: "@completed", value: [...COMPLETED_STATUSES] },
          { name: "@max", value: max },
        ],
      },
      tenantId,
      "completed runs",
    );
    return docs.map((doc) => parseRun(doc));
  }

  async listActive(tenantId: string): Promise<RunDocument[]> {
    const docs = await queryAll<RunDocument>(
      await this.resolve(),
      {
        query:
          'SELECT * FROM c WHERE c.docType = "run" AND c.tenantId = @tenantId AND c.status IN ("queued", "running") ORDER BY c.requestedAt ASC',
        parameters: [{ name: "@tenantId", value: tenantId }],
      },
      tenantId,
      "active runs",
    );
    return docs.map((doc) => parseRun(doc));
  }

  /**
   * Queued or running runs of every tenant, oldest first, at most `limit`: the watchdog's one
   * cross-partition read. It must see runs of tenants that were deleted from the registry (a
   * per-tenant walk over the registry never would); the filter keeps the answer to the few runs
   * in flight, and it runs once per watchdog period, never on a request path.
   */
  async listActiveAcrossTenants(limit: number): Promise<RunDocument[]> {
    const container = await this.resolve();
    try {
      const { resources } = await container.items
        .query<RunDocument>({
          query: 'SELECT TOP @limit * FROM c WHERE c.docType = "run" AND c.status IN ("queued", "running") ORDER BY c.requestedAt ASC',
          parameters: [{ name: "@limit", value: limit }],
        })
        .fetchAll();
      return resources.map((doc) => parseRun(doc));
    } catch (error) {
      throw toStoreError(error, "active runs across tenants");
    }
  }

  async claimHolder(tenantId: string, selectionHash: string): Promise<{ runId: string; leaseUntil: string } | null> {
    const held = await this.readClaim(tenantId, claimDocumentId(selectionHash));
    return held ? { runId: held.claim.runId, leaseUntil: held.claim.leaseUntil } : null;
  }

  async claim(
    tenantId: string,
    selectionHash: string,
    runId: string,
    leaseUntil: string,
    now: string,
  ): Promise<ClaimResult> {
    const container = await this.resolve();
    const id = claimDocumentId(selectionHash);
    const claim: ClaimDocument = { id, docType: "claim", tenantId, selectionHash, runId, leaseUntil, claimedAt: now };
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      try {
        await container.items.create(claim);
        return { ok: true };
      } catch (error) {
        if (statusOf(error) !== 409) throw toStoreError(error, "claim selection");
      }
      const held = await this.readClaim(tenantId, id);
      if (!held) continue; // released between our create and read: try the create again
      if (held.claim.runId === runId) return { ok: true };
      if (!(await this.isStale(tenantId, held.claim, now)))
        return { ok: false, activeRunId: held.claim.runId };
      try {
        await container
          .item(id, tenantId)
          .replace(claim, { accessCondition: { type: "IfMatch", condition: held.etag } });
        return { ok: true };
      } catch (error) {
        const status = statusOf(error);
        if (status !== 412 && status !== 404) throw toStoreError(error, "take over claim");
        await sleep(backoffMs(attempt, 5, 100));
      }
    }
    throw new CodedError("STORE_UNAVAILABLE", "claim: too much contention", { retryable: true });
  }

  async releaseClaim(tenantId: string, selectionHash: string, runId: string): Promise<void> {
    const container = await this.resolve();
    const id = claimDocumentId(selectionHash);
    const held = await this.readClaim(tenantId, id);
    if (!held || held.claim.runId !== runId) return;
    try {
      await container
        .item(id, tenantId)
        .delete({ accessCondition: { type: "IfMatch", condition: held.etag } });
    } catch (error) {
      // 404: already gone; 412: taken over meanwhile by a newer run, which now owns it.
      const status = statusOf(error);
      if (status !== 404 && status !== 412) throw toStoreError(error, "release claim");
    }
  }

  /**
   * A claim can be taken over when its lease expired or its run is terminal. A claim whose run
   * document does not exist is live for a grace period only: the starter writes the run right
   * after claiming, so a claim still without a run a minute later belongs to a start that
   * failed half-way (the store went away between the two writes) and must not block the
   * selection for the whole lease.
   */
  private async isStale(tenantId: string, claim: ClaimDocument, now: string): Promise<boolean> {
    if (Date.parse(claim.leaseUntil) <= Date.parse(now)) return true;
    const run = await this.get(tenantId, claim.runId);
    if (run === null) {
      return claim.claimedAt !== undefined && Date.parse(now) - Date.parse(claim.claimedAt) > CLAIM_WITHOUT_RUN_GRACE_MS;
    }
    return isTerminalStatus(run.status);
  }

  private async readClaim(
    tenantId: string,
    id: string,
  ): Promise<{ claim: ClaimDocument; etag: string } | null> {
    const container = await this.resolve();
    try {
      const { resource, etag } = await container.item(id, tenantId).read<Record<string, unknown>>();
      if (!resource) return null;
      const parsed = ClaimDocumentSchema.safeParse(withoutSystemProperties(resource));
      if (!parsed.success || parsed.data.tenantId !== tenantId) return null;
      return { claim: parsed.data, etag: etag ?? String(resource._etag) };
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw toStoreError(error, "read claim");
    }
  }

  private async readWithEtag(
    tenantId: string,
    runId: string,
  ): Promise<{ run: RunDocument; etag: string } | null> {
    const container = await this.resolve();
    try {
      const { resource, etag } = await container.item(runId, tenantId).read<Record<string, unknown>>();
      if (!resource || resource.docType !== "run" || resource.tenantId !== tenantId) return null;
      return { run: parseRun(resource), etag: etag ?? String(resource._etag) };
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw toStoreError(error, "read run");
    }
  }

  private async resolve(): Promise<Container> {
    try {
      return await this.container();
    } catch (error) {
      throw toStoreError(error, "open runs container");
    }
  }
}

function parseRun(doc: unknown): RunDocument {
  return RunDocumentSchema.parse(withoutSystemProperties(doc as Record<string, unknown>));
}
