import { hash } from "node:crypto";
import type { Assignments } from "./assignments";

/**
 * One canonical view of "what is stored of an object" for change sets, compare and drift
 * (docs/api.md "Changes", "Compare"). Graph reorders arrays (settings, `roleScopeTagIds`,
 * assignment targets) and keys between reads; the tools MSPs use today report those as drift
 * (IntuneCD #209, CIPP #5162). Here neither the order of keys nor the order of array elements
 * can ever make two objects differ.
 */

/** What of an item is compared: its name, platform, whitelisted meta and assignments. */
export interface ComparableItem {
  displayName: string;
  platform: string;
  meta: Record<string, unknown>;
  assignments?: Assignments | undefined;
}

/**
 * JSON with object keys sorted and array elements sorted by their own canonical form. Unlike
 * selection.ts's canonicalJson (which keeps array order: it feeds pinned hashes), here array
 * order never matters.
 */
export function orderFreeJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(orderFreeJson).sort().join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${orderFreeJson(v)}`).join(",")}}`;
}

/** Field path (`displayName`, `platform`, `meta.<key>`, `assignments`) → canonical value. */
export function comparedFields(item: ComparableItem): Map<string, string> {
  const fields = new Map<string, string>([
    ["displayName", orderFreeJson(item.displayName)],
    ["platform", orderFreeJson(item.platform)],
  ]);
  for (const [key, value] of Object.entries(item.meta)) {
    if (value !== undefined && value !== null) fields.set(`meta.${key}`, orderFreeJson(value));
  }
  // Unread assignments are not a value: comparing them would turn a failed read into a change.
  if (item.assignments && item.assignments.status !== "unknown") fields.set("assignments", orderFreeJson(item.assignments));
  return fields;
}

export interface CompareOptions {
  /** Field paths never reported (e.g. volatile timestamps and tenant-specific ids in a compare). */
  ignore?: (field: string) => boolean;
}

/**
 * The field paths whose canonical values differ, sorted. A field present on one side only
 * differs; `assignments` is compared only when both sides have read them (see comparedFields).
 */
export function differingFields(a: ComparableItem, b: ComparableItem, options: CompareOptions = {}): string[] {
  return differingKeys(comparedFields(a), comparedFields(b), options);
}

/**
 * The one rule of "which fields differ", whether the values are canonical JSON (differingFields)
 * or their digests (differingDigests): never two comparisons that could disagree.
 */
function differingKeys(left: ReadonlyMap<string, string>, right: ReadonlyMap<string, string>, options: CompareOptions): string[] {
  const bothRead = left.has("assignments") === right.has("assignments");
  const out: string[] = [];
  for (const key of new Set([...left.keys(), ...right.keys()])) {
    if (options.ignore?.(key)) continue;
    if (key === "assignments" && !bothRead) continue;
    if (left.get(key) !== right.get(key)) out.push(key);
  }
  return out.sort();
}

/**
 * comparedFields with each canonical value replaced by a short digest (66 bits of SHA-256):
 * what a selection keeps of an item so that its next run can say *which* fields changed without
 * keeping a copy. One fingerprint per item would say "changed" but not what; and the stored
 * values cannot stand in for the selection's last view, because another selection's run may
 * have rewritten them since. About 12 characters per field, ~10 fields an item.
 */
export function fieldDigests(item: ComparableItem): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of comparedFields(item)) out[key] = hash("sha256", value, "base64url").slice(0, 11);
  return out;
}

/** differingFields for two fieldDigests (same rule: see differingKeys). */
export function differingDigests(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
  options: CompareOptions = {},
): string[] {
  return differingKeys(new Map(Object.entries(a)), new Map(Object.entries(b)), options);
}

/**
 * A short, stable digest of comparedFields, stored with an item so a run can tell "changed"
 * without keeping the previous copy: equal fingerprints ⇔ no compared field differs
 * (assignments included only when read; a change of read-ness alone is decided by the caller).
 */
export function fingerprint(item: ComparableItem): string {
  const fields = [...comparedFields(item).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return hash("sha256", JSON.stringify(fields), "base64url").slice(0, 22);
}

/** Names as people match them across tenants: Unicode-normalised, case-folded, whitespace collapsed. */
export function normaliseDisplayName(name: string): string {
  return name.normalize("NFKC").toLocaleLowerCase("en-US").replace(/\s+/gu, " ").trim();
}
