import { afterEach, describe, expect, it } from "vitest";
import { startEngineFixture } from "../../../support/engine";
import type { EngineFixture } from "../../../support/engine";

let fixture: EngineFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

const BACKUP_CONTAINERS = ["policyVersions", "backupSets", "backupItems"] as const;

describe("guardrail: inventory is not backup", () => {
  it("writes only inventoryItems and syncRuns, leaves snapshot/backup containers untouched, and only ever GETs from Graph", async () => {
    fixture = await startEngineFixture({ tenants: 2 });
    const f = fixture;
    const { items } = await f.stores.containers();
    const database = items.database;
    const before = new Map<string, { id: string; _etag?: string }[]>();
    for (const name of BACKUP_CONTAINERS) {
      const { container } = await database.containers.createIfNotExists({ id: name, partitionKey: { paths: ["/tenantId"] } });
      for (const tenantId of f.tenants) await container.items.create({ id: `${name}-seed`, tenantId, payload: "existing" });
      before.set(name, (await container.items.query("SELECT c.id, c._etag FROM c").fetchAll()).resources);
    }

    for (const tenantId of f.tenants) {
      const started = await f.engine.startSync({
        tenantId,
        selection: { includeFoundations: true },
        waitForSlotSeconds: 0,
        trigger: "timer",
        correlationId: "guardrail",
      });
      if (started.kind !== "accepted") throw new Error(started.kind);
      expect((await f.waitForRun(tenantId, started.run.id)).status).toBe("success");
    }

    for (const name of BACKUP_CONTAINERS) {
      const after = (await database.container(name).items.query("SELECT c.id, c._etag FROM c").fetchAll()).resources;
      expect(after).toEqual(before.get(name));
    }
    const containers = (await database.containers.readAll().fetchAll()).resources.map((c) => c.id).sort();
    // The baselines container is the drift feature's own (read-only towards Graph); a sync never writes it.
    expect(containers).toEqual(["backupItems", "backupSets", "baselines", "inventoryItems", "policyVersions", "syncRuns"]);
    expect((await database.container("baselines").items.query("SELECT c.id FROM c").fetchAll()).resources).toEqual([]);
    expect(f.simulator.log.methods()).toEqual(["GET"]);
    expect(f.simulator.log.entries().every((e) => e.hadAuthorization)).toBe(true);
  });
});
