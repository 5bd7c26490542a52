import { spawn, spawnSync } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO, startE2eHost } from "../support/hostFixture";
import type { E2eHost } from "../support/hostFixture";

/**
 * The built commands as processes, signalled the way people and process managers signal them:
 * Ctrl-C typed into a real pseudo-terminal (util-linux `script`), and SIGTERM sent to the PID of
 * `npm start` / `npm run demo` (not to node: to npm, which is what a shell or a supervisor holds).
 * `npm test` builds dist/ before vitest runs; `--ignore-scripts` skips the prestart/predemo build
 * here and nothing else (npm still runs the named script).
 */
const root = resolve(__dirname, "../..");
const built = (path: string) => {
  const file = join(root, "dist", path);
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build (npm test does) first`);
  return file;
};
const LINE_WRAP_OFF = "\u001b[?7l";
const LINE_WRAP_ON = "\u001b[?7h";
const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ["PATH", "HOME", "TMPDIR", "TEMP", "TMP"]) if (process.env[name] !== undefined) env[name] = process.env[name];
  return { ...env, ...extra };
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Collects stdout + stderr; resolves `until(text)` once the output matches. */
function watch(child: ChildProcessWithoutNullStreams) {
  let output = "";
  const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    for (const w of [...waiters]) {
      const m = w.pattern.exec(output);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const finished = new Promise<Finished>((res, rej) => {
    child.once("error", rej);
    child.once("close", (code, signal) => res({ code, signal, output }));
  });
  return {
    finished,
    until(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
      const now = pattern.exec(output);
      if (now) return Promise.resolve(now);
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`no ${pattern} within ${timeoutMs} ms; output so far:\n${output}`)), timeoutMs);
        waiters.push({ pattern, resolve: (m) => (clearTimeout(timer), res(m)) });
        void finished.then((f) => rej(new Error(`exited (${f.code ?? f.signal}) before ${pattern}:\n${f.output}`)));
      });
    },
  };
}

/** The process's end, or a clear failure: an orphaned child holding the output would hang it. */
function endsWithin(finished: Promise<Finished>, ms: number, what: string): Promise<Finished> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`${what} had not ended ${ms} ms after SIGTERM (a child left running?)`)), ms);
  });
  return Promise.race([finished, late]).finally(() => clearTimeout(timer));
}

/** True when nothing listens on the port any more: binding it succeeds. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const server = createServer();
    server.once("error", () => res(false));
    server.listen(port, "127.0.0.1", () => server.close(() => res(true)));
  });
}

describe("Ctrl-C in a real terminal during sync --wait", () => {
  let e2e: E2eHost;
  beforeAll(async () => {
    e2e = await startE2eHost();
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it.skipIf(!hasScript)(
    "turns line wrap back on after the bar turned it off, says the run goes on, prints the command to follow it, exits 130",
    async () => {
      e2e.gate.hold();
      try {
        const command = [process.execPath, built("cli/main.js"), "sync", CONTOSO, "--categories", "apps", "--wait"].join(" ");
        // -q no banner, -e the child's exit status, -f flush at once; the command gets the pty.
        const child = spawn("script", ["-qefc", command, "/dev/null"], {
          env: cleanEnv({ SHELL: "/bin/sh", TERM: "xterm", COLUMNS: "120", LINES: "30", TENANT_INVENTORY_API_URL: e2e.baseUrl }),
        });
        const term = watch(child);
        // The bar is drawn once its first frame ("0/4 types") is on the screen.
        await term.until(/\/\d+ types/);
        child.stdin.write("\x03");
        const result = await term.finished;
        child.stdin.end();

        expect(result.code, result.output).toBe(130);
        const out = result.output;
        // cli-progress turned line wrap off; it is on again after the last time it was turned off.
        expect(out).toContain(LINE_WRAP_OFF);
        expect(out.lastIndexOf(LINE_WRAP_ON)).toBeGreaterThan(out.lastIndexOf(LINE_WRAP_OFF));
        const runId = /SIGINT: stopped watching\. Run (\S+) goes on in the service/.exec(out)?.[1];
        expect(runId, out).toBeDefined();
        expect(out).toContain(`Follow it again with: tenant-inventory runs watch ${CONTOSO} ${runId}`);
        // The run did go on: it is still running, held by the test's gate.
        const run = await e2e.host.stack.stores.runs.get(CONTOSO, runId!);
        expect(run?.status).toMatch(/queued|running/);
      } finally {
        e2e.gate.release();
      }
    },
  );
  if (!hasScript) it("is skipped: util-linux `script` (a pseudo-terminal) is not installed", () => undefined);
});

describe("npm start and npm run demo, signalled by npm's own PID", () => {
  it("npm start: SIGTERM to npm stops the host and frees its port", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tenant-inventory-npm-start-"));
    try {
      const npm = spawn("npm", ["start", "--ignore-scripts", "--silent"], {
        cwd: root,
        env: cleanEnv({ PORT: "0", LOCAL_DATA_DIR: dataDir, LOG_LEVEL: "warn" }),
      });
      const out = watch(npm);
      const port = Number((await out.until(/listening on http:\/\/127\.0\.0\.1:(\d+)\/api[\s\S]*Press Ctrl-C/))[1]);
      expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
      expect(await portIsFree(port)).toBe(false);

      npm.kill("SIGTERM");
      const result = await endsWithin(out.finished, 20_000, "npm start");
      expect(result.output).toContain("SIGTERM: stopping the local host");
      expect(result.output).toContain("stopped.");
      expect(await portIsFree(port)).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("npm run demo: SIGTERM to npm mid-demo ends the demo and frees its port", async () => {
    const npm = spawn("npm", ["run", "demo", "--ignore-scripts", "--silent"], { cwd: root, env: cleanEnv({}) });
    const out = watch(npm);
    const port = Number((await out.until(/listening on http:\/\/127\.0\.0\.1:(\d+)\/api[\s\S]*1\. Sync both demo tenants/))[1]);
    npm.kill("SIGTERM");
    const result = await endsWithin(out.finished, 20_000, "npm run demo");
    expect(result.output).toContain("SIGTERM: demo stopped.");
    expect(result.output).not.toContain("Demo finished");
    expect(await portIsFree(port)).toBe(true);
  });
});

describe("npm run demo keeps its web console up until Ctrl-C", () => {
  /** Waits for the console line the demo prints once it is done, fetches the page, checks it is the console. */
  async function openConsole(out: ReturnType<typeof watch>): Promise<number> {
    // The whole demo runs first (~8 s on a quiet machine); the wait allows for a loaded one.
    const match = await out.until(/open (http:\/\/127\.0\.0\.1:(\d+)\/api\/console\/) — Ctrl-C stops it/, 120_000);
    const page = await fetch(match[1]!);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/^<!doctype html>[\s\S]*<div id="app">/i);
    // Its data is the demo's: the API behind the console answers with the tenants the demo synced.
    const tenants = (await (await fetch(`http://127.0.0.1:${match[2]}/api/tenants`)).json()) as { items: { displayName: string }[] };
    expect(tenants.items.map((t) => t.displayName).sort()).toEqual(["Contoso Demo", "Contoso Staging", "Fabrikam Demo"]);
    return Number(match[2]);
  }

  it.skipIf(!hasScript)(
    "on a terminal, with no flag: prints the console URL, serves it, and Ctrl-C stops host and emulators with exit 0",
    async () => {
      // `exec`: script(1) runs the command through `sh -c`, and a non-interactive dash that is
      // still waiting gets the terminal's SIGINT too and dies of it (exit 130) whatever npm does;
      // a person's interactive shell runs npm itself, which `exec` reproduces.
      const child = spawn("script", ["-qefc", "exec npm run demo --ignore-scripts --silent", "/dev/null"], {
        cwd: root,
        env: cleanEnv({ SHELL: "/bin/sh", TERM: "xterm", COLUMNS: "120", LINES: "30" }),
      });
      const term = watch(child);
      const port = await openConsole(term);
      // The embedded emulators the banner names (Cosmos-compatible server, Azurite, Graph simulator).
      const banner = (await term.until(/cosmos: .* at https:\/\/127\.0\.0\.1:(\d+)[\s\S]*tables: .* at http:\/\/127\.0\.0\.1:(\d+)\/[\s\S]*graph: .* at http:\/\/127\.0\.0\.1:(\d+)/)).slice(1).map(Number);
      const ports = [port, ...banner];
      expect(ports).toHaveLength(4);
      for (const p of ports) expect(await portIsFree(p), `port ${p}`).toBe(false);
      child.stdin.write("\x03");
      const result = await endsWithin(term.finished, 30_000, "npm run demo after Ctrl-C");
      child.stdin.end();

      expect(result.code, result.output.slice(-2_000)).toBe(0);
      expect(result.output).toContain("SIGINT: stopping the demo's host…");
      expect(result.output).toMatch(/stopped\.\r?\n/);
      expect(result.output).not.toContain("demo stopped.");
      for (const p of ports) expect(await portIsFree(p), `port ${p}`).toBe(true);
    },
  );
  if (!hasScript) it("is skipped: util-linux `script` (a pseudo-terminal) is not installed", () => undefined);

  it("--serve keeps it up off a terminal and under CI too; SIGTERM ends it with exit 0 and frees the port", async () => {
    const child = spawn(process.execPath, [built("local/demo/main.js"), "--serve"], { cwd: root, env: cleanEnv({ CI: "true" }) });
    const out = watch(child);
    const port = await openConsole(out);
    child.kill("SIGTERM");
    const result = await endsWithin(out.finished, 30_000, "the demo with --serve");
    expect(result.code, result.output.slice(-2_000)).toBe(0);
    expect(result.output).toContain("SIGTERM: stopping the demo's host…");
    expect(await portIsFree(port)).toBe(true);
  });
});
