#!/usr/bin/env node
// `npm run package`: the deployment package, exactly what the Functions host needs and nothing
// else. azd runs this script itself (its npm packaging step calls `npm run package`) and
// uploads the folder named by `dist:` in azure.yaml.
//
//   .package/
//     host.json
//     package.json        name, version, main, engines, dependencies (no scripts, no dev deps)
//     dist/functions, dist/shared   compiled with tsconfig.package.json (no local/, test/, bench/)
//     dist/console        the web console, built by Vite (served by shared/http/routes/console.ts)
//     node_modules/       production dependencies only: `npm ci --omit=dev` from the lockfile
//
// Settings files, local data, tests, bench, docs, infra and dev dependencies never get in,
// because nothing is copied but the list above (test/integration/infra/tools/package.test.ts checks it and
// loads the registrations from the packaged copy). Options: --out <dir> (default .package).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateRawSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const outArg = args.indexOf("--out");
const out = resolve(outArg >= 0 ? args[outArg + 1] : join(root, ".package"));

function run(label, cmd, cmdArgs, cwd) {
  const started = Date.now();
  const r = spawnSync(cmd, cmdArgs, { cwd, encoding: "utf8" });
  console.log(`[package:${label}] exit ${r.status} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  if (r.status !== 0) {
    console.log(`${r.stdout}${r.stderr}`);
    process.exit(1);
  }
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  );
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

run("tsc", process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "tsconfig.package.json"), "--outDir", join(out, "dist")], root);

run("vite build (console)", process.execPath, [join(root, "node_modules", "vite", "bin", "vite.js"), "build", "--config", join(root, "console", "vite.config.mts"), "--outDir", join(out, "dist", "console"), "--emptyOutDir"], root);

copyFileSync(join(root, "host.json"), join(out, "host.json"));
// npm ci needs the package.json the lockfile was written for; it is trimmed after the install.
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
writeFileSync(join(out, "package.json"), JSON.stringify({ ...pkg, scripts: {} }, null, 2));
copyFileSync(join(root, "package-lock.json"), join(out, "package-lock.json"));
run("npm ci --omit=dev", "npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"], out);

const { name, version, description, license, main, engines, dependencies } = pkg;
writeFileSync(join(out, "package.json"), `${JSON.stringify({ name, version, description, license, main, engines, dependencies }, null, 2)}\n`);
rmSync(join(out, "package-lock.json"));

// Size as unpacked and as a zip would hold it (deflate per file plus ~100 bytes of headers).
let bytes = 0;
let zipped = 0;
const all = files(out);
for (const file of all) {
  const size = statSync(file).size;
  bytes += size;
  zipped += Math.min(size, deflateRawSync(readFileSync(file)).length) + 100 + 2 * relative(out, file).length;
}
const mb = (n) => (n / 1024 / 1024).toFixed(1);
console.log(`[package] ${relative(process.cwd(), out) || "."}: ${all.length} files, ${mb(bytes)} MiB unpacked, ~${mb(zipped)} MiB zipped`);
