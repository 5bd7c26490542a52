/**
 * Time as the driver sees it. Durable timers, retry back-off and `currentUtcDateTime` all read
 * this clock, so a scaled clock makes a one-minute durable timer take well under a second.
 * `sleep` takes virtual milliseconds; the optional signal lets the driver disarm timers on close.
 */
export interface Clock {
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export const realClock: Clock = {
  now: () => new Date(),
  sleep: realSleep,
};

/** Virtual time runs `1 / timeScale` times faster than real time, starting at `start`. */
export function scaledClock(timeScale: number, start: Date = new Date()): Clock {
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
    throw new RangeError(`timeScale must be a positive finite number, got ${timeScale}`);
  }
  const realStart = Date.now();
  const virtualStart = start.getTime();
  return {
    now: () => new Date(virtualStart + (Date.now() - realStart) / timeScale),
    sleep: (ms, signal) => realSleep(ms * timeScale, signal),
  };
}

export function createClock(options: { clock?: Clock; timeScale?: number }): Clock {
  if (options.clock && options.timeScale !== undefined) {
    throw new Error("Pass either clock or timeScale, not both");
  }
  if (options.clock) return options.clock;
  if (options.timeScale !== undefined && options.timeScale !== 1) return scaledClock(options.timeScale);
  return realClock;
}
