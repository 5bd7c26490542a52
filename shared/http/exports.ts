import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import type { InventoryItem } from "../domain/item";
import type { ApiRequest, ApiResponse } from "./pipeline";
import { ApiProblem } from "./problem";

/**
 * Exports (docs/api.md "Exports"): a listing route also answers `text/csv` (RFC 4180, header
 * row) or `application/x-ndjson`, asked for with `Accept` or `format=csv|ndjson` — every matching
 * row, streamed page by page from the store, no paging, `Content-Disposition: attachment`.
 * A route uses it in three steps: `format` in its query schema (`ExportFormatQuerySchema`),
 * `exportFormatOf(request, query.format)`, and, for csv/ndjson, `exportResponse(...)` with its
 * rows as an async iterable that reads one store page at a time. Memory is bounded by one page
 * plus one encoded chunk, whatever the tenant's size (docs/performance.md has the measurement).
 *
 * CSV cells are written by csv-stringify (quoting, doubled quotes, CRLF), the library the CLI
 * already uses, one record at a time; the hand-written part is only the formula-injection guard.
 */

export const EXPORT_MEDIA_TYPES = { csv: "text/csv", ndjson: "application/x-ndjson", json: "application/json" } as const;
export type ExportFormat = keyof typeof EXPORT_MEDIA_TYPES;

export const ExportFormatQuerySchema = z
  .enum(["json", "csv", "ndjson"])
  .optional()
  .meta({
    description:
      "Answer as JSON (default), as an RFC 4180 CSV file with a header row, or as NDJSON (one JSON object per line): every " +
      "matching row, streamed, no paging. Wins over `Accept` (`text/csv`, `application/x-ndjson`).",
  });

/**
 * The format of the answer: `format=` when given, else the best of `Accept` (q-values honoured;
 * the first listed wins a tie), else JSON. An Accept naming nothing this API writes gets JSON
 * rather than a 406: every existing JSON client keeps working whatever it sends.
 */
