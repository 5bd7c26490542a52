#!/usr/bin/env node
import { randomUUID } from "node:crypto";
import { POLICY_TYPE_KEYS, normaliseAssignments, policyTypesOfCategory } from "../../shared/domain";
import type { InventoryItem, MissingReport, PolicyTypeKey, Run, SelectionInput } from "../../shared/domain";
import { isTerminalStatus } from "../../shared/domain/run";
import { POLICY_TYPES } from "../../shared/domain/policyTypes";
import { dependencyColumns, formatCompare, formatDependencies, formatDrift, formatDuration, formatItemDetail, formatMissing, formatRunChanges, formatRunReport, formatTimestamp, sanitize, table } from "../../cli/format";
import type { Column } from "../../cli/format";
import type { CliOutput } from "../../cli/io";
import type { GraphObject } from "../simulator";
import { CONSOLE_PATH } from "../../shared/http/routes/console";
import { startLocalHost } from "../host/localHost";
import type { LocalHost } from "../host/localHost";
import type { DemoTenant } from "../host/demoTenants";
import { ApiClient } from "../../cli/apiClient";
import { createMultiRunProgress, restoreTerminals } from "../../cli/progress";
import type { MultiRunProgress } from "../../cli/progress";
import type { CompareResult, Coverage, DriftReport } from "../../cli/responses";

/**
 * `npm run demo`: the whole product in under a minute, offline. Starts the local host on a free
 * port with embedded stores and the Graph tenant simulator (whatever the environment configures
 * is ignored: the demo changes simulated tenants), syncs both demo tenants through the HTTP API,
 * prints the runs and a coverage table, then deletes two policies, renames one and breaks one
 * type (403) in one tenant, syncs again and prints what is missing and how sure that is and the
 * run's change set, then where one group is used (a dependency lookup) and one of those items
 * with its assignments. Finally it copies Contoso's configuration into a staging tenant — new
 * ids, later timestamps, bumped versions, scope tags in another order, and one real change — and
 * shows that compare and drift report that one change and nothing else.
 */

export interface DemoOptions {
  stdout: CliOutput;
  /** 0 (default) picks a free port. */
  port?: number;
  /** How often the demo follows a run's Location. Default 200 ms (see the note it prints). */
  pollIntervalMs?: number;
  /** Simulated Graph latency per request (default 25 ms, so progress is visible; tests pass 0). */
  latencyMs?: number;
  /** Gives up on a run after this long (default 45 s). */
  runTimeoutMs?: number;
  /** The Durable engine: the offline driver (default) or the real extension (`DURABLE_ENGINE=real`). */
  durableEngine?: "driver" | "real";
  /**
   * After the demo, keep the host up (until this resolves) so its web console can be browsed
   * (see {@link serveChoice}: on a terminal the demo waits for Ctrl-C). Default: stop when the demo is done.
   */
  serveUntil?: () => Promise<void>;
  /** Without serveUntil: why the host is not kept up, said next to how to keep it up. */
  notServing?: string;
}

/** Whether `npm run demo` keeps its host up after the demo, and why (the why is printed). */
export type ServeChoice = { serve: true; because: string } | { serve: false; because: string };

/**
 * The demo's web console is only worth its URL while the host is up. A person at a terminal
 * expects to open the URL it prints, so there the host stays up until Ctrl-C; CI and pipes
 * (`npm install && npm run demo` in a script, a log) expect the command to end. `--serve` and
 * `--no-serve` decide either way. `CI` counts as set unless empty, "0" or "false" (as CI
 * services set it to "true" and people write CI=false to mean not).
 */
export function serveChoice(args: readonly string[], stdoutIsTTY: boolean, env: Record<string, string | undefined>): ServeChoice | { error: string } {
  const unknown = args.filter((a) => a !== "--serve" && a !== "--no-serve");
  if (unknown.length > 0) return { error: `unknown argument ${unknown.map((a) => JSON.stringify(a)).join(", ")} (npm run demo takes --serve or --no-serve)` };
  const serve = args.includes("--serve");
  const noServe = args.includes("--no-serve");
  if (serve && noServe) return { error: "--serve and --no-serve contradict each other: give one" };
  if (serve) return { serve: true, because: "--serve" };
  if (noServe) return { serve: false, because: "--no-serve" };
  const ci = env.CI?.trim().toLowerCase();
  if (ci !== undefined && ci !== "" && ci !== "0" && ci !== "false") return { serve: false, because: "CI is set" };
  if (!stdoutIsTTY) return { serve: false, because: "output is not a terminal" };
  return { serve: true, because: "output is a terminal" };
}

