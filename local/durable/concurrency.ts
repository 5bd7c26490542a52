/** Small concurrency primitives the driver composes; none of them knows about Durable. */

/** FIFO-fair counting semaphore. */
export class Semaphore {
  private available: number;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Semaphore capacity must be a positive integer, got ${capacity}`);
    }
    this.available = capacity;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.available > 0) {
      this.available--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.available++;
  }
}

/**
 * Counts work in flight so callers can wait until nothing is left. `idle` settles on the next
 * macrotask after the count reaches zero, so work that is chained in a promise continuation
 * (an activity result that schedules an episode) is counted before idleness is declared.
 */
export class InFlightTracker {
  private count = 0;
  private waiters: Array<() => void> = [];

  get inFlight(): number {
    return this.count;
  }

  begin(): () => void {
    this.count++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.count--;
      if (this.count === 0) this.notifyLater();
    };
  }

  async track<T>(work: Promise<T>): Promise<T> {
    const end = this.begin();
    try {
      return await work;
    } finally {
      end();
    }
  }

  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      if (this.count === 0) this.notifyLater();
    });
  }

  private notifyLater(): void {
    setImmediate(() => {
      if (this.count !== 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      waiters.forEach((w) => w());
    });
  }
}

/** Runs queued jobs one at a time, in arrival order. */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.tail.then(job, job);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
