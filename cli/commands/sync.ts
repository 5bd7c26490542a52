import type { SelectionInput } from "../../shared/domain/selection";
import { normaliseSelection } from "../../shared/domain/selection";
import { ExitCode, exitCodeForRunStatus } from "../exitCodes";
import { formatRunReport, sanitize } from "../format";
import { createProgressView, progressOf, waitForRun } from "../progress";
import type { CommandContext } from "./context";
import { printJson } from "./context";

export async function sync(
  ctx: CommandContext,
  command: {
    tenantId: string;
    selection: SelectionInput;
    waitForSlotSeconds?: number;
    wait: boolean;
    json: boolean;
  },
): Promise<ExitCode> {
  const body = {
    ...command.selection,
    ...(command.waitForSlotSeconds === undefined ? {} : { waitForSlotSeconds: command.waitForSlotSeconds }),
  };
  const { accepted, retryAfterSeconds } = await ctx.client.startSync(command.tenantId, body, ctx.poll.now());

  if (!command.wait) {
    if (command.json) printJson(ctx.stdout, accepted);
    else {
      ctx.stdout.write(
        sanitize(`Queued run ${accepted.runId} (selection ${accepted.selectionHash.slice(0, 12)}).`) + "\n",
      );
      ctx.stderr.write(
        `Follow it with: tenant-inventory runs ${accepted.tenantId} --limit 5, or sync again with --wait.\n`,
      );
    }
    return ExitCode.ok;
  }

  const view = createProgressView(ctx.stderr, accepted.runId);
  let run;
  try {
    // Until the first poll, the scope comes from our own selection through the same domain rule.
    const selection = normaliseSelection(command.selection);
    view.update(progressOf({ status: accepted.status, selection, policyTypes: [] }, 0));
    run = await waitForRun(ctx.client, accepted.tenantId, accepted.runId, retryAfterSeconds, view, ctx.poll);
  } finally {
    view.stop();
  }

  if (command.json) printJson(ctx.stdout, run);
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
