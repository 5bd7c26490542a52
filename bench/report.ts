import type { CpuSplit } from "./cpuUsage";
import type { ComponentShare, SelfTimeEntry } from "./cpuProfile";
import type { NightlyFloors } from "./floor";

/** The bench's output: one row per scenario in bench/results/latest.json, and a table for people. */
export interface ScenarioRow {
  name: string;
  wallMs: number;
  floorMs: number;
  ratioToFloor: number | null;
  graphCalls: number;
  itemsPerSecond: number;
  /** The sync process alone: the stand-ins run in processes of their own. */
  peakRssMiB: number;
  baselineWallMs: number | null;
  tenantsSkipped: number;
  /** CPU (user + system) of the sync process during the measured window, ms. */
  syncCpuMs: number;
  /** syncCpuMs per 1,000 items stored. */
  cpuMsPer1kItems: number | null;
  /** CPU seconds each stand-in process used during the same window. */
  standInCpuSeconds: { cosmos: number; tables: number; graph: number };
}

/** What backs a row: how the floor and the baseline were obtained, and what was checked. */
export interface ScenarioDetail {
  name: string;
  tenants: number;
  objectsPerTenant: number;
  itemsStored: number;
  pagesNeeded: number;
  /** Per-object assignment reads (`…/{id}/assignments`) of the per-object types; expanded types cost none. */
  assignmentReads: number;
  /** 429 answers the scenario planned (retries the engine must make). */
  plannedRetries: number;
  graph429s: number;
  extraGraphCalls: number;
  /** The simulator's answers by status, URLs asked twice, and its slowest answer (ms). */
  graphLog: { statuses: Record<string, number>; repeats: number; maxDurationMs: number; retriesByStatus: Record<string, number> };
  slowestType: string;
  slowestChainMs: number;
  /** The same tenant with SYNC_MAX_PARALLEL_TYPES slots (catalog order, sliding window). */
  scheduledTenantFloorMs: number;
  runs: Record<string, number>;
  errorCodes: Record<string, number>;
  maxConcurrentTenants: number;
  maxActivitiesInFlight: number;
  baselinePeakRssMiB: number | null;
  baseline: string;
  speedupVsBaseline: number | null;
  /** User and system CPU of the sync process and of each stand-in during the measured window. */
  cpu: CpuSplit;
  /** Requests the Cosmos stand-in served during the measured window, by kind. */
  cosmosRequests: Record<string, number>;
  /** Peak RSS of each stand-in process (its own report, start-up included), MiB. */
  standInPeakRssMiB: Record<string, number>;
  /** A CPU profile of a separate, profiled run of this scenario (sync process only). */
  profile: { file: string; wallMs: number; topSelf: SelfTimeEntry[]; byComponent: ComponentShare[] } | null;
}

export interface BenchReport {
  mode: "full" | "quick";
  node: string;
  platform: string;
  cpus: number;
  /** os.loadavg() (1, 5, 15 min) when the bench started and ended: the machine may be shared. */
  loadAverage: { before: number[]; after: number[] };
  graphLatency: string;
  scenarios: ScenarioRow[];
  details: ScenarioDetail[];
  /** The nightly's floors at 50, 200 and 500 tenants of the nightly's shape (present when it ran). */
  nightlyFloors?: NightlyFloorRow[];
}

export interface NightlyFloorRow extends NightlyFloors {
  tenants: number;
  /** Today's waves with one tenant's floor as the engine schedules it (SYNC_MAX_PARALLEL_TYPES lanes). */
  wavesWithTypeWindowMs: number;
  /** The same store on the infra's default autoscale maximum instead of serverless. */
  cosmosAutoscaleMs: number;
  /** `binding`: which floor binds in the bench (stand-in store without RU limits, one sync process). */
  /** Which floor binds in Azure (the sync scaled out: CPU spread over instances; serverless Cosmos). */
  bindingInAzure: NightlyFloors["binding"];
}

const num = (n: number | null, digits = 0) => (n === null ? "-" : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }));

