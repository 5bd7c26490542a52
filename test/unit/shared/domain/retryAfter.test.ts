import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../../../shared/domain/retryAfter";

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
