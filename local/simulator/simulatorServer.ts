import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { POLICY_TYPES, policyTypeDefinition } from "../../shared/domain";
import type { PolicyTypeKey } from "../../shared/domain";
import { readSimulatorToken } from "../../shared/graph/simulatorToken";
import { FaultBook, forbiddenBody, graphErrorBody, notLicensedBody } from "./faults";
import type { FaultSpec, LatencySpec } from "./faults";
import { DEFAULT_SIZES, PAGE_SIZE_MAX } from "./pageSizes";
import { RequestLog } from "./requestLog";
import { STAND_IN_IDLE_TIMEOUT_MS } from "../emulators/idleTimeout";
import { malformedObjects, seedAddedObjects, seedObjects } from "./seedData";
import { seedOf } from "./random";
import type { GraphObject } from "./seedData";
import { INTUNE_THROTTLE, TenantThrottle } from "./throttle";
import type { ThrottleOptions } from "./throttle";
import { SIMULATED_ASSIGNMENTS } from "./assignments";

/**
 * A Microsoft Graph stand-in for Intune collections, one process, many tenants. It serves
 * every catalog path under /beta and /v1.0, tells tenants apart by the `tid` of the (unsigned)
 * bearer token, pages like Graph ($top up to a per-type maximum, an opaque $skiptoken in an
 * absolute @odata.nextLink), honours $select, throttles like Intune and logs every request.
 * Reads only: any other method is refused and logged, so tests can prove nothing ever wrote.
 */

export interface SimulatorTenantConfig {
  sizes?: Partial<Record<PolicyTypeKey, number>>;
  seed?: number;
  /** Seed a few ids with `/ # ? \`, spaces and unicode (default true). */
  specialIds?: boolean;
}

export interface GraphSimulatorOptions {
  /** Request-log entries kept (default DEFAULT_REQUEST_LOG_CAPACITY; the oldest go first). */
  requestLogCapacity?: number;
  port?: number;
  /** Loopback only; the simulator accepts tokens that prove nothing. */
  host?: "127.0.0.1" | "localhost" | "::1";
  tenants: Record<string, SimulatorTenantConfig>;
  latencyMs?: number;
  latencyJitterMs?: number;
  /** Per-type page-size maxima (defaults: PAGE_SIZE_MAX). */
  pageSizes?: Partial<Record<PolicyTypeKey, number>>;
  /** Intune-like budget per tenant, or false to switch it off. */
  throttle?: ThrottleOptions | false;
}

export interface Mutation {
  /** A number of new generated objects, or objects to append as given. */
  add?: number | GraphObject[];
  remove?: string[];
  rename?: Record<string, string>;
  /** Properties to set on existing objects, by id (a version bump, reordered scope tags …), as an admin's edit would. */
  update?: Record<string, Record<string, unknown>>;
  /** Replaces objects' assignment lists (Graph-shaped: `{ id, target: { "@odata.type", groupId?, … }, intent? }`). */
  assign?: Record<string, GraphObject[]>;
}

export interface SimulatorControl {
  addTenant(tenantId: string, config?: SimulatorTenantConfig): void;
  /** The current listing (a copy), to compute what a sync must have stored. */
  objects(tenantId: string, policyType: PolicyTypeKey): unknown[];
  mutate(tenantId: string, policyType: PolicyTypeKey, mutation: Mutation): { added: GraphObject[] };
  fault(tenantId: string, policyType: PolicyTypeKey, spec: FaultSpec): void;
  notLicensed(tenantId: string, policyType: PolicyTypeKey, spec?: Omit<FaultSpec, "status" | "body"> & { status?: 400 | 403 }): void;
  latency(tenantId: string, policyType: PolicyTypeKey | null, ms: number, jitterMs?: number): void;
  foreignNextLink(tenantId: string, policyType: PolicyTypeKey, url: string, opts?: { onPage?: number }): void;
  duplicateAcrossPages(tenantId: string, policyType: PolicyTypeKey, on?: boolean): void;
  /** Inserts `count` objects that fail the item contract, spread over the listing. */
  malformed(tenantId: string, policyType: PolicyTypeKey, count: number): void;
  /** Answer with every property whatever $select says (some Intune collections do). */
  ignoreSelect(tenantId: string, policyType: PolicyTypeKey, on?: boolean): void;
  pageSize(policyType: PolicyTypeKey): number;
  /** Clears faults, latencies and throttle windows (of one tenant, or all). Data stays. */
  reset(tenantId?: string): void;
}

