import type { ApiClient } from "../apiClient";
import { csv } from "../format";
import type { Column, OutputFormat } from "../format";
import type { CliOutput, InterruptSource } from "../io";
import type { PollOptions } from "../progress";

/** What every command gets: the client for this invocation, the streams, and poll pacing. */
export interface CommandContext {
  client: ApiClient;
  stdout: CliOutput;
  stderr: CliOutput;
  poll: PollOptions;
  /** Ctrl-C and SIGTERM while a command follows a run (the binary wires the process's signals). */
  interrupts: InterruptSource;
}

export const printJson = (out: CliOutput, value: unknown): void => {
  out.write(JSON.stringify(value, null, 2) + "\n");
};

/** One listing in the format asked for: the JSON value as the API shaped it, CSV or NDJSON rows, or the table. */
export function printListing<T>(
  out: CliOutput,
  format: OutputFormat,
  listing: { json: unknown; columns: readonly Column<T>[]; rows: readonly T[]; table: () => string },
): void {
  if (format === "json") printJson(out, listing.json);
  else if (format === "csv") out.write(csv(listing.columns, listing.rows));
  // One row per line as the API shaped it (jq, Power BI, a log shipper), without the envelope.
  else if (format === "ndjson") out.write(listing.rows.map((row) => `${JSON.stringify(row)}\n`).join(""));
  else out.write(listing.table());
}
