import { describe, expect, it } from "vitest";
import { fullJitterDelay, parseRetryAfter, retryDelay } from "../../../../shared/graph/retryPolicy";

const NOW = Date.parse("2025-03-01T12:00:00Z");

describe("Retry-After", () => {
  it("reads whole and fractional seconds as milliseconds", () => {
    expect(parseRetryAfter("3", NOW)).toBe(3_000);
    expect(parseRetryAfter("2.128", NOW)).toBe(2_128);
    expect(parseRetryAfter(" 0 ", NOW)).toBe(0);
  });

  it("reads an HTTP date as the time left until then, never negative", () => {
    expect(parseRetryAfter("Sat, 01 Mar 2025 12:00:07 GMT", NOW)).toBe(7_000);
    expect(parseRetryAfter("Sat, 01 Mar 2025 11:59:00 GMT", NOW)).toBe(0);
  });

  it("ignores an absent or unreadable header so back-off takes over", () => {
    expect(parseRetryAfter(null, NOW)).toBeNull();
    expect(parseRetryAfter("", NOW)).toBeNull();
    expect(parseRetryAfter("-5", NOW)).toBeNull();
    expect(parseRetryAfter("soon", NOW)).toBeNull();
    expect(parseRetryAfter("12/03", NOW)).toBeNull();
  });
});

describe("full-jitter back-off", () => {
  const opts = { baseMs: 100, capMs: 1_000 };

  it("waits a uniform share of an exponentially growing ceiling", () => {
    expect(fullJitterDelay(1, () => 0.5, opts)).toBe(50);
    expect(fullJitterDelay(2, () => 0.5, opts)).toBe(100);
    expect(fullJitterDelay(3, () => 0.5, opts)).toBe(200);
    expect(fullJitterDelay(3, () => 0, opts)).toBe(0);
    expect(fullJitterDelay(3, () => 0.999, opts)).toBe(399);
  });

  it("never exceeds the cap however many attempts", () => {
    expect(fullJitterDelay(40, () => 0.999_999, opts)).toBeLessThan(1_000);
  });

  it("prefers Retry-After over back-off, capped", () => {
    expect(retryDelay(1, "1", NOW, () => 0.5, opts)).toBe(1_000);
    expect(retryDelay(1, "120", NOW, () => 0.5, opts)).toBe(1_000);
    expect(retryDelay(2, null, NOW, () => 0.5, opts)).toBe(100);
  });
});
