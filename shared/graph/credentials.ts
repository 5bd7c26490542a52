import {
  AuthenticationError,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  CredentialUnavailableError,
  ManagedIdentityCredential,
} from "@azure/identity";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { isLoopbackUrl } from "../config/settings";
import type { Settings } from "../config/settings";
import { CodedError, safeMessage } from "../domain";
import type { RunErrorCode } from "../domain";
import { SimulatorCredential } from "./simulatorToken";

/**
 * One multi-tenant app registration; the credential of a customer tenant differs only by the
 * tenant id it asks Entra for. Every credential is wrapped so a failure to get a token becomes
 * a CodedError (CREDENTIAL_UNAVAILABLE or GRAPH_UNAUTHORIZED) whose message names the Entra
 * error code and never carries the secret, certificate or assertion.
 */

export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
/** The audience Entra expects of a managed identity token used as a federated client assertion. */
export const FEDERATED_ASSERTION_SCOPE = "api://AzureADTokenExchange/.default";

type CredentialSettings = Pick<
  Settings,
  | "GRAPH_AUTH_MODE"
  | "GRAPH_BASE_URL"
  | "GRAPH_CLIENT_ID"
  | "GRAPH_CLIENT_SECRET"
  | "GRAPH_CLIENT_CERTIFICATE_PATH"
  | "GRAPH_FEDERATED_CLIENT_ID"
>;

/** Entra tenant ids are GUIDs (or verified domain names); refuse anything that would bend a URL. */
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;

export interface CredentialFactoryOptions {
  /** Clock for simulator tokens. */
  now?: () => number;
  /** The assertion source in federated mode (defaults to the managed identity GRAPH_FEDERATED_CLIENT_ID). */
  managedIdentity?: TokenCredential;
}

function unavailable(message: string): CodedError<RunErrorCode> {
  return new CodedError<RunErrorCode>("CREDENTIAL_UNAVAILABLE", safeMessage(message), { retryable: false });
}

/** Throws CREDENTIAL_UNAVAILABLE when simulator mode would send its unsigned token off this machine. */
export function assertSimulatorAllowed(settings: Pick<Settings, "GRAPH_AUTH_MODE" | "GRAPH_BASE_URL">): void {
  if (settings.GRAPH_AUTH_MODE === "simulator" && !isLoopbackUrl(settings.GRAPH_BASE_URL)) {
    throw unavailable("GRAPH_AUTH_MODE=simulator is refused: GRAPH_BASE_URL is not a loopback address");
  }
}

/** Creates the credential of one customer tenant. Throws CodedError CREDENTIAL_UNAVAILABLE on bad configuration. */
export function createTenantCredential(settings: CredentialSettings, tenantId: string, opts: CredentialFactoryOptions = {}): TokenCredential {
  if (!TENANT_ID.test(tenantId)) throw unavailable("tenant id is not a valid Entra tenant id");
  const mode = settings.GRAPH_AUTH_MODE;
  if (mode === "simulator") {
    assertSimulatorAllowed(settings);
    return new SimulatorCredential(tenantId, opts.now);
  }
  const clientId = settings.GRAPH_CLIENT_ID;
  if (!clientId) throw unavailable(`GRAPH_CLIENT_ID is required when GRAPH_AUTH_MODE=${mode}`);
  let inner: TokenCredential;
  switch (mode) {
    case "clientSecret": {
      if (!settings.GRAPH_CLIENT_SECRET) throw unavailable("GRAPH_CLIENT_SECRET is required when GRAPH_AUTH_MODE=clientSecret");
      inner = new ClientSecretCredential(tenantId, clientId, settings.GRAPH_CLIENT_SECRET);
      break;
    }
    case "certificate": {
      if (!settings.GRAPH_CLIENT_CERTIFICATE_PATH) {
        throw unavailable("GRAPH_CLIENT_CERTIFICATE_PATH is required when GRAPH_AUTH_MODE=certificate");
      }
      inner = new ClientCertificateCredential(tenantId, clientId, { certificatePath: settings.GRAPH_CLIENT_CERTIFICATE_PATH });
      break;
    }
    case "federated": {
      const federatedId = settings.GRAPH_FEDERATED_CLIENT_ID;
      if (!federatedId && !opts.managedIdentity) {
        throw unavailable("GRAPH_FEDERATED_CLIENT_ID is required when GRAPH_AUTH_MODE=federated");
      }
      // Secretless: the app registration trusts the managed identity (federated credential),
      // so the managed identity's token is the client assertion for every customer tenant.
      const identity = opts.managedIdentity ?? new ManagedIdentityCredential({ clientId: federatedId as string });
      inner = new ClientAssertionCredential(tenantId, clientId, async () => {
        const token = await identity.getToken(FEDERATED_ASSERTION_SCOPE);
        if (!token) throw new CredentialUnavailableError("the managed identity returned no token for the client assertion");
        return token.token;
      });
      break;
    }
  }
  return new CodedCredential(inner, tenantId);
}

/** Turns token failures into stable codes with messages safe to persist. */
export function credentialFailure(error: unknown, tenantId: string): CodedError<RunErrorCode> {
  if (error instanceof CodedError) return error as CodedError<RunErrorCode>;
  const raw = error instanceof Error ? error.message : String(error);
  // Only Entra's error codes travel on: enough to diagnose (AADSTS7000215 = bad secret,
  // AADSTS700016 = app not in tenant, AADSTS65001 = no consent), never the request itself.
  const aadsts = [...new Set(raw.match(/AADSTS\d{4,8}/g) ?? [])].slice(0, 3).join(", ");
  if (error instanceof AuthenticationError) {
    const oauth = typeof error.errorResponse?.error === "string" ? error.errorResponse.error : "error";
    return new CodedError<RunErrorCode>(
      "GRAPH_UNAUTHORIZED",
      safeMessage(`Entra refused a token for tenant ${tenantId} (${oauth}${aadsts ? `, ${aadsts}` : ""})`),
      { status: error.statusCode, retryable: false },
    );
  }
  const kind = error instanceof CredentialUnavailableError ? "credential unavailable" : "token request failed";
  return unavailable(`No token for tenant ${tenantId}: ${kind}${aadsts ? ` (${aadsts})` : ""}`);
}

class CodedCredential implements TokenCredential {
  constructor(
    private readonly inner: TokenCredential,
    private readonly tenantId: string,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    let token: AccessToken | null;
    try {
      token = await this.inner.getToken(scopes, options);
    } catch (error) {
      throw credentialFailure(error, this.tenantId);
    }
    if (!token) throw unavailable(`No token for tenant ${this.tenantId}: the credential returned none`);
    return token;
  }
}

