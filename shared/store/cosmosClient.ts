import type { Agent } from "node:http";
import { CosmosClient } from "@azure/cosmos";
import type { TokenCredential } from "@azure/identity";
import { DefaultAzureCredential } from "@azure/identity";
import type { Settings } from "../config/settings";

export type CosmosSettings = Pick<Settings, "COSMOS_ENDPOINT" | "COSMOS_KEY">;

export interface CosmosClientOptions {
  /**
   * Transport agent. Only the local runtime passes one, to accept the self-signed certificate
   * of the in-process loopback server; production uses the SDK's default verified TLS.
   */
  agent?: Agent;
  /** Overrides DefaultAzureCredential when no key is configured (tests, workload identity). */
  credential?: TokenCredential;
}

/** A key when one is configured; otherwise Entra ID (managed identity in Azure). */
export function createCosmosClient(
  settings: CosmosSettings,
  options: CosmosClientOptions = {},
): CosmosClient {
  const auth = settings.COSMOS_KEY
    ? { key: settings.COSMOS_KEY }
    : { aadCredentials: options.credential ?? new DefaultAzureCredential() };
  return new CosmosClient({
    endpoint: settings.COSMOS_ENDPOINT,
    ...auth,
    ...(options.agent ? { agent: options.agent } : {}),
    userAgentSuffix: "tenant-inventory",
  });
}
