/**
 * The API's stable codes in words for people. Unknown codes are shown as they are: a newer API
 * may send one this build does not know, and the code itself is what support needs.
 */
const CODE_WORDS: Readonly<Record<string, string>> = {
  GRAPH_FORBIDDEN: "Graph answered 403 Forbidden: the app registration lacks the permission (or the consent) to read this type.",
  GRAPH_UNAUTHORIZED: "Graph answered 401: the credential for this tenant was refused.",
  GRAPH_NOT_LICENSED: "The tenant is not licensed for this type.",
  GRAPH_THROTTLED: "Graph kept throttling (429) beyond the retries.",
  GRAPH_UNAVAILABLE: "Graph was unavailable (503) beyond the retries.",
  GRAPH_TIMEOUT: "Graph did not answer in time.",
  GRAPH_NOT_FOUND: "Graph does not know this collection in this tenant.",
  GRAPH_BAD_RESPONSE: "Graph sent an answer that could not be read.",
  GRAPH_UNSAFE_NEXT_LINK: "Graph's next-page link pointed elsewhere and was refused.",
  ITEM_INVALID: "Some objects did not match the type's contract and were skipped.",
  STORE_THROTTLED: "The inventory store was throttled.",
  STORE_UNAVAILABLE: "The inventory store was unavailable.",
  CREDENTIAL_UNAVAILABLE: "No credential could be obtained for this tenant.",
  LOCK_HELD: "A sync of the same selection is already running.",
  CONCURRENCY_LIMIT_GLOBAL: "Too many syncs were running at once.",
  CONCURRENCY_LIMIT_TENANT: "Too many syncs of this tenant were running at once.",
  TENANT_DISABLED: "The tenant is disabled.",
  TENANT_NOT_FOUND: "This tenant is not registered (or you may not see it).",
  RUN_NOT_FOUND: "No such run for this tenant.",
  ITEM_NOT_FOUND: "No such item.",
  INVALID_CONTINUATION_TOKEN: "The page link has expired; start from the first page.",
  VALIDATION_FAILED: "The request was not valid.",
  UNAUTHORIZED: "You are not signed in.",
  FORBIDDEN: "Your account does not have the role this needs.",
  INTERNAL_ERROR: "The app failed unexpectedly.",
  NETWORK: "The API did not answer.",
};

export function codeInWords(code: string | null | undefined): string | null {
  return code ? (CODE_WORDS[code] ?? null) : null;
}

export const STATUS_WORDS: Readonly<Record<string, string>> = {
  queued: "Queued",
  running: "Running",
  success: "Success",
  partial: "Partial",
  failed: "Failed",
  skipped: "Skipped",
};

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  const s = ms / 1_000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** Change kinds (docs/api.md "Changes") in words, with what each one means for the reader. */
export const CHANGE_KIND_WORDS: Readonly<Record<string, { label: string; meaning: string }>> = {
  added: { label: "Added", meaning: "new since the selection's previous completed run" },
  changed: { label: "Changed", meaning: "a compared field differs (name, platform, kept meta, assignments)" },
  removed: { label: "Removed", meaning: "no longer listed by Graph, in a type read completely" },
  reappeared: { label: "Reappeared", meaning: "listed again after it was reported removed" },
};

/** What an item references (the dependencies route's kinds, docs/api.md "Dependencies"). */
export const REFERENCE_WORDS = {
  group: "Group",
  filter: "Assignment filter",
  scopeTag: "Scope tag",
} as const;
export type ReferenceKind = keyof typeof REFERENCE_WORDS;
