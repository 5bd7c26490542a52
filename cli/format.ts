import { stringify } from "csv-stringify/sync";
import { csvCell } from "../shared/http/exports";
import { attentionOf } from "../shared/domain/tenantSummary";
import type { AssignmentTarget, InventoryItem, MissingReport, Run } from "../shared/domain";
import type { ApiError } from "./apiClient";
import type { ChangeView, CompareResult, CoverageRow, DriftReport, PolicyTypeView, PortfolioRow, RunChanges, TenantView as Tenant } from "./responses";

/**
 * Plain padded columns rather than a boxed table: output stays greppable, `cut`-able and
 * readable in CI logs, and needs no dependency. `--format json` and `--format csv` are there
 * for machines and spreadsheets.
 */
export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Long cells (display names) are cut with an ellipsis; json and csv have the full text. */
  maxWidth?: number;
  align?: "left" | "right";
  /** The cell in CSV when it differs from the table's (full timestamps, full ids). */
  csv?: (row: T) => string;
}

export const OUTPUT_FORMATS = ["table", "json", "csv", "ndjson"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

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

/** The API's exports and the CLI's CSV defuse formula-like cells the same way (one home). */
export { csvCell };

/**
 * RFC 4180 CSV (header row, CRLF, quotes doubled) by csv-stringify. Cells are sanitised like the
 * table's (no terminal escapes) and guarded against formula injection, never truncated.
 */
export function csv<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  return stringify(
    rows.map((row) => columns.map((c) => csvCell(sanitize((c.csv ?? c.value)(row))))),
    { header: true, columns: columns.map((c) => c.header), record_delimiter: "windows", quoted_match: /^'/ },
  );
}

// ── sorting: every listing prints in a stable, readable order whatever order the API used ──

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });
const byText =
  <T>(...keys: ((row: T) => string)[]) =>
  (a: T, b: T): number => {
    for (const key of keys) {
      const order = collator.compare(key(a), key(b)) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
      if (order !== 0) return order;
    }
    return 0;
  };

/** Items and missing items: by policy type, then display name, then Graph id. */
export const sortItems = <T extends { policyType: string; displayName: string; externalId: string }>(items: readonly T[]): T[] =>
  [...items].sort(byText<T>((i) => i.policyType, (i) => i.displayName, (i) => i.externalId));
export const sortTenants = (tenants: readonly Tenant[]): Tenant[] =>
  [...tenants].sort(byText<Tenant>((t) => t.displayName, (t) => t.tenantId));
export const sortCoverage = (rows: readonly CoverageRow[]): CoverageRow[] =>
  [...rows].sort(byText<CoverageRow>((r) => r.category, (r) => r.policyType));
export const sortPolicyTypes = (rows: readonly PolicyTypeView[]): PolicyTypeView[] =>
  [...rows].sort(byText<PolicyTypeView>((r) => r.category, (r) => r.key));
/** Runs: newest first, as the API pages them; ties by id so the order is stable. */
export const sortRuns = (runs: readonly Run[]): Run[] =>
  [...runs].sort((a, b) => (a.requestedAt === b.requestedAt ? (a.id < b.id ? -1 : 1) : a.requestedAt < b.requestedAt ? 1 : -1));

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

export const RUN_COLUMNS: Column<Run>[] = [
  { header: "RUN", value: (r) => r.id },
  { header: "STATUS", value: (r) => r.status },
  { header: "TRIGGER", value: (r) => r.trigger },
  { header: "REQUESTED", value: (r) => formatTimestamp(r.requestedAt), csv: (r) => r.requestedAt },
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
  { header: "SELECTION", value: (r) => r.selectionHash.slice(0, 12), csv: (r) => r.selectionHash },
  { header: "ERRORS", value: (r) => r.errorCodes.join(","), maxWidth: 60 },
];

export function formatRuns(runs: readonly Run[]): string {
  return runs.length === 0 ? "No runs.\n" : table(RUN_COLUMNS, runs);
}

