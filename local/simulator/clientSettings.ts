import type { GraphClientSettings } from "../../shared/graph/graphClient";

/** Graph settings that point a client at a running simulator (simulator-mode tokens, loopback only). */
export function simulatorGraphSettings(baseUrl: string, overrides: Partial<GraphClientSettings> = {}): GraphClientSettings {
  return {
    GRAPH_BASE_URL: baseUrl,
    GRAPH_AUTH_MODE: "simulator",
    GRAPH_CLIENT_ID: undefined,
    GRAPH_CLIENT_SECRET: undefined,
    GRAPH_CLIENT_CERTIFICATE_PATH: undefined,
    GRAPH_FEDERATED_CLIENT_ID: undefined,
    GRAPH_REQUEST_TIMEOUT_MS: 10_000,
    GRAPH_MAX_ATTEMPTS: 4,
    ...overrides,
  };
}