export interface DemoRunSummary {
  tenantId: string;
  displayName: string;
  runId: string;
  status: Run["status"];
  itemsObserved: number;
  errorCodes: string[];
  pollsAnswered202: number;
}

export interface DemoSummary {
  baseUrl: string;
  firstRuns: DemoRunSummary[];
  coverage: Record<string, Coverage["items"]>;
  removed: { tenantId: string; policyType: PolicyTypeKey; externalId: string; displayName: string }[];
  forbiddenType: PolicyTypeKey;
  secondRun: DemoRunSummary;
  /** The second run's change set: counts, the types it could not compare, the renamed object. */
  changes: { counts: { added: number; changed: number; removed: number; reappeared: number }; incompleteTypes: string[]; renamed: string };
  missing: { selectionHash: string; confidence: MissingReport["confidence"]; items: { policyType: string; externalId: string; typeComplete: boolean }[] };
  /** The group the dependency lookup asked about (Fabrikam, untouched by step 3) and the item ids it answered. */
  dependencies: { tenantId: string; groupId: string; itemIds: string[] };
  /** Contoso vs its staging copy (configuration category). */
  compare: CompareResult["counts"];
  /** The one real change made in the staging copy. */
  changedInStaging: { policyType: PolicyTypeKey; displayName: string };
  drift: Pick<DriftReport, "baselineId" | "baselineVersion" | "confidence" | "counts"> & { changed: { displayName: string; differences: string[] }[] };
  wallMs: number;
}

export class DemoFailed extends Error {
  override name = "DemoFailed";
}

/** The selection the demo syncs (every non-foundation type) and, as a query, asks "missing" about. */
const SELECTION = { includeFoundations: false } as const;
const REMOVED_TYPE: PolicyTypeKey = "deviceConfiguration";
const FORBIDDEN_TYPE: PolicyTypeKey = "mobileApp";
/** A third simulated tenant, empty until the demo copies Contoso's configuration into it. */
const STAGING = { tenantId: "5c7e9a1b-3d5f-4a7b-9c1d-e2f3a4b5c6d7", displayName: "Contoso Staging" } as const;
const BASELINE_ID = "contoso-standard";
const COMPARED: SelectionInput = { categories: ["configuration"] };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Tracked {
  tenant: DemoTenant;
  runId: string;
  location: string;
  started: number;
  polls202: number;
  run: Run | null;
}

/**
 * POST each sync, then poll every run until it answers 200, drawing progress meanwhile — with
 * the CLI's API client and progress display. The client polls the run by its ids on the base
 * URL (it never sends a key to another host); the demo checks that this is the very URL the
 * 202's Location named.
 */
async function syncThroughApi(
  api: ApiClient,
  tenants: readonly DemoTenant[],
  progress: MultiRunProgress,
  options: Required<Pick<DemoOptions, "pollIntervalMs" | "runTimeoutMs">>,
  selection: SelectionInput = SELECTION,
): Promise<Tracked[]> {
  const tracked: Tracked[] = [];
  for (const tenant of tenants) {
    const { accepted, location } = await api.startSync(tenant.tenantId, selection, Date.now());
    const runUrl = `${api.baseUrl}/tenants/${encodeURIComponent(tenant.tenantId)}/inventory/runs/${encodeURIComponent(accepted.runId)}`;
    if (location !== runUrl) throw new DemoFailed(`POST …/sync answered 202 with Location ${location ?? "(none)"}, expected ${runUrl}`);
    tracked.push({ tenant, runId: accepted.runId, location, started: Date.now(), polls202: 0, run: null });
  }
  try {
    for (;;) {
      const pending = tracked.filter((t) => t.run === null || !isTerminalStatus(t.run.status));
      if (pending.length === 0) return tracked;
      await sleep(options.pollIntervalMs);
      for (const t of pending) {
        const { run, finished } = await api.getRun(t.tenant.tenantId, t.runId, Date.now());
        if (!finished) t.polls202 += 1;
        if (finished && !isTerminalStatus(run.status)) throw new DemoFailed(`run ${run.id} answered 200 while ${run.status}`);
        t.run = run;
        progress.update(t.tenant.displayName, run, Date.now() - t.started);
        if (Date.now() - t.started > options.runTimeoutMs) throw new DemoFailed(`run ${t.runId} of ${t.tenant.displayName} is still ${run.status}`);
      }
    }
  } finally {
    progress.stop();
  }
}

