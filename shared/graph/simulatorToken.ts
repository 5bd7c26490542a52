import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";

/**
 * The token of GRAPH_AUTH_MODE=simulator: an unsigned JWT (`alg: none`) whose `tid` claim is
 * the tenant id, so a local Graph simulator tells tenants apart from the token exactly as real
 * Graph does. It proves nothing, which is why it is only ever sent to a loopback address.
 */
export const SIMULATOR_AUDIENCE = "https://graph.microsoft.com";
const TOKEN_LIFETIME_S = 3_600;

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

export function createSimulatorToken(tenantId: string, nowMs: number): { token: string; expiresOnTimestamp: number } {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + TOKEN_LIFETIME_S;
  const token = `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ tid: tenantId, aud: SIMULATOR_AUDIENCE, iat, exp, appid: "simulator" })}.`;
  return { token, expiresOnTimestamp: exp * 1000 };
}

export interface SimulatorClaims {
  tid: string;
  exp: number;
}

/** Reads `Authorization: Bearer <unsigned jwt>`; null for anything that is not such a token. */
export function readSimulatorToken(authorization: string | undefined | null, nowMs: number): SimulatorClaims | null {
  const match = /^Bearer\s+([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.$/.exec(authorization ?? "");
  if (!match) return null;
  try {
    const header = JSON.parse(Buffer.from(match[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
    const claims = JSON.parse(Buffer.from(match[2] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
    if (header.alg !== "none" || typeof claims.tid !== "string" || claims.tid === "") return null;
    if (claims.aud !== SIMULATOR_AUDIENCE || typeof claims.exp !== "number") return null;
    if (claims.exp * 1000 <= nowMs) return null;
    return { tid: claims.tid, exp: claims.exp };
  } catch {
    return null;
  }
}

/** A TokenCredential that mints simulator tokens for one tenant. */
export class SimulatorCredential implements TokenCredential {
  constructor(
    private readonly tenantId: string,
    private readonly now: () => number = Date.now,
  ) {}

  async getToken(_scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    return createSimulatorToken(this.tenantId, this.now());
  }
}
