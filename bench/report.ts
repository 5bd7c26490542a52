/** The bench's output: one row per scenario in bench/results/latest.json, and a table for people. */
export interface ScenarioRow {
  name: string;
  wallMs: number;
  floorMs: number;
  ratioToFloor: number | null;
  graphCalls: number;
  itemsPerSecond: number;
  peakRssMiB: number;
  baselineWallMs: number | null;
  tenantsSkipped: number;
}

/** What backs a row: how the floor and the baseline were obtained, and what was checked. */
export interface ScenarioDetail {
  name: string;
  tenants: number;
  objectsPerTenant: number;
  itemsStored: number;
  pagesNeeded: number;
  /** 429 answers the scenario planned (retries the engine must make). */
  plannedRetries: number;
  graph429s: number;
  extraGraphCalls: number;
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
}

export interface BenchReport {
  mode: "full" | "quick";
  node: string;
  platform: string;
  cpus: number;
  graphLatency: string;
  scenarios: ScenarioRow[];
  details: ScenarioDetail[];
}

const num = (n: number | null, digits = 0) => (n === null ? "-" : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }));

export function formatTable(rows: readonly ScenarioRow[]): string {
  const header = ["scenario", "wall ms", "floor ms", "ratio", "Graph calls", "items/s", "peak RSS MiB", "baseline ms", "speed-up", "skipped"];
  const body = rows.map((r) => [
    r.name,
    num(r.wallMs),
    num(r.floorMs),
    r.ratioToFloor === null ? "-" : `${r.ratioToFloor.toFixed(2)}×`,
    num(r.graphCalls),
    num(r.itemsPerSecond),
    num(r.peakRssMiB, 1),
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
        `Graph calls ${d.pagesNeeded} pages + ${d.plannedRetries} planned 429s → ${d.extraGraphCalls === 0 ? "no extra call" : `${d.extraGraphCalls} extra`}; ` +
        `slowest chain ${d.slowestType} ${d.slowestChainMs} ms (with the 8-slot window: ${d.scheduledTenantFloorMs} ms); ` +
        `runs ${Object.entries(d.runs).map(([k, v]) => `${k} ${v}`).join(", ")}` +
        `${Object.keys(d.errorCodes).length ? ` (errors: ${Object.entries(d.errorCodes).map(([k, v]) => `${k} ×${v}`).join(", ")})` : ""}; ` +
        `tenants in flight ≤ ${d.maxConcurrentTenants}, activities in flight ≤ ${d.maxActivitiesInFlight}; baseline: ${d.baseline}`,
    )
    .join("\n");
}
