#!/usr/bin/env node
// `npm run infra:build`: compiles and lints infra/main.bicep with the real Bicep CLI.
//
// 1. `dotnet restore infra/tools/bicep.csproj` brings the CLI from NuGet
//    (Azure.Bicep.CommandLine.linux-x64, the version pinned in the csproj) into
//    infra/tools/.packages (git-ignored). Nothing is downloaded from anywhere else.
// 2. `bicep build infra/main.bicep` writes the ARM template to infra/tools/out/main.json (or the
//    folder given with --outdir); test/unit/infra/main.template.test.ts reads it.
// 3. `bicep lint infra/main.bicep` with the rules of infra/bicepconfig.json.
// Any error or warning of either step fails the script: a warning is fixed, or suppressed in
// the Bicep with `#disable-next-line <rule>` and a comment giving the reason.
//
// Exit codes: 0 clean, 1 diagnostics or a failed step, 3 dotnet not installed (callers that may
// run without the .NET SDK, like `npm test`, skip on 3 and say so).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const toolsDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(toolsDir, "..", "..");
const csproj = join(toolsDir, "bicep.csproj");
const mainBicep = join(root, "infra", "main.bicep");

const args = process.argv.slice(2);
const outdirArg = args.indexOf("--outdir");
const outDir = resolve(outdirArg >= 0 ? args[outdirArg + 1] : join(toolsDir, "out"));

/** The Bicep version pinned in bicep.csproj (one place to change it). */
function pinnedBicepVersion() {
  const m = /<BicepVersion>([^<]+)<\/BicepVersion>/.exec(readFileSync(csproj, "utf8"));
  if (!m) throw new Error("bicep.csproj has no <BicepVersion>");
  return m[1];
}

function hasDotnet() {
  return spawnSync("dotnet", ["--version"], { encoding: "utf8" }).status === 0;
}

function step(label, cmd, cmdArgs) {
  const started = Date.now();
  const r = spawnSync(cmd, cmdArgs, { cwd: root, encoding: "utf8" });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  console.log(`[infra:${label}] exit ${r.status} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return { ok: r.status === 0, output };
}

/** Diagnostics lines of the Bicep CLI: `<file>(line,col) : Error|Warning|Info <code>: <text>`. */
function diagnostics(output) {
  return output
    .split("\n")
    .filter((line) => /\(\d+,\d+\) : (Error|Warning) /.test(line))
    .map((line) => line.replace(`${root}/`, ""));
}

function main() {
  if (!hasDotnet()) {
    console.log("[infra] skipped: dotnet not found (the Bicep CLI is restored from NuGet with the .NET SDK; CI has it)");
    return 3;
  }
  const version = pinnedBicepVersion();
  const restore = step("restore", "dotnet", ["restore", csproj, "--nologo", "--verbosity", "quiet"]);
  if (!restore.ok) {
    console.log(restore.output);
    return 1;
  }
  const bicep = join(toolsDir, ".packages", "azure.bicep.commandline.linux-x64", version, "tools", "bicep");
  if (!existsSync(bicep)) {
    console.log(`[infra] restore did not produce ${relative(root, bicep)}`);
    return 1;
  }
  // NuGet extracts files without their execute bit.
  chmodSync(bicep, 0o755);
  const versionLine = spawnSync(bicep, ["--version"], { encoding: "utf8" }).stdout.trim();
  console.log(`[infra] ${versionLine}`);

  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, "main.json");
  const build = step("build", bicep, ["build", mainBicep, "--outfile", outFile]);
  const lint = step("lint", bicep, ["lint", mainBicep]);
  const found = [...new Set([...diagnostics(build.output), ...diagnostics(lint.output)])];
  for (const line of found) console.log(line);
  if (!build.ok || !lint.ok || found.length > 0) {
    if (!build.ok || !lint.ok) console.log(`${build.output}${lint.output}`);
    console.log(`[infra] FAILED: ${found.length} diagnostic(s)`);
    return 1;
  }
  console.log(`[infra] clean: ${relative(root, outFile)} compiled, lint without errors or warnings`);
  return 0;
}

process.exitCode = main();