export const CHANGE_COLUMNS: Column<ChangeView>[] = [
  { header: "KIND", value: (c) => c.kind },
  { header: "POLICY TYPE", value: (c) => c.policyType },
  { header: "DISPLAY NAME", value: (c) => c.displayName, maxWidth: 60 },
  { header: "CHANGED FIELDS", value: (c) => c.changedFields.join(", "), maxWidth: 60 },
  { header: "DETECTED", value: (c) => formatTimestamp(c.detectedAt), csv: (c) => c.detectedAt },
  { header: "EXTERNAL ID", value: (c) => c.externalId, maxWidth: 40 },
];

/** A run's change set: what it was compared with, the counts, what could not be compared, then the changes. */
export function formatRunChanges(set: Omit<RunChanges, "continuationToken">): string {
  const { added, changed, removed, reappeared } = set.counts;
  const lines = [
    set.baseRunId
      ? `Run ${set.runId} compared with run ${set.baseRunId}: ${added} added, ${changed} changed, ${removed} removed, ${reappeared} reappeared.`
      : `Run ${set.runId} is the first completed run of its selection: nothing to compare with.`,
  ];
  if (set.incompleteTypes.length > 0) {
    lines.push(`Not enumerated completely (nothing of them is called removed): ${set.incompleteTypes.join(", ")}.`);
  }
  const body = set.items.length === 0 ? "No changes.\n" : table(CHANGE_COLUMNS, set.items);
  return sanitize(lines.join("\n")) + "\n" + body;
}

export const TENANT_COLUMNS: Column<Tenant>[] = [
  { header: "TENANT ID", value: (t) => t.tenantId },
  { header: "DISPLAY NAME", value: (t) => t.displayName, maxWidth: 48 },
  { header: "ENABLED", value: (t) => (t.enabled ? "yes" : "no") },
  { header: "SELECTIONS", value: (t) => String(t.selections.length), align: "right" },
  { header: "UPDATED", value: (t) => formatTimestamp(t.updatedAt), csv: (t) => t.updatedAt },
];

export function formatTenants(tenants: readonly Tenant[]): string {
  return tenants.length === 0 ? "No tenants registered.\n" : table(TENANT_COLUMNS, tenants);
}

export const ITEM_COLUMNS: Column<InventoryItem>[] = [
  { header: "POLICY TYPE", value: (i) => i.policyType },
  { header: "PLATFORM", value: (i) => i.platform },
  { header: "DISPLAY NAME", value: (i) => i.displayName, maxWidth: 60 },
  { header: "LAST SEEN", value: (i) => formatTimestamp(i.lastSeenAt), csv: (i) => i.lastSeenAt },
  { header: "EXTERNAL ID", value: (i) => i.externalId, maxWidth: 40 },
];

export function formatItems(items: readonly InventoryItem[]): string {
  return items.length === 0
    ? "No items.\n"
    : table(ITEM_COLUMNS, items) + `${plural(items.length, "item")}\n`;
}

/** One assignment target in words: `group 1a2b… (exclude)`, `all devices`, `required`. */
function targetWho(t: AssignmentTarget): string {
  return t.kind === "group" ? `group ${t.groupId ?? "?"}` : t.kind === "allLicensedUsers" ? "all licensed users" : t.kind === "allUsers" ? "all users" : "all devices";
}

export const TARGET_COLUMNS: Column<AssignmentTarget>[] = [
  { header: "TARGET", value: (t) => t.kind },
  { header: "GROUP", value: (t) => t.groupId ?? "" },
  { header: "INTENT", value: (t) => t.intent },
  { header: "APP INTENT", value: (t) => t.appIntent ?? "" },
  { header: "FILTER", value: (t) => t.filterId ?? "" },
  { header: "FILTER MODE", value: (t) => t.filterMode ?? "" },
];

