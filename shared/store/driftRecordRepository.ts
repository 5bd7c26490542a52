import type { Container } from "@azure/cosmos";
import { DriftRecordSchema } from "../domain";
import type { DriftRecord } from "../domain";
import { withoutSystemProperties } from "./cosmosQuery";
import type { DriftRecordRepository } from "./ports";
import { statusOf, toStoreError } from "./storeErrors";

/**
 * The drift record of (tenant, baseline), one small document beside the tenant's runs (same
 * `/tenantId` partition: it is an outcome of the tenant's runs, and the portfolio reads it per
 * tenant with a point read). Overwritten by every evaluation: it is "the last evaluation", not
 * history — the `InventoryDriftEvaluated` events are the history.
 */
export const driftRecordId = (baselineId: string) => `drift.${baselineId}`;

export class CosmosDriftRecordRepository implements DriftRecordRepository {
  constructor(private readonly container: () => Promise<Container>) {}

  async get(tenantId: string, baselineId: string): Promise<DriftRecord | null> {
    try {
      const container = await this.container();
      const { resource, statusCode } = await container.item(driftRecordId(baselineId), tenantId).read<Record<string, unknown>>();
      if (statusCode === 404 || !resource) return null;
      const parsed = DriftRecordSchema.safeParse(withoutSystemProperties(resource));
      return parsed.success ? parsed.data : null;
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw toStoreError(error, "read drift summary");
    }
  }

  async put(summary: DriftRecord): Promise<void> {
    try {
      const container = await this.container();
      await container.items.upsert({ id: driftRecordId(summary.baselineId), docType: "driftSummary", ...DriftRecordSchema.parse(summary) });
    } catch (error) {
      throw toStoreError(error, "write drift summary");
    }
  }
}
