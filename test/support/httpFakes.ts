/**
 * In-memory fakes of the ports the HTTP layer uses (Stores, SyncStarter) and a request builder
 * that goes through the same route matching a host does. For handler-level specs only; the
 * end-to-end tests run the real stores and engine behind the local host.
 */
import { CodedError } from "../../shared/domain/errorCodes";
import { normaliseSelection, selectionHash } from "../../shared/domain/selection";
import { newRun } from "../../shared/domain/run";
import type { RunDocument, RunStatus } from "../../shared/domain/run";
import type { InventoryItem } from "../../shared/domain/item";
import type { Settings } from "../../shared/config/settings";
import { SettingsSchema } from "../../shared/config/settings";
import type { StartSyncRequest, StartSyncResult } from "../../shared/sync/contracts";
import type { SyncStarter } from "../../shared/sync/start";
import type { DurableClient } from "../../shared/sync/durableClient";
import type { Tenant } from "../../shared/domain/tenant";
import type { Page, SelectionActivity, Stores } from "../../shared/store/ports";
import type { ApiRequest, ApiResponse } from "../../shared/http/pipeline";
import { readLimitedText } from "../../shared/http/pipeline";
import { matchRoute } from "../../local/host/httpServer";
import { API_ROUTES } from "../../shared/http/routes/index";
import type { AppServices, RequestEnv } from "../../shared/http/pipeline";

export const ORIGIN = "https://inventory.example.net";
export const TENANT = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
export const OTHER_TENANT = "0b6e1c9a-1111-4222-8333-944455556666";
export const NOW = new Date("2026-01-02T03:04:05.000Z");

export function testSettings(overrides: Partial<Record<string, string>> = {}): Settings {
  return SettingsSchema.parse({
    COSMOS_ENDPOINT: "https://localhost:8081",
    TABLES_CONNECTION_STRING: "UseDevelopmentStorage=true",
    GRAPH_AUTH_MODE: "simulator",
    GRAPH_BASE_URL: "http://127.0.0.1:9",
    PUBLIC_BASE_URL: ORIGIN,
    ...overrides,
  });
}

/** A queued run, built by the domain's lifecycle, with `overrides` on top. */
export function makeRun(overrides: Partial<RunDocument> = {}): RunDocument {
  const run = newRun({
    id: "run-1",
    tenantId: TENANT,
    selection: {},
    trigger: "http",
    correlationId: "corr-1",
    requestedAt: NOW.toISOString(),
    leaseUntil: null,
    orchestrationInstanceId: null,
  });
  return { ...run, ...overrides };
}

export function makeItem(n: number, overrides: Partial<InventoryItem> = {}): InventoryItem {
  return {
    id: `deviceConfiguration.item${n}`,
    tenantId: TENANT,
    policyType: "deviceConfiguration",
    category: "configuration",
    externalId: `ext-${n}`,
    displayName: `Policy ${n}`,
    platform: "windows",
    meta: { odataType: "#microsoft.graph.windows10GeneralConfiguration" },
    firstSeenAt: NOW.toISOString(),
    lastSeenAt: NOW.toISOString(),
    lastSeenRunId: "run-1",
    ...overrides,
  };
}

/** Tokens of the fake are `page:<tenant>:<offset>`; anything else is refused like the real store does. */
function paginate<T>(tenantId: string, all: T[], limit: number, token: string | undefined): Page<T> {
  let offset = 0;
  if (token !== undefined) {
    const match = /^page:([0-9a-f-]+):(\d+)$/.exec(token);
    if (!match || match[1] !== tenantId) throw new CodedError("INVALID_CONTINUATION_TOKEN", "bad token", { status: 400 });
    offset = Number(match[2]);
  }
  const items = all.slice(offset, offset + limit);
  const next = offset + limit < all.length ? `page:${tenantId}:${offset + limit}` : null;
  return { items, continuationToken: next };
}

