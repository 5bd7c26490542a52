import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * `npm test` (test/runSuite.mjs) runs vitest, tsc and eslint with the environment from
 * test/support/childEnv.mjs. Here vitest really runs, piped like a CI log, on one small file
 * (without the suite's config: that file needs no emulators).
 */
const root = resolve(__dirname, "../../..");
const ESC = "\u001b[";

function vitestOutput(env: NodeJS.ProcessEnv): string {
  const result = spawnSync(
    process.execPath,
    [join(root, "node_modules", "vitest", "vitest.mjs"), "run", "test/unit/cli/format.test.ts"],
    { cwd: root, env, encoding: "utf8", timeout: 120_000 },
  );
  expect(result.status, result.stderr).toBe(0);
  return result.stdout + result.stderr;
}

describe("npm test's output off a terminal", () => {
  it("carries no ANSI escape codes, where vitest would otherwise colour a piped log", async () => {
    const { childEnv } = await import("../../support/childEnv.mjs");
    const base: NodeJS.ProcessEnv = { ...process.env, TERM: "xterm-256color" };
    delete base.NO_COLOR;
    // The control: left alone, vitest colours even a pipe (so this test can fail).
    expect(vitestOutput(base)).toContain(ESC);
    const plain = vitestOutput(childEnv(base, false));
    expect(plain).toMatch(/Tests\s+\d+ passed/);
    expect(plain).not.toContain(ESC);
  });
});
