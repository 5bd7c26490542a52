import { fork } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { PAGE_SIZE_MAX } from "../local/simulator";
import { POLICY_TYPES, POLICY_TYPE_KEYS } from "../shared/domain";
import { DEFAULT_ASSIGNMENT_READ_CONCURRENCY } from "../shared/sync/enumerate";
import { DEFAULT_ASSIGNMENT_READS_IN_FLIGHT } from "../shared/graph/graphClient";
import { measureBaseline } from "./baseline";
import type { BaselineMeasurement } from "./baseline";
import { cpuMsPerThousandItems } from "./cpuUsage";
import { measureEngine } from "./engineRun";
import type { EngineMeasurement } from "./engineRun";
import { assignmentReadsNeeded, nightlyFloorMs, nightlyFloors, ratioToFloor, scheduledFloorMs, totalPages, typeFloorsMs } from "./floor";
import { formatNightlyFloors, formatNotes, formatTable } from "./report";
import type { BenchReport, NightlyFloorRow, ScenarioDetail, ScenarioRow } from "./report";
import { startRssSampler } from "./rss";
import { FLOOR_TENANT_COUNTS, LATENCY, RETRY_AFTER_SECONDS, SERVICE_LIMITS, benchScenarios, planThrottledPages, retriesPerType } from "./scenarios";
import type { Scenario } from "./scenarios";

/**
 * `npm run bench [-- --quick] [-- --only 10k,nightly] [-- --no-baseline] [-- --profile nightly | --no-profile]
 *  [-- --nightly-tenants 60]`
 *
 * Every scenario — and its sequential baseline — runs in a child process of its own (the sync
 * process) with a fresh stack, one after the other, so heap, sockets and caches of one cannot
 * inflate the peak RSS or the timings of the next. The stand-ins (Cosmos-compatible server,
 * Azurite, Graph simulator) run in processes of their own, so the sync process's RSS and CPU
 * are its own. The parent only plans, collects and reports. A profiled scenario runs once more
 * with the CPU profiler on, so the profiler's cost never touches the measured figures.
 */

interface ChildRequest {
  part: "engine" | "baseline";
  scenario: string;
  quick: boolean;
  nightlyTenants?: number;
  profileFile?: string;
}
type ChildAnswer = { ok: true; peakRssMiB: number; result: EngineMeasurement | BaselineMeasurement } | { ok: false; error: string };

function findScenario(name: string, quick: boolean, nightlyTenants?: number): Scenario {
  const scenario = benchScenarios(quick, { nightlyTenants }).find((s) => s.name === name);
  if (!scenario) throw new Error(`unknown scenario ${name}`);
  return scenario;
}

