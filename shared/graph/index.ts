export { createGraphClient } from "./graphClient";
export type { GraphClient, GraphClientOptions, GraphClientSettings, GraphClientStats } from "./graphClient";
export {
  FEDERATED_ASSERTION_SCOPE,
  GRAPH_SCOPE,
  assertSimulatorAllowed,
  createCredentialProvider,
  createTenantCredential,
  credentialFailure,
} from "./credentials";
export { codeForStatus, graphHttpError, isNotLicensedAnswer, readGraphErrorBody } from "./graphErrors";
export { checkNextLink, iteratePages } from "./pageIterator";
export type { GraphPage, GraphPageSource, GraphRetryInfo, PageFetcher, PageHooks } from "./pageIterator";
export { DEFAULT_BACKOFF, RETRYABLE_STATUSES, fullJitterDelay, parseRetryAfter, retryDelay } from "./retryPolicy";
export type { BackoffOptions } from "./retryPolicy";
export { SimulatorCredential, createSimulatorToken, readSimulatorToken } from "./simulatorToken";
