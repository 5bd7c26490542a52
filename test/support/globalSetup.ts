import type { TestProject } from "vitest/node" with { "resolution-mode": "import" };
import { startAzuriteTables } from "../../local/emulators/azuriteTables";
import { startCosmosServer } from "../../local/emulators/cosmosServer";

/**
 * Vitest global setup: the stores every integration test talks to.
 * - Cosmos: `COSMOS_ENDPOINT` (+ `COSMOS_KEY`, or Entra ID) when set, else the in-process
 *   Cosmos-compatible server on a free loopback port.
 * - Tables: `TABLES_CONNECTION_STRING` when set, else Azurite's Table service in memory.
 * Endpoints reach the tests through `inject()`; a real key is never provided (tests read it
 * from their own environment).
 */
declare module "vitest" {
  export interface ProvidedContext {
    cosmosEndpoint: string;
    /** True for the in-process server: self-signed TLS, any key. */
    cosmosLocalServer: boolean;
    tablesConnectionString: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  try {
    const external = process.env.COSMOS_ENDPOINT?.trim();
    const [cosmos, tables] = await Promise.all([
      external ? Promise.resolve(null) : startCosmosServer(),
      process.env.TABLES_CONNECTION_STRING?.trim() ? Promise.resolve(null) : startAzuriteTables(),
    ]);
    if (cosmos) stops.push(() => cosmos.stop());
    if (tables) stops.push(() => tables.stop());
    project.provide("cosmosEndpoint", cosmos?.endpoint ?? (external as string));
    project.provide("cosmosLocalServer", cosmos !== null);
    project.provide(
      "tablesConnectionString",
      tables?.connectionString ?? (process.env.TABLES_CONNECTION_STRING as string),
    );
  } catch (error) {
    await Promise.allSettled(stops.map((stop) => stop()));
    throw error;
  }
  return async () => {
    await Promise.allSettled(stops.map((stop) => stop()));
  };
}
