import { SettingsSchema } from "../../shared/config/settings";
import { displayUrl } from "../../shared/domain/redaction";
import type { Settings } from "../../shared/config/settings";
import { createStores } from "../../shared/store";
import type { CosmosStores } from "../../shared/store";
import type { StructuredLogger } from "../../shared/observability";
import { loopbackCosmosAgent, startAzuriteTables, startCosmosServer } from "../emulators";
import { startGraphSimulator } from "../simulator";
import type { GraphSimulator, GraphSimulatorOptions } from "../simulator";
import { createLocalEngine } from "./localEngine";
import type { LocalEngineOptions, SyncEngine } from "./localEngine";
import { createRealEngine } from "../realEngine/realEngine";
import { realEngineAvailability } from "../realEngine/processes";

export interface LocalStackOptions {
  /** The environment to read settings from; whatever is configured there wins over embedded defaults. */
  env?: Record<string, string | undefined>;
  /** Tenants the embedded Graph simulator serves (ignored when GRAPH_BASE_URL is configured). */
  simulatorTenants?: GraphSimulatorOptions["tenants"];
  simulator?: Omit<GraphSimulatorOptions, "tenants">;
  logger?: StructuredLogger;
  engine?: Omit<LocalEngineOptions, "settings" | "stores" | "logger">;
  /**
   * The configured COSMOS_ENDPOINT is a loopback stand-in with a self-signed certificate (the
   * Cosmos-compatible server in a process of its own, as the bench runs it): relax certificate
   * checks for that endpoint only. Refused for any endpoint that is not loopback.
   */
  trustLoopbackCosmosCertificate?: boolean;
  /**
   * Which Durable engine runs the orchestrations: the offline driver (default) or the real Durable
   * Task extension (local/realEngine; needs dotnet). Default: `DURABLE_ENGINE` from `env`.
   */
  durableEngine?: "driver" | "real";
  /** Origin of the management URLs the real engine's client binding carries (the local host's). */
  webhookOrigin?: string;
}

export interface LocalStack {
  settings: Settings;
  stores: CosmosStores;
  engine: SyncEngine;
  /** Present when the embedded simulator serves Graph. */
  simulator: GraphSimulator | null;
  /** What is in use, for the start-up banner. */
  uses: { cosmos: string; tables: string; graph: string; durable: string };
  close(): Promise<void>;
}

/**
 * Everything the sync needs, offline: configured services where settings name them, embedded
 * ones otherwise — the in-process Cosmos-compatible server (in memory), Azurite tables and the
 * Graph tenant simulator. Used by the local host, the demo, the benchmark and the chaos suite.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const stops: (() => Promise<void>)[] = [];
  try {
    const configured = (name: string) => (env[name] ?? "").trim() !== "";
    const overrides: Record<string, string> = {};
    const uses = { cosmos: "", tables: "", graph: "", durable: "" };
    let cosmosAgent: ReturnType<typeof loopbackCosmosAgent> | undefined;

    if (configured("COSMOS_ENDPOINT")) {
      uses.cosmos = `configured (${displayUrl(env.COSMOS_ENDPOINT ?? "")})`;
      // A Cosmos-compatible server or emulator on this machine with a self-signed certificate
      // (e.g. `@vercel/cosmosdb-server` in its own process): trusted for that loopback endpoint only.
      if (options.trustLoopbackCosmosCertificate || env.LOCAL_COSMOS_TRUST_LOOPBACK_CERT?.trim() === "true") {
        cosmosAgent = loopbackCosmosAgent(env.COSMOS_ENDPOINT ?? "");
        uses.cosmos += " (self-signed loopback certificate trusted)";
      }
    } else {
      const cosmos = await startCosmosServer();
      stops.push(() => cosmos.stop());
      overrides.COSMOS_ENDPOINT = cosmos.endpoint;
      overrides.COSMOS_KEY = cosmos.key;
      cosmosAgent = loopbackCosmosAgent(cosmos.endpoint);
      uses.cosmos = `embedded in-process Cosmos-compatible server at ${cosmos.endpoint} (in memory: data is gone when it stops)`;
    }
    if (configured("TABLES_ENDPOINT") || configured("TABLES_CONNECTION_STRING")) {
      uses.tables = "configured";
    } else {
      const tables = await startAzuriteTables();
      stops.push(() => tables.stop());
      overrides.TABLES_CONNECTION_STRING = tables.connectionString;
      uses.tables = `embedded Azurite tables at ${tables.endpoint} (in memory)`;
    }
    let simulator: GraphSimulator | null = null;
    if (configured("GRAPH_BASE_URL")) {
      uses.graph = `configured (${displayUrl(env.GRAPH_BASE_URL ?? "")})`;
    } else {
      simulator = await startGraphSimulator({
        tenants: options.simulatorTenants ?? {},
        ...options.simulator,
      });
      const sim = simulator;
      stops.push(() => sim.close());
      overrides.GRAPH_BASE_URL = simulator.baseUrl;
      overrides.GRAPH_AUTH_MODE = "simulator";
      uses.graph = `embedded Graph tenant simulator at ${simulator.baseUrl}`;
    }

    const picked = Object.fromEntries(
      Object.keys(SettingsSchema.shape)
        .map((k) => [k, env[k]] as const)
        .filter(([, v]) => v !== undefined && v.trim() !== ""),
    );
    const settings = SettingsSchema.parse({ ...picked, ...overrides });
    const stores = createStores(settings, { cosmosAgent });
    stops.push(async () => stores.dispose());
    await stores.containers();
    const which = options.durableEngine ?? ((env.DURABLE_ENGINE ?? "").trim().toLowerCase() || "driver");
    let engine: SyncEngine;
    if (which === "real") {
      const availability = realEngineAvailability();
      if (!availability.available) throw new Error(`DURABLE_ENGINE=real: ${availability.reason}`);
      engine = await createRealEngine({
        settings,
        stores,
        logger: options.logger,
        appEnv: { ...picked, ...overrides },
        webhookOrigin: options.webhookOrigin,
        logLevel: env.REAL_ENGINE_LOG_LEVEL,
      });
    } else if (which === "driver") {
      engine = createLocalEngine({ settings, stores, logger: options.logger, ...options.engine });
    } else {
      throw new Error(`DURABLE_ENGINE: expected "driver" or "real", got ${JSON.stringify(env.DURABLE_ENGINE)}`);
    }
    stops.push(() => engine.close());
    uses.durable = engine.description;
    return {
      settings,
      stores,
      engine,
      simulator,
      uses,
      async close() {
        for (const stop of stops.reverse()) await stop().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}
