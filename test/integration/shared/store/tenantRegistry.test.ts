import { afterAll, describe, expect, it } from "vitest";
import { TableClient } from "@azure/data-tables";
import { normaliseSelection } from "../../../../shared/domain";
import { createTestStores, newTenantId } from "../../../support/stores";

const stores = createTestStores();
afterAll(() => stores.dispose());

describe("tenant registry (Table Storage)", () => {
  it("round-trips put, get, list and delete, keeping createdAt and storing tenant ids lower-case", async () => {
    const id = newTenantId().toUpperCase();
    const selections = [
      normaliseSelection({ includeFoundations: true }),
      normaliseSelection({ categories: ["compliance"] }),
    ];
    const first = await stores.tenants.put(
      { tenantId: id, displayName: "Contoso", enabled: true, selections },
      "2025-01-01T00:00:00.000Z",
    );
    expect(first.created).toBe(true);
    expect(first.tenant.tenantId).toBe(id.toLowerCase());
    const second = await stores.tenants.put(
      { tenantId: id.toLowerCase(), displayName: "Contoso Ltd", enabled: false, selections: [] },
      "2025-01-02T00:00:00.000Z",
    );
    expect(second.created).toBe(false);
    expect(await stores.tenants.get(id)).toEqual({
      tenantId: id.toLowerCase(),
      displayName: "Contoso Ltd",
      enabled: false,
      selections: [],
      createdAt: "2025-01-01T00:00:00.000Z",
      updatedAt: "2025-01-02T00:00:00.000Z",
    });
    const otherId = newTenantId();
    await stores.tenants.put(
      { tenantId: otherId, displayName: "Fabrikam", enabled: true, selections },
      "2025-01-03T00:00:00.000Z",
    );
    expect((await stores.tenants.list()).map((t) => t.tenantId).sort()).toEqual(
      [id.toLowerCase(), otherId].sort(),
    );
    expect((await stores.tenants.get(otherId))?.selections).toEqual(selections);
    expect(await stores.tenants.delete(id)).toBe(true);
    expect(await stores.tenants.delete(id)).toBe(false);
    expect(await stores.tenants.get(id)).toBeNull();
    expect((await stores.tenants.list()).map((t) => t.tenantId)).toEqual([otherId]);
  });

  it("stores only the registry columns, nothing secret-looking, even when the caller passes extra fields", async () => {
    const tenantId = newTenantId();
    const tenant = {
      tenantId,
      displayName: "Leaky",
      enabled: true,
      selections: [],
      clientSecret: "s3cret",
      accessToken: "eyJabc",
    };
    await stores.tenants.put(tenant, "2025-01-01T00:00:00.000Z");
    const raw = TableClient.fromConnectionString(
      stores.settings.TABLES_CONNECTION_STRING as string,
      stores.settings.TABLES_TENANTS_TABLE,
      {
        allowInsecureConnection: true,
      },
    );
    const entity = await raw.getEntity("tenant", tenantId);
    const keys = Object.keys(entity).filter(
      (k) => k !== "etag" && k !== "timestamp" && !k.startsWith("odata"),
    );
    expect(keys.sort()).toEqual([
      "createdAt",
      "displayName",
      "enabled",
      "partitionKey",
      "rowKey",
      "selections",
      "updatedAt",
    ]);
    expect(JSON.stringify(entity)).not.toMatch(/secret|token|password|key=|eyJ/i);
  });
});
