import { MultiBar, Presets, SingleBar } from "cli-progress";
import { isTerminalStatus } from "../shared/domain/run";
import type { Run, RunStatus } from "../shared/domain/run";
import { policyTypesInScope } from "../shared/domain/selection";
import { ApiError } from "./apiClient";
import type { ApiClient } from "./apiClient";
import { formatDuration, sanitize } from "./format";
import type { CliOutput } from "./io";

/**
 * What the CLI can tell about a run in flight. docs/api.md's run carries per-type outcomes, and the
 * total comes from the run's own selection through the domain's scope rule, so "3/22 types"
 * needs nothing the API does not already serve.
 */
export interface RunProgress {
  status: RunStatus;
  typesDone: number;
  typesTotal: number;
  elapsedMs: number;
}

export function progressOf(
  run: Pick<Run, "status" | "selection" | "policyTypes">,
  elapsedMs: number,
): RunProgress {
  const typesDone = run.policyTypes.length;
  const typesTotal = Math.max(policyTypesInScope(run.selection).length, typesDone);
  return { status: run.status, typesDone, typesTotal, elapsedMs };
}

export interface ProgressView {
  update(progress: RunProgress): void;
  stop(): void;
}

/**
 * cli-progress turns the terminal's line wrap off (ESC[?7l) while a bar is drawn and back on in
 * `stop()`. A process that ends any other way (a signal, `process.exit`, an uncaught error) would
 * leave the user's shell not wrapping long lines. Every drawn bar is registered here until it
 * stops, and `restoreTerminals()` (hooked to the process's `exit` by the binaries) turns wrap
 * back on for any still drawn.
 */
const drawnOn = new Set<CliOutput>();
export const LINE_WRAP_ON = "\x1b[?7h";

export function barDrawn(stream: CliOutput): void {
  drawnOn.add(stream);
}

export function barStopped(stream: CliOutput): void {
  drawnOn.delete(stream);
}

export function restoreTerminals(): void {
  for (const stream of drawnOn) stream.write(`${LINE_WRAP_ON}\n`);
  drawnOn.clear();
}

export function formatProgressLine(runId: string, p: RunProgress): string {
  return (
    sanitize(
      `run ${runId}: ${p.status} ${p.typesDone}/${p.typesTotal} policy types, ${formatDuration(p.elapsedMs)} elapsed`,
    ) + "\n"
  );
}

/**
 * A live bar on a terminal; elsewhere (CI logs, pipes, tests) one line per change, because a
 * redrawn bar in a log file is noise. Progress goes to stderr so stdout stays the result.
 */
export function createProgressView(stream: CliOutput, runId: string): ProgressView {
  return stream.isTTY ? new BarView(stream, runId) : new LineView(stream, runId);
}

class LineView implements ProgressView {
  private last = "";

  constructor(
    private readonly stream: CliOutput,
    private readonly runId: string,
  ) {}

  update(p: RunProgress): void {
    const key = `${p.status} ${p.typesDone}/${p.typesTotal}`;
    if (key === this.last) return;
    this.last = key;
    this.stream.write(formatProgressLine(this.runId, p));
  }

  stop(): void {}
}

class BarView implements ProgressView {
  private readonly bar: SingleBar;
  private started = false;

  constructor(
    private readonly stream: CliOutput,
    runId: string,
  ) {
    this.bar = new SingleBar(
      {
        // cli-progress draws to any TTY stream; only a real terminal reaches this view.
        stream: stream as unknown as NodeJS.WritableStream,
        format: `run ${sanitize(runId).slice(0, 36)} {status} [{bar}] {value}/{total} types | {duration_formatted}`,
        barsize: 30,
        // The bar's own timer keeps the elapsed time live between polls.
        fps: 4,
        hideCursor: false,
        clearOnComplete: false,
        stopOnComplete: false,
      },
      Presets.shades_classic,
    );
  }

  update(p: RunProgress): void {
    if (!this.started) {
      barDrawn(this.stream);
      this.bar.start(p.typesTotal, p.typesDone, { status: p.status.padEnd(7) });
      this.started = true;
      return;
    }
    this.bar.setTotal(p.typesTotal);
    this.bar.update(p.typesDone, { status: p.status.padEnd(7) });
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.bar.stop();
    barStopped(this.stream);
  }
}

