import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogSizes } from "../../../../bench/scenarios";
import { COSMOS_SERVER_KEY, loopbackCosmosAgent, startAzuriteTables, startCosmosServer } from "../../../../local/emulators";
import type { RunningAzuriteTables, RunningCosmosServer } from "../../../../local/emulators";
import { createLocalEngine } from "../../../../local/runtime/localEngine";
import type { LocalEngine } from "../../../../local/runtime/localEngine";
import { INTUNE_THROTTLE, PAGE_SIZE_MAX, startGraphSimulator } from "../../../../local/simulator";
import type { GraphSimulator } from "../../../../local/simulator";
import { seededRandom } from "../../../../local/simulator/random";
import { SettingsSchema } from "../../../../shared/config/settings";
import { POLICY_TYPE_KEYS, itemDocumentId, normaliseGraphObject, normaliseSelection, selectionHash } from "../../../../shared/domain";
import type { PolicyTypeKey, RunDocument } from "../../../../shared/domain";
import type { SelectionInput } from "../../../../shared/domain/selection";
import { gateEntityId } from "../../../../functions/durableCatalog";
import { createMemoryLogSink, createStructuredLogger } from "../../../../shared/observability";
import { createStores } from "../../../../shared/store";
import type { CosmosStores } from "../../../../shared/store";
import { startCosmosFaultProxy } from "../../../support/cosmosFaultProxy";
import type { CosmosFaultProxy } from "../../../support/cosmosFaultProxy";

/**
 * Chaos: many syncs of several tenants while Graph throttles (30 % of page requests answer 429
 * once), sends 503 bursts (some longer than the client's retries), slows down, fails in the
 * middle of an enumeration with secrets in its error body, and changes between runs; while the
 * Cosmos-compatible server answers 429/503 or drops connections through a fault proxy, Azurite
 * is stopped and restarted on its port, and activities crash (before, and after, their writes).
 * Then every invariant is its own assertion.
 *
 * CHAOS_SIZE=full (npm run test:chaos) is the big storm; the default is reduced so `npm test`
 * stays fast. Faults are planned by a seeded random source and by request number, never by
 * the clock, so the outcome does not depend on the machine's speed.
 */
const FULL = process.env.CHAOS_SIZE === "full";
const SIZE = FULL ? { tenants: 6, rounds: 6, objects: 240 } : { tenants: 3, rounds: 3, objects: 80 };