export interface GraphSimulator {
  /** e.g. http://127.0.0.1:53123 — use as GRAPH_BASE_URL. */
  baseUrl: string;
  control: SimulatorControl;
  log: RequestLog;
  close(): Promise<void>;
}

interface TenantState {
  seed: number;
  specialIds: boolean;
  sizes: Partial<Record<PolicyTypeKey, number>>;
  lists: Map<PolicyTypeKey, unknown[]>;
  generation: number;
}

const byPath = new Map<string, PolicyTypeKey>(POLICY_TYPES.map((t) => [t.graphPath.toLowerCase(), t.key]));

interface SkipToken {
  t: string;
  o: number;
  p: number;
}

const encodeSkipToken = (token: SkipToken) => Buffer.from(JSON.stringify(token)).toString("base64url");

function decodeSkipToken(text: string, policyType: string): SkipToken | null {
  try {
    const token = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as SkipToken;
    if (token.t !== policyType || !Number.isInteger(token.o) || token.o < 0 || !Number.isInteger(token.p) || token.p < 2) return null;
    return token;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * What a listing returns of one object: the `$select`ed properties (all, without `$select`),
 * never the `assignments` navigation unless expanded — and expanded as the collection does it
 * (empty lists where Graph has the defect).
 */
function project(obj: unknown, select: string[] | null, expand: "full" | "empty" | null): unknown {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return obj;
  const source = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (!select) Object.assign(out, source);
  else for (const key of ["@odata.type", "id", ...select]) if (key in source) out[key] = source[key];
  delete out.assignments;
  if (expand) out.assignments = expand === "full" && Array.isArray(source.assignments) ? source.assignments : [];
  return out;
}

/** `{collection}/{id}/assignments` on the raw (still encoded) path → the collection's type and the decoded id. */
function perObjectAssignments(pathname: string): { type: PolicyTypeKey; id: string } | null {
  const match = /^\/(?:beta|v1\.0)(\/.+)\/([^/]+)\/assignments\/?$/.exec(pathname);
  if (!match) return null;
  try {
    const type = byPath.get(decodeURIComponent(match[1] ?? "").toLowerCase());
    return type ? { type, id: decodeURIComponent(match[2] ?? "") } : null;
  } catch {
    return null;
  }
}

export async function startGraphSimulator(options: GraphSimulatorOptions): Promise<GraphSimulator> {
  const host = options.host ?? "127.0.0.1";
  const tenants = new Map<string, TenantState>();
  const faults = new FaultBook();
  const log = new RequestLog(options.requestLogCapacity);
  const throttle = options.throttle === false ? null : new TenantThrottle(options.throttle ?? INTUNE_THROTTLE);
  const defaultLatency: LatencySpec = { ms: options.latencyMs ?? 0, jitterMs: options.latencyJitterMs ?? 0 };
  const pageSizeOf = (type: PolicyTypeKey) => Math.max(1, options.pageSizes?.[type] ?? PAGE_SIZE_MAX[type]);

  const addTenant = (tenantId: string, config: SimulatorTenantConfig = {}) => {
    tenants.set(tenantId.toLowerCase(), {
      seed: config.seed ?? seedOf(tenantId),
      specialIds: config.specialIds ?? true,
      sizes: config.sizes ?? {},
      lists: new Map(),
      generation: 0,
    });
  };
  for (const [tenantId, config] of Object.entries(options.tenants)) addTenant(tenantId, config);

  const tenantOf = (tenantId: string): TenantState => {
    const state = tenants.get(tenantId.toLowerCase());
    if (!state) throw new Error(`simulator: unknown tenant ${tenantId}`);
    return state;
  };
  /** Listings are generated on first use, so a tenant of 10,000 objects costs nothing until read. */
  const listOf = (tenantId: string, type: PolicyTypeKey): unknown[] => {
    const state = tenantOf(tenantId);
    let list = state.lists.get(type);
    if (!list) {
      const size = state.sizes[type] ?? DEFAULT_SIZES[type];
      list = seedObjects(tenantId.toLowerCase(), type, size, { seed: state.seed, specialIds: state.specialIds });
      state.lists.set(type, list);
    }
    return list;
  };

  const control: SimulatorControl = {
    addTenant,
    objects: (tenantId, type) => structuredClone(listOf(tenantId, type)),
    mutate(tenantId, type, mutation) {
      const state = tenantOf(tenantId);
      const list = listOf(tenantId, type);
      const nameField = policyTypeDefinition(type).nameField;
      const remove = new Set(mutation.remove ?? []);
      if (remove.size > 0) {
        const kept = list.filter((o) => !(o && typeof o === "object" && remove.has(String((o as GraphObject).id))));
        list.splice(0, list.length, ...kept);
      }
      for (const [id, assignments] of Object.entries(mutation.assign ?? {})) {
        const obj = list.find((o) => o && typeof o === "object" && (o as GraphObject).id === id) as GraphObject | undefined;
        if (!obj) throw new Error(`simulator: no ${type} ${id} to assign`);
        obj.assignments = structuredClone(assignments);
      }
      for (const [id, name] of Object.entries(mutation.rename ?? {})) {
        const obj = list.find((o) => o && typeof o === "object" && (o as GraphObject).id === id) as GraphObject | undefined;
        if (!obj) throw new Error(`simulator: no ${type} ${id} to rename`);
        obj[nameField] = name;
        obj.lastModifiedDateTime = new Date().toISOString();
      }
      for (const [id, fields] of Object.entries(mutation.update ?? {})) {
        const obj = list.find((o) => o && typeof o === "object" && (o as GraphObject).id === id) as GraphObject | undefined;
        if (!obj) throw new Error(`simulator: no ${type} ${id} to update`);
        Object.assign(obj, structuredClone(fields));
      }
      let added: GraphObject[] = [];
      if (typeof mutation.add === "number") {
        state.generation += 1;
        added = seedAddedObjects(tenantId.toLowerCase(), type, mutation.add, state.generation, { seed: state.seed });
      } else if (mutation.add) {
        added = structuredClone(mutation.add);
      }
      list.push(...added);
      return { added: structuredClone(added) };
    },
    fault: (tenantId, type, spec) => faults.addFault(tenantId.toLowerCase(), type, spec),
    notLicensed: (tenantId, type, spec = {}) =>
      faults.addFault(tenantId.toLowerCase(), type, { ...spec, status: spec.status ?? 400, body: notLicensedBody(new Date()) }),
    latency: (tenantId, type, ms, jitterMs = 0) => faults.setLatency(tenantId.toLowerCase(), type, { ms, jitterMs }),
    foreignNextLink: (tenantId, type, url, opts = {}) => {
      faults.behaviour(tenantId.toLowerCase(), type).foreignNextLink = { url, onPage: opts.onPage ?? 1 };
    },
    duplicateAcrossPages: (tenantId, type, on = true) => {
      faults.behaviour(tenantId.toLowerCase(), type).duplicateAcrossPages = on;
    },
    malformed(tenantId, type, count) {
      const state = tenantOf(tenantId);
      const list = listOf(tenantId, type);
      state.generation += 1;
      const bad = malformedObjects(count, state.generation);
      bad.forEach((obj, i) => list.splice(Math.floor(((i + 1) * list.length) / (count + 1)), 0, obj));
    },
    ignoreSelect: (tenantId, type, on = true) => {
      faults.behaviour(tenantId.toLowerCase(), type).ignoreSelect = on;
    },
    pageSize: pageSizeOf,
    reset(tenantId) {
      faults.reset(tenantId?.toLowerCase());
      throttle?.reset(tenantId?.toLowerCase());
    },
  };

  let origin = "";

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      "content-type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json;odata.metadata=minimal;odata.streaming=true;charset=utf-8",
      "content-length": Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
    return status;
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, url: URL, setScope: (tenantId: string | null, type: string | null) => void) => {
    const match = /^\/(beta|v1\.0)(\/.*?)\/?$/.exec(url.pathname);
    const perObject = perObjectAssignments(url.pathname);
    let type: PolicyTypeKey | undefined;
    try {
      type = perObject?.type ?? (match ? byPath.get(decodeURIComponent(match[2] ?? "").toLowerCase()) : undefined);
    } catch {
      type = undefined;
    }
    const claims = readSimulatorToken(req.headers.authorization, Date.now());
    const tenantId = claims && tenants.has(claims.tid.toLowerCase()) ? claims.tid.toLowerCase() : null;
    setScope(tenantId, type ?? null);
    const latency = tenantId && type ? faults.latencyFor(tenantId, type, defaultLatency) : defaultLatency;
    const wait = latency.ms + Math.random() * (latency.jitterMs ?? 0);
    if (wait > 0) await sleep(wait);
    const now = new Date();

    if (req.method !== "GET") return send(res, 405, graphErrorBody(405, now), { allow: "GET" });
    if (!claims) return send(res, 401, graphErrorBody(401, now, "Access token is empty or invalid."));
    if (!tenantId) return send(res, 401, graphErrorBody(401, now, "The token's tenant is not known to this Graph."));
    if (!match || !type) return send(res, 404, graphErrorBody(404, now, `Resource not found for the segment '${url.pathname}'.`));
    const retryAfter = throttle?.admit(tenantId, Date.now());
    if (retryAfter) return send(res, 429, graphErrorBody(429, now), { "retry-after": String(retryAfter) });

    const version = match[1] as string;
    const graphPath = policyTypeDefinition(type).graphPath;
    const params = url.searchParams;
    const assignmentsMode = SIMULATED_ASSIGNMENTS[type];

    if (perObject) {
      // One object's assignments: one page (Intune objects carry a handful); faults of page 0 (or of every page) apply.
      if (assignmentsMode === "none") return send(res, 400, graphErrorBody(400, now, "Resource not found for the segment 'assignments'."));
      const fault = faults.takeFault(tenantId, type, 0);
      if (fault) {
        const headers: Record<string, string> = {};
        if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
        const body = fault.body ?? (fault.status === 403 ? forbiddenBody(now, policyTypeDefinition(type).readPermission) : graphErrorBody(fault.status, now));
        return send(res, fault.status, body, headers);
      }
      const obj = listOf(tenantId, type).find((o) => o && typeof o === "object" && (o as GraphObject).id === perObject.id) as GraphObject | undefined;
      if (!obj) return send(res, 404, graphErrorBody(404, now, `${type} ${perObject.id} was not found.`));
      return send(res, 200, {
        "@odata.context": `${origin}/${version}/$metadata#${graphPath.slice(1)}('${encodeURIComponent(perObject.id)}')/assignments`,
        value: Array.isArray(obj.assignments) ? obj.assignments : [],
      });
    }

    const expandText = params.get("$expand");
    let expand: "full" | "empty" | null = null;
    if (expandText !== null) {
      // Only the assignments navigation is modelled; Graph refuses it where the collection does not expand.
      if (expandText.trim() !== "assignments" || assignmentsMode === "none" || assignmentsMode === "refused") {
        return send(res, 400, graphErrorBody(400, now, `Expanding '${expandText}' is not supported on ${graphPath}.`));
      }
      expand = assignmentsMode === "expandEmpty" ? "empty" : "full";
    }
    const skip = params.get("$skiptoken") ?? params.get("$skipToken");
    const token = skip === null ? { t: type, o: 0, p: 1 } : decodeSkipToken(skip, type);
    if (!token) return send(res, 400, graphErrorBody(400, now, "Invalid $skiptoken."));
    const topText = params.get("$top");
    const top = topText === null ? null : Number(topText);
    if (top !== null && (!Number.isInteger(top) || top < 1)) return send(res, 400, graphErrorBody(400, now, "Invalid $top."));
    const size = Math.min(top ?? Number.POSITIVE_INFINITY, pageSizeOf(type));

    const fault = faults.takeFault(tenantId, type, token.p);
    if (fault) {
      const headers: Record<string, string> = {};
      if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
      const body = fault.body ?? (fault.status === 403 ? forbiddenBody(now, policyTypeDefinition(type).readPermission) : graphErrorBody(fault.status, now));
      return send(res, fault.status, body, headers);
    }

    const behaviour = faults.behaviour(tenantId, type);
    const selectText = params.get("$select");
    const select = selectText && !behaviour.ignoreSelect ? selectText.split(",").map((s) => s.trim()).filter(Boolean) : null;
    const list = listOf(tenantId, type);
    const slice = list.slice(token.o, token.o + size);
    if (behaviour.duplicateAcrossPages && token.o > 0) slice.unshift(list[token.o - 1]);
    const body: Record<string, unknown> = {
      "@odata.context": `${origin}/${version}/$metadata#${graphPath.slice(1)}${selectText ? `(${selectText})` : ""}`,
    };
    const nextOffset = token.o + size;
    if (behaviour.foreignNextLink && behaviour.foreignNextLink.onPage === token.p) {
      body["@odata.nextLink"] = behaviour.foreignNextLink.url;
    } else if (nextOffset < list.length) {
      const next = new URLSearchParams();
      if (selectText) next.set("$select", selectText);
      if (expandText) next.set("$expand", expandText);
      if (topText) next.set("$top", topText);
      next.set("$skiptoken", encodeSkipToken({ t: type, o: nextOffset, p: token.p + 1 }));
      body["@odata.nextLink"] = `${origin}/${version}${graphPath}?${next.toString()}`;
    }
    body.value = slice.map((o) => project(o, select, expand));
    return send(res, 200, body);
  };

  const server = createServer((req, res) => {
    const startedAt = Date.now();
    const url = new URL(req.url ?? "/", origin);
    const claims = readSimulatorToken(req.headers.authorization, startedAt);
    const finish = log.begin(
      {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.search,
        tenantId: claims && tenants.has(claims.tid.toLowerCase()) ? claims.tid.toLowerCase() : null,
        policyType: null,
        hadAuthorization: req.headers.authorization !== undefined,
        startedAt,
      },
      Date.now,
    );
    let scope: { tenantId: string | null; type: string | null } = { tenantId: null, type: null };
    answer(req, res, url, (tenantId, type) => (scope = { tenantId, type }))
      .then((status) => finish(status, scope.tenantId, scope.type))
      .catch(() => {
        finish(send(res, 500, graphErrorBody(500, new Date())), scope.tenantId, scope.type);
      });
    // Drain any request body (a write attempt) so the connection stays usable.
    req.resume();
  });
  // Like Graph's front ends, not Node's 5 s default: see STAND_IN_IDLE_TIMEOUT_MS.
  server.keepAliveTimeout = STAND_IN_IDLE_TIMEOUT_MS;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  origin = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    baseUrl: origin,
    control,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
