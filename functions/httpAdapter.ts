import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { safeMessage } from "../shared/domain/redaction";
import { readLimitedText } from "../shared/http/body";
import type { BodySource } from "../shared/http/body";
import type { ApiRequest, ApiResponse } from "../shared/http/apiTypes";

/** A web ReadableStream as an async iterable, without relying on lib typings for it. */
async function* streamChunks(stream: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (!stream) return;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stops the transfer when the reader gives up early (body over the limit).
    await reader.cancel().catch(() => undefined);
  }
}

/** Functions `HttpRequest` → the neutral `ApiRequest` (headers lower-cased, body capped). */
export function toApiRequest(request: HttpRequest): ApiRequest {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  let text: Promise<string> | null = null;
  return {
    method: request.method,
    url: request.url,
    headers,
    params: { ...request.params },
    query: request.query,
    bodyText: () => (text ??= readLimitedText(streamChunks(request.body) as BodySource, headers["content-length"])),
  };
}

/** The neutral response → `HttpResponseInit`; the body is serialised here so our content type stays. */
export function toHttpResponseInit(response: ApiResponse): HttpResponseInit {
  return {
    status: response.status,
    headers: response.headers,
    ...(response.body !== undefined && { body: JSON.stringify(response.body) }),
  };
}

/** Unexpected failures go to the invocation log, redacted; the caller only gets a 500 and the id. */
export function logUnexpected(context: InvocationContext) {
  return (error: unknown, correlationId: string, routeName: string): void => {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    context.error(`HTTP ${routeName} failed unexpectedly (correlationId ${correlationId}): ${safeMessage(message)}`);
  };
}