export interface FakeWorld {
  stores: Stores;
  runs: Map<string, RunDocument>;
  items: InventoryItem[];
  tenants: Map<string, Tenant>;
  starts: StartSyncRequest[];
  /** What the next start answers; by default a queued run is accepted. */
  nextStart: ((request: StartSyncRequest) => StartSyncResult) | null;
  starter: SyncStarter;
  health: { cosmos: "ok" | "failed"; tables: "ok" | "failed" };
  missingCalls: { tenantId: string; selectionHash: string }[];
  itemQueries: unknown[];
  runQueries: unknown[];
}

/**
 * A fake world; TENANT and OTHER_TENANT are registered unless `registered` says otherwise,
 * because every tenant route but PUT answers 404 TENANT_NOT_FOUND for an unregistered tenant.
 */
export function createWorld(options: { registered?: readonly string[] } = {}): FakeWorld {
  const registered = options.registered ?? [TENANT, OTHER_TENANT];
  const world: FakeWorld = {
    runs: new Map(),
    items: [],
    tenants: new Map(
      registered.map((tenantId) => [
        tenantId,
        { tenantId, displayName: tenantId, enabled: true, selections: [], createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() },
      ]),
    ),
    starts: [],
    nextStart: null,
    health: { cosmos: "ok", tables: "ok" },
    missingCalls: [],
    itemQueries: [],
    runQueries: [],
    starter: {
      async start(_client, request) {
        world.starts.push(request);
        if (world.nextStart) return world.nextStart(request);
        const selection = normaliseSelection(request.selection);
        const run = makeRun({
          id: `run-${world.starts.length}`,
          tenantId: request.tenantId,
          selection,
          selectionHash: selectionHash(selection),
          correlationId: request.correlationId,
        });
        world.runs.set(run.id, run);
        return { kind: "accepted", run };
      },
    },
    stores: undefined as unknown as Stores,
  };
  const unused = () => {
    throw new Error("not used by the HTTP layer");
  };
  world.stores = {
    items: {
      createWriter: unused,
      async list(tenantId, query) {
        world.itemQueries.push(query);
        return paginate(tenantId, world.items.filter((i) => i.tenantId === tenantId), query.limit, query.continuationToken);
      },
      get: unused,
      dependencies: unused,
      async missing(tenantId, hash) {
        world.missingCalls.push({ tenantId, selectionHash: hash });
        return { selectionHash: hash, latestRun: null, confidence: null, items: [] };
      },
      compared: unused,
      async coverage() {
        return [{ policyType: "deviceConfiguration", category: "configuration", itemCount: 3, lastObservedAt: NOW.toISOString(), lastRun: null }];
      },
      countByType: unused,
      count: unused,
      missingStream: unused,
      iterate: unused,
      lastSeenByAnyOf: unused,
    },
    runs: {
      create: unused,
      async get(tenantId, runId) {
        const run = world.runs.get(runId);
        return run && run.tenantId === tenantId ? run : null;
      },
      update: unused,
      async list(tenantId, query) {
        world.runQueries.push(query);
        const all = [...world.runs.values()].filter((r) => r.tenantId === tenantId).reverse();
        return paginate(tenantId, all, query.limit, query.continuationToken);
      },
      latestCompleted: unused,
      async completedRunsNewestFirst(tenantId, max) {
        return [...world.runs.values()]
          .filter((r) => r.tenantId === tenantId && ["success", "partial", "failed"].includes(r.status))
          .reverse()
          .slice(0, max);
      },
      async selectionActivity(tenantId) {
        const byHash = new Map<string, SelectionActivity>();
        for (const r of [...world.runs.values()].filter((run) => run.tenantId === tenantId).reverse()) {
          if (!byHash.has(r.selectionHash)) {
            byHash.set(r.selectionHash, { selectionHash: r.selectionHash, selection: r.selection, lastRequestedAt: r.requestedAt, latestRun: { id: r.id, status: r.status, finishedAt: r.finishedAt } });
          }
        }
        return [...byHash.values()];
      },
      completedOutlines: unused,
      listActive: unused,
      listActiveAcrossTenants: unused,
      claimHolder: unused,
      claim: unused,
      releaseClaim: unused,
    },
    tenants: {
      async get(tenantId) {
        return world.tenants.get(tenantId) ?? null;
      },
      async put(tenant, now) {
        const existing = world.tenants.get(tenant.tenantId);
        const stored: Tenant = { ...tenant, createdAt: existing?.createdAt ?? now, updatedAt: now };
        world.tenants.set(tenant.tenantId, stored);
        return { tenant: stored, created: !existing };
      },
      async list() {
        return [...world.tenants.values()];
      },
      listPage: unused,
      async delete(tenantId) {
        return world.tenants.delete(tenantId);
      },
    },
    baselines: { get: unused, getWithItems: unused, list: unused, put: unused, delete: unused },
    driftRecords: { get: unused, put: unused },
    summaries: { get: unused, getMany: unused, update: unused },
    changes: { write: unused, countByRun: unused, listForRun: unused, list: unused },
    check: async () => world.health,
  };
  return world;
}

