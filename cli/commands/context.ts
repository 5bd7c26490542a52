import type { ApiClient } from "../apiClient";
import type { CliOutput } from "../io";
import type { PollOptions } from "../progress";

/** What every command gets: the client for this invocation, the streams, and poll pacing. */
export interface CommandContext {
  client: ApiClient;
  stdout: CliOutput;
  stderr: CliOutput;
  poll: PollOptions;
}

export const printJson = (out: CliOutput, value: unknown): void => {
  out.write(JSON.stringify(value, null, 2) + "\n");
};
