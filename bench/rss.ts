/** Samples the whole process's resident set size on an interval and keeps the peak. */
export interface RssSampler {
  /** Highest RSS seen so far, in MiB (one decimal). */
  peakMiB(): number;
  stop(): number;
}

export function startRssSampler(intervalMs = 25, read: () => number = () => process.memoryUsage.rss()): RssSampler {
  let peak = read();
  const sample = () => {
    const rss = read();
    if (rss > peak) peak = rss;
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  const peakMiB = () => Math.round((peak / 1024 / 1024) * 10) / 10;
  return {
    peakMiB,
    stop() {
      sample();
      clearInterval(timer);
      return peakMiB();
    },
  };
}
