import { ApiProblem } from "./problem";

/** Request bodies are small JSON documents; 64 KiB is far above any valid one. */
export const MAX_BODY_BYTES = 64 * 1024;

export type BodySource = AsyncIterable<Uint8Array | string> | null | undefined;

const tooLarge = (limit: number) => new ApiProblem("PAYLOAD_TOO_LARGE", `The request body exceeds ${limit} bytes.`);

/**
 * Reads a body stream as UTF-8 text and stops reading as soon as it passes `limit`, so an
 * oversized body costs at most `limit` bytes of memory. A declared Content-Length above the
 * limit is refused before reading. Invalid UTF-8 is a 400, not a silently mangled string.
 */
export async function readLimitedText(
  source: BodySource,
  contentLength: string | undefined,
  limit = MAX_BODY_BYTES,
): Promise<string> {
  if (contentLength !== undefined && /^\d+$/.test(contentLength.trim()) && Number(contentLength) > limit) {
    throw tooLarge(limit);
  }
  if (!source) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    size += bytes.byteLength;
    if (size > limit) throw tooLarge(limit);
    chunks.push(bytes);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new ApiProblem("VALIDATION_FAILED", "The request body is not valid UTF-8.", {
      errors: [{ path: "body", message: "invalid UTF-8" }],
    });
  }
}

/** `application/json` or any `+json` type; a charset, if given, must be UTF-8. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const [mediaType = "", ...params] = value.split(";").map((p) => p.trim().toLowerCase());
  const json = mediaType === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
  const charset = params.find((p) => p.startsWith("charset="));
  return json && (!charset || /^charset="?utf-8"?$/.test(charset));
}

/**
 * The JSON body of a request. Empty → `undefined` (the caller decides whether a body is
 * required). Non-empty → it must be declared JSON (415) and parse (400).
 */
export function parseJsonBody(text: string, contentType: string | undefined): unknown {
  if (text.trim() === "") return undefined;
  if (!isJsonContentType(contentType)) {
    throw new ApiProblem("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json (UTF-8).");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiProblem("VALIDATION_FAILED", "The request body is not valid JSON.", {
      errors: [{ path: "body", message: "invalid JSON" }],
    });
  }
}
