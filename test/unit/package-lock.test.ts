/**
 * The tracked lockfile is what `npm install` would write, and the locked dependencies accept
 * every Node.js version package.json `engines` promises. A fresh clone's `npm install` therefore
 * neither rewrites package-lock.json nor prints EBADENGINE on a supported Node.
 *
 * How it is checked: package.json and package-lock.json are copied to a temporary folder and npm
 * reconciles them (`--package-lock-only`: no download, no node_modules); the result must be byte
 * for byte the tracked file. Engines are compared with semver ranges read from the lockfile.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[]; dev?: boolean }>;
};


/** The lowest version of each range of the promise (`^20.19.0 || >=22.13.0` → 20.19.0, 22.13.0) plus a current one. */
function promisedVersions(range: string): string[] {
  const lows = range.split("||").map((part) => semver.minVersion(part.trim())!.version);
  return [...lows, "24.0.0"];
}

describe("package.json and package-lock.json", () => {
  it("promise Node 22 (the Azure default) and Node 20.19+ (still selectable on Flex)", () => {
    expect(semver.satisfies("22.13.0", pkg.engines.node)).toBe(true);
    expect(semver.satisfies("20.19.0", pkg.engines.node)).toBe(true);
    expect(lock.packages[""]?.engines).toEqual({ node: pkg.engines.node });
  });

  it.each(promisedVersions(pkg.engines.node))("every locked package accepts Node %s (no EBADENGINE)", (version) => {
    const refusing = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== "" && !Array.isArray(entry.engines) && typeof entry.engines?.node === "string")
      .filter(([, entry]) => !semver.satisfies(version, (entry.engines as { node: string }).node))
      .map(([path, entry]) => `${path.replace(/^node_modules\//, "")}@${entry.version} wants ${(entry.engines as { node: string }).node}`);
    expect(refusing).toEqual([]);
  });

  it("is exactly what npm install writes: a fresh install does not modify the tracked lockfile", () => {
    const dir = mkdtempSync(join(tmpdir(), "lockfile-"));
    try {
      copyFileSync(join(root, "package.json"), join(dir, "package.json"));
      copyFileSync(join(root, "package-lock.json"), join(dir, "package-lock.json"));
      const npm = spawnSync(
        "npm",
        ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"],
        { cwd: dir, encoding: "utf8" },
      );
      expect(npm.status, npm.stderr).toBe(0);
      if (semver.satisfies(process.versions.node, pkg.engines.node)) {
        expect(npm.stderr).not.toMatch(/EBADENGINE/);
      }
      expect(readFileSync(join(dir, "package-lock.json"), "utf8")).toBe(readFileSync(join(root, "package-lock.json"), "utf8"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
