// `npm test`: typecheck, lint, dead code, then every vitest test; ends with one line "N passed, N failed"
// computed from vitest's JSON report so CI and people read the same number.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { childEnv } from "./support/childEnv.mjs";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
const env = childEnv(process.env, process.stdout.isTTY);
const run = (label, cmd, args) => {
  const started = Date.now();
  const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env });
  console.log(`[${label}] exit ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return result.status === 0;
};

const typecheckOk =
  run("typecheck", bin("tsc"), ["-p", "tsconfig.json", "--noEmit"]) &&
  run("typecheck console", bin("tsc"), ["-p", "console/tsconfig.json"]);
const lintOk = run("lint", bin("eslint"), ["--config", ".config/eslint.config.mjs", "."]);
// Unused files, exports and dependencies (knip): a dead export is a second home waiting to happen.
const deadcodeOk = run("deadcode", bin("knip"), ["--config", ".config/knip.json"]);
const buildOk =
  run("build", bin("tsc"), ["-p", "tsconfig.json"]) &&
  run("build console", bin("vite"), ["build", "--config", "console/vite.config.mts"]);

// The web console's browser tests (test/browser) drive Debian's Chromium; without it they are
// skipped, and this is the one line that says so.
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromiumPath)) {
  console.log(`[browser] skipped: no Chromium at ${chromiumPath}, so test/browser (the web console in a real browser) runs in CI (apt-get install chromium)`);
}

// infra.template.test.ts restores the Bicep CLI from NuGet and runs `npm run infra:build`
// (bicep build + lint) itself; without the .NET SDK it is skipped, and this is the one line
// that says so.
if (spawnSync("dotnet", ["--version"], { stdio: "ignore" }).status !== 0) {
  console.log("[infra] skipped: dotnet not found, so the Bicep CLI (NuGet) cannot be restored; bicep build/lint and test/unit/infra/main.template.test.ts run in CI");
}

const reportDir = join(root, ".test-results");
const reportFile = join(reportDir, "vitest.json");
mkdirSync(reportDir, { recursive: true });
if (existsSync(reportFile)) rmSync(reportFile);
const extra = process.argv.slice(2);
const testsOk = run("vitest", bin("vitest"), [
  "run",
  "--config",
  ".config/vitest.config.mts",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${reportFile}`,
  ...extra,
]);

// The engine tests on the REAL Durable extension (local/realEngine) need dotnet: run them where it
// is on the PATH (CI has it), say so in one line where it is not.
const realReportFile = join(reportDir, "vitest.real-engine.json");
if (existsSync(realReportFile)) rmSync(realReportFile);
let realEngineOk = true;
const dotnet = spawnSync("dotnet", ["--version"], { encoding: "utf8" });
if (dotnet.error || dotnet.status !== 0) {
  console.log("real-engine suite skipped: dotnet is not on the PATH (npm run test:real-engine runs it where it is)");
} else {
  realEngineOk =
    run("build:real-engine", "dotnet", ["build", "local/realEngine/host", "-c", "Release", "--nologo", "-v", "q"]) &&
    run("vitest real-engine", bin("vitest"), [
      "run",
      "--config",
      ".config/vitest.real-engine.config.mts",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${realReportFile}`,
    ]);
}

let passed = 0;
let failed = 0;
const count = (file) => {
  if (!existsSync(file)) {
    failed += 1;
    return;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numRuntimeErrorTests ?? 0);
  // A test file that fails to load reports no test; count it so it cannot hide.
  for (const result of report.testResults ?? []) {
    if (result.status === "failed" && (result.assertionResults ?? []).length === 0) failed += 1;
  }
};
count(reportFile);
if (!(dotnet.error || dotnet.status !== 0)) count(realReportFile);
for (const [label, ok] of [["typecheck", typecheckOk], ["lint", lintOk], ["deadcode", deadcodeOk], ["build", buildOk], ["real-engine suite", realEngineOk]]) {
  if (!ok) {
    console.log(`${label} failed`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && testsOk && realEngineOk ? 0 : 1);
