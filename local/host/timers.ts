import { Cron } from "croner";
import type { Settings } from "../../shared/config/settings";
import { safeMessage } from "../../shared/domain/redaction";
import type { StructuredLogger } from "../../shared/observability";
import type { LocalEngine } from "../runtime/localEngine";
import { TIMER_FUNCTIONS } from "./adminRoutes";
import type { TimerFunctionName } from "./adminRoutes";

/**
 * The timer triggers of the Azure registrations (functions/durable.ts), on the local host: the
 * nightly on SYNC_SCHEDULE and the watchdog on WATCHDOG_SCHEDULE, both six-field NCRONTAB read
 * in UTC as the Functions host does by default. Parsing and scheduling are croner's (a
 * dependency-free, maintained cron library that takes the optional seconds field NCRONTAB
 * always has); nothing here parses cron text. `protect` skips a firing while the previous one
 * still runs, as the Functions host never overlaps a timer function with itself.
 */
export interface LocalTimers {
  /** When each timer fires next (null when stopped). */
  next(): Record<TimerFunctionName, Date | null>;
  schedules: Record<TimerFunctionName, string>;
  stop(): void;
}

export function startLocalTimers(
  settings: Pick<Settings, "SYNC_SCHEDULE" | "WATCHDOG_SCHEDULE">,
  engine: Pick<LocalEngine, "startNightly" | "watchdog">,
  logger: StructuredLogger,
  onFired?: (name: TimerFunctionName, result: unknown) => void,
): LocalTimers {
  const schedules: Record<TimerFunctionName, string> = {
    nightlySyncTimer: settings.SYNC_SCHEDULE,
    syncWatchdogTimer: settings.WATCHDOG_SCHEDULE,
  };
  checkSchedule("SYNC_SCHEDULE", schedules.nightlySyncTimer);
  checkSchedule("WATCHDOG_SCHEDULE", schedules.syncWatchdogTimer);
  const jobs = Object.fromEntries(
    (Object.keys(schedules) as TimerFunctionName[]).map((name) => [
      name,
      new Cron(schedules[name], { timezone: "UTC", protect: true, name }, async () => {
        try {
          const result = await TIMER_FUNCTIONS[name](engine);
          onFired?.(name, result);
        } catch (error) {
          logger.error(`Timer function ${name} failed`, {
            error: safeMessage(error instanceof Error ? error.message : String(error)),
          });
        }
      }),
    ]),
  ) as Record<TimerFunctionName, Cron>;
  return {
    schedules,
    next: () => ({
      nightlySyncTimer: jobs.nightlySyncTimer.nextRun(),
      syncWatchdogTimer: jobs.syncWatchdogTimer.nextRun(),
    }),
    stop() {
      for (const job of Object.values(jobs)) job.stop();
    },
  };
}

/** Validates a schedule with the same parser that runs it (fails start-up with the setting's name). */
export function checkSchedule(name: string, pattern: string): void {
  try {
    new Cron(pattern, { timezone: "UTC", paused: true }).stop();
  } catch (error) {
    throw new Error(
      `${name}: not a valid NCRONTAB expression (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
