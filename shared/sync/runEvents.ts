import type { PolicyTypeKey, PolicyTypeOutcome, RunDocument } from "../domain";

/** Run transitions as the engine reports them; the observability adapter turns them into log events. */
export interface RunLogger {
  runQueued(run: RunDocument): void;
  runRunning(run: RunDocument): void;
  runFinalized(run: RunDocument): void;
  runSkipped(run: RunDocument): void;
  policyTypeCompleted(run: { tenantId: string; runId: string; selectionHash: string; correlationId: string }, outcome: PolicyTypeOutcome): void;
  graphRetry(
    run: { tenantId: string; runId: string; correlationId: string; policyType: PolicyTypeKey },
    info: { statusCode: number; attempt: number; waitMs: number },
  ): void;
}

export const silentRunLogger: RunLogger = {
  runQueued: () => undefined,
  runRunning: () => undefined,
  runFinalized: () => undefined,
  runSkipped: () => undefined,
  policyTypeCompleted: () => undefined,
  graphRetry: () => undefined,
};
