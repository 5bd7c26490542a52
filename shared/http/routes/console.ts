import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { z } from "zod";
import { ApiProblem } from "../problem";
import { defineRoute } from "../pipeline";
import type { ApiResponse, ApiRoute } from "../pipeline";

/**
 * The web console (console/, built by Vite into dist/console) served by the app itself, from the
 * same route table as the API, so Azure, the local host and the tests serve the same files. The
 * console is a static single-page app that calls only the public API; these two routes hand out
 * its page and its fingerprinted files and nothing else (no directory walk: a file is served
 * only if the build produced it). Not part of the API contract, so OpenAPI leaves them out.
 */

/** The base path Vite builds for (console/vite.config.mts `base`). */
export const CONSOLE_PATH = "/api/console/";

/** dist/console next to the compiled code (dist/shared/… → dist/console), or the repo's dist/console from source. */
function consoleDir(): string {
  const root = resolve(__dirname, "..", "..", "..");
  return basename(root) === "dist" ? join(root, "console") : join(root, "dist", "console");
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

/**
 * Only what the console needs: its own scripts, styles and images, API calls to this origin,
 * no framing (clickjacking), no inline script (Vite emits none).
 */
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

interface ConsoleFiles {
  page: Uint8Array | null;
  assets: Map<string, Uint8Array>;
}

let files: ConsoleFiles | null = null;

/** Read once per process: the built console is a few hundred KiB and never changes while the app runs. */
function consoleFiles(): ConsoleFiles {
  if (files) return files;
  const dir = consoleDir();
  const assetsDir = join(dir, "assets");
  const page = existsSync(join(dir, "index.html")) ? readFileSync(join(dir, "index.html")) : null;
  const assets = new Map<string, Uint8Array>();
  if (existsSync(assetsDir)) {
    for (const name of readdirSync(assetsDir)) {
      if (CONTENT_TYPES[extname(name)]) assets.set(name, readFileSync(join(assetsDir, name)));
    }
  }
  // A missing build is not cached, so building while the host runs is picked up.
  if (page) files = { page, assets };
  return { page, assets };
}

const notBuilt = () =>
  new ApiProblem("ROUTE_NOT_FOUND", "The console is not built in this deployment; run `npm run build` (it builds console/ into dist/console).");

function fileResponse(bytes: Uint8Array, contentType: string, cacheControl: string, extra: Record<string, string> = {}): ApiResponse {
  return { status: 200, headers: { "content-type": contentType, "cache-control": cacheControl, ...extra }, bytes };
}

const AssetParamsSchema = z.object({ file: z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/, "a file name of the console build") });

export const consoleRoutes: ApiRoute[] = [
  defineRoute({
    name: "consolePage",
    method: "GET",
    route: "console",
    authLevel: "anonymous",
    roles: [],
    tags: ["Console"],
    summary: "The web console",
    openApi: false,
    request: {},
    responses: { 200: { description: "The console's page." } },
    problems: ["ROUTE_NOT_FOUND"],
    async handler() {
      const { page } = consoleFiles();
      if (!page) throw notBuilt();
      // The page names the current build's files: always revalidated.
      return fileResponse(page, CONTENT_TYPES[".html"]!, "no-cache", PAGE_HEADERS);
    },
  }),
  defineRoute({
    name: "consoleAsset",
    method: "GET",
    route: "console/assets/{file}",
    authLevel: "anonymous",
    roles: [],
    tags: ["Console"],
    summary: "A file of the web console",
    openApi: false,
    request: { params: AssetParamsSchema },
    responses: { 200: { description: "A script, stylesheet or image of the console." } },
    problems: ["ROUTE_NOT_FOUND"],
    async handler({ params }) {
      const { page, assets } = consoleFiles();
      if (!page) throw notBuilt();
      const bytes = assets.get(params.file);
      if (!bytes) throw new ApiProblem("ROUTE_NOT_FOUND", `The console has no file ${params.file}.`);
      // Vite fingerprints every file name with its content hash: a name never changes content.
      return fileResponse(bytes, CONTENT_TYPES[extname(params.file)]!, "public, max-age=31536000, immutable");
    },
  }),
];
