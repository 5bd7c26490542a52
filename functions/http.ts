import { app } from "@azure/functions";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { loadSettings } from "../shared/config/settings";
import { createSyncStarter } from "../shared/engine/startSync";
import { API_ROUTES } from "../shared/http/routes";
import type { ApiRoute } from "../shared/http/route";
import { createAppServicesFactory } from "../shared/http/services";
import type { AppServices } from "../shared/http/services";
import type { OrchestrationClient } from "../shared/engine/syncStarterPort";
import { createStores } from "../shared/store";
import { logUnexpected, toApiRequest, toHttpResponseInit, toOrchestrationClient } from "./httpAdapter";

/**
 * Settings and stores once per worker process; the starter per invocation around that
 * invocation's Durable client.
 */
export const azureServicesFor = createAppServicesFactory({
  loadSettings: () => loadSettings(),
  createStores: (settings) => createStores(settings),
  createStarter: ({ stores, client, settings }) => createSyncStarter({ stores, client, settings, now: () => new Date() }),
});

/** Registers every route of the table as an HTTP function. Thin: adapt, delegate, adapt back. */
export function registerHttpRoutes(
  routes: readonly ApiRoute[],
  servicesFor: (client: OrchestrationClient) => Promise<AppServices>,
): void {
  for (const route of routes) {
    app.http(route.name, {
      methods: [...route.methods],
      route: route.route,
      authLevel: route.authLevel,
      extraInputs: [df.input.durableClient()],
      handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
        const response = await route.handler(toApiRequest(request), {
          services: () => servicesFor(toOrchestrationClient(df.getClient(context))),
          onUnexpectedError: logUnexpected(context),
        });
        return toHttpResponseInit(response);
      },
    });
  }
}

registerHttpRoutes(API_ROUTES, azureServicesFor);
