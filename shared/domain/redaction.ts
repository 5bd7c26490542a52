/**
 * Removes credentials from text before it is persisted or logged. Graph and Entra error bodies
 * echo request fragments (assertions, secrets, SAS URLs); nothing of that may reach a run
 * document or a log line. Patterns are deliberately broad: a false positive costs a few
 * characters of diagnostics, a false negative leaks a credential.
 */
const REDACTED = "[REDACTED]";

const patterns: { pattern: RegExp; replace: string }[] = [
  // Authorization headers and bearer tokens, whatever the token format.
  { pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi, replace: `$1 ${REDACTED}` },
  // JWTs (access tokens, id tokens, client assertions): three base64url segments, header starts with eyJ.
  { pattern: /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g, replace: REDACTED },
  // Connection strings: every secret-bearing component.
  {
    pattern: /\b(AccountKey|SharedAccessKey|SharedAccessSignature|AccessKey|Password|Pwd|ClientSecret)\s*=\s*[^;"'\s&]+/gi,
    replace: `$1=${REDACTED}`,
  },
  // OAuth form and query parameters; `token` and API keys as query parameters (webhooks, APIM's
  // `subscription-key`, storage SAS `sig`). `\b` keeps Graph's `$skiptoken`/`$deltatoken` (paging
  // cursors, not credentials) out: there is no word boundary inside `skiptoken`.
  {
    pattern:
      /\b(client_secret|client_assertion|assertion|refresh_token|access_token|id_token|password|sig|token|apikey|api_key|api-key|subscription-key)=([^&\s"'<>]+)/gi,
    replace: `$1=${REDACTED}`,
  },
  // API-key headers as echoed in traces and error bodies (APIM's Ocp-Apim-Subscription-Key, x-api-key).
  {
    pattern: /\b(Ocp-Apim-Subscription-Key|x-api-key|api-key|x-functions-key)(["']?\s*[:=]\s*["']?)[^\s"',;&}]+/gi,
    replace: `$1$2${REDACTED}`,
  },
  // JSON properties that carry credentials.
  {
    pattern:
      /"(client_secret|clientSecret|client_assertion|clientAssertion|access_token|accessToken|refresh_token|refreshToken|id_token|idToken|token|sasToken|apiKey|apikey|api_key|subscriptionKey|password|secret|authorization|Authorization|sig|accountKey|primaryKey|secondaryKey|primaryMasterKey|key)"\s*:\s*"[^"]*"/gi,
    replace: `"$1":"${REDACTED}"`,
  },
  // Entra client-secret values: 3 characters, a version digit, `Q~`, then 31–34 characters
  // (the shape Microsoft's secret scanning matches for Azure AD client secrets).
  { pattern: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g, replace: REDACTED },
  // Entra refresh tokens (`0.A` followed by a long base64url body; opaque, not JWTs).
  { pattern: /(?<![A-Za-z0-9.])0\.A[A-Za-z0-9_*.-]{20,}/g, replace: REDACTED },
  // Cosmos DB master keys and other long base64 secrets (88 chars ending in ==).
  { pattern: /\b[A-Za-z0-9+/]{86}==/g, replace: REDACTED },
  // Credentials embedded in a URL (`https://user:password@host`).
  { pattern: /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, replace: `$1${REDACTED}@` },
  // PEM blocks (certificates' private keys).
  { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, replace: REDACTED },
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const { pattern, replace } of patterns) out = out.replace(pattern, replace);
  return out;
}

/** Redacts and caps a message so a run document stays small whatever Graph answered. */
export function safeMessage(text: string, maxLength = 500): string {
  const redacted = redactSecrets(text).replace(/\s+/g, " ").trim();
  return redacted.length > maxLength ? `${redacted.slice(0, maxLength - 1)}…` : redacted;
}

/** Redacts every string inside a JSON-like value (for structured log properties). */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}

/**
 * A configured URL as it may be shown (start-up banner, health output): scheme, host, port and
 * path only. User info and the query (where SAS signatures, codes and keys ride) are dropped
 * whole rather than pattern-matched; text that is not a URL is redacted as free text.
 */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const hidden = parsed.username !== "" || parsed.password !== "" || parsed.search !== "";
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    parsed.hash = "";
    return `${parsed.toString()}${hidden ? " (credentials and query hidden)" : ""}`;
  } catch {
    return redactSecrets(url);
  }
}
