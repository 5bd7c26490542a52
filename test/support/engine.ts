import { SettingsSchema } from "../../shared/config/settings";
import type { Settings } from "../../shared/config/settings";
import { createLocalEngine } from "../../local/runtime/localEngine";
import type { LocalEngine, LocalEngineOptions, SyncEngine } from "../../local/runtime/localEngine";
import { createRealEngine } from "../../local/realEngine/realEngine";
import type { RealEngine } from "../../local/realEngine/realEngine";
import { startGraphSimulator } from "../../local/simulator";
import type { GraphSimulator, GraphSimulatorOptions } from "../../local/simulator";
import { createMemoryLogSink, createStructuredLogger } from "../../shared/observability";
import type { MemoryLogSink } from "../../shared/observability";
import type { RunDocument } from "../../shared/domain";
import type { StartSyncRequest } from "../../shared/sync/contracts";
import { createTestStores, newTenantId } from "./stores";
import type { TestStores } from "./stores";

export interface EngineFixture<E extends SyncEngine = LocalEngine> {
  settings: Settings;
  stores: TestStores;
  simulator: GraphSimulator;
  engine: E;
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

export interface RealEngineFixtureOptions extends Omit<EngineFixtureOptions, "engine"> {
  /** Test-only registrations (compiled modules under dist/, from the repository root) the bridge loads after `main`. */
  extraModules?: string[];
}

/** A whole engine on the offline driver, the real emulators and the Graph simulator, with registered tenants. */
export function startEngineFixture(options: EngineFixtureOptions = {}): Promise<EngineFixture<LocalEngine>> {
  return startFixture(options, async ({ settings, stores, logger }) =>
    createLocalEngine({ settings, stores, logger, ...options.engine }),
  );
}

/**
 * The same fixture on the REAL Durable Task extension (local/realEngine): the app's own handlers
 * run in the Node bridge with these settings in its environment.
 */
export function startRealEngineFixture(options: RealEngineFixtureOptions = {}): Promise<EngineFixture<RealEngine>> {
  return startFixture(options, async ({ settings, stores, logger, appEnv }) =>
    createRealEngine({
      settings,
      stores,
      logger,
      appEnv,
      extraModules: options.extraModules,
      logLevel: process.env.REAL_ENGINE_LOG_LEVEL,
    }),
  );
}

/**
 * Starts an HTTP-triggered sync that must be admitted and returns its run id: a refusal
 * (LOCK_HELD, a limit, a disabled tenant) fails the calling test with its kind.
 */
export async function startAcceptedRun(
  f: { engine: Pick<SyncEngine, "startSync"> },
  tenantId: string,
  selection: StartSyncRequest["selection"],
  correlationId: string,
): Promise<string> {
  const started = await f.engine.startSync({ tenantId, selection, waitForSlotSeconds: 0, trigger: "http", correlationId });
  if (started.kind !== "accepted") throw new Error(`sync of ${tenantId} not accepted: ${started.kind}`);
  return started.run.id;
}

async function startFixture<E extends SyncEngine>(
  options: Omit<EngineFixtureOptions, "engine">,
  createEngine: (parts: {
    settings: Settings;
    stores: TestStores;
    logger: ReturnType<typeof createStructuredLogger>;
    appEnv: Record<string, string | undefined>;
  }) => Promise<E>,
): Promise<EngineFixture<E>> {
  const tenants = Array.from({ length: options.tenants ?? 1 }, () => newTenantId());
  const stores = createTestStores();
  const simulator = await startGraphSimulator({
    tenants: Object.fromEntries(tenants.map((t) => [t, { sizes: options.sizes }])),
    throttle: false,
    ...options.simulator,
  });
  const appEnv: Record<string, string | undefined> = {
    ...Object.fromEntries(Object.entries(stores.settings).filter(([, v]) => v !== undefined)),
    GRAPH_BASE_URL: simulator.baseUrl,
    GRAPH_AUTH_MODE: "simulator",
    GRAPH_REQUEST_TIMEOUT_MS: "10000",
    GRAPH_MAX_ATTEMPTS: "4",
    ...options.settings,
  };
  const settings = SettingsSchema.parse(appEnv);
  const logs = createMemoryLogSink();
  let engine: E;
  try {
    engine = await createEngine({ settings, stores, logger: createStructuredLogger(logs.sink), appEnv });
  } catch (error) {
    await simulator.close();
    stores.dispose();
    throw error;
  }
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