function summaryOf(t: Tracked): DemoRunSummary {
  const run = t.run as Run;
  return {
    tenantId: t.tenant.tenantId,
    displayName: t.tenant.displayName,
    runId: run.id,
    status: run.status,
    itemsObserved: run.counts.itemsObserved,
    errorCodes: [...run.errorCodes],
    pollsAnswered202: t.polls202,
  };
}

type CoverageRow = Coverage["items"][number];

function coverageTable(tenants: readonly DemoTenant[], coverage: Record<string, Coverage["items"]>): string {
  const first = coverage[tenants[0]?.tenantId ?? ""] ?? [];
  const rowOf = (tenantId: string, policyType: string): CoverageRow | undefined =>
    coverage[tenantId]?.find((r) => r.policyType === policyType);
  const columns: Column<CoverageRow>[] = [
    { header: "POLICY TYPE", value: (r) => r.policyType },
    { header: "CATEGORY", value: (r) => r.category },
    ...tenants.flatMap((t): Column<CoverageRow>[] => [
      { header: `${t.displayName.toUpperCase()} ITEMS`, value: (r) => String(rowOf(t.tenantId, r.policyType)?.itemCount ?? 0), align: "right" },
      { header: "LAST RUN", value: (r) => rowOf(t.tenantId, r.policyType)?.lastRun?.status ?? "never" },
    ]),
    { header: "LAST OBSERVED", value: (r) => formatTimestamp(r.lastObservedAt) },
  ];
  return table(columns, first);
}

function runsHeader(t: Tracked): string {
  return sanitize(`${t.tenant.displayName} (${t.tenant.tenantId}) — followed ${t.location} (${t.polls202} × 202, then 200)`) + "\n";
}

type Simulator = NonNullable<LocalHost["stack"]["simulator"]>;
const syncedTypes = () => POLICY_TYPES.filter((t) => !t.foundation).map((t) => t.key);

/** The group most objects of the synced types are assigned to, in the simulated tenant. */
function busiestGroup(simulator: Simulator, tenantId: string): string {
  const counts = new Map<string, number>();
  for (const type of syncedTypes()) {
    for (const obj of simulator.control.objects(tenantId, type) as GraphObject[]) {
      const groups = new Set(normaliseAssignments(obj.assignments).targets.map((t) => t.groupId).filter((g): g is string => g !== null));
      for (const g of groups) counts.set(g, (counts.get(g) ?? 0) + 1);
    }
  }
  const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (!best) throw new DemoFailed("the simulated tenant assigns nothing to any group");
  return best[0];
}

/** How many objects of the synced types the simulated tenant assigns to the group (the answer the lookup must give). */
function expectedUsers(simulator: Simulator, tenantId: string, groupId: string): number {
  let n = 0;
  for (const type of syncedTypes()) {
    for (const obj of simulator.control.objects(tenantId, type) as GraphObject[]) {
      if (normaliseAssignments(obj.assignments).targets.some((t) => t.groupId === groupId)) n += 1;
    }
  }
  return n;
}

