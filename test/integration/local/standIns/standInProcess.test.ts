import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack } from "../../../../local/runtime/localStack";
import type { LocalStack } from "../../../../local/runtime/localStack";
import { startStandInProcesses } from "../../../../local/standIns";
import type { StandInProcesses } from "../../../../local/standIns";
import { createGraphClient } from "../../../../shared/graph";
import { policyTypeDefinition } from "../../../../shared/domain";

const TENANT = "00000000-0000-4000-8000-0000000000aa";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("stand-ins in processes of their own (what the bench measures against)", () => {
  let standIns: StandInProcesses;
  let stack: LocalStack;

  beforeAll(async () => {
    standIns = await startStandInProcesses({ graph: { tenants: { [TENANT]: { sizes: { roleScopeTag: 3, settingsCatalogPolicy: 30 } } }, throttle: false } });
    stack = await startLocalStack({ env: { ...standIns.env }, trustLoopbackCosmosCertificate: true });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await standIns?.stop();
  });

  it("runs the Cosmos-compatible server, Azurite and the Graph simulator each in its own process, none in this one", () => {
    const pids = [standIns.cosmos.pid, standIns.tables.pid, standIns.graph.pid];
    expect(new Set([...pids, process.pid]).size).toBe(4);
    expect(stack.simulator).toBeNull();
    expect(stack.uses.cosmos).toMatch(/^configured/);
    expect(stack.uses.tables).toBe("configured");
    expect(stack.uses.graph).toMatch(/^configured/);
    for (const url of [standIns.env.COSMOS_ENDPOINT, standIns.env.GRAPH_BASE_URL]) expect(new URL(url as string).hostname).toBe("127.0.0.1");
  });

  it("serves the sync from the child processes and accounts for what it was asked and the CPU it used", async () => {
    const before = await standIns.usage();
    await stack.stores.tenants.put({ tenantId: TENANT, displayName: "Child-process tenant", enabled: true, selections: [] }, new Date().toISOString());
    expect((await stack.stores.tenants.get(TENANT))?.displayName).toBe("Child-process tenant");

    const graph = createGraphClient({ settings: stack.settings, tenantId: TENANT });
    let objects = 0;
    for await (const page of graph.pages(policyTypeDefinition("settingsCatalogPolicy"))) objects += page.values.length;
    expect(objects).toBe(30);
    const log = await standIns.simulator.logSummary();
    expect(log).toMatchObject({ requests: 2, status429: 0, repeats: 0, methods: ["GET"], statuses: { 200: 2 } });

    const { items } = await stack.stores.containers();
    await items.items.upsert({ id: "probe", tenantId: TENANT, docType: "probe" });
    const cosmos = await standIns.cosmosRequests();
    expect(Object.keys(cosmos).some((k) => k.startsWith("POST docs"))).toBe(true);

    const after = await standIns.usage();
    for (const kind of ["cosmos", "tables", "graph"] as const) {
      expect(after[kind].pid).toBe(standIns[kind].pid);
      expect(after[kind].userMicros + after[kind].systemMicros).toBeGreaterThan(before[kind].userMicros + before[kind].systemMicros);
      expect(after[kind].maxRssKiB).toBeGreaterThan(0);
    }
  });

  it("plants faults in the remote simulator: a planned 429 is answered once, then the page", async () => {
    await standIns.simulator.fault(TENANT, "roleScopeTag", { status: 429, onPage: 1, times: 1, retryAfter: 0 });
    const graph = createGraphClient({ settings: stack.settings, tenantId: TENANT });
    let objects = 0;
    for await (const page of graph.pages(policyTypeDefinition("roleScopeTag"))) objects += page.values.length;
    expect(objects).toBe(3);
    expect((await standIns.simulator.logSummary()).statuses).toMatchObject({ 429: 1 });
  });

  it("stops every child process, and refuses to relax TLS for a Cosmos endpoint that is not loopback", async () => {
    await expect(
      startLocalStack({ env: { ...standIns.env, COSMOS_ENDPOINT: "https://example.documents.azure.com:443/" }, trustLoopbackCosmosCertificate: true }),
    ).rejects.toThrow(/loopback/);
    const pids = [standIns.cosmos.pid, standIns.tables.pid, standIns.graph.pid];
    await stack.close();
    await standIns.stop();
    expect(pids.map(alive)).toEqual([false, false, false]);
  });
});
