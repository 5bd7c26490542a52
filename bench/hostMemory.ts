/**
 * `npm run bench:memory`: does the local host's memory stay flat with the number of syncs?
 * Starts the built host (`dist/local/host/main.js`, as `npm start` runs it) as a child process
 * with its embedded Graph simulator and demo tenants, and the Cosmos-compatible server in this
 * process (in Azure the store is a remote service, so its data is not the host's memory). Then
 * runs SYNCS small syncs through the HTTP API, a few at a time, and reads the child's resident
 * set size (VmRSS from /proc) after RSS_FIRST syncs and at the end, each after a short settle.
 *
 * Target (issue 13): RSS after 2,000 syncs within 1.3× of RSS after 200.
 * Settings: SYNCS (2000), RSS_FIRST (200), CONCURRENCY (4), LOCAL_HISTORY_RETENTION_SECONDS (30).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startCosmosServer } from "../local/emulators/cosmosServer";
import { DEMO_TENANTS } from "../local/host/demoTenants";

const root = resolve(__dirname, "..", "..");
const SYNCS = Number(process.env.SYNCS ?? 2_000);
const FIRST = Number(process.env.RSS_FIRST ?? 200);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4);
const RETENTION = process.env.LOCAL_HISTORY_RETENTION_SECONDS ?? "30";

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const mainJs = join(root, "dist", "local", "host", "main.js");
  if (!existsSync(mainJs)) throw new Error("run npm run build first");
  const cosmos = await startCosmosServer();
  const dataDir = mkdtempSync(join(tmpdir(), "tenant-inventory-memory-"));
  const child = spawn(process.execPath, [mainJs], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      PORT: "0",
      LOG_LEVEL: "error",
      LOCAL_DATA_DIR: dataDir,
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      LOCAL_COSMOS_TRUST_LOOPBACK_CERT: "true",
      LOCAL_HISTORY_RETENTION_SECONDS: RETENTION,
      ...(process.env.HOST_NODE_OPTIONS ? { NODE_OPTIONS: process.env.HOST_NODE_OPTIONS } : {}),
    },
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (out += c.toString("utf8")));
  try {
    let baseUrl = "";
    for (const deadline = Date.now() + 60_000; !baseUrl; await sleep(50)) {
      baseUrl = /listening on (http:\/\/127\.0\.0\.1:\d+\/api)/.exec(out)?.[1] ?? "";
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`host did not start: ${out}`);
    }
    const pid = child.pid as number;
    // Two tenants × two small selections: four lanes that never hold each other's lock.
    const lanes = DEMO_TENANTS.flatMap((t) => [
      { tenantId: t.tenantId, body: { categories: ["updates"] } },
      { tenantId: t.tenantId, body: { categories: ["scripts"] } },
    ]).slice(0, CONCURRENCY);
    let done = 0;
    let failed = 0;
    const samples: { syncs: number; rssMiB: number }[] = [{ syncs: 0, rssMiB: rssMiB(pid) }];
    const syncOnce = async (lane: (typeof lanes)[number]) => {
      const started = await fetch(`${baseUrl}/tenants/${lane.tenantId}/inventory/sync`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(lane.body),
      });
      const accepted = (await started.json()) as { runId?: string };
      if (started.status !== 202 || !accepted.runId) {
        failed++;
        return;
      }
      for (;;) {
        const run = await fetch(`${baseUrl}/tenants/${lane.tenantId}/inventory/runs/${accepted.runId}`);
        await run.arrayBuffer();
        if (run.status === 200) return;
        await sleep(20);
      }
    };
    const settleAndSample = async () => {
      await sleep(3_000);
      samples.push({ syncs: done, rssMiB: rssMiB(pid) });
    };
    const started = Date.now();
    await Promise.all(
      lanes.map(async (lane, i) => {
        for (let n = i; n < SYNCS; n += lanes.length) {
          await syncOnce(lane);
          done++;
          if (done === FIRST) await settleAndSample();
        }
      }),
    );
    await settleAndSample();
    const first = samples.find((s) => s.syncs >= FIRST) ?? samples[1]!;
    const last = samples.at(-1)!;
    const ratio = Math.round((last.rssMiB / first.rssMiB) * 100) / 100;
    console.log(
      JSON.stringify(
        {
          syncs: done,
          refused: failed,
          seconds: Math.round((Date.now() - started) / 1000),
          historyRetentionSeconds: Number(RETENTION),
          rssMiB: samples,
          ratioLastToFirst: ratio,
          target: "≤ 1.3",
          ok: ratio <= 1.3,
        },
        null,
        2,
      ),
    );
  } finally {
    child.kill("SIGKILL");
    await cosmos.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
