import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { dirname, resolve } from "node:path";

/**
 * Azurite's Table service, in-process, on a free loopback port: in memory by default, or kept in a
 * file when `dbPath` is given (the local host keeps its tenant registry under .local-data/). Used
 * by the test global setup, the local host and the demo. Azurite ships no typings for its internals, so the
 * few members used are declared here; the account name and key are read from Azurite's own
 * constants (the documented, public development-storage account), never written in this repo.
 */
interface AzuriteTableServer {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
  /** Azurite's LokiJS store; `saveDBState` writes the database file now. */
  metadataStore?: { saveDBState(): Promise<void> };
}
type AzuriteTableServerCtor = new (config: unknown) => AzuriteTableServer;
type AzuriteTableConfigurationCtor = new (...args: unknown[]) => unknown;

export interface RunningAzuriteTables {
  /** `http://127.0.0.1:<port>/<account>` — the account-scoped table endpoint. */
  endpoint: string;
  /** Connection string for `TableClient.fromConnectionString` (loopback http). */
  connectionString: string;
  /**
   * Writes the tables to their file now. Azurite saves a file-backed database only every 5 s
   * (LokiJS `autosaveInterval: 5000`, fixed in Azurite 3.35's LokiTableMetadataStore, no option),
   * so a write it acknowledged is lost on kill -9 within that window; a caller that promises
   * durability flushes before answering. LokiJS queues saves requested during a save
   * (`throttledSaves`), so concurrent flushes are safe. No-op in memory.
   */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export interface AzuriteTablesOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /**
   * Keep the tables in this file (Azurite's LokiJS database; its folder is created) so they
   * survive a restart. Absent (default): in memory, nothing touches the disk.
   */
  dbPath?: string;
}

export async function startAzuriteTables(options: AzuriteTablesOptions = {}): Promise<RunningAzuriteTables> {
  const host = options.host ?? "127.0.0.1";
  const TableServer = (require("azurite/dist/src/table/TableServer") as { default: AzuriteTableServerCtor })
    .default;
  const TableConfiguration = (
    require("azurite/dist/src/table/TableConfiguration") as { default: AzuriteTableConfigurationCtor }
  ).default;
  const constants = require("azurite/dist/src/common/utils/constants") as {
    EMULATOR_ACCOUNT_NAME: string;
    EMULATOR_ACCOUNT_KEY: Buffer;
  };
  // Positional constructor (Azurite 3.35): host, port, keepAlive, dbPath, debugLog, accessLog,
  // accessLogStream, debugLogPath, loose, skipApiVersionCheck, cert, key, pwd, oauth,
  // disableProductStyleUrl, inMemoryPersistence. In memory: nothing touches the disk.
  const dbPath = options.dbPath === undefined ? null : resolve(options.dbPath);
  if (dbPath) mkdirSync(dirname(dbPath), { recursive: true });
  const config = new TableConfiguration(
    host,
    options.port ?? 0,
    undefined,
    dbPath ?? "__azurite_db_table_inmemory__.json",
    false,
    false,
    undefined,
    undefined,
    true,
    true,
    "",
    "",
    "",
    undefined,
    false,
    dbPath === null,
  );
  const server = new TableServer(config);
  await server.start();
  const address = new URL(server.getHttpServerAddress());
  const port = Number(address.port) || (address as unknown as AddressInfo).port;
  const account = constants.EMULATOR_ACCOUNT_NAME;
  const endpoint = `http://${host}:${port}/${account}`;
  const connectionString = [
    "DefaultEndpointsProtocol=http",
    `AccountName=${account}`,
    `AccountKey=${constants.EMULATOR_ACCOUNT_KEY.toString("base64")}`,
    `TableEndpoint=${endpoint}`,
  ].join(";");
  let stopped = false;
  return {
    endpoint,
    connectionString,
    async flush() {
      if (dbPath === null || stopped) return;
      await server.metadataStore?.saveDBState();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
    },
  };
}
