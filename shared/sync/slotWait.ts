/**
 * Back-off between attempts to get a concurrency slot: 5 s doubling to a 60 s cap. Durable
 * timers are cheap, but each wake-up is an entity call and a history entry, so waits grow.
 */
export function slotWaitDelaySeconds(attempt: number): number {
  return Math.min(5 * 2 ** Math.min(attempt, 10), 60);
}
