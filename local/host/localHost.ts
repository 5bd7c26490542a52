import { OrchestrationRuntimeStatus } from "durable-functions";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ORCHESTRATIONS, InventorySyncInputSchema } from "../../shared/sync/contracts";
import { finalizeAbandonedRun } from "../../shared/sync/watchdog";
import { safeMessage } from "../../shared/domain/redaction";
import { CONSOLE_PATH } from "../../shared/http/routes/console";
import { API_PREFIX } from "../../shared/http/pipeline";
import { API_ROUTES } from "../../shared/http/routes/index";
import type { RequestEnv } from "../../shared/http/pipeline";
import type { AppServices } from "../../shared/http/pipeline";
import { noopLogger } from "../../shared/observability";
import type { StructuredLogger } from "../../shared/observability";
import type { Stores } from "../../shared/store/ports";
import { startAzuriteTables } from "../emulators";
import { DEFAULT_MAX_FINISHED_INSTANCES } from "../runtime/localEngine";
import { startLocalStack } from "../runtime/localStack";
import type { LocalStack, LocalStackOptions } from "../runtime/localStack";
import { createAdminRoutes } from "./adminRoutes";
import type { TimerFunctionName } from "./adminRoutes";
import { DEMO_TENANTS, SimulatedTenants, seedDemoTenants } from "./demoTenants";
import type { DemoTenant } from "./demoTenants";
import { listen } from "./httpServer";
import { startLocalTimers } from "./timers";
import type { HostHandlerOptions } from "./httpServer";

export const DEFAULT_PORT = 7071;

export interface LocalHostOptions {
  /** 0 picks a free port. Default: `PORT` from `env`, else 7071. */
  port?: number;
  /** Loopback only (default 127.0.0.1): the local host has no keys. */
  host?: "127.0.0.1" | "localhost" | "::1";
  /** Settings; whatever is configured here wins over the embedded defaults. Default: process.env. */
  env?: Record<string, string | undefined>;
  logger?: StructuredLogger;
  /**
   * Folder for the embedded Azurite's table data (the tenant registry survives a restart).
   * Absent: Azurite runs in memory. Ignored when a tables setting is configured.
   */
  dataDir?: string;
  /**
   * Demo tenants registered in the embedded simulator and, when absent, in the registry
   * (default: Contoso Demo and Fabrikam Demo). Never used when GRAPH_BASE_URL is configured.
   */
  demoTenants?: readonly DemoTenant[];
  /** Embedded simulator options (latency, throttle, page sizes). */
  simulator?: LocalStackOptions["simulator"];
  engine?: LocalStackOptions["engine"];
  /** Access log: one call per answered request. */
  onResponse?: HostHandlerOptions["onResponse"];
  /** Called after the admin endpoint or a schedule fired a timer function. */
  onTimerFired?: (name: TimerFunctionName, result: unknown) => void;
  /**
   * Run the nightly and the watchdog on SYNC_SCHEDULE / WATCHDOG_SCHEDULE, as the Functions host
   * does (default true). Tests that fire timers themselves turn it off.
   */
  timers?: boolean;
}

/** Finished orchestration instances are purged this long after they were created (LOCAL_HISTORY_RETENTION_SECONDS). */
export const DEFAULT_HISTORY_RETENTION_SECONDS = 600;
/** How long SIGTERM waits for runs in flight (SHUTDOWN_GRACE_SECONDS) before finalising them. */
export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;
/** Simulator request-log entries the local host keeps (its log is for tests; a host runs for days). */
export const HOST_REQUEST_LOG_CAPACITY = 2_000;
/** Marker in the data folder: the demo tenants were registered once; a deleted one stays deleted. */
export const DEMO_SEEDED_MARKER = "demo-tenants-seeded";

function wholeSetting(env: Record<string, string | undefined>, name: string, fallback: number, max: number, unit = "seconds"): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  if (!/^\d{1,7}$/.test(text) || Number(text) > max) throw new Error(`${name}: expected whole ${unit} between 0 and ${max}, got ${JSON.stringify(text)}`);
  return Number(text);
}

export interface LocalHost {
  /** `http://127.0.0.1:<port>/api` */
  baseUrl: string;
  origin: string;
  port: number;
  stack: LocalStack;
  /** The demo tenants the simulator serves (empty when Graph is configured). */
  demoTenants: readonly DemoTenant[];
  /** Lines for the start-up banner: what is used, where, and what is in memory. */
  banner(): string;
  /**
   * Graceful stop: no new requests or timer firings, waits at most `graceMs` for the runs this
   * process is running, then terminates the rest and finalises their runs `failed`, so nothing
   * is left `running` for the watchdog to find. Returns the runs it finalised.
   */
  drain(graceMs: number): Promise<{ finalised: string[] }>;
  close(): Promise<void>;
}