export function formatTable(rows: readonly ScenarioRow[]): string {
  const header = [
    "scenario",
    "wall ms",
    "floor ms",
    "ratio",
    "Graph calls",
    "items/s",
    "sync peak RSS MiB",
    "sync CPU ms / 1k items",
    "Cosmos CPU s",
    "Azurite CPU s",
    "Graph sim CPU s",
    "baseline ms",
    "speed-up",
    "skipped",
  ];
  const body = rows.map((r) => [
    r.name,
    num(r.wallMs),
    num(r.floorMs),
    r.ratioToFloor === null ? "-" : `${r.ratioToFloor.toFixed(2)}×`,
    num(r.graphCalls),
    num(r.itemsPerSecond),
    num(r.peakRssMiB, 1),
    num(r.cpuMsPer1kItems),
    num(r.standInCpuSeconds.cosmos, 1),
    num(r.standInCpuSeconds.tables, 1),
    num(r.standInCpuSeconds.graph, 1),
    num(r.baselineWallMs),
    r.baselineWallMs === null || r.wallMs === 0 ? "-" : `${(r.baselineWallMs / r.wallMs).toFixed(1)}×`,
    String(r.tenantsSkipped),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...body.map(line)].join("\n");
}

export function formatNotes(details: readonly ScenarioDetail[]): string {
  return details
    .map(
      (d) =>
        `- ${d.name}: ${d.tenants} tenant(s) × ${d.objectsPerTenant} objects, ${d.itemsStored} stored; ` +
        `Graph calls ${d.pagesNeeded} pages + ${d.assignmentReads} per-object assignment reads + ${d.plannedRetries} planned 429s → ${d.extraGraphCalls === 0 ? "no extra call" : `${d.extraGraphCalls} extra`} ` +
        `(answers ${Object.entries(d.graphLog.statuses).map(([k, v]) => `${k} ×${v}`).join(", ")}; ${d.graphLog.repeats} URLs asked again; engine retries by status ${JSON.stringify(d.graphLog.retriesByStatus)}; slowest answer ${d.graphLog.maxDurationMs} ms); ` +
        `slowest chain ${d.slowestType} ${d.slowestChainMs} ms (with the 8-slot window: ${d.scheduledTenantFloorMs} ms); ` +
        `runs ${Object.entries(d.runs).map(([k, v]) => `${k} ${v}`).join(", ")}` +
        `${Object.keys(d.errorCodes).length ? ` (errors: ${Object.entries(d.errorCodes).map(([k, v]) => `${k} ×${v}`).join(", ")})` : ""}; ` +
        `tenants in flight ≤ ${d.maxConcurrentTenants}, activities in flight ≤ ${d.maxActivitiesInFlight}; ` +
        `sync CPU ${d.cpu.sync.userMs} ms user + ${d.cpu.sync.systemMs} ms system; ` +
        `Cosmos requests ${Object.entries(d.cosmosRequests).map(([k, v]) => `${k} ×${v}`).join(", ")}; ` +
        `stand-in peak RSS ${Object.entries(d.standInPeakRssMiB).map(([k, v]) => `${k} ${v} MiB`).join(", ")}; baseline: ${d.baseline}` +
        (d.profile ? `\n  profile (separate run, ${d.profile.wallMs} ms): ${d.profile.file}\n${formatTopSelf(d.profile.topSelf)}\n  by component: ${d.profile.byComponent.map((c) => `${c.component} ${c.percent.toFixed(1)} %`).join(", ")}` : ""),
    )
    .join("\n");
}

export function formatTopSelf(entries: readonly SelfTimeEntry[]): string {
  return entries.map((e, i) => `    ${i + 1}. ${e.function}: ${num(e.selfMs)} ms self (${e.percent.toFixed(1)} %)`).join("\n");
}

const seconds = (ms: number | null) => (ms === null ? "-" : ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${num(ms / 1000)} s`);

export function formatNightlyFloors(rows: readonly NightlyFloorRow[]): string {
  const header = ["tenants", "waves (today)", "waves, type window", "Intune budget", "Graph global", "Cosmos serverless", "Cosmos autoscale 1k", "CPU, one process", "binds here", "binds in Azure"];
  const body = rows.map((r) => [
    String(r.tenants),
    seconds(r.wavesMs),
    seconds(r.wavesWithTypeWindowMs),
    seconds(r.intuneBudgetMs),
    seconds(r.graphGlobalMs),
    seconds(r.cosmosMs),
    seconds(r.cosmosAutoscaleMs),
    seconds(r.cpuMs),
    r.binding,
    r.bindingInAzure,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i] as number)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => `${"-".repeat(w + 1)}:`).join("|")}|`, ...body.map(line)].join("\n");
}
