import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTestStores } from "../../../support/stores";

describe("stores on the provided emulators", () => {
  const stores = createTestStores();
  afterAll(() => stores.dispose());

  it("report healthy Cosmos and Table checks", async () => {
    expect(await stores.check()).toEqual({ cosmos: "ok", tables: "ok" });
  });

  it("creates both containers partitioned on /tenantId with hash version 2, as infra's Bicep does", async () => {
    const bicep = readFileSync(join(__dirname, "../../../../infra/modules/cosmos.bicep"), "utf8");
    expect(bicep).toMatch(/kind: 'Hash'\s+version: 2/);
    const { items, runs } = await stores.containers();
    for (const container of [items, runs]) {
      const { resource } = await container.read();
      expect(resource?.partitionKey).toMatchObject({ paths: ["/tenantId"], kind: "Hash", version: 2 });
    }
  });
});
