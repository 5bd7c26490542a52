import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { POLICY_TYPES } from "../../shared/domain";

/**
 * The built commands as people run them (`npm test` builds before vitest runs). They are spawned
 * with an environment stripped of this project's settings, so a developer's configuration cannot
 * change what they use.
 */
const root = resolve(__dirname, "../..");
const built = (path: string) => {
  const file = join(root, "dist", path);
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build (npm test does) first`);
  return file;
};

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ["PATH", "HOME", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP"]) if (process.env[name] !== undefined) env[name] = process.env[name];
  return { ...env, ...extra };
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcessWithoutNullStreams, onStdout?: (all: string) => void): Promise<Finished> {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    onStdout?.(stdout);
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolvePromise, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

describe("built commands", () => {
  it("the shipped bin is the top-level CLI (dist/cli/main.js) and runs on its own", async () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { bin: Record<string, string>; version: string };
    expect(pkg.bin).toEqual({ "tenant-inventory": "dist/cli/main.js" });
    const child = spawn(process.execPath, [built("cli/main.js"), "--version"], { cwd: root, env: cleanEnv({}) });
    const result = await collect(child);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it("npm run demo (node dist/local/demo/main.js) off a terminal exits 0, prints the runs, the coverage and the missing items, and how to keep its console up", async () => {
    const child = spawn(process.execPath, [built("local/demo/main.js")], { cwd: root, env: cleanEnv({}) });
    const result = await collect(child);
    expect(result.code, result.stderr + result.stdout.slice(-2_000)).toBe(0);
    const out = result.stdout;
    expect(out).toContain("no Azure, no network");
    expect(out).toMatch(/cosmos: embedded in-process Cosmos-compatible server .*in memory/);
    const nonFoundation = POLICY_TYPES.filter((t) => !t.foundation).length;
    expect(out).toContain(`Contoso Demo: success ${nonFoundation}/${nonFoundation} policy types`);
    expect(out).toContain(`Fabrikam Demo: success ${nonFoundation}/${nonFoundation} policy types`);
    expect(out).toContain("2. Coverage (GET …/inventory/coverage)");
    expect(out).toMatch(/run \S+: partial in \S+ — /);
    expect(out).toContain("GRAPH_FORBIDDEN (mobileApp)");
    expect(out).toContain("confidence low");
    expect(out).toMatch(/\n8 missing items\n/);
    expect(out).toMatch(/Demo finished in (\d+(\.\d)?s|\d+ms)\./);
    // Off a terminal it ends (as in a script or CI) and says how to keep its web console up.
    expect(out).toContain("Web console: this demo's host has stopped (output is not a terminal).");
    expect(out).toContain("To browse it, run: npm run demo -- --serve");
    expect(out).not.toContain("Ctrl-C stops it\n");
  });

  it("npm start (node dist/local/host/main.js) prints the banner, serves /api/health and exits 0 on SIGINT", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tenant-inventory-start-"));
    try {
      const child = spawn(process.execPath, [built("local/host/main.js")], {
        cwd: root,
        env: cleanEnv({ PORT: "0", LOCAL_DATA_DIR: dataDir, LOG_LEVEL: "warn" }),
      });
      let baseUrl: Promise<string> | null = null;
      let found: (url: string) => void = () => undefined;
      baseUrl = new Promise((r) => (found = r));
      const finished = collect(child, (all) => {
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/api)/.exec(all);
        if (match && all.includes("Press Ctrl-C")) found(match[1]!);
      });
      const url = await Promise.race([
        baseUrl,
        finished.then((r) => {
          throw new Error(`the host exited early (${r.code}): ${r.stderr}`);
        }),
      ]);
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok", checks: { cosmos: "ok", tables: "ok" } });
      const tenants = (await (await fetch(`${url}/tenants`)).json()) as { items: { displayName: string }[] };
      expect(tenants.items.map((t) => t.displayName).sort()).toEqual(["Contoso Demo", "Fabrikam Demo"]);

      child.kill("SIGINT");
      const result = await finished;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`tables: embedded Azurite tables`);
      expect(result.stdout).toContain(join(dataDir, "azurite"));
      expect(result.stdout).toContain("graph:  embedded Graph tenant simulator");
      expect(result.stdout).toContain("SIGINT: stopping the local host");
      expect(result.stdout).toContain("stopped.");
      // Its tables were kept in the data folder.
      expect(existsSync(join(dataDir, "azurite", "tables.json"))).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