/** The services of the fake world, with the settings the request environment reads. */
export type TestServices = AppServices & { settings: Settings };

export function servicesOf(world: FakeWorld, settings: Settings = testSettings()): TestServices {
  return { stores: world.stores, starter: world.starter, settings, now: () => NOW };
}

/** The HTTP layer never reaches the Durable client itself: the fake starter ignores it. */
const unusedDurableClient = new Proxy({} as DurableClient, {
  get: () => () => {
    throw new Error("the fake starter does not use the Durable client");
  },
});

/** What a host passes a route: settings (read for authorisation), the services, the Durable client. */
export function requestEnv(services: TestServices | (() => Promise<TestServices>)): RequestEnv {
  return typeof services === "function"
    ? { settings: () => testSettings(), services, durableClient: () => unusedDurableClient }
    : { settings: () => services.settings, services: async () => services, durableClient: () => unusedDurableClient };
}

export interface RequestInit {
  headers?: Record<string, string>;
  /** An object is sent as JSON with content-type application/json unless headers say otherwise. */
  body?: unknown;
  rawBody?: string | Uint8Array;
}

/** Builds the neutral request for `METHOD /api/...` and runs it through the matched route. */
export async function call(
  method: string,
  pathAndQuery: string,
  init: RequestInit = {},
  services: TestServices | (() => Promise<TestServices>) = servicesOf(createWorld()),
): Promise<ApiResponse> {
  const url = new URL(pathAndQuery, ORIGIN);
  const match = matchRoute(API_ROUTES, method, url.pathname);
  if (match.kind !== "matched") throw new Error(`no route for ${method} ${url.pathname}: ${match.kind}`);
  const headers: Record<string, string> = {};
  let raw: string | Uint8Array | undefined = init.rawBody;
  if (init.body !== undefined) {
    raw = JSON.stringify(init.body);
    headers["content-type"] = "application/json";
  }
  // Clients of this API declare JSON on every POST/PUT, an empty body too (the pipeline requires it).
  if ((method === "POST" || method === "PUT") && init.rawBody === undefined) headers["content-type"] = "application/json";
  for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
  const request: ApiRequest = {
    method,
    url: url.toString(),
    headers,
    params: match.params,
    query: url.searchParams,
    bodyText: () => readLimitedText(raw === undefined ? null : (async function* () { yield typeof raw === "string" ? Buffer.from(raw) : raw; })(), headers["content-length"]),
  };
  return match.route.handler(request, requestEnv(services));
}

export type Problem = { type: string; title: string; status: number; code: string; detail: string; correlationId: string; errors?: { path: string; message: string }[]; runId?: string; activeRunId?: string };
export const problemOf = (response: ApiResponse): Problem => response.body as Problem;

export type { RunStatus };
