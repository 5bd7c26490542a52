/**
 * The built local host (`node dist/local/host/main.js`, as `npm start` runs it) killed with
 * SIGKILL — no handler, no clean-up — and started again on the same data:
 * - a run it was in the middle of is finalised by the scheduled watchdog and its selection is
 *   free again (the Cosmos-compatible server runs in the test process, so it survives the kill,
 *   as Cosmos DB survives a crashed Functions worker);
 * - a registry write it answered is still there, and a demo tenant it deleted stays deleted.
 */
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCosmosServer } from "../../../../local/emulators/cosmosServer";
import type { RunningCosmosServer } from "../../../../local/emulators/cosmosServer";
import { CONTOSO_DEMO } from "../../../../local/host/demoTenants";
import { startGraphSimulator } from "../../../../local/simulator";
import type { GraphSimulator } from "../../../../local/simulator";
import { http } from "../../../support/hostFixture";

const root = resolve(__dirname, "../../../..");
const mainJs = join(root, "dist", "local", "host", "main.js");

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ["PATH", "HOME", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP"])
    if (process.env[name] !== undefined) env[name] = process.env[name];
  return { ...env, ...extra };
}

interface Host {
  child: ChildProcessWithoutNullStreams;
  baseUrl: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the built host and resolves once its banner names the address. */
async function startHost(env: Record<string, string>): Promise<Host> {
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run npm run build (npm test does) first`);
  const child = spawn(process.execPath, [mainJs], {
    cwd: root,
    env: cleanEnv({ PORT: "0", LOG_LEVEL: "warn", ...env }),
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (out += c.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once("close", (code, signal) => r({ code, signal })),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/api)/.exec(out);
    if (match && out.includes("Press Ctrl-C"))
      return { child, baseUrl: match[1]!, output: () => out, exited };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the host did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function kill9(host: Host): Promise<void> {
  host.child.kill("SIGKILL");
  expect((await host.exited).signal).toBe("SIGKILL");
}

async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const TENANT = "5d1e0c2b-7a64-4f3e-9b21-0c9d8e7f6a54";
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "tenant-inventory-crash-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("kill -9 mid-run, then restart", () => {
  let cosmos: RunningCosmosServer;
  let graph: GraphSimulator;
  beforeAll(async () => {
    cosmos = await startCosmosServer();
    // Slow pages: the run is still running when the host is killed, whatever the machine's load.
    graph = await startGraphSimulator({ tenants: { [TENANT]: {} }, throttle: false, latencyMs: 1_500 });
  });
  afterAll(async () => {
    await graph?.close();
    await cosmos?.stop();
  });

  it("the scheduled watchdog finalises the dead process's run within one period, and its selection is free again", async () => {
    const env = {
      LOCAL_DATA_DIR: tempDir(),
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      COSMOS_DATABASE: "crash-test",
      LOCAL_COSMOS_TRUST_LOOPBACK_CERT: "true",
      GRAPH_BASE_URL: graph.baseUrl,
      GRAPH_AUTH_MODE: "simulator",
      WATCHDOG_SCHEDULE: "*/2 * * * * *",
    };
    const first = await startHost(env);
    expect(first.output()).toMatch(/timer: +syncWatchdogTimer +"\*\/2 \* \* \* \* \*" \(UTC\), next \d{4}-/);
    expect(first.output()).toMatch(
      /timer: +nightlySyncTimer +"0 0 2 \* \* \*" \(UTC\), next \d{4}-\d\d-\d\dT02:00:00\.000Z/,
    );
    expect(
      (await http("PUT", `${first.baseUrl}/tenants/${TENANT}`, { json: { displayName: "Crash test" } }))
        .status,
    ).toBe(201);
    const accepted = await http("POST", `${first.baseUrl}/tenants/${TENANT}/inventory/sync`, {
      json: { categories: ["apps"] },
    });
    expect(accepted.status, accepted.text).toBe(202);
    const runPath = `/tenants/${TENANT}/inventory/runs/${accepted.body.runId}`;
    const running = await pollUntil(
      () => http("GET", `${first.baseUrl}${runPath}`),
      (a) => a.body?.status === "running",
      20_000,
    );
    expect(running.body.status).toBe("running");
    await kill9(first);

    const second = await startHost(env);
    try {
      const restartedAt = Date.now();
      // One watchdog period is 2 s here; the pass itself and the host's start-up get a few more.
      const finalised = await pollUntil(
        () => http("GET", `${second.baseUrl}${runPath}`),
        (a) => a.status === 200,
        15_000,
      );
      expect(finalised.status, finalised.text).toBe(200);
      expect(finalised.body).toMatchObject({
        status: "failed",
        hadErrors: true,
        errorCodes: ["INTERNAL_ERROR"],
      });
      console.log(
        `crashed run finalised ${Date.now() - restartedAt} ms after the restarted host was up (watchdog every 2 s)`,
      );
      // No selection blocked: the same selection is accepted and completes.
      const again = await http("POST", `${second.baseUrl}/tenants/${TENANT}/inventory/sync`, {
        json: { categories: ["apps"] },
      });
      expect(again.status, again.text).toBe(202);
      const runs = await http("GET", `${second.baseUrl}/tenants/${TENANT}/inventory/runs?limit=200`);
      const active = runs.body.items.filter(
        (r: { status: string }) => r.status === "queued" || r.status === "running",
      );
      expect(active.map((r: { id: string }) => r.id)).toEqual([again.body.runId]);
    } finally {
      await kill9(second);
    }
  });

  it("SIGTERM waits at most SHUTDOWN_GRACE_SECONDS for a run in flight, then finalises it and exits 0", async () => {
    const env = {
      LOCAL_DATA_DIR: tempDir(),
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      COSMOS_DATABASE: "sigterm-test",
      LOCAL_COSMOS_TRUST_LOOPBACK_CERT: "true",
      GRAPH_BASE_URL: graph.baseUrl,
      GRAPH_AUTH_MODE: "simulator",
      SHUTDOWN_GRACE_SECONDS: "1",
    };
    const host = await startHost(env);
    expect(
      (await http("PUT", `${host.baseUrl}/tenants/${TENANT}`, { json: { displayName: "Sigterm test" } }))
        .status,
    ).toBe(201);
    const accepted = await http("POST", `${host.baseUrl}/tenants/${TENANT}/inventory/sync`, { json: {} });
    expect(accepted.status, accepted.text).toBe(202);
    await pollUntil(
      () => http("GET", `${host.baseUrl}/tenants/${TENANT}/inventory/runs/${accepted.body.runId}`),
      (a) => a.body?.status === "running",
      20_000,
    );
    host.child.kill("SIGTERM");
    const exit = await host.exited;
    expect(exit.code, host.output()).toBe(0);
    expect(host.output()).toContain(`finalised 1 unfinished run(s) as failed: ${accepted.body.runId}`);

    const after = await startHost(env);
    try {
      const run = await http(
        "GET",
        `${after.baseUrl}/tenants/${TENANT}/inventory/runs/${accepted.body.runId}`,
      );
      expect(run.status).toBe(200);
      expect(run.body.status).toBe("failed");
      expect(run.body.errors.at(-1).message).toMatch(/host stopped/);
    } finally {
      await kill9(after);
    }
  });
});

describe("kill -9 right after an acknowledged registry write, then restart", () => {
  it("keeps the tenant registered with 201 and the demo tenant deleted with 204", async () => {
    const env = { LOCAL_DATA_DIR: tempDir() };
    const first = await startHost(env);
    const put = await http("PUT", `${first.baseUrl}/tenants/${TENANT}`, {
      json: { displayName: "Registered just before the crash" },
    });
    expect(put.status, put.text).toBe(201);
    expect((await http("DELETE", `${first.baseUrl}/tenants/${CONTOSO_DEMO.tenantId}`)).status).toBe(204);
    await kill9(first);

    const second = await startHost(env);
    try {
      expect((await http("GET", `${second.baseUrl}/tenants/${TENANT}`)).body).toMatchObject({
        displayName: "Registered just before the crash",
      });
      // Seeded once per data folder: the deleted demo tenant does not come back.
      expect((await http("GET", `${second.baseUrl}/tenants/${CONTOSO_DEMO.tenantId}`)).status).toBe(404);
    } finally {
      await kill9(second);
    }
  });
});
