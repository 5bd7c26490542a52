import { SettingsSchema } from "../../shared/config/settings";
import type { Settings } from "../../shared/config/settings";
import { createLocalEngine } from "../../local/runtime/localEngine";
import type { LocalEngine, LocalEngineOptions } from "../../local/runtime/localEngine";
import { startGraphSimulator } from "../../local/simulator";
import type { GraphSimulator, GraphSimulatorOptions } from "../../local/simulator";
import { createMemoryLogSink, createStructuredLogger } from "../../shared/observability";
import type { MemoryLogSink } from "../../shared/observability";
import type { RunDocument } from "../../shared/domain";
import { createTestStores, newTenantId } from "./stores";
import type { TestStores } from "./stores";

export interface EngineFixture {
  settings: Settings;
  stores: TestStores;
  simulator: GraphSimulator;
  engine: LocalEngine;
  logs: MemoryLogSink;
  tenants: string[];
  /** Polls the run document until it is terminal. */
  waitForRun(tenantId: string, runId: string, timeoutMs?: number): Promise<RunDocument>;
  close(): Promise<void>;
}

export interface EngineFixtureOptions {
  tenants?: number;
  sizes?: GraphSimulatorOptions["tenants"][string]["sizes"];
  simulator?: Omit<GraphSimulatorOptions, "tenants">;
  settings?: Partial<Record<keyof Settings, string>>;
  engine?: Omit<LocalEngineOptions, "settings" | "stores" | "logger">;
}

/** A whole engine on the real emulators and the Graph simulator, with registered tenants. */
export async function startEngineFixture(options: EngineFixtureOptions = {}): Promise<EngineFixture> {
  const tenants = Array.from({ length: options.tenants ?? 1 }, () => newTenantId());
  const stores = createTestStores();
  const simulator = await startGraphSimulator({
    tenants: Object.fromEntries(tenants.map((t) => [t, { sizes: options.sizes }])),
    throttle: false,
    ...options.simulator,
  });
  const settings = SettingsSchema.parse({
    ...Object.fromEntries(Object.entries(stores.settings).filter(([, v]) => v !== undefined)),
    GRAPH_BASE_URL: simulator.baseUrl,
    GRAPH_AUTH_MODE: "simulator",
    GRAPH_REQUEST_TIMEOUT_MS: "10000",
    GRAPH_MAX_ATTEMPTS: "4",
    ...options.settings,
  });
  const logs = createMemoryLogSink();
  const engine = createLocalEngine({
    settings,
    stores,
    logger: createStructuredLogger(logs.sink),
    ...options.engine,
  });
  const now = new Date().toISOString();
  for (const [i, tenantId] of tenants.entries()) {
    await stores.tenants.put({ tenantId, displayName: `Tenant ${i + 1}`, enabled: true, selections: [] }, now);
  }
  return {
    settings,
    stores,
    simulator,
    engine,
    logs,
    tenants,
    async waitForRun(tenantId, runId, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await stores.runs.get(tenantId, runId);
        if (run && !["queued", "running"].includes(run.status)) return run;
        if (Date.now() > deadline) throw new Error(`run ${runId} still ${run?.status ?? "absent"} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      await engine.close();
      await simulator.close();
      stores.dispose();
    },
  };
}
