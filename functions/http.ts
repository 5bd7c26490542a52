import { app } from "@azure/functions";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { safeMessage } from "../shared/domain/redaction";
import { principalIsTheGate } from "../shared/config/settings";
import { hostAuthLevel, readLimitedText } from "../shared/http/pipeline";
import type { ApiRequest, ApiResponse, ApiRoute, BodySource, RequestEnv } from "../shared/http/pipeline";
import { API_ROUTES } from "../shared/http/routes/index";
import { inInvocation } from "../shared/observability";
import { appSettings, azureApp } from "./appRoot";

/**
 * The HTTP registrations: every route of the table as an HTTP function. Thin: adapt the
 * Functions request to the neutral one, run the shared pipeline, adapt the answer back.
 */

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

/**
 * Exports stream their body (shared/http/exports.ts). With HTTP streams on, the worker pipes a
 * body it is handed as an AsyncIterable to the host's HTTP proxy as it is produced instead of
 * buffering it (docs: "Stream HTTP requests and responses in Node.js Azure Functions"; needs
 * @azure/functions ≥ 4.3 and host ≥ 4.28). Request bodies are then streams too, which
 * `toApiRequest` already reads with a cap.
 */
app.setup({ enableHttpStream: true });

/** The neutral response → `HttpResponseInit`; the body is serialised here so our content type stays. */
export function toHttpResponseInit(response: ApiResponse): HttpResponseInit {
  return {
    status: response.status,
    headers: response.headers,
    ...(response.stream !== undefined
      ? { body: response.stream }
      : response.bytes !== undefined
        ? { body: response.bytes }
        : response.body !== undefined && { body: JSON.stringify(response.body) }),
  };
}

/** Unexpected failures go to the invocation log, redacted; the caller only gets a 500 and the id. */
export function logUnexpected(context: InvocationContext) {
  return (error: unknown, correlationId: string, routeName: string): void => {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    context.error(`HTTP ${routeName} failed unexpectedly (correlationId ${correlationId}): ${safeMessage(message)}`);
  };
}

/** Registers every route of the table as an HTTP function. */
export function registerHttpRoutes(
  routes: readonly ApiRoute[],
  env: (context: InvocationContext) => RequestEnv,
  principalGate: boolean = principalIsTheGate(),
): void {
  for (const route of routes) {
    app.http(route.name, {
      // HEAD wherever GET is served (the host's Kestrel sends the headers without the body).
      methods: route.methods.includes("GET") ? [...route.methods, "HEAD"] : [...route.methods],
      route: route.route,
      authLevel: hostAuthLevel(route, principalGate),
      extraInputs: [df.input.durableClient()],
      handler: (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> =>
        inInvocation(context, async () => toHttpResponseInit(await route.handler(toApiRequest(request), env(context)))),
    });
  }
}

registerHttpRoutes(API_ROUTES, (context) => ({
  settings: appSettings,
  services: async () => azureApp(),
  durableClient: () => df.getClient(context),
  onUnexpectedError: logUnexpected(context),
}));
