import type { Container, SqlQuerySpec } from "@azure/cosmos";
import type { Page } from "./ports";
import {
  decodeContinuationToken,
  encodeContinuationToken,
  invalidContinuationToken,
} from "./continuationToken";
import { statusOf, toStoreError } from "./storeErrors";

/** Keeps Cosmos system properties (`_rid`, `_etag` …) out of domain objects. */
export function withoutSystemProperties<T extends Record<string, unknown>>(doc: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) if (!key.startsWith("_")) out[key] = value;
  return out as T;
}

/** Every result of a single-partition query (bounded result sets only). */
export async function queryAll<T>(
  container: Container,
  spec: SqlQuerySpec,
  tenantId: string,
  action: string,
  options: { maxItemCount?: number } = {},
): Promise<T[]> {
  try {
    const { resources } = await container.items.query<T>(spec, { partitionKey: tenantId, ...options }).fetchAll();
    return resources;
  } catch (error) {
    throw toStoreError(error, action);
  }
}

/**
 * One page of a single-partition query, with a continuation token bound to the tenant and the
 * query's fingerprint. A token Cosmos rejects (400) is the caller's input, never a 5xx.
 */
export async function queryPage<T>(
  container: Container,
  spec: SqlQuerySpec,
  page: { tenantId: string; fingerprint: string; limit: number; continuationToken?: string },
  action: string,
): Promise<Page<T>> {
  const sdkToken = decodeContinuationToken(page.tenantId, page.fingerprint, page.continuationToken);
  try {
    const iterator = container.items.query<T>(spec, {
      partitionKey: page.tenantId,
      maxItemCount: page.limit,
      ...(sdkToken ? { continuationToken: sdkToken } : {}),
    });
    // Cosmos may answer a page with no items but a continuation; skip a few of those so callers
    // do not see empty pages, without ever reading past `limit` items.
    for (let attempt = 0; ; attempt++) {
      const response = await iterator.fetchNext();
      const items = response.resources ?? [];
      const next = response.continuationToken ?? null;
      if (items.length > 0 || !next || attempt >= 5) {
        return { items, continuationToken: encodeContinuationToken(page.tenantId, page.fingerprint, next) };
      }
    }
  } catch (error) {
    if (sdkToken && (statusOf(error) === 400 || !(error instanceof Object && "code" in error)))
      throw invalidContinuationToken();
    throw toStoreError(error, action);
  }
}
