import { randomUUID } from "node:crypto";

export const CORRELATION_HEADER = "x-correlation-id";
const ACCEPTABLE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The caller's correlation id when it is 1–64 characters of `[A-Za-z0-9._-]` (safe to log and
 * to echo in a header), else a new one. Never rejects a request: a bad id is replaced, not a 400.
 */
export function correlationIdOf(headers: Readonly<Record<string, string>>, generate: () => string = randomUUID): string {
  const offered = headers[CORRELATION_HEADER];
  return offered !== undefined && ACCEPTABLE.test(offered) ? offered : generate();
}
