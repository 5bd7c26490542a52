import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { seedObjects } from "../local/simulator/seedData";
import { startLocalHost } from "../local/host/localHost";
import { startStandInProcesses } from "../local/standIns";
import { compareInventories, normaliseGraphObject } from "../shared/domain";
import type { ObservedItem, PolicyTypeKey } from "../shared/domain";
import { catalogSizes } from "./scenarios";

/**
 * `npm run bench:compare [-- --items 10000] [-- --repeat 5]`: GET /api/compare of two tenants
 * with `--items` inventory items each, over HTTP against the local host, with the Cosmos-compatible
 * server, Azurite and the Graph simulator each in a process of their own (as the remote services
 * they stand in for). The right tenant is the left one with realistic drift: 5 % of the items
 * changed (description), 2 % removed, 2 % added, and every object's ids, timestamps and version
 * different (so nothing is "same" by accident of identical documents). Items are written through
 * the sync's own writer (not synced from Graph: the sync has its own bench). The figure is the
 * wall time of the whole request — both single-partition reads, the comparison and the JSON
 * answer — measured after one warm-up request.
 */

const LEFT = "00000000-0000-4000-8000-00000000c0a1";
const RIGHT = "00000000-0000-4000-8000-00000000c0a2";

function observedItems(tenantId: string, total: number, seed: number): ObservedItem[] {
  const sizes = catalogSizes(total);
  const out: ObservedItem[] = [];
  for (const [type, count] of Object.entries(sizes) as [PolicyTypeKey, number][]) {
    // The same seed for both tenants gives the same names; the ids differ per tenant below.
    for (const raw of seedObjects("bench-compare", type, count, { seed, specialIds: false })) {
      const parsed = normaliseGraphObject(type, { ...raw, id: `${tenantId}-${String(raw.id)}` });
      if (parsed.ok) out.push(parsed.item);
    }
  }
  return out;
}

function drifted(items: ObservedItem[]): ObservedItem[] {
  const out: ObservedItem[] = [];
  items.forEach((item, i) => {
    if (i % 50 === 7) return; // 2 % removed
    const meta: Record<string, unknown> = { ...item.meta, version: 42, lastModifiedDateTime: "2026-01-01T00:00:00Z", roleScopeTagIds: ["0", "99"] };
    if (i % 20 === 3) meta.description = `${String(item.meta.description ?? "")} (changed)`; // 5 % changed
    out.push({ ...item, meta });
    if (i % 50 === 11) out.push({ ...item, externalId: `${item.externalId}-extra`, displayName: `${item.displayName} (local)` }); // 2 % added
  });
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { items: { type: "string", default: "10000" }, repeat: { type: "string", default: "5" } } });
  const total = Number(values.items);
  const repeat = Number(values.repeat);
  const standIns = await startStandInProcesses({ graph: { tenants: {} } });
  const host = await startLocalHost({ port: 0, timers: false, env: { ...standIns.env, LOCAL_COSMOS_TRUST_LOOPBACK_CERT: "true" } });
  try {
    const stores = host.stack.stores;
    const now = new Date().toISOString();
    const left = observedItems(LEFT, total, 7);
    const right = drifted(observedItems(RIGHT, total, 7));
    for (const [tenantId, items] of [
      [LEFT, left],
      [RIGHT, right],
    ] as const) {
      await stores.tenants.put({ tenantId, displayName: `Compare bench ${tenantId.slice(-2)}`, enabled: true, selections: [] }, now);
      const writer = stores.items.createWriter({ tenantId, runId: randomUUID(), selectionHash: "0".repeat(64), observedAt: now });
      for (const item of items) await writer.add(item);
      await writer.close();
    }
    const url = `${host.baseUrl}/compare?left=${LEFT}&right=${RIGHT}&includeFoundations=true`;
    const timings: number[] = [];
    let counts: unknown = null;
    let bytes = 0;
    for (let i = 0; i <= repeat; i++) {
      const started = performance.now();
      const response = await fetch(url);
      const text = await response.text();
      const ms = performance.now() - started;
      if (response.status !== 200) throw new Error(`compare answered ${response.status}: ${text.slice(0, 300)}`);
      if (i === 0) continue; // warm-up: first container and connection set-up
      timings.push(ms);
      bytes = text.length;
      counts = (JSON.parse(text) as { counts: unknown }).counts;
    }
    timings.sort((a, b) => a - b);
    // Where the time goes: the two store reads alone, and the matching and comparing alone.
    const scope = [...new Set([...left, ...right].map((i) => i.policyType))];
    let started = performance.now();
    const [l, r] = await Promise.all([stores.items.compared(LEFT, scope), stores.items.compared(RIGHT, scope)]);
    const readsMs = performance.now() - started;
    started = performance.now();
    compareInventories(l, r);
    const compareMs = performance.now() - started;
    const result = {
      itemsLeft: left.length,
      itemsRight: right.length,
      counts,
      responseBytes: bytes,
      storeReadsMs: Math.round(readsMs),
      matchAndCompareMs: Math.round(compareMs),
      medianMs: Math.round(timings[Math.floor(timings.length / 2)] ?? 0),
      minMs: Math.round(timings[0] ?? 0),
      maxMs: Math.round(timings[timings.length - 1] ?? 0),
      repeat,
      measuredAt: new Date().toISOString(),
    };
    console.log(JSON.stringify(result, null, 2));
    const dir = join(__dirname, "..", "..", "bench", "results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "compare.json"), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await host.close();
    await standIns.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
