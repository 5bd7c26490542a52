/**
 * The deployment package (`npm run package`, what azd uploads) holds exactly what the Functions
 * host needs: it is built into a folder outside the repository, so Node's module resolution
 * cannot fall back to the repository's node_modules, and the app is loaded from there the way
 * the worker loads it. Any settings file, local data, test, bench, doc, infra file, TypeScript
 * source or dev dependency in it fails the test.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPECTED_HTTP, EXPECTED_OTHER, captureRegistrations } from "../../../support/registrations";

const root = join(__dirname, "..", "..", "..", "..");
const rootPkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  main: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

let parent = "";
let out = "";
let log = "";
let files: string[] = [];

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

beforeAll(() => {
  parent = mkdtempSync(join(tmpdir(), "package-"));
  out = join(parent, "app");
  const r = spawnSync(process.execPath, [join(root, "infra", "tools", "package.mjs"), "--out", out], { cwd: root, encoding: "utf8" });
  log = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`npm run package failed:\n${log}`);
  files = walk(out).map((f) => relative(out, f).split(sep).join("/"));
}, 600_000);

afterAll(() => {
  if (parent) rmSync(parent, { recursive: true, force: true });
});

describe("the deployment package (npm run package)", () => {
  it("reports its size", () => {
    expect(log).toMatch(/\[package\] .*: \d+ files, [\d.]+ MiB unpacked, ~[\d.]+ MiB zipped/);
  });

  it("loads from its own node_modules and registers every function of the app", () => {
    const env = { ...process.env };
    delete env.NODE_PATH;
    const registered = captureRegistrations(out, join(out, "dist"), env);
    const expected = [...EXPECTED_HTTP.map((e) => e.name), ...EXPECTED_OTHER.map((e) => e.name)].sort();
    expect(registered.map((r) => r.name).sort()).toEqual(expected);
  });

  it("has host.json, package.json with main, and only the compiled functions/ and shared/ besides node_modules", () => {
    expect(files).toContain("host.json");
    expect(JSON.parse(readFileSync(join(out, "host.json"), "utf8"))).toEqual(JSON.parse(readFileSync(join(root, "host.json"), "utf8")));
    const pkg = JSON.parse(readFileSync(join(out, "package.json"), "utf8")) as Record<string, unknown>;
    expect(pkg.main).toBe(rootPkg.main);
    expect(existsSync(join(out, rootPkg.main))).toBe(true);
    expect(pkg).not.toHaveProperty("devDependencies");
    expect(pkg).not.toHaveProperty("scripts");
    const topLevel = new Set(files.map((f) => f.split("/")[0]!));
    expect([...topLevel].sort()).toEqual(["dist", "host.json", "node_modules", "package.json"]);
    const distRoots = new Set(files.filter((f) => f.startsWith("dist/")).map((f) => f.split("/")[1]!));
    expect([...distRoots].sort()).toEqual(["console", "functions", "shared"]);
    // The web console the app serves (shared/http/routes/console.ts reads dist/console).
    expect(files).toContain("dist/console/index.html");
    expect(files.filter((f) => /^dist\/console\/assets\/index-[\w-]+\.js$/.test(f))).toHaveLength(1);
    expect(files.filter((f) => f.startsWith("dist/console/") && f.endsWith(".map"))).toEqual([]);
  });

  it("contains no secret-bearing or local-only file", () => {
    const forbidden = [
      /(^|\/)local\.settings(\..*)?\.json$/,
      /(^|\/)\.env(\..*)?$/,
      /\.(pem|pfx|key|p12)$/,
      /^\.local-data\//,
      /^(test|bench|docs|infra|local|\.ci|\.config|\.git)\//,
      /^dist\/(test|bench|local)\//,
      /__azurite_db_|__blobstorage__|__queuestorage__/,
    ];
    const outsideModules = files.filter((f) => !f.startsWith("node_modules/"));
    expect(outsideModules.filter((f) => forbidden.some((p) => p.test(f)))).toEqual([]);
    expect(files.filter((f) => /(^|\/)local\.settings.*\.json$/.test(f))).toEqual([]);
    // No TypeScript sources of ours, only their compiled output.
    expect(outsideModules.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("installs production dependencies only: nothing the lockfile marks dev-only is in node_modules", () => {
    for (const name of Object.keys(rootPkg.dependencies)) expect(existsSync(join(out, "node_modules", name)), name).toBe(true);
    const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== "" && entry.dev === true)
      .map(([path]) => path);
    expect(devOnly.length).toBeGreaterThan(100);
    expect(devOnly.filter((path) => existsSync(join(out, path)))).toEqual([]);
  });
});
