import { createHash } from "node:crypto";
import { z } from "zod";
import { CodedError, canonicalJson } from "../domain";

/**
 * Continuation tokens handed to API callers wrap the SDK's token with the tenant and a hash of
 * the route + filters it was issued for: base64url(JSON {v, t, q, c}).
 *
 * Why no HMAC: tenant isolation does not rest on the token. Every query that consumes a token
 * runs single-partition with the caller's tenant as partition key (and a tenantId filter), so a
 * forged or replayed SDK token can at worst reposition the caller inside their own partition.
 * A signature would need a secret shared by every instance, which this service does not have
 * (Cosmos may use Entra ID, with no key), and a per-process key would break paging across
 * instances. So a token is accepted only when it parses, its tenant matches and its query hash
 * matches; the SDK part is then validated by Cosmos, and a 400 from Cosmos for a token we
 * passed through is mapped to INVALID_CONTINUATION_TOKEN by the repositories.
 */
const TokenSchema = z.strictObject({
  v: z.literal(1),
  t: z.string().min(1),
  q: z.string().regex(/^[0-9a-f]{32}$/),
  c: z.string().min(1).max(16_384),
});

const MAX_TOKEN_LENGTH = 24_000;

/** Hash of what a page depends on: route name + filters (not limit, not the token itself). */
export function queryFingerprint(route: string, filters: Record<string, unknown>): string {
  return createHash("sha256").update(canonicalJson({ route, filters })).digest("hex").slice(0, 32);
}

export function encodeContinuationToken(
  tenantId: string,
  fingerprint: string,
  sdkToken: string | undefined | null,
): string | null {
  if (!sdkToken) return null;
  return Buffer.from(JSON.stringify({ v: 1, t: tenantId, q: fingerprint, c: sdkToken }), "utf8").toString(
    "base64url",
  );
}

export function invalidContinuationToken(): CodedError {
  return new CodedError(
    "INVALID_CONTINUATION_TOKEN",
    "The continuation token was not issued for this tenant and query.",
    {
      status: 400,
    },
  );
}

/**
 * Whether an SDK continuation token has the shape Cosmos DB hands out: JSON (an object, or an
 * array of per-range tokens — `{"token":"-RID:…","range":…}`, `{"compositeToken":…}` for ORDER
 * BY) or a bare `±RID:` resume token. Anything else would not be refused by every backend — the
 * Cosmos-compatible server, for one, treats an unparsable token as none and starts again at
 * page 1 — so it is refused here, before any query.
 */
export function isSdkTokenShape(token: string): boolean {
  if (/^[+-]RID:/.test(token)) return true;
  try {
    const parsed: unknown = JSON.parse(token);
    return typeof parsed === "object" && parsed !== null && Object.keys(parsed).length > 0;
  } catch {
    return false;
  }
}

/** Returns the SDK token, or throws INVALID_CONTINUATION_TOKEN; never anything else. */
export function decodeContinuationToken(
  tenantId: string,
  fingerprint: string,
  token: string | undefined,
): string | undefined {
  if (token === undefined || token === "") return undefined;
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalidContinuationToken();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalidContinuationToken();
  }
  const result = TokenSchema.safeParse(parsed);
  if (!result.success || result.data.t !== tenantId || result.data.q !== fingerprint || !isSdkTokenShape(result.data.c))
    throw invalidContinuationToken();
  return result.data.c;
}