export interface PollOptions {
  /** Should reject (or at least return) once `signal` aborts; the loop checks it after every wait. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  /** The CLI never polls more often than this, whatever Retry-After says (1 s). */
  minIntervalMs: number;
  /** A huge Retry-After must not make the CLI look hung. */
  maxIntervalMs: number;
  /** Consecutive network / 5xx failures tolerated while polling; the run goes on regardless. */
  maxTransientFailures: number;
}

export const DEFAULT_POLL_OPTIONS: Omit<PollOptions, "sleep" | "now"> = {
  minIntervalMs: 1_000,
  maxIntervalMs: 30_000,
  maxTransientFailures: 3,
};

export function pollDelayMs(
  retryAfterSeconds: number | null,
  options: Pick<PollOptions, "minIntervalMs" | "maxIntervalMs">,
): number {
  const wanted = retryAfterSeconds === null ? options.minIntervalMs : retryAfterSeconds * 1_000;
  return Math.min(options.maxIntervalMs, Math.max(options.minIntervalMs, wanted));
}

/**
 * Polls `GET …/runs/{id}` until it answers 200 (success, partial, failed or skipped), waiting
 * Retry-After between polls within [minIntervalMs, maxIntervalMs]. `signal` stops the watching
 * (never the run): the pending wait or request is abandoned and the signal's reason thrown.
 */
export async function waitForRun(
  client: Pick<ApiClient, "getRun">,
  tenantId: string,
  runId: string,
  firstRetryAfterSeconds: number | null,
  view: ProgressView,
  options: PollOptions,
  signal?: AbortSignal,
  startedAt: number = options.now(),
): Promise<Run> {
  const started = startedAt;
  let delay = pollDelayMs(firstRetryAfterSeconds, options);
  let failures = 0;
  for (;;) {
    await options.sleep(delay, signal);
    signal?.throwIfAborted();
    let poll;
    try {
      poll = await client.getRun(tenantId, runId, options.now(), signal);
      failures = 0;
    } catch (error) {
      signal?.throwIfAborted();
      if (error instanceof ApiError && error.transient && failures < options.maxTransientFailures) {
        failures += 1;
        delay = Math.min(options.maxIntervalMs, options.minIntervalMs * 2 ** failures);
        continue;
      }
      throw error;
    }
    view.update(progressOf(poll.run, options.now() - started));
    if (poll.finished || isTerminalStatus(poll.run.status)) return poll.run;
    delay = pollDelayMs(poll.retryAfterSeconds, options);
  }
}

/**
 * Progress of several runs at once: one live bar per run on a terminal (cli-progress), one line
 * per change elsewhere (logs, pipes, tests). "Done" counts the policy types that have an outcome,
 * out of the run's scope — the same rule as `progressOf`. The demo draws its runs with it.
 */
export interface MultiRunProgress {
  update(label: string, run: Pick<Run, "status" | "selection" | "policyTypes">, elapsedMs: number): void;
  stop(): void;
}

export function progressLine(label: string, p: RunProgress): string {
  return sanitize(`  ${label}: ${p.status} ${p.typesDone}/${p.typesTotal} policy types, ${formatDuration(p.elapsedMs)}`) + "\n";
}

export function createMultiRunProgress(stream: CliOutput): MultiRunProgress {
  if (!stream.isTTY) {
    const last = new Map<string, string>();
    return {
      update(label, run, elapsedMs) {
        const p = progressOf(run, elapsedMs);
        const key = `${p.status} ${p.typesDone}/${p.typesTotal}`;
        if (last.get(label) === key) return;
        last.set(label, key);
        stream.write(progressLine(label, p));
      },
      stop() {},
    };
  }
  const multi = new MultiBar(
    {
      stream: stream as unknown as NodeJS.WritableStream,
      format: "  {label} {status} [{bar}] {value}/{total} types | {elapsed}",
      barsize: 30,
      hideCursor: false,
      clearOnComplete: false,
      stopOnComplete: false,
      fps: 10,
    },
    Presets.shades_classic,
  );
  const bars = new Map<string, SingleBar>();
  const width = 16;
  return {
    update(label, run, elapsedMs) {
      const p = progressOf(run, elapsedMs);
      const payload = { label: sanitize(label).padEnd(width).slice(0, width), status: p.status.padEnd(8), elapsed: formatDuration(p.elapsedMs) };
      const bar = bars.get(label);
      if (!bar) {
        barDrawn(stream);
        bars.set(label, multi.create(p.typesTotal, p.typesDone, payload));
        return;
      }
      bar.setTotal(p.typesTotal);
      bar.update(p.typesDone, payload);
    },
    stop() {
      multi.stop();
      barStopped(stream);
    },
  };
}