/** The item's fields, then where it is applied — or plainly why that is not known. */
export function formatItemDetail(item: InventoryItem): string {
  const meta = Object.entries(item.meta).map(([k, v]) => `  ${k}: ${Array.isArray(v) ? v.join(", ") : String(v)}`);
  const head = [
    `${item.displayName || "(no name)"}`,
    `  policy type: ${item.policyType} (${item.category})`,
    `  platform: ${item.platform}`,
    `  external id: ${item.externalId}`,
    `  first seen: ${formatTimestamp(item.firstSeenAt)}  last seen: ${formatTimestamp(item.lastSeenAt)} (run ${item.lastSeenRunId})`,
    ...meta,
  ]
    .map(sanitize)
    .join("\n");
  const assignments = item.assignments ?? { status: "unknown", targets: [] };
  const body =
    assignments.status === "unknown"
      ? "Assignments: unknown (not read for this type, or the read failed) — not the same as unassigned.\n"
      : assignments.status === "notApplicable"
        ? "Assignments: this type has none.\n"
        : assignments.targets.length === 0
          ? "Assignments: none (unassigned).\n"
          : `Assignments:\n${table(TARGET_COLUMNS, assignments.targets)}`;
  return `${head}\n${body}`;
}

/** How an item references what was asked for: the assignment(s) to the group or with the filter, or the scope tag. */
function via(item: InventoryItem, query: { groupId?: string; filterId?: string; scopeTagId?: string }): string {
  if (query.scopeTagId !== undefined) return `scope tag ${query.scopeTagId}`;
  const targets = item.assignments?.targets ?? [];
  const same = (a: string | null, b: string | undefined) => a !== null && b !== undefined && a.toLowerCase() === b.toLowerCase();
  const matching = query.groupId !== undefined ? targets.filter((t) => same(t.groupId, query.groupId)) : targets.filter((t) => same(t.filterId, query.filterId));
  return matching
    .map((t) =>
      query.groupId !== undefined
        ? [t.intent, t.appIntent, t.filterMode && `filter ${t.filterMode}`].filter(Boolean).join(", ")
        : `${targetWho(t)} (${t.intent}), filter ${t.filterMode ?? "?"}`,
    )
    .join("; ");
}

export function dependencyColumns(query: { groupId?: string; filterId?: string; scopeTagId?: string }): Column<InventoryItem>[] {
  return [...ITEM_COLUMNS.slice(0, 3), { header: "VIA", value: (i) => via(i, query), maxWidth: 60 }, { header: "ID", value: (i) => i.id }];
}

export function formatDependencies(items: readonly InventoryItem[], columns: readonly Column<InventoryItem>[]): string {
  return items.length === 0 ? "Nothing references it.\n" : table(columns, items) + `${plural(items.length, "item")}\n`;
}

type MissingItem = MissingReport["items"][number];
export const MISSING_COLUMNS: Column<MissingItem>[] = [
  ...(ITEM_COLUMNS.slice(0, 4) as Column<MissingItem>[]),
  { header: "TYPE COMPLETE", value: (i) => (i.typeComplete ? "yes" : "no") },
];
/** CSV has room for the Graph id, which a spreadsheet user needs to find the object again. */
export const MISSING_CSV_COLUMNS: Column<MissingItem>[] = [...MISSING_COLUMNS, ITEM_COLUMNS[4] as Column<MissingItem>];

export const COVERAGE_COLUMNS: Column<CoverageRow>[] = [
  { header: "CATEGORY", value: (r) => r.category },
  { header: "POLICY TYPE", value: (r) => r.policyType },
  { header: "ITEMS", value: (r) => String(r.itemCount), align: "right" },
  { header: "LAST OBSERVED", value: (r) => formatTimestamp(r.lastObservedAt), csv: (r) => r.lastObservedAt ?? "" },
  { header: "LAST RUN", value: (r) => r.lastRun?.id ?? "-", csv: (r) => r.lastRun?.id ?? "" },
  { header: "STATUS", value: (r) => r.lastRun?.status ?? "never enumerated", csv: (r) => r.lastRun?.status ?? "" },
  { header: "ERROR", value: (r) => r.lastRun?.errorCode ?? "" },
];

/** One row per catalog type; says plainly when no run has enumerated any of them yet. */
export function formatCoverage(rows: readonly CoverageRow[]): string {
  const enumerated = rows.filter((r) => r.lastRun !== null).length;
  const note =
    enumerated === 0
      ? "No run has enumerated any type of this tenant yet: start one with tenant-inventory sync.\n"
      : `${enumerated} of ${plural(rows.length, "policy type")} enumerated, ${plural(rows.reduce((n, r) => n + r.itemCount, 0), "item")}.\n`;
  return table(COVERAGE_COLUMNS, rows) + note;
}

