import type { ClientFetch } from "./apiClient";

/** The slice of a writable stream the CLI writes to; `isTTY` chooses the live bar. */
export interface CliOutput {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export type InterruptSignal = "SIGINT" | "SIGTERM";

/** Subscribes to interrupts; returns the unsubscribe. */
export type InterruptSource = (handler: (signal: InterruptSignal) => void) => () => void;

/**
 * Everything the CLI touches in the outside world, injected so the same code runs as the
 * `tenant-inventory` binary and in-process from tests.
 */
export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  env: Readonly<Record<string, string | undefined>>;
  fetch?: ClientFetch;
  /** Poll pacing; tests pass one that records the delay and returns at once. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  /** SIGINT / SIGTERM; the binary passes the process's, tests their own trigger. None: never interrupted. */
  interrupts?: InterruptSource;
}
