import { TableClient } from "@azure/data-tables";
import type { TokenCredential } from "@azure/identity";
import { DefaultAzureCredential } from "@azure/identity";
import { z } from "zod";
import { CodedError, SelectionSchema } from "../domain";
import type { Settings } from "../config/settings";
import { isLoopbackUrl } from "../config/settings";
import type { TenantRegistry } from "./ports";
import { TenantSchema } from "../domain/tenant";
import type { Tenant } from "../domain/tenant";
import { statusOf, toStoreError } from "./storeErrors";

export type TablesSettings = Pick<
  Settings,
  "TABLES_ENDPOINT" | "TABLES_CONNECTION_STRING" | "TABLES_TENANTS_TABLE"
>;

const PARTITION = "tenant";

/** The entity as stored: only these columns are ever written (no secret can ride along). */
const TenantEntitySchema = z.object({
  partitionKey: z.literal(PARTITION),
  rowKey: z.string(),
  displayName: z.string(),
  enabled: z.boolean(),
  /** JSON array of normalised selections (Table Storage has no array type). */
  selections: z.string(),
  /** JSON array of group object ids; absent on rows written before access groups existed. */
  accessGroups: z.string().optional(),
  /** JSON array of baseline ids; absent when the tenant has none. */
  baselines: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
type TenantEntity = z.infer<typeof TenantEntitySchema>;

/**
 * A connection string (Azurite, or a storage account key the operator chose) or, preferred in
 * Azure, the endpoint with Entra ID. Plain http is allowed for loopback emulators only.
 */
export function createTenantsTableClient(
  settings: TablesSettings,
  credential?: TokenCredential,
): TableClient {
  const table = settings.TABLES_TENANTS_TABLE;
  if (settings.TABLES_CONNECTION_STRING) {
    const endpoint = /TableEndpoint=([^;]+)/i.exec(settings.TABLES_CONNECTION_STRING)?.[1];
    const insecure =
      /UseDevelopmentStorage=true/i.test(settings.TABLES_CONNECTION_STRING) ||
      (endpoint !== undefined && endpoint.startsWith("http:") && isLoopbackUrl(endpoint));
    return TableClient.fromConnectionString(settings.TABLES_CONNECTION_STRING, table, {
      allowInsecureConnection: insecure,
    });
  }
  if (!settings.TABLES_ENDPOINT)
    throw new CodedError("INTERNAL_ERROR", "no Table Storage endpoint configured");
  const endpoint = settings.TABLES_ENDPOINT;
  return new TableClient(endpoint, table, credential ?? new DefaultAzureCredential(), {
    allowInsecureConnection: endpoint.startsWith("http:") && isLoopbackUrl(endpoint),
  });
}

export class TableTenantRegistry implements TenantRegistry {
  private ready: Promise<void> | null = null;

  constructor(private readonly client: TableClient) {}

  async get(tenantId: string): Promise<Tenant | null> {
    await this.ensureTable();
    try {
      const entity = await this.client.getEntity<TenantEntity>(PARTITION, tenantId.toLowerCase());
      return toTenant(entity);
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw toStoreError(error, "read tenant");
    }
  }

  async put(
    tenant: Omit<Tenant, "createdAt" | "updatedAt">,
    now: string,
  ): Promise<{ tenant: Tenant; created: boolean }> {
    await this.ensureTable();
    const rowKey = tenant.tenantId.toLowerCase();
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing = await this.getWithEtag(rowKey);
      const entity = toEntity({
        ...tenant,
        tenantId: rowKey,
        createdAt: existing?.tenant.createdAt ?? now,
        updatedAt: now,
      });
      try {
        if (existing) {
          await this.client.updateEntity(entity, "Replace", { etag: existing.etag });
        } else {
          await this.client.createEntity(entity);
        }
        return { tenant: toTenant(entity), created: !existing };
      } catch (error) {
        const status = statusOf(error);
        // 409: created concurrently; 412: changed concurrently. Re-read and go again.
        if (status !== 409 && status !== 412) throw toStoreError(error, "write tenant");
      }
    }
    throw new CodedError("STORE_UNAVAILABLE", "tenant registry: too many concurrent writes", {
      retryable: true,
    });
  }

  /** The one cross-tenant read in the system: the registry itself. */
  async list(): Promise<Tenant[]> {
    await this.ensureTable();
    const tenants: Tenant[] = [];
    try {
      for await (const entity of this.client.listEntities<TenantEntity>({
        queryOptions: { filter: `PartitionKey eq '${PARTITION}'` },
      })) {
        tenants.push(toTenant(entity));
      }
    } catch (error) {
      throw toStoreError(error, "list tenants");
    }
    return tenants.sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
  }

  async listPage(options: { limit: number; continuationToken?: string | null }): Promise<{ tenants: Tenant[]; continuationToken: string | null }> {
    await this.ensureTable();
    try {
      const pages = this.client
        .listEntities<TenantEntity>({ queryOptions: { filter: `PartitionKey eq '${PARTITION}'` } })
        .byPage({ maxPageSize: options.limit, continuationToken: options.continuationToken ?? undefined });
      const page = await pages.next();
      if (page.done) return { tenants: [], continuationToken: null };
      // Table storage returns rows in RowKey order and its token names the next row key.
      return { tenants: page.value.map(toTenant), continuationToken: page.value.continuationToken ?? null };
    } catch (error) {
      throw toStoreError(error, "list tenants");
    }
  }

  async delete(tenantId: string): Promise<boolean> {
    await this.ensureTable();
    try {
      await this.client.deleteEntity(PARTITION, tenantId.toLowerCase());
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw toStoreError(error, "delete tenant");
    }
  }

  /** Health probe: the table answers a query. */
  async check(): Promise<void> {
    await this.ensureTable();
    try {
      await this.client
        .listEntities({ queryOptions: { filter: `PartitionKey eq 'health'` } })
        .byPage({ maxPageSize: 1 })
        .next();
    } catch (error) {
      throw toStoreError(error, "tenant registry health");
    }
  }

  private async getWithEtag(rowKey: string): Promise<{ tenant: Tenant; etag: string } | null> {
    try {
      const entity = await this.client.getEntity<TenantEntity>(PARTITION, rowKey);
      return { tenant: toTenant(entity), etag: entity.etag };
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw toStoreError(error, "read tenant");
    }
  }

  private ensureTable(): Promise<void> {
    this.ready ??= this.client.createTable().then(
      () => undefined,
      (error: unknown) => {
        this.ready = null;
        throw toStoreError(error, "create tenants table");
      },
    );
    return this.ready;
  }
}

function toEntity(tenant: Tenant): TenantEntity {
  const valid = TenantSchema.parse(tenant);
  return {
    partitionKey: PARTITION,
    rowKey: valid.tenantId.toLowerCase(),
    displayName: valid.displayName,
    enabled: valid.enabled,
    selections: JSON.stringify(valid.selections),
    ...(valid.accessGroups &&
      valid.accessGroups.length > 0 && { accessGroups: JSON.stringify(valid.accessGroups) }),
    ...(valid.baselines && valid.baselines.length > 0 && { baselines: JSON.stringify(valid.baselines) }),
    createdAt: valid.createdAt,
    updatedAt: valid.updatedAt,
  };
}

function toTenant(raw: unknown): Tenant {
  const entity = TenantEntitySchema.parse(raw);
  let selections: unknown;
  try {
    selections = JSON.parse(entity.selections);
  } catch {
    selections = [];
  }
  let accessGroups: unknown;
  try {
    accessGroups = entity.accessGroups === undefined ? undefined : JSON.parse(entity.accessGroups);
  } catch {
    // A garbled column must not open the tenant to everyone: no group matches it.
    accessGroups = ["00000000-0000-0000-0000-000000000000"];
  }
  let baselines: unknown;
  try {
    baselines = entity.baselines === undefined ? undefined : JSON.parse(entity.baselines);
  } catch {
    baselines = undefined;
  }
  return TenantSchema.parse({
    tenantId: entity.rowKey,
    ...(Array.isArray(baselines) && baselines.length > 0 && { baselines: z.array(z.string()).catch([]).parse(baselines) }),
    ...(Array.isArray(accessGroups) && accessGroups.length > 0 && { accessGroups }),
    displayName: entity.displayName,
    enabled: entity.enabled,
    selections: z.array(SelectionSchema).catch([]).parse(selections),
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
  });
}
