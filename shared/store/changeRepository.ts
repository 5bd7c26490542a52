import type { Container, JSONObject, SqlParameter } from "@azure/cosmos";
import { CHANGE_KINDS, CodedError, toChangeView } from "../domain";
import type { Change, ChangeCounts, ChangeDocument } from "../domain";
import type { ChangeQuery, ChangeRepository, Page, TenantChangeQuery } from "./ports";
import { queryFingerprint } from "./continuationToken";
import { queryAll, queryPage } from "./cosmosQuery";
import { toStoreError } from "./storeErrors";

/** Operations per bulk request: the service's limit for one partition key range. */
const OPS_PER_REQUEST = 100;
const MAX_WRITE_ROUNDS = 6;

/**
 * Change documents live in the runs container (`syncRuns`), in the tenant's partition, beside the
 * run they belong to: single-partition reads, no container of their own to provision, and the
 * run container's default TTL (-1: nothing expires unless it says so) lets each change carry its
 * retention as `ttl` while runs and claims never expire.
 */
export class CosmosChangeRepository implements ChangeRepository {
  constructor(private readonly container: () => Promise<Container>) {}

  /** Bulk upserts, ≤ 100 per request; a throttled or conflicting operation is re-sent (idempotent ids). */
  async write(tenantId: string, docs: readonly ChangeDocument[]): Promise<void> {
    const container = await this.resolve();
    for (let start = 0; start < docs.length; start += OPS_PER_REQUEST) {
      let pending = docs.slice(start, start + OPS_PER_REQUEST);
      for (let round = 0; pending.length > 0; round++) {
        if (round >= MAX_WRITE_ROUNDS)
          throw new CodedError("STORE_THROTTLED", "change writes still throttled", {
            status: 429,
            retryable: true,
          });
        if (round > 0) await new Promise((r) => setTimeout(r, 100 * 2 ** round));
        let responses;
        try {
          responses = await container.items.bulk(
            pending.map((doc) => ({
              operationType: "Upsert",
              partitionKey: tenantId,
              resourceBody: doc as unknown as JSONObject,
            })),
            { continueOnError: true },
          );
        } catch (error) {
          throw toStoreError(error, "write changes");
        }
        const retry: ChangeDocument[] = [];
        responses.forEach((r, i) => {
          const doc = pending[i];
          if (!doc || r.statusCode === 200 || r.statusCode === 201) return;
          if (r.statusCode === 429 || r.statusCode === 449 || r.statusCode === 409) retry.push(doc);
          else
            throw toStoreError(
              { code: r.statusCode, message: `bulk Upsert answered ${r.statusCode}` },
              "write changes",
            );
        });
        pending = retry;
      }
    }
  }

  /** One COUNT per kind: no GROUP BY on the in-process server, and four small aggregates whatever the run's size. */
  async countByRun(tenantId: string, runId: string): Promise<ChangeCounts> {
    const container = await this.resolve();
    const counts = await Promise.all(
      CHANGE_KINDS.map(async (kind) => {
        const [n] = await queryAll<number>(
          container,
          {
            query:
              'SELECT VALUE COUNT(1) FROM c WHERE c.docType = "change" AND c.tenantId = @tenantId AND c.runId = @runId AND c.kind = @kind',
            parameters: [
              { name: "@tenantId", value: tenantId },
              { name: "@runId", value: runId },
              { name: "@kind", value: kind },
            ],
          },
          tenantId,
          "count changes",
        );
        return [kind, n ?? 0] as const;
      }),
    );
    return Object.fromEntries(counts) as ChangeCounts;
  }

  listForRun(tenantId: string, runId: string, query: ChangeQuery): Promise<Page<Change>> {
    return this.page(tenantId, "runChanges", { runId }, query, [["c.runId = @runId", "@runId", runId]]);
  }

  list(tenantId: string, query: TenantChangeQuery): Promise<Page<Change>> {
    const extra: [string, string, string][] = [];
    if (query.since) extra.push(["c.detectedAt >= @since", "@since", query.since]);
    if (query.until) extra.push(["c.detectedAt < @until", "@until", query.until]);
    return this.page(
      tenantId,
      "changes",
      { since: query.since ?? null, until: query.until ?? null },
      query,
      extra,
    );
  }

  private async page(
    tenantId: string,
    route: string,
    scope: Record<string, unknown>,
    query: ChangeQuery,
    conditions: [string, string, string][],
  ): Promise<Page<Change>> {
    const where = ['c.docType = "change"', "c.tenantId = @tenantId"];
    const parameters: SqlParameter[] = [{ name: "@tenantId", value: tenantId }];
    const add = (clause: string, name: string, value: string) => {
      where.push(clause);
      parameters.push({ name, value });
    };
    for (const [clause, name, value] of conditions) add(clause, name, value);
    if (query.kind) add("c.kind = @kind", "@kind", query.kind);
    if (query.policyType) add("c.policyType = @policyType", "@policyType", query.policyType);
    const fingerprint = queryFingerprint(route, {
      ...scope,
      kind: query.kind ?? null,
      policyType: query.policyType ?? null,
    });
    // Newest first; a single-property ORDER BY needs no composite index. Ties (changes of one
    // type share its activity's clock) are resumed by the continuation token, not by an offset.
    const page = await queryPage<ChangeDocument>(
      await this.resolve(),
      { query: `SELECT * FROM c WHERE ${where.join(" AND ")} ORDER BY c.detectedAt DESC`, parameters },
      { tenantId, fingerprint, limit: query.limit, continuationToken: query.continuationToken },
      "list changes",
    );
    return { items: page.items.map(toChangeView), continuationToken: page.continuationToken };
  }

  private async resolve(): Promise<Container> {
    try {
      return await this.container();
    } catch (error) {
      throw toStoreError(error, "open runs container");
    }
  }
}