/** What the row needs attention for (the API's order), saying "never succeeded" for a stale tenant that never did. */
export function portfolioState(r: PortfolioRow): string {
  const attention = attentionOf(r);
  return attention === "stale" && !r.lastSuccessAt ? "never succeeded" : attention;
}

/** Portfolio rows stay in the API's order: worst first. */
export const PORTFOLIO_COLUMNS: Column<PortfolioRow>[] = [
  { header: "STATE", value: portfolioState },
  { header: "TENANT", value: (r) => r.displayName, maxWidth: 40 },
  { header: "LAST RUN", value: (r) => r.lastRun?.status ?? "-", csv: (r) => r.lastRun?.status ?? "" },
  { header: "LAST SUCCESS", value: (r) => formatTimestamp(r.lastSuccessAt), csv: (r) => r.lastSuccessAt ?? "" },
  { header: "ITEMS", value: (r) => String(r.itemCount), align: "right" },
  { header: "MISSING", value: (r) => String(r.missingCount), align: "right" },
  { header: "CHANGES 24H", value: (r) => (r.changesLast24h === null ? "-" : String(r.changesLast24h)), csv: (r) => (r.changesLast24h === null ? "" : String(r.changesLast24h)), align: "right" },
  { header: "DRIFT", value: (r) => (r.drift ? String(r.drift.missing + r.drift.extra + r.drift.changed) : "-"), csv: (r) => (r.drift ? String(r.drift.missing + r.drift.extra + r.drift.changed) : ""), align: "right" },
  { header: "ERRORS", value: (r) => r.lastRun?.errorCodes.join(",") ?? "" },
  { header: "TENANT ID", value: (r) => r.tenantId },
];

export function formatPortfolio(rows: readonly PortfolioRow[]): string {
  if (rows.length === 0) return "No tenants registered: add one with tenant-inventory tenants add.\n";
  const attention = rows.filter((r) => !["ok", "disabled"].includes(attentionOf(r))).length;
  return table(PORTFOLIO_COLUMNS, rows) + `${plural(rows.length, "tenant")}, ${attention} needing attention.\n`;
}

export const POLICY_TYPE_COLUMNS: Column<PolicyTypeView>[] = [
  { header: "CATEGORY", value: (t) => t.category },
  { header: "POLICY TYPE", value: (t) => t.key },
  { header: "FOUNDATION", value: (t) => (t.foundation ? "yes" : "no") },
  { header: "GRAPH", value: (t) => `${t.graphVersion} /${t.graphPath.replace(/^\//, "")}` },
];

export function formatPolicyTypes(rows: readonly PolicyTypeView[]): string {
  return (
    table(POLICY_TYPE_COLUMNS, rows) +
    "Foundation types (filters, scope tags, roles, templates) are synced with --foundations or --categories foundations.\n"
  );
}

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

type CompareRow = CompareResult["items"][number];
export const COMPARE_COLUMNS: Column<CompareRow>[] = [
  { header: "STATUS", value: (r) => r.status },
  { header: "POLICY TYPE", value: (r) => r.policyType },
  { header: "DISPLAY NAME", value: (r) => r.displayName, maxWidth: 48 },
  { header: "DIFFERENCES", value: (r) => r.differences.join(", "), maxWidth: 60 },
  { header: "LEFT EXTERNAL ID", value: (r) => r.left?.externalId ?? "", maxWidth: 38 },
  { header: "RIGHT EXTERNAL ID", value: (r) => r.right?.externalId ?? "", maxWidth: 38 },
  { header: "UNCONFIRMED", value: (r) => (r.unconfirmed ? "unconfirmed" : "") },
];

/** Counts and confidence first, then every row that is not `same` (`--all` shows those too). */
export function formatCompare(result: CompareResult, all: boolean): string {
  const c = result.counts;
  let out = sanitize(`${result.left} (left) vs ${result.right} (right): ${c.onlyLeft} only left, ${c.onlyRight} only right, ${c.different} different, ${c.same} same, ${c.ambiguous} ambiguous; confidence ${result.confidence}`) + "\n";
  const { left, right } = result.incompleteTypes;
  if (left.length + right.length > 0) {
    const sides = [left.length > 0 && `left: ${left.join(", ")}`, right.length > 0 && `right: ${right.join(", ")}`].filter(Boolean).join("; ");
    out += sanitize(`note: not read completely by the latest run (${sides}); rows marked unconfirmed rest on those types`) + "\n";
  }
  out += "Volatile and tenant-specific fields (timestamps, version, scope tag, group and filter ids) are not compared.\n\n";
  const rows = all ? result.items : result.items.filter((r) => r.status !== "same");
  out += rows.length === 0 ? "No differences.\n" : table(COMPARE_COLUMNS, rows);
  return out;
}

