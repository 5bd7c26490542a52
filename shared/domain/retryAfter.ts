/**
 * Reads a Retry-After header as a delay in ms. Graph sends seconds, sometimes fractional
 * ("Retry-After: 2.128" in Microsoft's throttling guidance); RFC 9110 also allows an HTTP date.
 * Returns null when absent or unreadable, so the caller falls back to back-off (Intune
 * endpoints are known to omit the header on 429).
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | null {
  if (header === null || header === undefined) return null;
  const text = header.trim();
  if (text === "") return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Only accept something that looks like a date, not any string Date.parse tolerates.
  if (!/[A-Za-z]{3}/.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}
