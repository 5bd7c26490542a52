import type { RunStatus } from "../shared/domain/run";

/**
 * Exit codes are part of the CLI's contract: scripts and pipelines branch on them.
 * 0 success (also a partial run, which warns), 1 failed run or any other error,
 * 2 usage or validation error, 3 conflict (lock held, tenant disabled, run skipped),
 * 4 not found (an unregistered tenant included), 130 / 143 stopped watching a run by SIGINT /
 * SIGTERM (128 + the signal number, as shells report it; the run itself goes on).
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  conflict: 3,
  notFound: 4,
  interrupted: 130,
  terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad input caught by the CLI before any request: printed as `error: …`, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** How an HTTP status maps to an exit code: the API's 4xx classes, everything else 1. */
export function exitCodeForStatus(status: number | undefined): ExitCode {
  if (status === 400 || status === 413 || status === 415) return ExitCode.usage;
  if (status === 409) return ExitCode.conflict;
  if (status === 404) return ExitCode.notFound;
  return ExitCode.failed;
}

/** A waited run's final status as an exit code. Skipped never ran (lock, limit, disabled): a conflict. */
export function exitCodeForRunStatus(status: RunStatus): ExitCode {
  switch (status) {
    case "success":
    case "partial":
      return ExitCode.ok;
    case "failed":
      return ExitCode.failed;
    case "skipped":
      return ExitCode.conflict;
    case "queued":
    case "running":
      return ExitCode.failed;
  }
}
