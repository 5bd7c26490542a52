import type { Container } from "@azure/cosmos";
import { CodedError, TENANT_SUMMARY_ID, TenantSummaryDocumentSchema } from "../domain";
import type { TenantSummaryDocument } from "../domain";
import type { TenantSummaryRepository } from "./ports";
import { withoutSystemProperties } from "./cosmosQuery";
import { backoffMs, sleep, statusOf, toStoreError } from "./storeErrors";

const MAX_CAS_ATTEMPTS = 30;
/**
 * Point reads in flight for the portfolio. A point read is the cheapest Cosmos operation (1 RU
 * for a 1 KiB document); 32 at a time keeps 500 tenants well inside the 2 s target on the local
 * stack (docs/performance.md) without a burst that a 400 RU/s container would throttle for long.
 */
const READ_CONCURRENCY = 32;

/**
 * Tenant summaries live in the runs container, in the tenant's own partition (id
 * `tenantSummary`): no new container, and every read and write stays single-partition. The
 * portfolio reads them by point read, one per registered tenant the caller may see.
 */
export class CosmosTenantSummaryRepository implements TenantSummaryRepository {
  constructor(private readonly container: () => Promise<Container>) {}

  async get(tenantId: string): Promise<TenantSummaryDocument | null> {
    return (await this.read(tenantId))?.summary ?? null;
  }

  async getMany(tenantIds: readonly string[]): Promise<Map<string, TenantSummaryDocument>> {
    const found = new Map<string, TenantSummaryDocument>();
    let next = 0;
    const worker = async () => {
      while (next < tenantIds.length) {
        const tenantId = tenantIds[next++] as string;
        const summary = await this.get(tenantId);
        if (summary) found.set(tenantId, summary);
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, tenantIds.length) }, worker));
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
