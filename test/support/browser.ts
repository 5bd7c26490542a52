/**
 * Browser tests' helpers: a current build of the console and the principal header App Service
 * authentication injects. Chromium itself comes from local/chromium.ts (Debian's, never downloaded).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export { CHROMIUM, launchChromium } from "../../local/chromium";

const ROOT = join(__dirname, "..", "..");
const SOURCE = join(ROOT, "console");
const BUILT = join(ROOT, "dist", "console", "index.html");

function newestSource(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newestSource(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)),
  );
}

let built: Promise<unknown> | null = null;

/**
 * Makes sure dist/console (what the console route serves) is built from the current console/.
 * `npm test` builds it before any test runs, so test files running in parallel never rebuild it
 * under each other; a single file run while editing rebuilds it when a source is newer.
 */
export function buildConsole(): Promise<unknown> {
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestSource(SOURCE)) return Promise.resolve();
  // Vite is ESM-only: imported dynamically from this CommonJS module.
  built ??= import("vite").then(({ build }) => build({ configFile: join(SOURCE, "vite.config.mts"), logLevel: "warn" }));
  return built;
}

/** A base64 `x-ms-client-principal` as App Service authentication writes it. */
export function principalHeader(roles: readonly string[], name: string): string {
  const claims = [{ typ: "name", val: name }, ...roles.map((val) => ({ typ: "roles", val }))];
  return Buffer.from(JSON.stringify({ auth_typ: "aad", name_typ: "name", role_typ: "roles", claims }), "utf8").toString("base64");
}
