import { MultiBar, Presets } from "cli-progress";
import type { SingleBar } from "cli-progress";
import type { Run } from "../../shared/domain";
import { formatDuration, sanitize } from "../cli/format";
import type { CliOutput } from "../cli/io";
import { barDrawn, barStopped, progressOf } from "../cli/progress";
import type { RunProgress } from "../cli/progress";

/**
 * Progress of several runs at once: one live bar per run on a terminal (cli-progress), one line
 * per change elsewhere (logs, pipes, tests). "Done" counts the policy types that have an outcome,
 * out of the run's scope — the CLI's own rule (local/cli/progress.ts).
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
