import type { Container } from "@azure/cosmos";
import { CodedError, TENANT_SUMMARY_ID, TenantSummaryDocumentSchema } from "../domain";
import type { TenantSummaryDocument } from "../domain";
import type { TenantSummaryRepository } from "./ports";
import { withoutSystemProperties } from "./cosmosQuery";
import { backoffMs, sleep, statusOf, toStoreError } from "./storeErrors";

const MAX_CAS_ATTEMPTS = 30;
/** Tenant ids per portfolio query (a GUID list of 1,000 is ~40 KB of the 512 KB a query may be). */
const IDS_PER_QUERY = 1_000;

/**
 * Tenant summaries live in the runs container, in the tenant's own partition (id
 * `tenantSummary`): no new container, and every write stays single-partition. The portfolio
 * reads those of the registered tenants the caller may see with one query across partitions
 * (docs/api.md: portfolio is one of the routes that read several partitions on purpose).
 */
export class CosmosTenantSummaryRepository implements TenantSummaryRepository {
  constructor(private readonly container: () => Promise<Container>) {}

  async get(tenantId: string): Promise<TenantSummaryDocument | null> {
    return (await this.read(tenantId))?.summary ?? null;
  }

  /**
   * One query for all of them, in chunks of ids: measured on the local stack (500 tenants, a
   * loaded machine) 40–240 ms against 570–1,260 ms for 500 parallel point reads. In Cosmos DB it
   * fans out over the container's physical partitions (a handful), filtered by the index on
   * docType and tenantId, and returns only the summaries of the tenants asked for.
   */
  async getMany(tenantIds: readonly string[]): Promise<Map<string, TenantSummaryDocument>> {
    const container = await this.resolve();
    const found = new Map<string, TenantSummaryDocument>();
    for (let start = 0; start < tenantIds.length; start += IDS_PER_QUERY) {
      const chunk = tenantIds.slice(start, start + IDS_PER_QUERY);
      let resources: Record<string, unknown>[];
      try {
        ({ resources } = await container.items
          .query<Record<string, unknown>>({
            query: 'SELECT * FROM c WHERE c.docType = "tenantSummary" AND ARRAY_CONTAINS(@tenantIds, c.tenantId)',
            parameters: [{ name: "@tenantIds", value: chunk }],
          })
          .fetchAll());
      } catch (error) {
        throw toStoreError(error, "read tenant summaries");
      }
      for (const resource of resources) {
        const parsed = TenantSummaryDocumentSchema.safeParse(withoutSystemProperties(resource));
        if (parsed.success) found.set(parsed.data.tenantId, parsed.data);
      }
    }
    return found;
  }

  async update(
    tenantId: string,
    mutate: (current: TenantSummaryDocument | null) => Promise<TenantSummaryDocument | null> | TenantSummaryDocument | null,
  ): Promise<TenantSummaryDocument | null> {
    const container = await this.resolve();
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.read(tenantId);
      const mutated = await mutate(current?.summary ? structuredClone(current.summary) : null);
      if (mutated === null) return current?.summary ?? null;
      const next = TenantSummaryDocumentSchema.parse({ ...mutated, id: TENANT_SUMMARY_ID, docType: "tenantSummary", tenantId });
      try {
        if (current) {
          await container.item(TENANT_SUMMARY_ID, tenantId).replace(next, { accessCondition: { type: "IfMatch", condition: current.etag } });
        } else {
          await container.items.create(next);
        }
        return next;
      } catch (error) {
        // 412: changed since read; 409: created since read. Either way: read again and re-apply.
        const status = statusOf(error);
        if (status !== 412 && status !== 409) throw toStoreError(error, "update tenant summary");
        await sleep(backoffMs(attempt, 5, 200));
      }
    }
    throw new CodedError("STORE_UNAVAILABLE", `tenant summary of ${tenantId}: too many concurrent updates`, { retryable: true });
  }

  /** The stored summary (null when it does not parse: an older shape, rebuilt by the next run) and its ETag. */
  private async read(tenantId: string): Promise<{ summary: TenantSummaryDocument | null; etag: string } | null> {
    const container = await this.resolve();
    try {
      const { resource, etag } = await container.item(TENANT_SUMMARY_ID, tenantId).read<Record<string, unknown>>();
      if (!resource) return null;
      const parsed = TenantSummaryDocumentSchema.safeParse(withoutSystemProperties(resource));
      const summary = parsed.success && parsed.data.tenantId === tenantId ? parsed.data : null;
      return { summary, etag: etag ?? String(resource._etag) };
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw toStoreError(error, "read tenant summary");
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
