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

/**
 * Secret shapes that Graph, Entra, API Management and Storage error bodies carry, each in a body
 * shaped as those services answer (the structure follows their documented error formats; the
 * values are made up).
 */
describe("redactSecrets on realistic error bodies", () => {
  // Entra client-secret value: 3 chars, version digit, "Q~", 31–34 chars.
  const CLIENT_SECRET_VALUE = "abc8Q~Zk2LmNoPqRsTuVwXyZ0123456789AbCd";
  // Entra refresh tokens are opaque, start with "0.A" and run to hundreds of characters.
  const REFRESH_TOKEN = `0.AXcAaBcDeFgHiJkLmNoPqRsTuVwXyZ-_${"Qw3rTy".repeat(20)}.AgABAAEAAAD--DLA3VO7QrddgJg7WevrAgDs_wUA9P8`;
  const APIM_KEY = "0123456789abcdef0123456789abcdef";

  it("Entra token endpoint: a refresh token and a client-secret value echoed in error_description", () => {
    const body = JSON.stringify({
      error: "invalid_grant",
      error_description: `AADSTS70000: The provided value for the 'refresh_token' is invalid: ${REFRESH_TOKEN}. Client secret ${CLIENT_SECRET_VALUE} expired. Trace ID: 7d1e4b8a-1c2d-4e5f-9a0b-3c4d5e6f7a8b`,
      error_codes: [70000],
      trace_id: "7d1e4b8a-1c2d-4e5f-9a0b-3c4d5e6f7a8b",
    });
    const out = redactSecrets(body);
    expect(out).not.toContain(REFRESH_TOKEN.slice(0, 12));
    expect(out).not.toContain(CLIENT_SECRET_VALUE);
    expect(out).not.toContain("Zk2LmNoPqRsT");
    expect(out).toContain("AADSTS70000");
    expect(out).toContain("7d1e4b8a-1c2d-4e5f-9a0b-3c4d5e6f7a8b");
  });

  it("Entra token endpoint success body: refresh_token and access_token fields", () => {
    const body = JSON.stringify({ token_type: "Bearer", expires_in: 3599, access_token: JWT, refresh_token: REFRESH_TOKEN });
    const out = redactSecrets(body);
    expect(out).not.toContain(REFRESH_TOKEN.slice(0, 12));
    expect(out).not.toContain(JWT.slice(0, 20));
    expect(out).toContain('"expires_in":3599');
  });

  it("Graph: a token query parameter and JSON token / apiKey fields in an error body", () => {
    const body = JSON.stringify({
      error: {
        code: "BadRequest",
        message: `Subscription validation request failed for https://hooks.example/notify?token=s3cr3t-webhook-token&apikey=K3yK3yK3y`,
        details: [{ token: "opaque-graph-token-value", apiKey: "graph-api-key-value", target: "notificationUrl" }],
        innerError: { "request-id": "a1b2c3d4-0000-1111-2222-333344445555" },
      },
    });
    const out = redactSecrets(body);
    for (const leaked of ["s3cr3t-webhook-token", "K3yK3yK3y", "opaque-graph-token-value", "graph-api-key-value"]) expect(out).not.toContain(leaked);
    expect(out).toContain("a1b2c3d4-0000-1111-2222-333344445555");
    expect(out).toContain("https://hooks.example/notify?token=");
  });

  it("keeps Graph paging cursors ($skiptoken, $deltatoken): they are not credentials", () => {
    const next = "https://graph.microsoft.com/beta/deviceManagement/configurationPolicies?$top=25&$skiptoken=RFNwdAIAAQAAAD";
    expect(redactSecrets(next)).toBe(next);
  });

  it("API Management: Ocp-Apim-Subscription-Key as a header echo, a JSON field and a query parameter", () => {
    const trace = [
      `Ocp-Apim-Subscription-Key: ${APIM_KEY}`,
      JSON.stringify({ statusCode: 401, message: "Access denied due to invalid subscription key.", request: { headers: { "Ocp-Apim-Subscription-Key": APIM_KEY } } }),
      `GET https://contoso.azure-api.net/echo?subscription-key=${APIM_KEY}`,
      JSON.stringify({ subscriptionKey: APIM_KEY }),
    ].join("\n");
    const out = redactSecrets(trace);
    expect(out).not.toContain(APIM_KEY);
    expect(out).toContain("Access denied due to invalid subscription key.");
  });

  it("Storage: a SAS URL and its signature in an AuthenticationFailed XML body", () => {
    const sig = "tJ8x9Zc%2BkQ1vLw3%2Fabc%3D";
    const body =
      `<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.` +
      ` RequestId:5c2e1a7b-0001-0002-0003-000000000000</Message><AuthenticationErrorDetail>Signature did not match.` +
      ` Url: https://acct.blob.core.windows.net/exports/run.json?sv=2022-11-02&sr=b&sp=r&se=2025-01-01T00%3A00%3A00Z&sig=${sig}</AuthenticationErrorDetail></Error>`;
    const out = redactSecrets(body);
    expect(out).not.toContain(sig);
    expect(out).toContain("AuthenticationFailed");
    expect(out).toContain("5c2e1a7b-0001-0002-0003-000000000000");
  });

  it("safeMessage (what run documents store) removes every shape above", () => {
    const message = safeMessage(`token=abc123 apikey=def456 Ocp-Apim-Subscription-Key: ${APIM_KEY} ${REFRESH_TOKEN} ${CLIENT_SECRET_VALUE}`);
    for (const leaked of ["abc123", "def456", APIM_KEY, REFRESH_TOKEN.slice(0, 12), CLIENT_SECRET_VALUE]) expect(message).not.toContain(leaked);
  });
});