const FAKE_SECRET = "chaos-client-secret-Q7v3sX9";
const FAKE_JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjaGFvcy10ZXN0IiwidGlkIjoiY2hhb3MifQ.c2lnbmF0dXJlLWNoYW9zLXRlc3Q";
const SECRET_BODY = {
  error: {
    code: "InternalServerError",
    message: `upstream rejected Authorization: Bearer ${FAKE_JWT} (form: grant_type=client_credentials&client_secret=${FAKE_SECRET})`,
  },
};
/** What must never be stored or logged: the planted values, any JWT, an unredacted bearer or client secret. */
const SECRET_PATTERNS: [string, RegExp][] = [
  ["planted client secret", new RegExp(FAKE_SECRET)],
  ["planted JWT signature", /c2lnbmF0dXJlLWNoYW9zLXRlc3Q/],
  ["a JWT", /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/],
  ["a bearer token", /Bearer\s+(?!\[REDACTED\])[A-Za-z0-9\-._~+/]{8,}/i],
  ["a client_secret value", /client_secret=(?!\[REDACTED\])[^&\s"']+/i],
];

const SELECTIONS: SelectionInput[] = [
  { policyTypes: [], categories: [], includeFoundations: true },
  { categories: ["scripts", "apps"] },
];
const hashOf = (s: SelectionInput) => selectionHash(normaliseSelection(s));

interface Violation {
  invariant: string;
  detail: string;
}

let cosmos: RunningCosmosServer;
let proxy: CosmosFaultProxy;
let azurite: RunningAzuriteTables;
let simulator: GraphSimulator;
let stores: CosmosStores;
let engine: LocalEngine;
let dbDir: string;
const logs = createMemoryLogSink();
const driverLines: string[] = [];
const tenants = Array.from({ length: SIZE.tenants }, () => randomUUID());
let clockOffsetMs = 0;
const crashes = { before: 0, after: 0 };
const startFailures: string[] = [];
const missingViolations: Violation[] = [];
const lostViolations: Violation[] = [];
/** Document ids every successful run saw, per tenant: none may disappear (inventory never deletes). */
const everSeen = new Map<string, Set<string>>();
const finalRuns: { tenantId: string; hash: string; kind: string; status?: string; errors?: string[] }[] = [];
let watchdogReport: Awaited<ReturnType<LocalEngine["watchdog"]>> | null = null;
let graph429s = 0;
let orphanClaimsBeforeFinal = 0;
/** After the storm: no more injected crashes either. */
let calm = false;

async function restartAzurite(): Promise<void> {
  const port = Number(new URL(azurite.endpoint).port);
  await azurite.stop();
  azurite = await startAzuriteTables({ port, dbPath: join(dbDir, "tables.json") });
}

/** Valid objects of a type as the simulator lists them now, as document ids. */
function listedIds(tenantId: string, type: PolicyTypeKey): string[] {
  return simulator.control
    .objects(tenantId, type)
    .map((raw) => normaliseGraphObject(type, raw))
    .flatMap((r) => (r.ok ? [itemDocumentId(type, r.item.externalId)] : []));
}

function planGraphFaults(round: number): void {
  const rand = seededRandom(7_000 + round);
  simulator.control.reset();
  for (const tenantId of tenants) {
    for (const type of POLICY_TYPE_KEYS) {
      const pages = Math.max(1, Math.ceil(simulator.control.objects(tenantId, type).length / PAGE_SIZE_MAX[type]));
      for (let page = 1; page <= pages; page++) {
        if (rand() < 0.3) simulator.control.fault(tenantId, type, { status: 429, onPage: page, times: 1, retryAfter: "0.01" });
      }
      const roll = rand();
      if (roll < 0.06) {
        // A 503 burst: two answers are retried through; four outlast GRAPH_MAX_ATTEMPTS and fail the type.
        simulator.control.fault(tenantId, type, { status: 503, onPage: 1 + Math.floor(rand() * pages), times: rand() < 0.5 ? 2 : 4, retryAfter: "0.01" });
      } else if (roll < 0.1) {
        // Mid-enumeration failure on the last page (earlier pages are already stored), secrets in the body.
        simulator.control.fault(tenantId, type, { status: 500, onPage: pages, times: 1, body: SECRET_BODY });
      } else if (roll < 0.13) {
        simulator.control.fault(tenantId, type, { status: 401, times: 1, body: SECRET_BODY });
      } else if (roll < 0.18) {
        simulator.control.latency(tenantId, type, 60, 60);
      }
    }
  }
}

function planCosmosFaults(): void {
  const base = proxy.requests();
  proxy.setPlan((n) => {
    const k = n - base;
    if (k % 9 === 0) return "throttle";
    if (k >= 40 && k < 52) return "unavailable";
    if (k >= 90 && k < 98) return "drop";
    return null;
  });
}

function mutate(round: number): void {
  const rand = seededRandom(9_000 + round);
  for (const tenantId of tenants) {
    for (const type of ["deviceConfiguration", "mobileApp", "deviceManagementScript", "settingsCatalogPolicy"] as PolicyTypeKey[]) {
      const objects = (simulator.control.objects(tenantId, type) as { id: unknown }[]).filter(
        (o): o is { id: string } => typeof o?.id === "string",
      );
      const victim = objects[Math.floor(rand() * objects.length)];
      const renamed = objects[Math.floor(rand() * objects.length)];
      simulator.control.mutate(tenantId, type, {
        add: 1 + Math.floor(rand() * 3),
        remove: victim && victim !== renamed ? [victim.id] : [],
        rename: renamed ? { [renamed.id]: `Renamed in round ${round}` } : {},
      });
    }
  }
}

async function startAll(trigger: "api" | "http"): Promise<string[]> {
  const requests = tenants.flatMap((tenantId) => SELECTIONS.flatMap((selection) => [selection, selection].map((s) => ({ tenantId, s }))));
  const answers = await Promise.allSettled(
    requests.map(({ tenantId, s }) =>
      engine.startSync({ tenantId, selection: s, waitForSlotSeconds: 0, trigger, correlationId: randomUUID() }),
    ),
  );
  const accepted: string[] = [];
  for (const a of answers) {
    if (a.status === "rejected") startFailures.push(String((a.reason as Error)?.message ?? a.reason));
    else if (a.value.kind === "accepted") accepted.push(a.value.run.id);
  }
  return accepted;
}

async function checkRound(accepted: string[], tenantOf: Map<string, string>): Promise<void> {
  for (const runId of accepted) {
    const tenantId = tenantOf.get(runId) as string;
    const run = await stores.runs.get(tenantId, runId);
    if (!run || run.status !== "success") continue;
    const seen = everSeen.get(tenantId) ?? new Set<string>();
    everSeen.set(tenantId, seen);
    for (const type of run.scope) {
      for (const id of listedIds(tenantId, type)) {
        seen.add(id);
        const doc = await stores.items.readDocument(tenantId, id);
        if (!doc) lostViolations.push({ invariant: "lost", detail: `${tenantId} ${id} seen by successful run ${runId} is not stored` });
        else if (doc.seenBy[run.selectionHash] !== runId && !(await isLaterRunOf(tenantId, doc.seenBy[run.selectionHash], run)))
          lostViolations.push({ invariant: "lost", detail: `${tenantId} ${id}: seenBy does not record successful run ${runId}` });
      }
    }
  }
  for (const tenantId of tenants) {
    for (const selection of SELECTIONS) {
      const report = await stores.items.missing(tenantId, hashOf(selection));
      if (report.latestRun && (report.latestRun.hadErrors || report.latestRun.status !== "success") && report.confidence === "high") {
        missingViolations.push({ invariant: "missing", detail: `${tenantId}: high confidence after run ${report.latestRun.id} (${report.latestRun.status}, hadErrors ${report.latestRun.hadErrors})` });
      }
    }
  }
}

async function isLaterRunOf(tenantId: string, otherRunId: string | undefined, run: RunDocument): Promise<boolean> {
  if (!otherRunId) return false;
  const other = await stores.runs.get(tenantId, otherRunId);
  return other !== null && other.selectionHash === run.selectionHash && other.requestedAt >= run.requestedAt;
}

async function allDocuments(container: "items" | "runs"): Promise<Record<string, unknown>[]> {
  const c = (await stores.containers())[container];
  const { resources } = await c.items.query<Record<string, unknown>>("SELECT * FROM c").fetchAll();
  return resources;
}

beforeAll(async () => {
  dbDir = mkdtempSync(join(tmpdir(), "chaos-tables-"));
  cosmos = await startCosmosServer();
  proxy = await startCosmosFaultProxy(cosmos.endpoint);
  azurite = await startAzuriteTables({ dbPath: join(dbDir, "tables.json") });
  simulator = await startGraphSimulator({
    tenants: Object.fromEntries(tenants.map((t, i) => [t, { sizes: catalogSizes(SIZE.objects), seed: 50 + i }])),
    latencyMs: 1,
    latencyJitterMs: 4,
    throttle: INTUNE_THROTTLE,
  });
  const settings = SettingsSchema.parse({
    COSMOS_ENDPOINT: proxy.endpoint,
    COSMOS_KEY: COSMOS_SERVER_KEY,
    TABLES_CONNECTION_STRING: azurite.connectionString,
    GRAPH_BASE_URL: simulator.baseUrl,
    GRAPH_AUTH_MODE: "simulator",
    GRAPH_MAX_ATTEMPTS: "4",
    GRAPH_REQUEST_TIMEOUT_MS: "5000",
    SYNC_MAX_CONCURRENT_RUNS: "8",
    SYNC_MAX_CONCURRENT_RUNS_PER_TENANT: "2",
  });
  stores = createStores(settings, { cosmosAgent: loopbackCosmosAgent(proxy.endpoint) });
  await stores.containers();
  const now = new Date().toISOString();
  for (const [i, tenantId] of tenants.entries()) {
    await stores.tenants.put({ tenantId, displayName: `Chaos ${i + 1}`, enabled: true, selections: [] }, now);
  }
  let calls = 0;
  engine = createLocalEngine({
    settings,
    stores,
    logger: createStructuredLogger(logs.sink),
    now: () => new Date(Date.now() + clockOffsetMs),
    driver: { timeScale: 0.05, log: (level, ...args) => driverLines.push(`${level} ${args.map(String).join(" ")}`) },
    wrapActivity: (name, run) => async (input) => {
      calls += 1;
      const n = calls;
      if (calm) return run(input);
      if (name === "syncPolicyType" && n % 23 === 0) {
        crashes.before += 1;
        throw new Error(`injected crash before ${name} (call ${n})`);
      }
      if ((name === "markRunning" || name === "finalizeRun") && n % 13 === 0) {
        crashes.before += 1;
        throw new Error(`injected crash before ${name} (call ${n})`);
      }
      const result = await run(input);
      if (name === "syncPolicyType" && n % 17 === 0) {
        crashes.after += 1;
        throw new Error(`injected crash after ${name} wrote its items (call ${n})`);
      }
      return result;
    },
  });

  const knownRuns = new Set<string>();
  for (let round = 0; round < SIZE.rounds; round++) {
    planGraphFaults(round);
    planCosmosFaults();
    if (round === 0) simulator.control.malformed(tenants[0] as string, "deviceConfiguration", 2);
    const tenantOf = new Map<string, string>();
    let accepted: string[] = [];
    if (round % 2 === 1) {
      // Azurite down while half the requests arrive (they fail: the registry is unreachable), back on its port for the rest.
      await azurite.stop();
      accepted = await startAll("http");
      await restartAzurite();
    }
    accepted = accepted.concat(await startAll("api"));
    let nightly: string | null = null;
    if (round === 1) nightly = (await engine.startNightly(new Date())).instanceId;
    for (const runId of accepted) {
      await engine.client.waitForCompletion(runId, 120_000);
    }
    if (nightly) await engine.client.waitForCompletion(nightly, 120_000);
    proxy.setPlan(null);
    // This round's runs: the accepted ones and the nightly's (every run not seen in an earlier round).
    const thisRound: string[] = [];
    for (const tenantId of tenants) {
      for (const run of (await stores.runs.list(tenantId, { limit: 500 })).items) {
        tenantOf.set(run.id, tenantId);
        if (!knownRuns.has(run.id)) thisRound.push(run.id);
        knownRuns.add(run.id);
      }
    }
    await checkRound(thisRound, tenantOf);
    mutate(round);
  }
  graph429s = simulator.log.count({ status: 429 });

  // Calm: no more faults. The watchdog runs as its timer would once leases have passed.
  proxy.setPlan(null);
  simulator.control.reset();
  calm = true;
  clockOffsetMs = 3 * 3600_000;
  watchdogReport = await engine.watchdog();
  // Claims left at this point (before anything takes them over), for the report.
  orphanClaimsBeforeFinal = (await allDocuments("runs")).filter((d) => d.docType === "claim").length;
  // The next requests come as the next nightly would, hours later (the clock stays advanced).
  for (const tenantId of tenants) {
    for (const selection of SELECTIONS) {
      const answer = await engine.startSync({ tenantId, selection, waitForSlotSeconds: 0, trigger: "api", correlationId: randomUUID() });
      const entry: (typeof finalRuns)[number] = { tenantId, hash: hashOf(selection), kind: answer.kind };
      if (answer.kind === "accepted") {
        await engine.client.waitForCompletion(answer.run.id, 120_000);
        const run = await stores.runs.get(tenantId, answer.run.id);
        entry.status = run?.status;
        if (run?.status !== "success") entry.errors = run?.errors.map((e) => `${e.code} ${e.policyType ?? ""} ${e.message}`);
        await checkRound([answer.run.id], new Map([[answer.run.id, tenantId]]));
      }
      finalRuns.push(entry);
    }
  }
}, 600_000);

afterAll(async () => {
  await engine?.close();
  stores?.dispose();
  await simulator?.close();
  await proxy?.close();
  await cosmos?.stop();
  await azurite?.stop();
  if (dbDir) rmSync(dbDir, { recursive: true, force: true });
});

describe(`chaos (${FULL ? "full" : "reduced"}: ${SIZE.tenants} tenants × ${SIZE.rounds} rounds × ${SELECTIONS.length} selections, duplicates)`, () => {
  it("actually injected the chaos it claims", () => {
    const c = proxy.counts();
    console.log(
      `chaos: Graph 429s ${graph429s}, Cosmos faults ${JSON.stringify(c)}, activity crashes ${JSON.stringify(crashes)}, ` +
        `starts refused by the store ${startFailures.length}, claims left after the storm ${orphanClaimsBeforeFinal}, ` +
        `watchdog ${JSON.stringify(watchdogReport)}`,
    );
    expect(graph429s, "Graph answered 429s").toBeGreaterThan(0);
    expect(c.throttle, "Cosmos answered 429s").toBeGreaterThan(0);
    expect(c.unavailable + c.drop, "Cosmos answered 503 or dropped connections").toBeGreaterThan(0);
    expect(crashes.before + crashes.after, "activities crashed").toBeGreaterThan(0);
  });

  it("every run document is terminal and consistent with its per-type outcomes", async () => {
    const problems: string[] = [];
    for (const tenantId of tenants) {
      const runs = (await stores.runs.list(tenantId, { limit: 500 })).items;
      for (const r of runs) {
        const where = `${tenantId}/${r.id}`;
        if (!["success", "partial", "failed", "skipped"].includes(r.status)) problems.push(`${where} is ${r.status}`);
        if (r.status === "skipped") continue;
        if (!r.finishedAt) problems.push(`${where} has no finishedAt`);
        const types = r.policyTypes;
        const ok = types.filter((t) => t.status === "success").length;
        const runLevel = types.length === 0 && r.errors.some((e) => !e.policyType);
        const expected = runLevel ? "failed" : types.length === 0 || ok === types.length ? "success" : ok === 0 ? "failed" : "partial";
        if (r.status !== expected) problems.push(`${where} is ${r.status} but its types say ${expected}`);
        if (!runLevel && types.map((t) => t.policyType).join() !== r.scope.join()) problems.push(`${where} outcomes do not cover its scope`);
        const observed = types.reduce((n, t) => n + t.itemsObserved, 0);
        if (r.counts.itemsObserved !== observed) problems.push(`${where} counts ${r.counts.itemsObserved} observed, types ${observed}`);
        if (r.status !== "success" && !r.hadErrors) problems.push(`${where} is ${r.status} without hadErrors`);
        if (r.hadErrors !== r.errors.length > 0) problems.push(`${where} hadErrors ${r.hadErrors} with ${r.errors.length} errors`);
        if (types.some((t) => t.status === "failed" && !t.errorCode)) problems.push(`${where} has a failed type without a code`);
      }
    }
    expect(problems, "run documents not terminal or inconsistent").toEqual([]);
  });

  it("no duplicate item: one document per (tenant, policy type, external id), id derived from them", async () => {
    const docs = await allDocuments("items");
    const keys = new Set<string>();
    const problems: string[] = [];
    for (const d of docs) {
      const key = `${String(d.tenantId)}|${String(d.policyType)}|${String(d.externalId)}`;
      if (keys.has(key)) problems.push(`duplicate ${key}`);
      keys.add(key);
      if (d.id !== itemDocumentId(d.policyType as PolicyTypeKey, String(d.externalId))) problems.push(`${key} has id ${String(d.id)}`);
    }
    expect(docs.length, "items were stored").toBeGreaterThan(0);
    expect(problems, "duplicate or mis-keyed items").toEqual([]);
  });

  it("no stuck lock: no gate holder, every tenant and selection accepts a new sync that succeeds, and no claim remains after it", async () => {
    const gate = await engine.client.readEntityState<{ holders: Record<string, unknown> }>(gateEntityId());
    expect(Object.keys(gate.entityState?.holders ?? {}), "gate holders left").toEqual([]);
    const claims = (await allDocuments("runs")).filter((d) => d.docType === "claim");
    const described = await Promise.all(
      claims.map(async (c) => {
        const run = await stores.runs.get(String(c.tenantId), String(c.runId));
        return `claim of ${String(c.tenantId)} held by run ${String(c.runId)} (${run ? run.status : "no run document"})`;
      }),
    );
    expect(described, "claim documents left").toEqual([]);
    expect(finalRuns.filter((r) => r.kind !== "accepted" || r.status !== "success"), "final syncs refused or not successful").toEqual([]);
  });

  it("no item lost that a successful run saw", async () => {
    expect(lostViolations, "items a successful run saw that are not stored (or not recorded as seen)").toEqual([]);
    const stored = new Set((await allDocuments("items")).map((d) => `${String(d.tenantId)}|${String(d.id)}`));
    const gone: string[] = [];
    for (const [tenantId, ids] of everSeen) for (const id of ids) if (!stored.has(`${tenantId}|${id}`)) gone.push(`${tenantId}|${id}`);
    expect(everSeen.size, "some runs succeeded").toBeGreaterThan(0);
    expect(gone, "items seen by a successful run that disappeared later").toEqual([]);
  });

  it("no token or secret in any stored document or log line", async () => {
    const texts: [string, string][] = [];
    for (const d of [...(await allDocuments("items")), ...(await allDocuments("runs"))]) texts.push([`doc ${String(d.tenantId)}/${String(d.id)}`, JSON.stringify(d)]);
    for (const t of await stores.tenants.list()) texts.push([`tenant ${t.tenantId}`, JSON.stringify(t)]);
    for (const r of logs.records) texts.push([`log ${r.message.slice(0, 40)}`, `${r.message} ${JSON.stringify(r.properties)}`]);
    for (const line of driverLines) texts.push([`driver log`, line]);
    const leaks: string[] = [];
    for (const [where, text] of texts) for (const [what, pattern] of SECRET_PATTERNS) if (pattern.test(text)) leaks.push(`${what} in ${where}`);
    expect(logs.records.length, "log lines were captured").toBeGreaterThan(0);
    expect(texts.some(([, t]) => t.includes("[REDACTED]")), "the planted secrets reached a message and were redacted").toBe(true);
    expect(leaks, "secrets persisted or logged").toEqual([]);
  });

  it("missing is never reported with high confidence after a run that had errors", () => {
    expect(missingViolations, "high-confidence missing reports after runs with errors").toEqual([]);
  });
});
