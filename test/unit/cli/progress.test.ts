import { describe, expect, it } from "vitest";
import type { Run } from "../../../shared/domain/run";
import { ApiError } from "../../../cli/apiClient";
import type { RunPoll } from "../../../cli/apiClient";
import { createProgressView, pollDelayMs, progressOf, waitForRun } from "../../../cli/progress";
import type { ProgressView } from "../../../cli/progress";

const selection = { policyTypes: [], categories: ["scripts" as const], includeFoundations: false };
const outcome = {
  policyType: "deviceShellScript" as const,
  status: "success" as const,
  itemsObserved: 1,
  itemsUpserted: 1,
  pages: 1,
  errorCode: null,
  durationMs: 5,
};

const silent: ProgressView = { update: () => undefined, stop: () => undefined };
const pacing = {
  minIntervalMs: 1_000,
  maxIntervalMs: 30_000,
  maxTransientFailures: 2,
  sleep: async () => undefined,
  now: () => 0,
};

describe("CLI run progress", () => {
  it("counts finished policy types against the scope of the run's own selection", () => {
    // "scripts" is five catalog types; the domain's scope rule decides, not the CLI.
    expect(progressOf({ status: "running", selection, policyTypes: [outcome] }, 2_000)).toEqual({
      status: "running",
      typesDone: 1,
      typesTotal: 5,
      elapsedMs: 2_000,
    });
    const everything = { policyTypes: [], categories: [], includeFoundations: false };
    expect(progressOf({ status: "queued", selection: everything, policyTypes: [] }, 0).typesTotal).toBe(38);
  });

  it("waits Retry-After between polls, never less than 1 s nor more than 30 s", () => {
    expect(pollDelayMs(null, pacing)).toBe(1_000);
    expect(pollDelayMs(0, pacing)).toBe(1_000);
    expect(pollDelayMs(5, pacing)).toBe(5_000);
    expect(pollDelayMs(3_600, pacing)).toBe(30_000);
  });

  it("without a terminal, writes one line per change of status or types done", () => {
    let err = "";
    const view = createProgressView({ write: (s: string) => (err += s) }, "run-1");
    view.update({ status: "queued", typesDone: 0, typesTotal: 4, elapsedMs: 0 });
    view.update({ status: "queued", typesDone: 0, typesTotal: 4, elapsedMs: 1_000 });
    view.update({ status: "running", typesDone: 2, typesTotal: 4, elapsedMs: 2_500 });
    view.stop();
    expect(err).toBe(
      "run run-1: queued 0/4 policy types, 0ms elapsed\nrun run-1: running 2/4 policy types, 2.5s elapsed\n",
    );
  });

  it("on a terminal, draws a live bar and stops cleanly", () => {
    let drawn = "";
    const tty = {
      isTTY: true,
      columns: 120,
      write: (s: string) => ((drawn += s), true),
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    };
    const view = createProgressView(tty, "run-1");
    view.update({ status: "running", typesDone: 1, typesTotal: 4, elapsedMs: 0 });
    view.update({ status: "running", typesDone: 3, typesTotal: 4, elapsedMs: 0 });
    view.stop();
    expect(drawn).toContain("run run-1 running");
    expect(drawn).toContain("3/4 types");
  });

  it("gives up after too many consecutive transient failures, with growing back-off", async () => {
    const sleeps: number[] = [];
    let polls = 0;
    const client = {
      getRun: async (): Promise<RunPoll> => {
        polls += 1;
        throw new ApiError("HTTP_ERROR", "503", { status: 503 });
      },
    };
    const error = await waitForRun(client, "t", "r", 1, silent, {
      ...pacing,
      sleep: async (ms) => void sleeps.push(ms),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(polls).toBe(3);
    expect(sleeps).toEqual([1_000, 2_000, 4_000]);
  });

  it("does not retry an error that retrying cannot fix (404)", async () => {
    let polls = 0;
    const client = {
      getRun: async (): Promise<RunPoll> => {
        polls += 1;
        throw new ApiError("RUN_NOT_FOUND", "gone", { status: 404 });
      },
    };
    await expect(waitForRun(client, "t", "r", null, silent, pacing)).rejects.toMatchObject({
      code: "RUN_NOT_FOUND",
    });
    expect(polls).toBe(1);
  });

  it("stops at a terminal status even if it came with 202", async () => {
    const done = { status: "failed", selection, policyTypes: [] } as unknown as Run;
    const client = {
      getRun: async (): Promise<RunPoll> => ({ run: done, finished: false, retryAfterSeconds: 5 }),
    };
    await expect(waitForRun(client, "t", "r", null, silent, pacing)).resolves.toBe(done);
  });
});
