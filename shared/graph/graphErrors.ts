import { CodedError, safeMessage } from "../domain";
import type { RunErrorCode } from "../domain";

/**
 * Maps a failed Graph answer to the stable run codes (docs/api.md "Errors"). The message keeps Graph's
 * own error code and text — useful to an operator — but always passes through `safeMessage`,
 * because Graph and Entra echo request fragments (tokens, assertions) in error bodies.
 */

/**
 * Intune answers a tenant without a usable Intune subscription with a 400 (sometimes 403)
 * whose message is "Request not applicable to target tenant." (reported in
 * microsoftgraph/msgraph-beta-sdk-go#198 and ugurkocde/IntuneGet#993, where every
 * deviceAppManagement call of such a tenant failed identically); other answers say the tenant
 * or account is not licensed for Intune. Retrying never helps, so these get their own code.
 */
const NOT_LICENSED = [
  /not applicable to target tenant/i,
  /not licensed for intune/i,
  /(tenant|account|subscription)\b[^.]{0,60}\b(is not|isn't|not)\s+(licensed|provisioned)/i,
  /no (valid |active )?intune licen[cs]e/i,
  /intune licen[cs]e (is )?required/i,
];

export interface GraphErrorBody {
  code?: string;
  message?: string;
}

/** Reads Graph's `{ error: { code, message } }` envelope; anything else yields nothing. */
export function readGraphErrorBody(text: string): GraphErrorBody {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && "error" in parsed) {
      const error = (parsed as { error: unknown }).error;
      if (error && typeof error === "object") {
        const { code, message } = error as Record<string, unknown>;
        return {
          code: typeof code === "string" ? code : undefined,
          message: typeof message === "string" ? message : undefined,
        };
      }
    }
  } catch {
    // Not JSON: the raw text (redacted, short) is still the best diagnostic.
  }
  return {};
}

export function isNotLicensedAnswer(status: number, body: GraphErrorBody, rawText: string): boolean {
  if (status !== 400 && status !== 403) return false;
  const text = `${body.code ?? ""} ${body.message ?? ""} ${body.message ? "" : rawText}`;
  return NOT_LICENSED.some((pattern) => pattern.test(text));
}

export function codeForStatus(status: number, body: GraphErrorBody, rawText: string): RunErrorCode {
  if (isNotLicensedAnswer(status, body, rawText)) return "GRAPH_NOT_LICENSED";
  if (status === 401) return "GRAPH_UNAUTHORIZED";
  if (status === 403) return "GRAPH_FORBIDDEN";
  if (status === 404) return "GRAPH_NOT_FOUND";
  if (status === 429) return "GRAPH_THROTTLED";
  if (status >= 500) return "GRAPH_UNAVAILABLE";
  // 400 and anything unexpected: Graph did not give us a page we can use.
  return "GRAPH_BAD_RESPONSE";
}

/** The CodedError for a non-2xx answer that will not (or can no longer) be retried. */
export function graphHttpError(status: number, bodyText: string, attempts = 1): CodedError<RunErrorCode> {
  const body = readGraphErrorBody(bodyText);
  const code = codeForStatus(status, body, bodyText);
  const detail = body.code || body.message ? `${body.code ?? "error"}: ${body.message ?? ""}` : bodyText.slice(0, 300);
  const tries = attempts > 1 ? ` after ${attempts} attempts` : "";
  return new CodedError<RunErrorCode>(code, safeMessage(`Graph answered ${status}${tries} (${detail})`), {
    status,
    retryable: code === "GRAPH_THROTTLED" || code === "GRAPH_UNAVAILABLE",
  });
}

export function graphError(code: RunErrorCode, message: string, details: { status?: number; retryable?: boolean } = {}): CodedError<RunErrorCode> {
  return new CodedError<RunErrorCode>(code, safeMessage(message), details);
}
