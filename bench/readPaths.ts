/**
 * `npm run bench:reads`: the two read paths of issue 15 with targets, measured on the local
 * stack against the built host (`dist/local/host/main.js`, as `npm start` runs it) in a child
 * process, with the Cosmos-compatible server in this process (in Azure the store is a remote
 * service, so its data is not the host's memory).
 *
 * - Portfolio: PORTFOLIO_TENANTS (500) registered tenants, each with a summary as a finished run
 *   leaves it; GET /api/portfolio timed over HTTP (one warm-up, then PORTFOLIO_ROUNDS). Target:
 *   within 2 s.
 * - Export: EXPORT_ITEMS (10,000) items in one tenant; GET …/inventory/items?format=csv (and
 *   ndjson) streamed to the end while the host's resident set size (VmRSS from /proc) is sampled
 *   every 10 ms. Reported: the host's RSS before, its peak during each export, and the bytes.
 */
import { loopbackCosmosAgent } from "../local/emulators/cosmosServer";
import { POLICY_TYPES, applyFinishedRun, emptyTenantSummary, seededTenantSummary } from "../shared/domain";
import type { ObservedItem } from "../shared/domain";
import { createStores } from "../shared/store";
import { rssMiB, startBuiltHost } from "./builtHost";

const TENANTS = Number(process.env.PORTFOLIO_TENANTS ?? 500);
const ROUNDS = Number(process.env.PORTFOLIO_ROUNDS ?? 10);
const ITEMS = Number(process.env.EXPORT_ITEMS ?? 10_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tenantId = (i: number) => `30000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`;

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i] as T, i);
      }
    }),
  );
}

async function main(): Promise<void> {
  // No nightly or watchdog while measuring.
  const host = await startBuiltHost({ name: "reads", env: { SYNC_SCHEDULE: "0 0 0 1 1 *" } });
  const { cosmos, pid, baseUrl } = host;
  const stores = createStores(
    {
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      COSMOS_DATABASE: "inventory",
      TABLES_ENDPOINT: undefined,
      // Never contacted: the registry is written through the host's API.
      TABLES_CONNECTION_STRING: "UseDevelopmentStorage=true",
      TABLES_TENANTS_TABLE: "tenants",
    },
    { cosmosAgent: loopbackCosmosAgent(cosmos.endpoint) },
  );
  try {

    // ── portfolio ──
    const ids = Array.from({ length: TENANTS }, (_, i) => tenantId(i));
    const statuses = ["success", "success", "success", "partial", "failed"] as const;
    await pool(ids, 8, async (id, i) => {
      const put = await fetch(`${baseUrl}/tenants/${id}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ displayName: `Customer ${String(i).padStart(3, "0")}`, enabled: i % 50 !== 0 }),
      });
      if (put.status >= 300) throw new Error(`PUT tenant ${id}: ${put.status} ${await put.text()}`);
      const finishedAt = new Date(Date.now() - (i % 40) * 3_600_000).toISOString();
      const status = statuses[i % statuses.length]!;
      const scope = POLICY_TYPES.filter((t) => !t.foundation).map((t) => t.key);
      const figures = scope.map((policyType, k) => ({
        policyType,
        status: status === "failed" || (status === "partial" && k === 0) ? ("failed" as const) : ("success" as const),
        itemsObserved: 20 + k,
        itemsCreated: 20 + k,
      }));
      await stores.summaries.update(id, () => {
        const base = seededTenantSummary(emptyTenantSummary(id, finishedAt), new Map(), finishedAt);
        return applyFinishedRun(
          base,
          { id: `run-${i}`, status, finishedAt, errorCodes: status === "success" ? [] : ["GRAPH_FORBIDDEN"], selectionHash: "a".repeat(64), scope },
          figures,
          finishedAt,
        );
      });
    });
    const timings: number[] = [];
    let rows = 0;
    for (let round = 0; round <= ROUNDS; round++) {
      const started = performance.now();
      const answer = await fetch(`${baseUrl}/portfolio`);
      const body = (await answer.json()) as { items: unknown[] };
      const ms = performance.now() - started;
      // The host also registers its two demo tenants in a fresh data folder.
      if (answer.status !== 200 || body.items.length < TENANTS) throw new Error(`portfolio: ${answer.status}, ${body.items.length} rows`);
      rows = body.items.length;
      if (round > 0) timings.push(ms);
    }
    timings.sort((a, b) => a - b);

    // ── export ──
    const exportTenant = ids[1] as string;
    const writer = stores.items.createWriter({ tenantId: exportTenant, runId: "bench-export", selectionHash: "b".repeat(64), observedAt: new Date().toISOString() });
    const types = POLICY_TYPES.filter((t) => !t.foundation);
    for (let i = 0; i < ITEMS; i++) {
      const def = types[i % types.length]!;
      const item: ObservedItem = {
        policyType: def.key,
        category: def.category,
        externalId: `${def.key}-${i}-${"x".repeat(24)}`,
        displayName: i % 10 === 0 ? `=Formula, "quoted" ${i}\nsecond line` : `Policy ${i} — Überwachung, ${def.key}`,
        platform: "windows",
        meta: { odataType: "#microsoft.graph.windows10GeneralConfiguration", version: i % 7, roleScopeTagIds: ["0", "1"], lastModifiedDateTime: new Date().toISOString() },
      };
      await writer.add(item);
    }
    await writer.close();
    await sleep(2_000);
    const exportOnce = async (format: "csv" | "ndjson") => {
      const before = rssMiB(pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 10);
      const started = performance.now();
      const answer = await fetch(`${baseUrl}/tenants/${exportTenant}/inventory/items?format=${format}`);
      let bytes = 0;
      let lines = 0;
      for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.byteLength;
        if (format === "ndjson") for (const b of chunk) if (b === 10) lines++;
      }
      clearInterval(sampler);
      peak = Math.max(peak, rssMiB(pid));
      if (format === "ndjson" && lines !== ITEMS) throw new Error(`ndjson export: ${lines} lines for ${ITEMS} items`);
      return { format, status: answer.status, bytes, seconds: Math.round((performance.now() - started) / 100) / 10, hostRssBeforeMiB: before, hostRssPeakMiB: peak };
    };
    const csv = await exportOnce("csv");
    const ndjson = await exportOnce("ndjson");

    console.log(
      JSON.stringify(
        {
          portfolio: {
            tenants: TENANTS,
            rows,
            rounds: ROUNDS,
            medianMs: Math.round(timings[Math.floor(timings.length / 2)] ?? NaN),
            maxMs: Math.round(timings.at(-1) ?? NaN),
            target: "≤ 2000 ms",
            ok: (timings.at(-1) ?? Infinity) <= 2_000,
          },
          export: { items: ITEMS, runs: [csv, ndjson] },
        },
        null,
        2,
      ),
    );
  } finally {
    stores.dispose();
    await host.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
