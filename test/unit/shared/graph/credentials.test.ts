import { AuthenticationError, CredentialUnavailableError } from "@azure/identity";
import type { TokenCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { CodedError } from "../../../../shared/domain";
import { assertSimulatorAllowed, createTenantCredential, credentialFailure } from "../../../../shared/graph/credentials";
import { createSimulatorToken, readSimulatorToken } from "../../../../shared/graph/simulatorToken";

const TENANT = "7b0c3a8e-5a0e-4f3c-9f0a-1f2e3d4c5b6a";
const base = {
  GRAPH_CLIENT_ID: undefined,
  GRAPH_CLIENT_SECRET: undefined,
  GRAPH_CLIENT_CERTIFICATE_PATH: undefined,
  GRAPH_FEDERATED_CLIENT_ID: undefined,
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof CodedError ? error.code : "not coded";
  }
  return undefined;
}

describe("simulator-mode credentials", () => {
  it.each(["https://graph.microsoft.com", "http://10.0.0.5:7072", "http://127.example.com", "http://localhost.evil.test"])(
    "are refused when GRAPH_BASE_URL is %s (not loopback)",
    (url) => {
      const settings = { ...base, GRAPH_AUTH_MODE: "simulator" as const, GRAPH_BASE_URL: url };
      expect(codeOf(() => assertSimulatorAllowed(settings))).toBe("CREDENTIAL_UNAVAILABLE");
      expect(codeOf(() => createTenantCredential(settings, TENANT))).toBe("CREDENTIAL_UNAVAILABLE");
    },
  );

  it.each(["http://127.0.0.1:7072", "http://localhost:1234", "http://[::1]:8080"])("are allowed on loopback %s", (url) => {
    expect(codeOf(() => createTenantCredential({ ...base, GRAPH_AUTH_MODE: "simulator", GRAPH_BASE_URL: url }, TENANT))).toBeUndefined();
  });

  it("mint an unsigned JWT whose tid is the tenant, which the simulator reads back", async () => {
    const credential = createTenantCredential({ ...base, GRAPH_AUTH_MODE: "simulator", GRAPH_BASE_URL: "http://127.0.0.1:1" }, TENANT);
    const token = await credential.getToken("https://graph.microsoft.com/.default");
    const [header, payload, signature] = token!.token.split(".");
    expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toEqual({ alg: "none", typ: "JWT" });
    expect(JSON.parse(Buffer.from(payload!, "base64url").toString())).toMatchObject({
      tid: TENANT,
      aud: "https://graph.microsoft.com",
      appid: "simulator",
    });
    expect(signature).toBe("");
    expect(readSimulatorToken(`Bearer ${token!.token}`, Date.now())?.tid).toBe(TENANT);
  });

  it("a simulator token is rejected once expired or when altered", () => {
    const { token } = createSimulatorToken(TENANT, Date.parse("2025-01-01T00:00:00Z"));
    expect(readSimulatorToken(`Bearer ${token}`, Date.parse("2025-01-01T02:00:00Z"))).toBeNull();
    expect(readSimulatorToken(`Bearer ${token}x`, Date.parse("2025-01-01T00:10:00Z"))).toBeNull();
    expect(readSimulatorToken(undefined, Date.now())).toBeNull();
  });
});

describe("credential failures", () => {
  const secret = "Q~super.secret~value";

  it("an Entra refusal becomes GRAPH_UNAUTHORIZED naming the AADSTS code, never the secret", () => {
    const error = credentialFailure(
      new AuthenticationError(401, {
        error: "invalid_client",
        error_description: `AADSTS7000215: Invalid client secret provided. client_secret=${secret} Trace ID: x`,
      }),
      TENANT,
    );
    expect(error.code).toBe("GRAPH_UNAUTHORIZED");
    expect(error.message).toContain("AADSTS7000215");
    expect(error.message).not.toContain(secret);
  });

  it("an unavailable credential becomes CREDENTIAL_UNAVAILABLE", () => {
    expect(credentialFailure(new CredentialUnavailableError(`no managed identity; secret=${secret}`), TENANT).code).toBe("CREDENTIAL_UNAVAILABLE");
    expect(credentialFailure(new Error(`ECONNREFUSED ${secret}`), TENANT).message).not.toContain(secret);
  });

  it("refuses a mode whose setting is missing, and a tenant id that could bend a URL", () => {
    const url = "https://graph.microsoft.com";
    expect(codeOf(() => createTenantCredential({ ...base, GRAPH_AUTH_MODE: "clientSecret", GRAPH_BASE_URL: url, GRAPH_CLIENT_ID: "app" }, TENANT))).toBe(
      "CREDENTIAL_UNAVAILABLE",
    );
    expect(codeOf(() => createTenantCredential({ ...base, GRAPH_AUTH_MODE: "federated", GRAPH_BASE_URL: url, GRAPH_CLIENT_ID: "app" }, TENANT))).toBe(
      "CREDENTIAL_UNAVAILABLE",
    );
    const ok = { ...base, GRAPH_AUTH_MODE: "clientSecret" as const, GRAPH_BASE_URL: url, GRAPH_CLIENT_ID: "app", GRAPH_CLIENT_SECRET: secret };
    expect(codeOf(() => createTenantCredential(ok, "../common"))).toBe("CREDENTIAL_UNAVAILABLE");
    expect(codeOf(() => createTenantCredential(ok, TENANT))).toBeUndefined();
  });

  it("builds the secretless federated credential from a managed identity without touching the network", () => {
    const identity: TokenCredential = { getToken: async () => ({ token: "mi-token", expiresOnTimestamp: Date.now() + 60_000 }) };
    const settings = { ...base, GRAPH_AUTH_MODE: "federated" as const, GRAPH_BASE_URL: "https://graph.microsoft.com", GRAPH_CLIENT_ID: "app" };
    expect(codeOf(() => createTenantCredential(settings, TENANT, { managedIdentity: identity }))).toBeUndefined();
  });
});
