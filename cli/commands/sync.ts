import type { SelectionInput } from "../../shared/domain/selection";
import { normaliseSelection } from "../../shared/domain/selection";
import { ExitCode } from "../exitCodes";
import { sanitize } from "../format";
import type { CommandContext } from "./context";
import { printJson } from "./context";
import { followRun, watchCommand } from "./follow";

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
      ctx.stderr.write(`Follow it with: ${watchCommand(accepted.tenantId, accepted.runId)}\n`);
    }
    return ExitCode.ok;
  }

  return followRun(ctx, {
    tenantId: accepted.tenantId,
    runId: accepted.runId,
    // Until the first poll, the scope comes from our own selection through the same domain rule.
    initial: { status: accepted.status, selection: normaliseSelection(command.selection), policyTypes: [] },
    retryAfterSeconds,
    json: command.json,
  });
}
