import type { ProcessUsage, StandInKind, StandInProcesses } from "../local/standIns";
import { usageOfThisProcess } from "../local/standIns";

/** CPU (user + system) of one process over a window, in ms. */
export interface CpuMs {
  userMs: number;
  systemMs: number;
  totalMs: number;
}

/** Who used the CPU while a scenario ran: the sync process, and each stand-in process. */
export interface CpuSplit {
  sync: CpuMs;
  standIns: Record<StandInKind, CpuMs>;
}

export function cpuBetween(before: ProcessUsage, after: ProcessUsage): CpuMs {
  if (before.pid !== after.pid) throw new Error("CPU figures of two different processes cannot be subtracted");
  const userMs = Math.round((after.userMicros - before.userMicros) / 1000);
  const systemMs = Math.round((after.systemMicros - before.systemMicros) / 1000);
  return { userMs, systemMs, totalMs: userMs + systemMs };
}

/** CPU ms per 1,000 items: how much the sync process spends on a thousand inventory items. */
export function cpuMsPerThousandItems(cpu: CpuMs, items: number): number | null {
  return items > 0 ? Math.round((cpu.totalMs / items) * 1000) : null;
}

/**
 * Opens a CPU window over this process and the stand-ins: start- and stop-time readings of
 * process.cpuUsage() in each (the stand-ins answer over IPC), so stack start-up, seeding and the
 * checks after the run are outside it.
 */
export async function cpuWindow(standIns: StandInProcesses): Promise<{ stop(): Promise<CpuSplit> }> {
  const standInsBefore = await standIns.usage();
  const syncBefore = usageOfThisProcess();
  return {
    async stop() {
      const syncAfter = usageOfThisProcess();
      const standInsAfter = await standIns.usage();
      const kinds = Object.keys(standInsBefore) as StandInKind[];
      return {
        sync: cpuBetween(syncBefore, syncAfter),
        standIns: Object.fromEntries(kinds.map((k) => [k, cpuBetween(standInsBefore[k], standInsAfter[k])])) as Record<StandInKind, CpuMs>,
      };
    },
  };
}
