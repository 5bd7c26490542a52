import type { InventoryItem, MissingReport, Run } from "../shared/domain";
import type { ApiError } from "./apiClient";
import type { TenantView as Tenant } from "./responses";

/**
 * Plain padded columns rather than a boxed table: output stays greppable, `cut`-able and
 * readable in CI logs, and needs no dependency. `--json` is there for machines.
 */
export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Long cells (display names) are cut with an ellipsis; `--json` has the full text. */
  maxWidth?: number;
  align?: "left" | "right";
}

// C0/C1 controls (ANSI escapes, newlines) and bidi overrides: text from Graph or from another
// tenant's admin must not be able to move the cursor or reorder what the terminal shows.
function isUnsafe(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

export function sanitize(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    out += !isUnsafe(code) ? char : char === "\t" || char === "\n" || char === "\r" ? " " : "?";
  }
  return out;
}

export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join("")}…`;
}

const width = (text: string): number => [...text].length;

export function table<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) =>
    columns.map((c) => {
      const text = sanitize(c.value(row));
      return c.maxWidth ? truncate(text, c.maxWidth) : text;
    }),
  );
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((r) => width(r[i] ?? ""))));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => {
        const pad = " ".repeat((widths[i] ?? 0) - width(v));
        return columns[i]?.align === "right" ? pad + v : v + pad;
      })
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join("\n") + "\n";
}

export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1_000);
  const hours = Math.floor(totalSeconds / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  const seconds = totalSeconds % 60;
  return hours > 0
    ? `${hours}h${String(minutes).padStart(2, "0")}m`
    : `${minutes}m${String(seconds).padStart(2, "0")}s`;
}

/** `2024-05-01T12:00:00.123Z` → `2024-05-01 12:00:00Z`: sortable, and short enough for a column. */
export function formatTimestamp(iso: string | null): string {
  if (!iso) return "-";
  return iso.replace("T", " ").replace(/\.\d+(?=Z$)/, "");
}

export function runDurationMs(run: Pick<Run, "startedAt" | "finishedAt">): number | null {
  if (!run.startedAt || !run.finishedAt) return null;
  const ms = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  return Number.isNaN(ms) ? null : ms;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

export function formatRunSummary(run: Run): string {
  const took = runDurationMs(run);
  const parts = [
    `run ${run.id}: ${run.status}${took === null ? "" : ` in ${formatDuration(took)}`}`,
    `${plural(run.counts.itemsObserved, "item")} observed, ${run.counts.itemsUpserted} upserted, ${plural(run.counts.errors, "error")}`,
  ];
  return sanitize(parts.join(" — ")) + "\n";
}

type Outcome = Run["policyTypes"][number];
const OUTCOME_COLUMNS: Column<Outcome>[] = [
  { header: "POLICY TYPE", value: (o) => o.policyType },
  { header: "STATUS", value: (o) => o.status },
  { header: "ITEMS", value: (o) => String(o.itemsObserved), align: "right" },
  { header: "UPSERTED", value: (o) => String(o.itemsUpserted), align: "right" },
  { header: "PAGES", value: (o) => String(o.pages), align: "right" },
  { header: "DURATION", value: (o) => formatDuration(o.durationMs), align: "right" },
  { header: "ERROR", value: (o) => o.errorCode ?? "" },
];

/** The finished run: summary, one row per policy type, then the (redacted) errors. */
export function formatRunReport(run: Run): string {
  let out = formatRunSummary(run);
  if (run.policyTypes.length > 0) out += "\n" + table(OUTCOME_COLUMNS, run.policyTypes);
  if (run.errors.length > 0) {
    out += "\nerrors:\n";
    for (const e of run.errors)
      out += sanitize(`  ${e.code}${e.policyType ? ` (${e.policyType})` : ""}: ${e.message}`) + "\n";
  }
  return out;
}

const RUN_COLUMNS: Column<Run>[] = [
  { header: "RUN", value: (r) => r.id },
  { header: "STATUS", value: (r) => r.status },
  { header: "TRIGGER", value: (r) => r.trigger },
  { header: "REQUESTED", value: (r) => formatTimestamp(r.requestedAt) },
  {
    header: "DURATION",
    value: (r) => {
      const ms = runDurationMs(r);
      return ms === null ? "-" : formatDuration(ms);
    },
    align: "right",
  },
  { header: "TYPES", value: (r) => String(r.policyTypes.length), align: "right" },
  { header: "ITEMS", value: (r) => String(r.counts.itemsObserved), align: "right" },
  { header: "SELECTION", value: (r) => r.selectionHash.slice(0, 12) },
  { header: "ERRORS", value: (r) => r.errorCodes.join(","), maxWidth: 60 },
];

export function formatRuns(runs: readonly Run[]): string {
  return runs.length === 0 ? "No runs.\n" : table(RUN_COLUMNS, runs);
}

const TENANT_COLUMNS: Column<Tenant>[] = [
  { header: "TENANT ID", value: (t) => t.tenantId },
  { header: "DISPLAY NAME", value: (t) => t.displayName, maxWidth: 48 },
  { header: "ENABLED", value: (t) => (t.enabled ? "yes" : "no") },
  { header: "SELECTIONS", value: (t) => String(t.selections.length), align: "right" },
  { header: "UPDATED", value: (t) => formatTimestamp(t.updatedAt) },
];

export function formatTenants(tenants: readonly Tenant[]): string {
  return tenants.length === 0 ? "No tenants registered.\n" : table(TENANT_COLUMNS, tenants);
}

const ITEM_COLUMNS: Column<InventoryItem>[] = [
  { header: "POLICY TYPE", value: (i) => i.policyType },
  { header: "PLATFORM", value: (i) => i.platform },
  { header: "DISPLAY NAME", value: (i) => i.displayName, maxWidth: 60 },
  { header: "LAST SEEN", value: (i) => formatTimestamp(i.lastSeenAt) },
  { header: "EXTERNAL ID", value: (i) => i.externalId, maxWidth: 40 },
];

export function formatItems(items: readonly InventoryItem[]): string {
  return items.length === 0
    ? "No items.\n"
    : table(ITEM_COLUMNS, items) + `${plural(items.length, "item")}\n`;
}

type MissingItem = MissingReport["items"][number];
const MISSING_COLUMNS: Column<MissingItem>[] = [
  ...(ITEM_COLUMNS.slice(0, 4) as Column<MissingItem>[]),
  { header: "TYPE COMPLETE", value: (i) => (i.typeComplete ? "yes" : "no") },
];

/** Says which run decided "missing" and how far to trust it, then the items. */
export function formatMissing(report: MissingReport): string {
  if (!report.latestRun) {
    return `No completed run of selection ${report.selectionHash.slice(0, 12)} yet: nothing can be called missing.\n`;
  }
  const run = report.latestRun;
  let out = sanitize(
    `selection ${report.selectionHash.slice(0, 12)}: latest completed run ${run.id} (${run.status}, finished ${formatTimestamp(run.finishedAt)}), confidence ${report.confidence ?? "-"}`,
  );
  out += "\n";
  if (report.confidence === "low") {
    out +=
      "note: that run was not a clean success; items whose TYPE COMPLETE is no may still exist in the tenant.\n";
  }
  out += "\n";
  out +=
    report.items.length === 0
      ? "No missing items.\n"
      : table(MISSING_COLUMNS, report.items) + `${plural(report.items.length, "missing item")}\n`;
  return out;
}

/** `error: …` plus what the user can do about it. Never includes the function key. */
export function formatApiError(error: ApiError): string {
  const lines = [`error: ${sanitize(error.message)}`];
  for (const f of error.info.fieldErrors ?? []) lines.push(sanitize(`  ${f.path}: ${f.message}`));
  if (error.code === "LOCK_HELD" && error.info.activeRunId) {
    lines.push(`  active run: ${sanitize(error.info.activeRunId)}`);
  }
  const hint = hintFor(error);
  if (hint) lines.push(`  hint: ${hint}`);
  if (error.info.correlationId) lines.push(`  correlation id: ${sanitize(error.info.correlationId)}`);
  return lines.join("\n") + "\n";
}

function hintFor(error: ApiError): string | null {
  switch (error.code) {
    case "UNAUTHORIZED":
      return "a deployed app needs its function key: pass --key or set TENANT_INVENTORY_KEY";
    case "FORBIDDEN":
      return "the caller's principal lacks the role this route needs (see docs/api.md)";
    case "NETWORK_ERROR":
      return "is the API running? Start the local host with `npm start`, or check --api-url / TENANT_INVENTORY_API_URL";
    case "TENANT_NOT_FOUND":
      return "register it first: tenant-inventory tenants add <tenantId> --name <displayName>";
    case "LOCK_HELD":
      return "wait for the active run, or watch it with: tenant-inventory runs <tenantId> --status running";
    case "NOT_FOUND":
      return "no such route: does --api-url end with /api?";
    default:
      return null;
  }
}
