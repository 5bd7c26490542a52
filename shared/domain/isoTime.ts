/** ISO-8601 instant `seconds` after `at` (a Date or an ISO string): leases and deadlines. */
export function addSecondsIso(at: Date | string, seconds: number): string {
  const base = typeof at === "string" ? Date.parse(at) : at.getTime();
  return new Date(base + seconds * 1000).toISOString();
}