async function child(request: ChildRequest): Promise<void> {
  const rss = startRssSampler();
  let answer: ChildAnswer;
  try {
    const scenario = findScenario(request.scenario, request.quick, request.nightlyTenants);
    const result =
      request.part === "engine" ? await measureEngine(scenario, { profileFile: request.profileFile }) : await measureBaseline(scenario);
    answer = { ok: true, peakRssMiB: rss.stop(), result };
  } catch (error) {
    answer = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  await new Promise<void>((done) => process.send?.(answer, () => done()));
  process.exit(answer.ok ? 0 : 1);
}

function runChild(request: ChildRequest): Promise<{ peakRssMiB: number; result: unknown }> {
  return new Promise((resolvePromise, reject) => {
    const proc = fork(process.argv[1] as string, ["--child", JSON.stringify(request)], { execArgv: process.execArgv, stdio: "inherit" });
    let answer: ChildAnswer | null = null;
    proc.on("message", (message) => (answer = message as ChildAnswer));
    proc.on("error", reject);
    proc.on("exit", (code) => {
      const got = answer as ChildAnswer | null;
      if (got?.ok) resolvePromise({ peakRssMiB: got.peakRssMiB, result: got.result });
      else reject(new Error(`${request.part} of ${request.scenario} failed (exit ${code}): ${got && !got.ok ? got.error : "no answer"}`));
    });
  });
}

/** The floor and Graph-call expectations of a scenario, from its sizes alone. */
export function planOf(scenario: Scenario) {
  const faults = planThrottledPages(scenario.sizes, scenario.throttledShare);
  const retry = { retries: retriesPerType(faults), waitMs: RETRY_AFTER_SECONDS * 1000 };
  // Assignments: an expand costs no call; a per-object type one read per object, 4 at a time.
  const perObject = {
    types: new Set(POLICY_TYPES.filter((t) => t.assignments === "perObject").map((t) => t.key as string)),
    concurrency: DEFAULT_ASSIGNMENT_READ_CONCURRENCY,
  };
  const floors = typeFloorsMs(scenario.sizes, PAGE_SIZE_MAX, LATENCY.medianMs, retry, perObject);
  const [slowestType, slowestChainMs] = Object.entries(floors).reduce((a, b) => (b[1] > a[1] ? b : a));
  // The client lets a tenant have DEFAULT_ASSIGNMENT_READS_IN_FLIGHT per-object reads in flight,
  // all types together: those reads alone take ceil(reads / in flight) round trips.
  const perTenantReadsMs = Math.ceil(assignmentReadsNeeded(scenario.sizes, perObject) / DEFAULT_ASSIGNMENT_READS_IN_FLIGHT) * LATENCY.medianMs;
  const tenantFloor = Math.max(slowestChainMs, perTenantReadsMs);
  const scheduled = scheduledFloorMs(POLICY_TYPE_KEYS.map((k) => floors[k] ?? 0), scenario.parallelTypes);
  const floorMs = scenario.kind === "nightly" ? nightlyFloorMs(scenario.tenants, scenario.globalLimit, tenantFloor) : tenantFloor;
  return {
    floorMs,
    slowestType,
    slowestChainMs,
    perTenantReadsMs,
    scheduled,
    pagesNeeded: totalPages(scenario.sizes, PAGE_SIZE_MAX) * scenario.tenants,
    assignmentReads: assignmentReadsNeeded(scenario.sizes, perObject) * scenario.tenants,
    plannedRetries: faults.length * scenario.tenants,
  };
}

/** The nightly's floors at 50, 200 and 500 tenants of this scenario's shape (see floor.ts). */
function nightlyFloorRows(scenario: Scenario, plan: ReturnType<typeof planOf>, cpuMsPerTenant: number): NightlyFloorRow[] {
  const pagesPerTenant = (plan.pagesNeeded + plan.assignmentReads) / scenario.tenants;
  const itemsPerTenant = Object.values(scenario.sizes).reduce((n, s) => n + s, 0);
  return FLOOR_TENANT_COUNTS.map((tenants) => {
    const base = {
      tenants,
      globalLimit: scenario.globalLimit,
      tenantFloorMs: Math.max(plan.slowestChainMs, plan.perTenantReadsMs),
      requestsPerTenant: pagesPerTenant,
      itemsPerTenant,
      intuneBudget: SERVICE_LIMITS.intuneBudget,
      graphGlobalBudget: SERVICE_LIMITS.graphGlobalBudget,
      ruPerItem: SERVICE_LIMITS.ruPerItem,
    };
    // Here: the stand-in has no request units to run out of, and one process does all the work.
    const here = nightlyFloors({ ...base, cosmosRuPerSecond: Number.POSITIVE_INFINITY, cpuMsPerTenant });
    // In Azure: the sync scales out over instances, the container serves 5,000 RU/s (serverless).
    const azure = nightlyFloors({ ...base, cosmosRuPerSecond: SERVICE_LIMITS.cosmosServerlessRuPerSecond });
    const autoscale = nightlyFloors({ ...base, cosmosRuPerSecond: SERVICE_LIMITS.cosmosAutoscaleDefaultRuPerSecond });
    const wavesWithTypeWindowMs = nightlyFloorMs(tenants, scenario.globalLimit, Math.max(plan.slowestChainMs, plan.perTenantReadsMs, plan.scheduled));
    return { tenants, ...here, wavesWithTypeWindowMs, cosmosMs: azure.cosmosMs, cosmosAutoscaleMs: autoscale.cosmosMs, bindingInAzure: azure.binding };
  });
}

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("package.json not found above the bench");
    dir = up;
  }
  return dir;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      "no-baseline": { type: "boolean", default: false },
      out: { type: "string" },
      child: { type: "string" },
      profile: { type: "string", default: "nightly" },
      "no-profile": { type: "boolean", default: false },
      "nightly-tenants": { type: "string" },
    },
  });
  if (values.child) return child(JSON.parse(values.child) as ChildRequest);

  const quick = values.quick ?? false;
  const nightlyTenants = values["nightly-tenants"] ? Number(values["nightly-tenants"]) : undefined;
  if (nightlyTenants !== undefined && !(Number.isInteger(nightlyTenants) && nightlyTenants > 0)) throw new Error("--nightly-tenants must be a positive integer");
  const only = values.only ? new Set(values.only.split(",").map((s) => s.trim())) : null;
  const profiled = new Set(values["no-profile"] ? [] : (values.profile ?? "").split(",").map((s) => s.trim()).filter(Boolean));
  const scenarios = benchScenarios(quick, { nightlyTenants }).filter((s) => !only || only.has(s.name));
  const out = resolve(values.out ?? join(repoRoot(), "bench", "results", "latest.json"));
  mkdirSync(dirname(out), { recursive: true });
  // The machine may be shared: figures are only comparable with the load they were taken under.
  const loadBefore = os.loadavg().map((l) => Math.round(l * 100) / 100);
  const rows: ScenarioRow[] = [];
  let floorRows: NightlyFloorRow[] | undefined;
  const details: ScenarioDetail[] = [];
  console.log(`bench (${quick ? "quick" : "full"}${nightlyTenants ? `, nightly of ${nightlyTenants} tenants` : ""}; load average ${loadBefore.join(" ")} on ${os.cpus().length} CPUs): Graph latency uniform ${LATENCY.ms}–${LATENCY.ms + LATENCY.jitterMs} ms (median ${LATENCY.medianMs} ms)`);
  for (const scenario of scenarios) {
    const plan = planOf(scenario);
    console.log(`→ ${scenario.name}: engine …`);
    const engine = await runChild({ part: "engine", scenario: scenario.name, quick, nightlyTenants });
    const e = engine.result as EngineMeasurement;
    let b: BaselineMeasurement | null = null;
    let baselineRss: number | null = null;
    if (!values["no-baseline"]) {
      console.log(`→ ${scenario.name}: sequential baseline${scenario.tenants > scenario.baselineSampleTenants ? ` (${scenario.baselineSampleTenants} of ${scenario.tenants} tenants, extrapolated)` : ""} …`);
      const baseline = await runChild({ part: "baseline", scenario: scenario.name, quick, nightlyTenants });
      b = baseline.result as BaselineMeasurement;
      baselineRss = baseline.peakRssMiB;
    }
    let profile: ScenarioDetail["profile"] = null;
    if (profiled.has(scenario.name)) {
      const profileFile = join(dirname(out), `${scenario.name}.cpuprofile`);
      console.log(`→ ${scenario.name}: engine again, with the CPU profiler on …`);
      const run = (await runChild({ part: "engine", scenario: scenario.name, quick, nightlyTenants, profileFile })).result as EngineMeasurement;
      if (run.profile) profile = { file: relative(repoRoot(), run.profile.file), wallMs: run.wallMs, topSelf: run.profile.topSelf, byComponent: run.profile.byComponent };
    }
    const objectsPerTenant = Object.values(scenario.sizes).reduce((n, s) => n + s, 0);
    rows.push({
      name: scenario.name,
      wallMs: e.wallMs,
      floorMs: plan.floorMs,
      ratioToFloor: ratioToFloor(e.wallMs, plan.floorMs),
      graphCalls: e.graphCalls,
      itemsPerSecond: Math.round(e.itemsStored / (e.wallMs / 1000)),
      peakRssMiB: engine.peakRssMiB,
      baselineWallMs: b?.wallMs ?? null,
      tenantsSkipped: e.tenantsSkipped,
      syncCpuMs: e.cpu.sync.totalMs,
      cpuMsPer1kItems: cpuMsPerThousandItems(e.cpu.sync, e.itemsStored),
      standInCpuSeconds: {
        cosmos: e.cpu.standIns.cosmos.totalMs / 1000,
        tables: e.cpu.standIns.tables.totalMs / 1000,
        graph: e.cpu.standIns.graph.totalMs / 1000,
      },
    });
    details.push({
      name: scenario.name,
      tenants: scenario.tenants,
      objectsPerTenant,
      itemsStored: e.itemsStored,
      pagesNeeded: plan.pagesNeeded,
      assignmentReads: plan.assignmentReads,
      plannedRetries: plan.plannedRetries,
      graph429s: e.graph429s,
      extraGraphCalls: e.graphCalls - plan.pagesNeeded - plan.assignmentReads - plan.plannedRetries,
      graphLog: e.graphLog,
      slowestType: plan.slowestType,
      slowestChainMs: plan.slowestChainMs,
      scheduledTenantFloorMs: plan.scheduled,
      runs: e.runs,
      errorCodes: e.errorCodes,
      maxConcurrentTenants: e.maxConcurrentTenants,
      maxActivitiesInFlight: e.maxActivitiesInFlight,
      baselinePeakRssMiB: baselineRss,
      baseline: b
        ? b.extrapolated
          ? `measured ${b.measuredMs} ms on ${b.sampledTenants} of ${b.totalTenants} tenants, extrapolated ×${(b.totalTenants / b.sampledTenants).toFixed(0)}`
          : `measured in full (${b.itemsStored} items, ${b.graphCalls} Graph calls)`
        : "not run (--no-baseline)",
      speedupVsBaseline: b ? Math.round((b.wallMs / e.wallMs) * 10) / 10 : null,
      cpu: e.cpu,
      cosmosRequests: e.cosmosRequests,
      standInPeakRssMiB: e.standInPeakRssMiB,
      profile,
    });
    if (scenario.kind === "nightly") floorRows = nightlyFloorRows(scenario, plan, e.cpu.sync.totalMs / scenario.tenants);
    if (e.itemsStored !== objectsPerTenant * scenario.tenants) {
      console.warn(`  ! ${scenario.name}: stored ${e.itemsStored} items, expected ${objectsPerTenant * scenario.tenants}`);
    }
  }
  const report: BenchReport = {
    mode: quick ? "quick" : "full",
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.cpus().length,
    loadAverage: { before: loadBefore, after: os.loadavg().map((l) => Math.round(l * 100) / 100) },
    graphLatency: `uniform ${LATENCY.ms}-${LATENCY.ms + LATENCY.jitterMs} ms, median ${LATENCY.medianMs} ms`,
    scenarios: rows,
    details,
    nightlyFloors: floorRows,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log("");
  console.log(formatTable(rows));
  console.log("");
  console.log(formatNotes(details));
  if (floorRows) {
    console.log("\nThe nightly's floors (tenants of the nightly's shape; CPU: this run's sync CPU per tenant):\n");
    console.log(formatNightlyFloors(floorRows));
  }
  console.log(`\nload average before ${report.loadAverage.before.join(" ")}, after ${report.loadAverage.after.join(" ")} (1, 5, 15 min) on ${report.cpus} CPUs`);
  console.log(`written: ${values.out ?? "bench/results/latest.json"}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
