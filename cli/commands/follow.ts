import type { Run } from "../../shared/domain/run";
import { ExitCode, exitCodeForRunStatus } from "../exitCodes";
import { formatRunReport, sanitize } from "../format";
import type { InterruptSignal } from "../io";
import { createProgressView, progressOf, waitForRun } from "../progress";
import type { CommandContext } from "./context";
import { printJson } from "./context";

/** The command that re-attaches to a run: printed whenever the CLI lets go of one. */
export const watchCommand = (tenantId: string, runId: string): string =>
  sanitize(`tenant-inventory runs watch ${tenantId} ${runId}`);

/**
 * Follows a run with live progress until it finishes, then reports it. Ctrl-C or SIGTERM stops
 * the watching only: the progress bar is stopped (which gives the terminal its line wrap back),
 * the user is told the run goes on and how to follow it again, and the exit code is 128 + the
 * signal number, as a shell reports a command ended by it.
 */
export async function followRun(
  ctx: CommandContext,
  follow: {
    tenantId: string;
    runId: string;
    initial: Pick<Run, "status" | "selection" | "policyTypes">;
    retryAfterSeconds: number | null;
    startedAt?: number;
    json: boolean;
  },
): Promise<ExitCode> {
  const controller = new AbortController();
  let interrupted: InterruptSignal | null = null;
  const unsubscribe = ctx.interrupts((signal) => {
    interrupted ??= signal;
    controller.abort(new Error(`interrupted by ${signal}`));
  });
  const view = createProgressView(ctx.stderr, follow.runId);
  const startedAt = follow.startedAt ?? ctx.poll.now();
  let run: Run;
  try {
    view.update(progressOf(follow.initial, ctx.poll.now() - startedAt));
    run = await waitForRun(
      ctx.client,
      follow.tenantId,
      follow.runId,
      follow.retryAfterSeconds,
      view,
      ctx.poll,
      controller.signal,
      startedAt,
    );
  } catch (error) {
    if (interrupted === null) throw error;
    view.stop();
    ctx.stderr.write(
      `\n${interrupted}: stopped watching. Run ${sanitize(follow.runId)} goes on in the service; nothing was cancelled.\n` +
        `Follow it again with: ${watchCommand(follow.tenantId, follow.runId)}\n`,
    );
    return interrupted === "SIGINT" ? ExitCode.interrupted : ExitCode.terminated;
  } finally {
    view.stop();
    unsubscribe();
  }
  return reportFinishedRun(ctx, run, follow.json);
}

/** The finished run's report (or JSON), a warning or error line for anything but success, and its exit code. */
export function reportFinishedRun(ctx: CommandContext, run: Run, json: boolean): ExitCode {
  if (json) printJson(ctx.stdout, run);
  else ctx.stdout.write(formatRunReport(run));

  const failedTypes = run.policyTypes.filter((p) => p.status === "failed").map((p) => p.policyType);
  switch (run.status) {
    case "partial":
      ctx.stderr.write(
        sanitize(
          `warning: run ${run.id} is partial: ${failedTypes.length} of ${run.policyTypes.length} policy types failed (${run.errorCodes.join(", ")}); ` +
            `items of ${failedTypes.join(", ")} were not refreshed.`,
        ) + "\n",
      );
      break;
    case "failed":
      ctx.stderr.write(
        sanitize(`error: run ${run.id} failed (${run.errorCodes.join(", ") || "no error code"}).`) + "\n",
      );
      break;
    case "skipped":
      ctx.stderr.write(
        sanitize(
          `error: run ${run.id} was skipped (${run.errorCodes.join(", ") || "no error code"}): it never started.`,
        ) + "\n",
      );
      break;
    default:
      break;
  }
  return exitCodeForRunStatus(run.status);
}