export function exportFormatOf(request: Pick<ApiRequest, "headers">, format: ExportFormat | undefined): ExportFormat {
  if (format) return format;
  const accept = request.headers.accept;
  if (!accept) return "json";
  let best: { format: ExportFormat; q: number } | null = null;
  for (const part of accept.split(",")) {
    const [type = "", ...params] = part.split(";").map((p) => p.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    const candidate: ExportFormat | null =
      type === "text/csv" ? "csv" : type === "application/x-ndjson" ? "ndjson" : type === "application/json" || type === "*/*" || type === "application/*" ? "json" : null;
    if (candidate && (!best || q > best.q)) best = { format: candidate, q };
  }
  return best?.format ?? "json";
}

/**
 * A cell a spreadsheet would read as a formula (=, +, -, @, or a leading tab or carriage return)
 * gets a leading apostrophe, as OWASP's "CSV Injection" page recommends: a display name like
 * `=HYPERLINK(…)` written by one tenant's admin must not run in the MSP's Excel.
 */
export function csvCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export type CellValue = string | number | boolean | null | undefined;

export interface ExportColumn<T> {
  header: string;
  value(row: T): CellValue;
}

const cellText = (value: CellValue): string =>
  value === null || value === undefined ? "" : typeof value === "string" ? csvCell(value) : String(value);

/** CSV options: CRLF records (RFC 4180), and a guarded cell is quoted so the apostrophe is visibly text. */
const CSV_OPTIONS = { record_delimiter: "windows", quoted_match: /^'/ } as const;

export function csvHeader(columns: readonly ExportColumn<never>[]): string {
  return stringify([columns.map((c) => c.header)], CSV_OPTIONS);
}

export function csvRecord<T>(columns: readonly ExportColumn<T>[], row: T): string {
  return stringify([columns.map((c) => cellText(c.value(row)))], CSV_OPTIONS);
}

/** Rows are encoded into chunks of about this many bytes: few writes, and memory stays a chunk. */
const CHUNK_BYTES = 64 * 1024;

async function* encode<T>(
  first: IteratorResult<T>,
  rows: AsyncIterator<T>,
  line: (row: T) => string,
  header: string,
): AsyncGenerator<Uint8Array> {
  let buffer = header;
  try {
    for (let next = first; !next.done; next = await rows.next()) {
      buffer += line(next.value);
      if (buffer.length >= CHUNK_BYTES) {
        yield Buffer.from(buffer, "utf8");
        buffer = "";
      }
    }
    if (buffer.length > 0) yield Buffer.from(buffer, "utf8");
  } finally {
    // The client went away (or HEAD): stop reading store pages.
    await rows.return?.();
  }
}

export interface ExportSpec<T> {
  format: "csv" | "ndjson";
  /** File name offered to the browser, without extension (`items-<tenant>`). */
  filename: string;
  columns: readonly ExportColumn<T>[];
  /** Every row, read page by page from the store. */
  rows: AsyncIterable<T>;
  /** The NDJSON line of a row (the JSON route's item shape). */
  json(row: T): unknown;
  /** Extra response headers (what the rows are of: selection hash, run). */
  headers?: Record<string, string>;
}

/**
 * The streamed answer. The first row is read before the answer starts, so a store that is down
 * is still a 503 problem; a failure later cuts the transfer (a chunked body without its end, which
 * every HTTP client reports as an error), never a silently short file.
 */
export async function exportResponse<T>(spec: ExportSpec<T>): Promise<ApiResponse> {
  const rows = spec.rows[Symbol.asyncIterator]();
  const first = await rows.next();
  const csv = spec.format === "csv";
  const stream = csv
    ? encode(first, rows, (row) => csvRecord(spec.columns, row), csvHeader(spec.columns as readonly ExportColumn<never>[]))
    : encode(first, rows, (row) => `${JSON.stringify(spec.json(row))}\n`, "");
  const safeName = spec.filename.replace(/[^A-Za-z0-9._-]/g, "_");
  return {
    status: 200,
    headers: {
      "content-type": `${EXPORT_MEDIA_TYPES[spec.format]}; charset=utf-8${csv ? "; header=present" : ""}`,
      "content-disposition": `attachment; filename="${safeName}.${csv ? "csv" : "ndjson"}"`,
      ...spec.headers,
    },
    stream,
  };
}

/** Store page size while an export reads every row. */
export const EXPORT_PAGE_SIZE = 500;

/** A continuation token on an export: an export has every row, it is not paged. */
export const notPagedExport = () =>
  new ApiProblem("VALIDATION_FAILED", "An export (CSV or NDJSON) has every matching row: it is not paged.", {
    errors: [{ path: "query.continuationToken", message: "not accepted with format csv or ndjson" }],
  });

/** Every row of a paged store listing, one page in memory at a time. */
export async function* allRows<T>(page: (continuationToken: string | undefined) => Promise<{ items: T[]; continuationToken: string | null }>): AsyncGenerator<T> {
  let token: string | undefined;
  do {
    const next = await page(token);
    yield* next.items;
    token = next.continuationToken ?? undefined;
  } while (token);
}

/** Item columns of the CSV exports: the item's fields, meta's common keys, and meta whole as JSON. */
export const ITEM_EXPORT_COLUMNS: readonly ExportColumn<InventoryItem>[] = [
  { header: "id", value: (i) => i.id },
  { header: "tenantId", value: (i) => i.tenantId },
  { header: "policyType", value: (i) => i.policyType },
  { header: "category", value: (i) => i.category },
  { header: "externalId", value: (i) => i.externalId },
  { header: "displayName", value: (i) => i.displayName },
  { header: "platform", value: (i) => i.platform },
  { header: "odataType", value: (i) => metaText(i.meta.odataType) },
  { header: "createdDateTime", value: (i) => metaText(i.meta.createdDateTime) },
  { header: "lastModifiedDateTime", value: (i) => metaText(i.meta.lastModifiedDateTime) },
  { header: "version", value: (i) => metaText(i.meta.version) },
  { header: "roleScopeTagIds", value: (i) => (Array.isArray(i.meta.roleScopeTagIds) ? i.meta.roleScopeTagIds.join(";") : "") },
  { header: "firstSeenAt", value: (i) => i.firstSeenAt },
  { header: "lastSeenAt", value: (i) => i.lastSeenAt },
  { header: "lastSeenRunId", value: (i) => i.lastSeenRunId },
  { header: "meta", value: (i) => JSON.stringify(i.meta) },
];

function metaText(value: unknown): CellValue {
  return value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : (value as CellValue);
}