/** Runs the demo against a fresh local host; resolves with what it observed, rejects if anything is off. */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const out = (text: string) => options.stdout.write(text);
  const wallStart = Date.now();
  const poll = { pollIntervalMs: options.pollIntervalMs ?? 200, runTimeoutMs: options.runTimeoutMs ?? 45_000 };
  out("tenant-inventory demo — offline: embedded stores and a simulated Graph; no Azure, no network, no configuration read.\n\n");
  let host: LocalHost | null = null;
  try {
    // An empty environment: the demo mutates simulated tenants, so it never uses configured
    // services. Only the choice of Durable engine is taken from the caller.
    host = await startLocalHost({
      port: options.port ?? 0,
      env: { DURABLE_ENGINE: options.durableEngine ?? "driver" },
      simulator: { latencyMs: options.latencyMs ?? 25 },
    });
    const simulator = host.stack.simulator;
    if (!simulator) throw new DemoFailed("the local host did not start the Graph tenant simulator");
    const tenants = host.demoTenants;
    const contoso = tenants[0];
    if (!contoso || tenants.length < 2) throw new DemoFailed("the local host registered no demo tenants");
    out(host.banner() + "\n");
    const api = new ApiClient({ baseUrl: host.baseUrl, correlationId: `demo-${randomUUID()}`, timeoutMs: 30_000, fetch: (url, init) => fetch(url, init) });

    // 1. First sync of both tenants.
    out(`1. Sync both demo tenants through the API: POST …/inventory/sync → 202 + Location, then GET the Location until 200.\n`);
    out(`   (The API answers Retry-After: 1 in a run's first 10 s, then 5; the demo polls every ${formatDuration(poll.pollIntervalMs)} to stay short. Simulated Graph latency: ${options.latencyMs ?? 25} ms a request.)\n`);
    const first = await syncThroughApi(api, tenants, createMultiRunProgress(options.stdout), poll);
    const contosoFirst = first[0] as Tracked;
    out("\n");
    for (const t of first) {
      out(runsHeader(t));
      out(formatRunReport(t.run as Run) + "\n");
      if (t.run?.status !== "success") throw new DemoFailed(`the first run of ${t.tenant.displayName} ended ${t.run?.status}`);
    }

    // 2. Coverage.
    out("2. Coverage (GET …/inventory/coverage): items per policy type and the last run that read it.\n\n");
    const coverage: Record<string, Coverage["items"]> = {};
    for (const t of tenants) coverage[t.tenantId] = (await api.coverage(t.tenantId)).items;
    out(coverageTable(tenants, coverage) + "\n");

    // 3. Change the simulated tenant.
    out(`3. Change ${contoso.displayName} in the simulated Graph:\n`);
    const victims = (simulator.control.objects(contoso.tenantId, REMOVED_TYPE) as GraphObject[]).slice(0, 2);
    if (victims.length < 2) throw new DemoFailed(`${contoso.displayName} has fewer than two ${REMOVED_TYPE} objects`);
    simulator.control.mutate(contoso.tenantId, REMOVED_TYPE, { remove: victims.map((v) => String(v.id)) });
    const removed = victims.map((v) => ({
      tenantId: contoso.tenantId,
      policyType: REMOVED_TYPE,
      externalId: String(v.id),
      displayName: String(v.displayName ?? ""),
    }));
    for (const r of removed) out(sanitize(`   - deleted ${r.policyType} "${r.displayName}" (${r.externalId})`) + "\n");
    const renamedObject = (simulator.control.objects(contoso.tenantId, REMOVED_TYPE) as GraphObject[])[0];
    if (!renamedObject) throw new DemoFailed(`${contoso.displayName} has no ${REMOVED_TYPE} left to rename`);
    const renamed = { policyType: REMOVED_TYPE, externalId: String(renamedObject.id), displayName: `${String(renamedObject.displayName ?? "")} (edited)` };
    simulator.control.mutate(contoso.tenantId, REMOVED_TYPE, { rename: { [renamed.externalId]: renamed.displayName } });
    out(sanitize(`   - renamed ${renamed.policyType} ${renamed.externalId} to "${renamed.displayName}"`) + "\n");
    simulator.control.fault(contoso.tenantId, FORBIDDEN_TYPE, { status: 403 });
    out(`   - ${FORBIDDEN_TYPE} now answers 403 Forbidden (as when the app registration lacks a permission)\n\n`);

    // 4. Sync again.
    out(`4. Sync ${contoso.displayName} again with the same selection.\n`);
    const [second] = await syncThroughApi(api, [contoso], createMultiRunProgress(options.stdout), poll);
    if (!second?.run) throw new DemoFailed("the second run never finished");
    out("\n" + runsHeader(second) + formatRunReport(second.run) + "\n");

    // 5. Missing, with the same selection.
    out(`5. Missing items of that selection (GET …/inventory/missing with the same selection):\n\n`);
    const missing = await api.missing(contoso.tenantId, { selection: SELECTION });
    out(formatMissing(missing as Parameters<typeof formatMissing>[0]) + "\n");

    // The demo's claims, checked: it exits non-zero rather than print something untrue.
    const secondRun = second.run;
    if (secondRun.status !== "partial" || !secondRun.errorCodes.includes("GRAPH_FORBIDDEN")) {
      throw new DemoFailed(`the second run should be partial with GRAPH_FORBIDDEN, was ${secondRun.status} ${secondRun.errorCodes.join(",")}`);
    }
    if (missing.selectionHash !== secondRun.selectionHash || missing.latestRun?.id !== secondRun.id) {
      throw new DemoFailed("the missing report is not about the run just made");
    }
    for (const r of removed) {
      const item = missing.items.find((i) => i.policyType === r.policyType && i.externalId === r.externalId);
      if (!item?.typeComplete) throw new DemoFailed(`the deleted ${r.policyType} ${r.externalId} is not reported missing with its type complete`);
    }
    const unreadable = missing.items.filter((i) => i.policyType === FORBIDDEN_TYPE);
    if (missing.confidence !== "low" || unreadable.length === 0 || unreadable.some((i) => i.typeComplete)) {
      throw new DemoFailed("items of the type that answered 403 should be missing with low confidence and TYPE COMPLETE no");
    }
    const deletedCount = missing.items.filter((i) => i.typeComplete).length;
    out(
      `Reading it: ${deletedCount} items are missing from a type that was read completely: deleted in the tenant.\n` +
        `${unreadable.length} ${FORBIDDEN_TYPE} items are "missing" only because that type answered 403 (TYPE COMPLETE no):\n` +
        `the confidence is low, and nothing calls them deleted.\n\n`,
    );

    // 6. The run's change set.
    out(`6. What the second run changed (GET …/inventory/runs/{runId}/changes; CLI: tenant-inventory runs changes):\n\n`);
    const changeSet = await api.runChanges(contoso.tenantId, secondRun.id, { limit: 200 });
    out(formatRunChanges(changeSet) + "\n");
    const removedIds = changeSet.items.filter((c) => c.kind === "removed").map((c) => c.externalId).sort();
    const edited = changeSet.items.find((c) => c.kind === "changed" && c.externalId === renamed.externalId);
    if (changeSet.baseRunId !== contosoFirst.run?.id) throw new DemoFailed("the change set is not relative to the first run");
    if (JSON.stringify(removedIds) !== JSON.stringify(removed.map((r) => r.externalId).sort())) {
      throw new DemoFailed(`the change set should remove exactly the two deleted policies, removed ${removedIds.join(",")}`);
    }
    if (!edited?.changedFields.includes("displayName")) throw new DemoFailed("the renamed policy is not a change of displayName");
    if (!changeSet.incompleteTypes.includes(FORBIDDEN_TYPE) || changeSet.items.some((c) => c.policyType === FORBIDDEN_TYPE)) {
      throw new DemoFailed(`${FORBIDDEN_TYPE} should be an incomplete type with nothing of it changed or removed`);
    }
    out(
      `Reading it: the two deletions are "removed" and the rename is "changed" (displayName); ${FORBIDDEN_TYPE} answered 403,\n` +
        `so it is listed as not read completely and none of its items is called removed.\n\n`,
    );
    // 7. Dependencies: where one group is used, in the tenant the demo did not change.
    const fabrikam = tenants[1] as DemoTenant;
    const groupId = busiestGroup(simulator, fabrikam.tenantId);
    out(`7. Where is a group used? GET …/inventory/dependencies?groupId=${groupId} in ${fabrikam.displayName}:\n\n`);
    const used: InventoryItem[] = [];
    let token: string | undefined;
    do {
      const page = await api.dependencies(fabrikam.tenantId, { groupId, limit: 200, continuationToken: token });
      used.push(...page.items);
      token = page.continuationToken ?? undefined;
    } while (token);
    const columns = dependencyColumns({ groupId });
    out(formatDependencies(used, columns) + "\n");
    const expected = expectedUsers(simulator, fabrikam.tenantId, groupId);
    if (used.length !== expected || used.length === 0) {
      throw new DemoFailed(`the dependency lookup answered ${used.length} items; the simulated tenant assigns the group to ${expected}`);
    }
    const sample = used.find((i) => i.assignments?.targets.some((t) => t.intent === "exclude")) ?? (used[0] as InventoryItem);
    out(`One of them (GET …/inventory/items/{id}), with its assignments:\n\n`);
    out(formatItemDetail(await api.getItem(fabrikam.tenantId, sample.id)) + "\n");

    // 8. Compare Contoso with a staging copy of its configuration.
    out(`8. Copy ${contoso.displayName}'s configuration policies into "${STAGING.displayName}" the way a second tenant would hold them —\n`);
    out("   new ids, later timestamps, versions bumped, scope tags listed in another order — and change one description; sync it.\n");
    await api.putTenant(STAGING.tenantId, { displayName: STAGING.displayName, enabled: true });
    // Registered through the API (the host gives it a simulated Graph tenant), then emptied so it holds only the copy.
    simulator.control.addTenant(STAGING.tenantId, { sizes: Object.fromEntries(POLICY_TYPE_KEYS.map((k) => [k, 0])) });
    let changedInStaging: DemoSummary["changedInStaging"] | null = null;
    for (const type of policyTypesOfCategory("configuration")) {
      const copies = (simulator.control.objects(contoso.tenantId, type) as GraphObject[]).map((o, i) => {
        const copy: GraphObject = { ...o, id: `staging-${String(o.id)}`, lastModifiedDateTime: "2026-01-15T08:00:00Z" };
        if (typeof o.version === "number") copy.version = o.version + 3;
        if (Array.isArray(o.roleScopeTagIds)) copy.roleScopeTagIds = [...(o.roleScopeTagIds as unknown[])].reverse();
        if (type === REMOVED_TYPE && i === 0) {
          copy.description = `${String(o.description ?? "")} (relaxed in staging)`;
          changedInStaging = { policyType: type, displayName: String(o.displayName ?? "") };
        }
        return copy;
      });
      if (copies.length > 0) simulator.control.mutate(STAGING.tenantId, type, { add: copies });
    }
    if (!changedInStaging) throw new DemoFailed(`${contoso.displayName} has no ${REMOVED_TYPE} left to copy`);
    const changed = changedInStaging as DemoSummary["changedInStaging"];
    const stagingTenant: DemoTenant = { tenantId: STAGING.tenantId, displayName: STAGING.displayName, sizes: {} };
    const [staged] = await syncThroughApi(api, [stagingTenant], createMultiRunProgress(options.stdout), poll, COMPARED);
    if (staged?.run?.status !== "success") throw new DemoFailed(`the staging sync ended ${staged?.run?.status}`);
    out(`\n   GET /api/compare?left=<${contoso.displayName}>&right=<${STAGING.displayName}>&categories=configuration\n\n`);
    const compared = await api.compare(contoso.tenantId, STAGING.tenantId, COMPARED);
    out(formatCompare(compared, false) + "\n");
    const c = compared.counts;
    const different = compared.items.filter((r) => r.status === "different");
    // High confidence: both sides read every compared type completely, so no row is unconfirmed.
    if (compared.confidence !== "high" || c.onlyLeft + c.onlyRight + c.ambiguous !== 0 || different.length !== 1 || different[0]?.displayName !== changed.displayName) {
      throw new DemoFailed(`the compare should show exactly the one changed policy, showed ${JSON.stringify(c)}`);
    }

    // 9. A baseline from Contoso, and the staging tenant's drift against it.
    out(`9. Capture a baseline from ${contoso.displayName} (PUT /api/baselines/${BASELINE_ID}, configuration), assign it to ${STAGING.displayName}, read its drift:\n\n`);
    await api.putBaseline(BASELINE_ID, { displayName: "Contoso standard", source: { tenantId: contoso.tenantId, ...COMPARED } });
    await api.putTenant(STAGING.tenantId, { displayName: STAGING.displayName, enabled: true, baselines: [BASELINE_ID] });
    const drift = await api.drift(STAGING.tenantId, BASELINE_ID);
    out(formatDrift(drift, false) + "\n");
    const driftChanged = drift.items.filter((i) => i.status === "changed");
    if (
      drift.confidence !== "high" ||
      drift.counts.missing + drift.counts.extra !== 0 ||
      driftChanged.length !== 1 ||
      driftChanged[0]?.displayName !== changed.displayName
    ) {
      throw new DemoFailed(`the drift should show exactly the one changed policy with high confidence, showed ${JSON.stringify(drift.counts)} (${drift.confidence})`);
    }
    out(
      `Reading it: one real difference — ${sanitize(changed.displayName)} (${changed.policyType}) — in compare and in drift,\n` +
        `and no false one: ${c.same} policies with other ids, timestamps, versions and scope-tag order are the same.\n\n`,
    );

    const wallMs = Date.now() - wallStart;
    out(`Demo finished in ${formatDuration(wallMs)}. Try it yourself: npm start, then see README "Run it locally".\n`);
    const consoleUrl = `${host.origin}${CONSOLE_PATH}`;
    if (options.serveUntil) {
      // Last on the screen and set apart: the one thing left to do is open it.
      const rule = "─".repeat(72);
      out(`\n${rule}\n  Web console of this demo — the tenants, runs, missing items, changes and drift above:\n\n`);
      out(`  open ${consoleUrl} — Ctrl-C stops it\n${rule}\n`);
      await options.serveUntil();
    } else {
      out(
        `Web console: this demo's host has stopped (${options.notServing ?? "the demo is done"}).\n` +
          "To browse it, run: npm run demo -- --serve   (keeps the host up and prints the console's URL; Ctrl-C stops it)\n",
      );
    }
    return {
      baseUrl: host.baseUrl,
      firstRuns: first.map(summaryOf),
      coverage,
      removed,
      forbiddenType: FORBIDDEN_TYPE,
      secondRun: summaryOf(second),
      changes: { counts: changeSet.counts, incompleteTypes: changeSet.incompleteTypes, renamed: renamed.externalId },
      missing: {
        selectionHash: missing.selectionHash,
        confidence: missing.confidence,
        items: missing.items.map((i) => ({ policyType: i.policyType, externalId: i.externalId, typeComplete: i.typeComplete })),
      },
      dependencies: { tenantId: fabrikam.tenantId, groupId, itemIds: used.map((i) => i.id) },
      compare: c,
      changedInStaging: changed,
      drift: {
        baselineId: drift.baselineId,
        baselineVersion: drift.baselineVersion,
        confidence: drift.confidence,
        counts: drift.counts,
        changed: driftChanged.map((i) => ({ displayName: i.displayName, differences: i.differences })),
      },
      wallMs,
    };
  } finally {
    await host?.close();
  }
}

