import { randomUUID } from "node:crypto";
import { app } from "@azure/functions";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { orchestrationClientOf } from "../shared/engine/durableClientPorts";
import { createSyncStarter } from "../shared/engine/startSync";
import { API_ROUTES } from "../shared/http/routes";
import type { ApiRoute } from "../shared/http/route";
import type { AppServices } from "../shared/http/services";
import { appRoot, runLoggerFor } from "./appRoot";
import { logUnexpected, toApiRequest, toHttpResponseInit } from "./httpAdapter";

/**
 * The services of one invocation: settings and stores are the process-wide ones of appRoot()
 * (shared with the Durable functions); the starter wraps this invocation's Durable client and
 * logs run events to this invocation.
 */
export async function azureServicesFor(context: InvocationContext): Promise<AppServices> {
  const { settings, stores } = appRoot();
  const now = () => new Date();
  const client = orchestrationClientOf(df.getClient(context));
  return {
    settings,
    stores,
    starter: createSyncStarter({ stores, client, settings, now, log: runLoggerFor(context) }),
    now,
    newId: () => randomUUID(),
  };
}

/** Registers every route of the table as an HTTP function. Thin: adapt, delegate, adapt back. */
export function registerHttpRoutes(
  routes: readonly ApiRoute[],
  servicesFor: (context: InvocationContext) => Promise<AppServices>,
): void {
  for (const route of routes) {
    app.http(route.name, {
      // HEAD wherever GET is served (the host's Kestrel sends the headers without the body).
      methods: route.methods.includes("GET") ? [...route.methods, "HEAD"] : [...route.methods],
      route: route.route,
      authLevel: route.authLevel,
      extraInputs: [df.input.durableClient()],
      handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
        const response = await route.handler(toApiRequest(request), {
          services: () => servicesFor(context),
          onUnexpectedError: logUnexpected(context),
        });
        return toHttpResponseInit(response);
      },
    });
  }
}

registerHttpRoutes(API_ROUTES, azureServicesFor);
