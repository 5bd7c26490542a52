import { describe, expect, it } from "vitest";
import { redactDeep, redactSecrets, safeMessage } from "../../../../shared/domain";

const JWT =
  "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsIng1dCI6IkFCQyJ9.eyJhdWQiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20iLCJpc3MiOiJhcHAifQ.Zm9vYmFyLXNpZ25hdHVyZS1iYXNlNjR1cmwtXy0";
const SECRET = "Qx8Q~a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuVwXyZ";
const COSMOS_KEY = `${"A1b2C3d4E5f6G7h8".repeat(5)}abcdef`.slice(0, 86) + "==";

const entraBody = JSON.stringify({
  error: "invalid_client",
  error_description:
    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID. Trace ID: 7d1e4b8a-1c2d-4e5f-9a0b-3c4d5e6f7a8b Correlation ID: 0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f Timestamp: 2025-01-01 00:00:00Z",
  error_codes: [7000215],
  trace_id: "7d1e4b8a-1c2d-4e5f-9a0b-3c4d5e6f7a8b",
  correlation_id: "0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f",
  error_uri: "https://login.microsoftonline.com/error?code=7000215",
});
const tokenRequest =
  "POST /tenant/oauth2/v2.0/token client_id=11111111-2222-3333-4444-555555555555&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default" +
  `&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=${JWT}` +
  `&client_secret=${encodeURIComponent(SECRET)}&grant_type=client_credentials`;
const graphBody = JSON.stringify({
  error: {
    code: "Forbidden",
    message:
      "Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementConfiguration.Read.All",
    innerError: {
      date: "2025-01-01T00:00:00",
      "request-id": "a1b2c3d4-0000-1111-2222-333344445555",
      "client-request-id": "b2c3d4e5-0000-1111-2222-333344445555",
    },
  },
});

describe("redactSecrets", () => {
  it("removes the client assertion and client secret from an Entra token request echo, keeping the diagnostics", () => {
    const out = redactSecrets(`${tokenRequest} -> ${entraBody}`);
    expect(out).not.toContain(JWT);
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain(encodeURIComponent(SECRET));
    for (const kept of [
      "AADSTS7000215",
      "7d1e4b8a-1c2d-4e5f-9a0b-3c4d5e6f7a8b",
      "0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f",
      "client_credentials",
      "11111111-2222-3333-4444-555555555555",
    ]) {
      expect(out).toContain(kept);
    }
  });

  it("leaves a Graph error body, its request ids and scope names intact", () => {
    expect(redactSecrets(graphBody)).toBe(graphBody);
  });

  it("removes bearer and basic credentials in headers, JSON and free text", () => {
    const text = `Authorization: Bearer ${JWT}; retry with Bearer EwBwA8l6BAAUabc+/def= and Basic dXNlcjpwYXNzd29yZA== {"Authorization":"Bearer opaque-token-123","accessToken":"abc","refresh_token":"r3fr3sh"}`;
    const out = redactSecrets(text);
    for (const leaked of [
      JWT,
      "EwBwA8l6BAAUabc",
      "dXNlcjpwYXNzd29yZA",
      "opaque-token-123",
      '"abc"',
      "r3fr3sh",
    ])
      expect(out).not.toContain(leaked);
  });

  it("removes SAS signatures from URLs but keeps the rest of the URL", () => {
    const url =
      "https://acct.blob.core.windows.net/logs/run.json?sv=2022-11-02&ss=b&srt=o&sp=r&se=2025-01-01T00%3A00%3A00Z&sig=AbC%2Bdef%2FghI%3D";
    const out = redactSecrets(`failed to fetch ${url}`);
    expect(out).not.toContain("AbC%2Bdef%2FghI%3D");
    expect(out).toContain("https://acct.blob.core.windows.net/logs/run.json?sv=2022-11-02");
  });

  it("removes keys from storage, Service Bus and Cosmos DB connection strings", () => {
    const storage = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${COSMOS_KEY};EndpointSuffix=core.windows.net`;
    const sas =
      "BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&sig=s1gn4tur3";
    const bus =
      "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=bus+key/value=";
    const cosmos = `AccountEndpoint=https://acct.documents.azure.com:443/;AccountKey=${COSMOS_KEY};`;
    const out = redactSecrets([storage, sas, bus, cosmos].join("\n"));
    for (const leaked of [COSMOS_KEY, "s1gn4tur3", "bus+key/value="]) expect(out).not.toContain(leaked);
    expect(out).toContain("AccountName=acct");
    expect(out).toContain("https://acct.documents.azure.com:443/");
  });

  it("removes a bare 88-character master key and PEM private keys", () => {
    const pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
    const out = redactSecrets(`key ${COSMOS_KEY} and ${pem}`);
    expect(out).not.toContain(COSMOS_KEY);
    expect(out).not.toContain("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC");
  });
});

describe("safeMessage", () => {
  it("redacts before capping, so a secret cut by the cap never survives in part", () => {
    const message = safeMessage(`${"x".repeat(480)} client_secret=${SECRET}`, 500);
    expect(message.length).toBeLessThanOrEqual(500);
    expect(message).not.toContain(SECRET.slice(0, 10));
  });

  it("collapses whitespace", () => {
    expect(safeMessage("a\n\n  b\tc")).toBe("a b c");
  });
});

describe("redactDeep", () => {
  it("redacts every string inside nested values and keeps the rest", () => {
    expect(
      redactDeep({ headers: { authorization: `Bearer ${JWT}` }, list: [`sig=abc`], count: 3, ok: true }),
    ).toEqual({
      headers: { authorization: "Bearer [REDACTED]" },
      list: ["sig=[REDACTED]"],
      count: 3,
      ok: true,
    });
  });
});
