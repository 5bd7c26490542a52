/**
 * `npm run bench:memory`: does the local host's memory stay flat with the number of syncs?
 * Starts the built host (`dist/local/host/main.js`, as `npm start` runs it, with its own
 * defaults) as a child process with its embedded Graph simulator and demo tenants, and the
 * Cosmos-compatible server in this process (in Azure the store is a remote service, so its data
 * is not the host's memory). Then runs SYNCS small syncs through the HTTP API, four lanes at a
 * time; every RSS_STEP syncs the lanes stop, the host settles (SETTLE_MS) and the host's
 * resident set size (VmRSS from /proc) is read, with its `process.memoryUsage()` breakdown over
 * IPC (bench/memoryProbe.ts, preloaded). At the end: the live heap after a full collection and,
 * with HEAP_SNAPSHOT=<file>, a heap snapshot.
 *
 * Target (issue 13): RSS after 2,000 syncs within 1.3× of RSS after 200; exits 1 when missed.
 * Settings: SYNCS (2000), RSS_FIRST (200), RSS_STEP (200), CONCURRENCY (4), SETTLE_MS (3000),
 * LIVE_EACH=1 (a full collection after every sample: shows the live heap, changes the RSS that
 * follows), HOST_NODE_OPTIONS, and the host's own LOCAL_HISTORY_RETENTION_SECONDS,
 * LOCAL_HISTORY_MAX_INSTANCES, LOCAL_HEAP_GROWING_PERCENT (passed on only when set).
 */
import { join, resolve } from "node:path";
import { DEMO_TENANTS } from "../local/host/demoTenants";
import { rssMiB, startBuiltHost } from "./builtHost";
import type { MemoryBreakdown, ProbeReply, ProbeRequest } from "./memoryProbe";

const SYNCS = Number(process.env.SYNCS ?? 2_000);
const FIRST = Number(process.env.RSS_FIRST ?? 200);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4);
/** The host's own settings unless given: the figure is for the host as `npm start` runs it. */
const HOST_SETTINGS = ["LOCAL_HISTORY_RETENTION_SECONDS", "LOCAL_HISTORY_MAX_INSTANCES", "LOCAL_HEAP_GROWING_PERCENT"] as const;
const STEP = Number(process.env.RSS_STEP ?? 200);
const LIVE_EACH = process.env.LIVE_EACH === "1";
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 3_000);

interface Sample {
  syncs: number;
  /** VmRSS from /proc, as the target is stated. */
  rssMiB: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** RSS not in V8's heap nor in buffers: code, stacks, malloc (TLS, http parser, zlib…). */
  native: number;
  oldSpace: number;
  /** heapUsed after a full collection (LIVE_EACH=1 only: a forced collection changes what follows). */
  liveMiB?: number;
}

