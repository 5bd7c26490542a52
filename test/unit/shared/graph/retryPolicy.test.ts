import { describe, expect, it } from "vitest";
import { fullJitterDelay, retryDelay } from "../../../../shared/graph/retryPolicy";

const NOW = Date.parse("2025-03-01T12:00:00Z");

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
