import type { CosmosClient } from "@azure/cosmos";
import { describe, expect, it } from "vitest";
import { ensureCosmosContainers } from "../../../../shared/store/cosmosBootstrap";

/** Identity-only Azure access: the data role may read metadata but not create resources. */
function dataRoleOnlyClient(existing: string[]): { client: CosmosClient; reads: string[] } {
  const reads: string[] = [];
  const forbidden = Object.assign(new Error("Request blocked by Auth: cannot be authorized by AAD token in data plane"), { code: 403 });
  const client = {
    databases: { createIfNotExists: () => Promise.reject(forbidden) },
    database: (db: string) => ({
      container: (id: string) => ({
        id,
        read: () => {
          reads.push(`${db}/${id}`);
          return existing.includes(id) ? Promise.resolve({}) : Promise.reject(Object.assign(new Error("NotFound"), { code: 404 }));
        },
      }),
    }),
  };
  return { client: client as unknown as CosmosClient, reads };
}

describe("Cosmos bootstrap under identity-only access", () => {
  it("uses the containers infra created when creating them is forbidden (403)", async () => {
    const { client, reads } = dataRoleOnlyClient(["inventoryItems", "syncRuns", "baselines"]);
    const containers = await ensureCosmosContainers(client, "inventory");
    expect([containers.items.id, containers.runs.id, containers.baselines.id]).toEqual(["inventoryItems", "syncRuns", "baselines"]);
    expect(reads.sort()).toEqual(["inventory/baselines", "inventory/inventoryItems", "inventory/syncRuns"]);
  });

  it("fails start-up when a container is missing and cannot be created", async () => {
    const { client } = dataRoleOnlyClient(["inventoryItems"]);
    await expect(ensureCosmosContainers(client, "inventory")).rejects.toMatchObject({ code: 404 });
  });
});