const toMiB = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function mib(m: MemoryBreakdown): Omit<Sample, "syncs" | "rssMiB"> {
  return {
    heapTotal: toMiB(m.heapTotal),
    heapUsed: toMiB(m.heapUsed),
    external: toMiB(m.external),
    arrayBuffers: toMiB(m.arrayBuffers),
    native: toMiB(m.rss - m.heapTotal - m.external),
    oldSpace: toMiB(m.spaces.old_space?.size ?? 0),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const hostSettings = Object.fromEntries(HOST_SETTINGS.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
  const probe = join(__dirname, "memoryProbe.js");
  const nodeOptions = [`--require ${probe}`, "--expose-gc", process.env.HOST_NODE_OPTIONS ?? ""].join(" ").trim();
  const host = await startBuiltHost({ name: "memory", ipc: true, env: { ...hostSettings, NODE_OPTIONS: nodeOptions } });
  const { child, pid, baseUrl } = host;
  let probeId = 0;
  const ask = (request: Omit<ProbeRequest, "id">) =>
    new Promise<ProbeReply>((resolveReply, reject) => {
      const id = ++probeId;
      const onMessage = (reply: ProbeReply) => {
        if (reply.id !== id) return;
        child.off("message", onMessage);
        resolveReply(reply);
      };
      child.on("message", onMessage);
      child.send({ ...request, id }, (error) => error && reject(error));
    });
  try {
    // Two tenants × two small selections: four lanes that never hold each other's lock.
    const lanes = DEMO_TENANTS.flatMap((t) => [
      { tenantId: t.tenantId, body: { categories: ["updates"] } },
      { tenantId: t.tenantId, body: { categories: ["scripts"] } },
    ]).slice(0, CONCURRENCY);
    let issued = 0;
    let failed = 0;
    const samples: Sample[] = [];
    const sample = async (syncs: number) => {
      const { memory } = await ask({ kind: "memory" });
      samples.push({ syncs, rssMiB: rssMiB(pid), ...mib(memory as MemoryBreakdown) });
      if (LIVE_EACH) samples.at(-1)!.liveMiB = toMiB(((await ask({ kind: "memory", gc: true })).memory as MemoryBreakdown).heapUsed);
    };
    await sample(0);
    const syncOnce = async (lane: (typeof lanes)[number]) => {
      const started = await fetch(`${baseUrl}/tenants/${lane.tenantId}/inventory/sync`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        // Its previous run is final before its orchestration releases the lock: wait, never skip.
        body: JSON.stringify({ ...lane.body, waitForSlotSeconds: 60 }),
      });
      const accepted = (await started.json()) as { runId?: string };
      if (started.status !== 202 || !accepted.runId) {
        failed++;
        return;
      }
      for (;;) {
        const run = await fetch(`${baseUrl}/tenants/${lane.tenantId}/inventory/runs/${accepted.runId}`);
        const body = (await run.json()) as { status?: string };
        if (run.status === 200) {
          if (body.status !== "success") failed++;
          return;
        }
        await sleep(20);
      }
    };
    // Checkpoints every STEP syncs: the lanes stop at the checkpoint, the host settles, then the
    // sample is read, so "after 200" means after exactly 200 finished syncs and nothing in flight.
    const checkpoints = [FIRST];
    for (let n = FIRST + STEP; n < SYNCS; n += STEP) checkpoints.push(n);
    checkpoints.push(SYNCS);
    const started = Date.now();
    for (const checkpoint of [...new Set(checkpoints)].sort((a, b) => a - b)) {
      await Promise.all(
        lanes.map(async (lane) => {
          while (issued < checkpoint) {
            issued++;
            await syncOnce(lane);
          }
        }),
      );
      await sleep(SETTLE_MS);
      await sample(checkpoint);
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    // The live set: what is still reachable after a full collection (read last: it changes RSS).
    const live = mib((await ask({ kind: "memory", gc: true })).memory as MemoryBreakdown);
    if (process.env.HEAP_SNAPSHOT) {
      const { snapshot } = await ask({ kind: "snapshot", gc: true, path: resolve(process.env.HEAP_SNAPSHOT) });
      console.error(`heap snapshot: ${snapshot}`);
    }
    const first = samples.find((s) => s.syncs === FIRST)!;
    const last = samples.at(-1)!;
    const ratio = Math.round((last.rssMiB / first.rssMiB) * 100) / 100;
    console.log(
      JSON.stringify(
        {
          syncs: SYNCS,
          /** Syncs not accepted, or not ending `success` (skipped, failed). */
          refused: failed,
          seconds,
          hostSettings,
          hostNodeOptions: process.env.HOST_NODE_OPTIONS ?? "",
          samples,
          liveAfterGcMiB: live,
          ratioLastToFirst: ratio,
          target: "≤ 1.3",
          ok: ratio <= 1.3,
        },
        null,
        2,
      ),
    );
    if (ratio > 1.3 || failed > 0) process.exitCode = 1;
  } finally {
    await host.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