if (require.main === module) {
  const choice = serveChoice(process.argv.slice(2), process.stdout.isTTY === true, process.env);
  if ("error" in choice) {
    process.stderr.write(`demo: ${choice.error}\n`);
    process.exit(2);
  }
  // Ctrl-C or SIGTERM mid-demo: put the terminal back (a live bar turns line wrap off), say so,
  // and exit 130/143; the embedded host lives in this process, so its port goes with it (the real
  // engine's child processes end when their stdin, a pipe from this process, closes). Once the
  // demo is done and the host is only serving its console, a signal is how a person ends it:
  // the host and its emulators are closed and the demo exits 0.
  process.once("exit", restoreTerminals);
  let release: ((signal: NodeJS.Signals) => void) | null = null;
  const stop = (signal: NodeJS.Signals) => {
    if (release) {
      release(signal);
      return;
    }
    restoreTerminals();
    process.stderr.write(`\n${signal}: demo stopped.\n`);
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  // `on`, not `once`: under `npm run demo` a Ctrl-C reaches this process twice (from the terminal
  // and forwarded by npm), and a second signal with no listener would kill it mid-close.
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const serveUntil = () =>
    new Promise<void>((resolve) => {
      release = (signal) => {
        release = () => undefined;
        process.stdout.write(`\n${signal}: stopping the demo's host…\n`);
        resolve();
      };
    });
  runDemo({
    stdout: process.stdout,
    durableEngine: process.env.DURABLE_ENGINE?.trim().toLowerCase() === "real" ? "real" : "driver",
    ...(choice.serve ? { serveUntil } : { notServing: choice.because }),
  })
    .then(() => {
      if (choice.serve) process.stdout.write("stopped.\n");
      process.exit(0);
    })
    .catch((error: unknown) => {
      process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