type DriftRow = DriftReport["items"][number];
export const DRIFT_COLUMNS: Column<DriftRow>[] = [
  { header: "STATUS", value: (r) => r.status },
  { header: "POLICY TYPE", value: (r) => r.policyType },
  { header: "DISPLAY NAME", value: (r) => r.displayName, maxWidth: 48 },
  { header: "DIFFERENCES", value: (r) => r.differences.join(", "), maxWidth: 60 },
];

/** Which baseline version and run it rests on, how sure it is, then the drifted rows (`--all`: matching too). */
export function formatDrift(report: DriftReport, all: boolean): string {
  const c = report.counts;
  let out = sanitize(
    `baseline ${report.baselineId} v${report.baselineVersion}, based on run ${report.basedOnRunId ?? "(none)"}: confidence ${report.confidence} — ${c.missing} missing, ${c.extra} extra, ${c.changed} changed, ${c.matching} matching`,
  );
  out += "\n";
  if (report.incompleteTypes.length > 0) {
    out += sanitize(`note: not read completely by the latest run, so nothing of them is called missing or extra: ${report.incompleteTypes.join(", ")}`) + "\n";
  }
  out += "\n";
  const rows = all ? report.items : report.items.filter((r) => r.status !== "matching");
  out += rows.length === 0 ? "No drift.\n" : table(DRIFT_COLUMNS, rows);
  return out;
}

/** What the failed command was about, so a hint can name real values instead of placeholders. */
export interface ErrorContext {
  tenantId?: string;
}

/** `error: …` plus what the user can do about it. Never includes the function key. */
export function formatApiError(error: ApiError, context: ErrorContext = {}): string {
  const lines = [`error: ${sanitize(error.message)}`];
  for (const f of error.info.fieldErrors ?? []) lines.push(sanitize(`  ${f.path}: ${f.message}`));
  if (error.code === "LOCK_HELD" && error.info.activeRunId) {
    lines.push(`  active run: ${sanitize(error.info.activeRunId)}`);
  }
  const hint = hintFor(error, context);
  if (hint) lines.push(`  hint: ${hint}`);
  if (error.info.correlationId) lines.push(`  correlation id: ${sanitize(error.info.correlationId)}`);
  return lines.join("\n") + "\n";
}

function hintFor(error: ApiError, context: ErrorContext): string | null {
  const tenant = context.tenantId ? sanitize(context.tenantId) : null;
  switch (error.code) {
    case "UNAUTHORIZED":
      return "a deployed app needs its function key: pass --key or set TENANT_INVENTORY_KEY";
    case "FORBIDDEN":
      return "the caller's principal lacks the role this route needs (docs/api.md lists the role of each route)";
    case "NETWORK_ERROR":
      return "is the API running? Start the local host with `npm start`, or check --api-url / TENANT_INVENTORY_API_URL";
    case "TENANT_NOT_FOUND":
      return tenant
        ? `no tenant ${tenant} is registered here (a typo?). \`tenant-inventory tenants list\` shows the registered ones; register it with: tenant-inventory tenants add ${tenant} --name "Customer name"`
        : "`tenant-inventory tenants list` shows the registered tenants";
    case "TENANT_DISABLED":
      return tenant ? `the tenant is disabled; enable it with: tenant-inventory tenants enable ${tenant}` : null;
    case "LOCK_HELD":
      return tenant && error.info.activeRunId
        ? `follow the active run with: tenant-inventory runs watch ${tenant} ${sanitize(error.info.activeRunId)}`
        : null;
    case "NOT_FOUND":
      return "no such route: does --api-url end with /api?";
    default:
      return null;
  }
}