function portOf(options: LocalHostOptions, env: Record<string, string | undefined>): number {
  if (options.port !== undefined) return options.port;
  const text = env.PORT?.trim();
  if (!text) return DEFAULT_PORT;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535)
    throw new Error(`PORT: expected a port number (0–65535), got ${JSON.stringify(text)}`);
  return port;
}

/**
 * The local host behind `npm start`, the demo and the end-to-end tests: the route table Azure
 * registers, served over node:http on loopback, with the sync engine on the offline Durable
 * driver, the admin endpoint for timer functions and the local stack's services (configured
 * ones win; embedded ones otherwise).
 */
export async function startLocalHost(options: LocalHostOptions = {}): Promise<LocalHost> {
  const env = { ...(options.env ?? process.env) };
  const logger = options.logger ?? noopLogger;
  const port = portOf(options, env);
  const configured = (name: string) => (env[name] ?? "").trim() !== "";
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    // Persistent tables: the stack would start Azurite in memory, so start it here on disk and
    // hand the stack its connection string as if it were configured.
    let persistedTables: { endpoint: string; dbPath: string; flush(): Promise<void> } | null = null;
    if (options.dataDir && !configured("TABLES_ENDPOINT") && !configured("TABLES_CONNECTION_STRING")) {
      const dbPath = join(options.dataDir, "azurite", "tables.json");
      const tables = await startAzuriteTables({ dbPath });
      stops.push(() => tables.stop());
      env.TABLES_CONNECTION_STRING = tables.connectionString;
      persistedTables = { endpoint: tables.endpoint, dbPath, flush: () => tables.flush() };
    }
    const historyRetentionSeconds = wholeSetting(env, "LOCAL_HISTORY_RETENTION_SECONDS", DEFAULT_HISTORY_RETENTION_SECONDS, 604_800);
    const historyMaxInstances = wholeSetting(env, "LOCAL_HISTORY_MAX_INSTANCES", DEFAULT_MAX_FINISHED_INSTANCES, 1_000_000, "instances");
    const stack = await startLocalStack({
      env,
      simulatorTenants: {},
      simulator: { throttle: false, requestLogCapacity: HOST_REQUEST_LOG_CAPACITY, ...options.simulator },
      logger,
      engine: { historyRetentionSeconds, historyMaxInstances, ...options.engine },
      webhookOrigin: `http://127.0.0.1:${port || DEFAULT_PORT}`,
    });
    stops.push(() => stack.close());
    if (persistedTables) {
      stack.uses.tables = `embedded Azurite tables at ${persistedTables.endpoint} (data kept in ${persistedTables.dbPath})`;
    }

    // A registry write is answered only once it is on disk (Azurite alone saves every 5 s).
    const durable = async <T>(write: Promise<T>): Promise<T> => {
      const result = await write;
      await persistedTables?.flush();
      return result;
    };
    let simulated: SimulatedTenants | null = null;
    let demoTenants: readonly DemoTenant[] = [];
    if (stack.simulator) {
      simulated = new SimulatedTenants(stack.simulator);
      demoTenants = options.demoTenants ?? DEMO_TENANTS;
      for (const t of demoTenants) simulated.add(t.tenantId, { sizes: { ...t.sizes } });
      // Seeded once per data folder: a demo tenant the user deleted is not brought back.
      const marker = options.dataDir ? join(options.dataDir, DEMO_SEEDED_MARKER) : null;
      if (!marker || !existsSync(marker)) {
        await durable(seedDemoTenants(stack.stores.tenants, demoTenants));
        if (marker) {
          mkdirSync(options.dataDir as string, { recursive: true });
          writeFileSync(marker, `${demoTenants.map((t) => t.tenantId).join("\n")}\n`);
        }
      }
      for (const t of await stack.stores.tenants.list()) simulated.add(t.tenantId);
    }
    const registry = stack.stores.tenants;
    const stores: Stores = {
      items: stack.stores.items,
      runs: stack.stores.runs,
      baselines: stack.stores.baselines,
      driftRecords: stack.stores.driftRecords,
      summaries: stack.stores.summaries,
      changes: stack.stores.changes,
      check: () => stack.stores.check(),
      tenants: {
        get: (tenantId) => registry.get(tenantId),
        list: () => registry.list(),
        listPage: (page) => registry.listPage(page),
        delete: (tenantId) => durable(registry.delete(tenantId)),
        async put(tenant, now) {
          const result = await durable(registry.put(tenant, now));
          // A tenant registered while the host runs (PUT /tenants, `tenants add`) gets a simulated Graph tenant.
          simulated?.add(result.tenant.tenantId);
          return result;
        },
      },
    };

    // The engine's app (the shared composition root), with the registry that also feeds the simulator.
    const services: AppServices = { ...stack.engine.app, stores };
    const requestEnv: RequestEnv = {
      settings: () => stack.settings,
      services: async () => services,
      durableClient: () => stack.engine.client,
      onUnexpectedError(error, correlationId, routeName) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        logger.error(`HTTP ${routeName} failed unexpectedly`, { correlationId, error: safeMessage(message) });
      },
    };
    const server = await listen({
      host: options.host,
      port,
      routes: API_ROUTES,
      env: requestEnv,
      preRoute: createAdminRoutes(stack.engine, options.onTimerFired, stack.settings.AUTH_REQUIRE_PRINCIPAL),
      ...(stack.settings.PUBLIC_BASE_URL && {
        extraHostNames: [new URL(stack.settings.PUBLIC_BASE_URL).hostname],
        extraOrigins: [new URL(stack.settings.PUBLIC_BASE_URL).origin],
      }),
      onResponse: options.onResponse,
      onHostError: (error) =>
        logger.error("Local host failed to answer a request", { error: safeMessage(String(error)) }),
    });
    stops.push(() => server.close());
    const timers = options.timers === false ? null : startLocalTimers(stack.settings, stack.engine, logger, options.onTimerFired);
    if (timers) stops.push(async () => timers.stop());
    // Absolute URLs (Location, OpenAPI servers) use PUBLIC_BASE_URL when set, else this address.
    requestEnv.fallbackOrigin = server.origin;
    const baseUrl = `${server.origin}${API_PREFIX}`;
    return {
      baseUrl,
      origin: server.origin,
      port: server.port,
      stack,
      demoTenants,
      banner() {
        const lines = [
          `tenant-inventory local host listening on ${baseUrl}`,
          `  cosmos: ${stack.uses.cosmos}`,
          `  tables: ${stack.uses.tables}`,
          `  graph:  ${stack.uses.graph}`,
          `  durable: ${stack.uses.durable}`,
          `  auth:   no function keys locally${stack.settings.AUTH_REQUIRE_PRINCIPAL ? "; AUTH_REQUIRE_PRINCIPAL=true: x-ms-client-principal roles are enforced" : ""}`,
        ];
        if (demoTenants.length > 0) {
          lines.push("  demo tenants:");
          for (const t of demoTenants) lines.push(`    ${t.tenantId}  ${t.displayName}`);
        }
        lines.push(`  console: ${server.origin}${CONSOLE_PATH}`);
        lines.push(`  health: GET ${baseUrl}/health    OpenAPI: GET ${baseUrl}/openapi.json`);
        if (timers) {
          const next = timers.next();
          for (const name of ["nightlySyncTimer", "syncWatchdogTimer"] as const) {
            lines.push(`  timer:  ${name.padEnd(17)} "${timers.schedules[name]}" (UTC), next ${next[name]?.toISOString() ?? "never"}`);
          }
        } else {
          lines.push("  timers: not scheduled (timers: false)");
        }
        lines.push(`  fire now: POST ${server.origin}/admin/functions/nightlySyncTimer | syncWatchdogTimer`);
        return lines.join("\n") + "\n";
      },
      async drain(graceMs) {
        timers?.stop();
        // No new connections; requests already in progress are answered.
        server.server.close();
        server.server.closeIdleConnections();
        // Through the Durable client, so the offline driver and the real engine drain alike.
        const client = stack.engine.client;
        const active = [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending];
        const unfinished = () => client.getStatusBy({ runtimeStatus: active });
        const deadline = Date.now() + graceMs;
        while ((await unfinished()).some((s) => s.name === ORCHESTRATIONS.inventorySync) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
        }
        const finalised: string[] = [];
        for (const status of await unfinished()) {
          await client.terminate(status.instanceId, "the local host stopped").catch(() => undefined);
          const input = InventorySyncInputSchema.safeParse(status.input);
          if (status.name !== ORCHESTRATIONS.inventorySync || !input.success) continue;
          const run = await stack.stores.runs.get(input.data.tenantId, input.data.runId);
          if (run && (await finalizeAbandonedRun({ stores: stack.stores, log: stack.engine.app.log }, run, "hostStopped", new Date()))) {
            finalised.push(run.id);
          }
        }
        return { finalised };
      },
      close: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
