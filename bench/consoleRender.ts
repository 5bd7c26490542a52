/**
 * `npm run bench:console`: the web console's budget. (1) The production bundle's size, raw and
 * gzip (level 9, as a CDN or App Service compression would send it at best). (2) Time to first
 * render of the console's start page with 500 registered tenants: a fresh browser context loads
 * the page and the clock stops when all 500 rows are in the DOM (performance.now(), i.e. since
 * navigation start, read right after the wait for the last row: an upper bound by the few ms the
 * read takes). Median of RUNS loads.
 * Against the local host (embedded stores, simulator), on Debian's Chromium.
 * Settings: TENANTS (500), RUNS (7).
 */
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { CHROMIUM, launchChromium } from "../local/chromium";
import { startLocalHost } from "../local/host/localHost";
import { CONSOLE_PATH } from "../shared/http/routes/console";

const root = resolve(__dirname, "..", "..");
const TENANTS = Number(process.env.TENANTS ?? 500);
const RUNS = Number(process.env.RUNS ?? 7);

function bundleSize(): { files: number; raw: number; gzip: number } {
  const dir = join(root, "dist", "console");
  if (!existsSync(join(dir, "index.html"))) throw new Error("the console is not built: npm run build");
  const files = [join(dir, "index.html"), ...readdirSync(join(dir, "assets")).map((f) => join(dir, "assets", f))];
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    raw += statSync(file).size;
    gzip += gzipSync(readFileSync(file), { level: 9 }).length;
  }
  return { files: files.length, raw, gzip };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const size = bundleSize();
  console.log(`console bundle: ${size.files} files, ${(size.raw / 1024).toFixed(1)} KiB raw, ${(size.gzip / 1024).toFixed(1)} KiB gzip`);
  if (!existsSync(CHROMIUM)) {
    console.log(`first render: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    return;
  }
  const host = await startLocalHost({ port: 0, env: {}, demoTenants: [], timers: false });
  try {
    const now = new Date().toISOString();
    for (let i = 0; i < TENANTS; i += 1) {
      await host.stack.stores.tenants.put({ tenantId: randomUUID(), displayName: `Customer ${String(i + 1).padStart(3, "0")}`, enabled: true, selections: [] }, now);
    }
    // The API's share: the same GET the page makes, from node (the server reads the registry and
    // one summary document per tenant).
    const api: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const started = performance.now();
      const answer = await fetch(`${host.baseUrl}/portfolio`);
      await answer.arrayBuffer();
      api.push(performance.now() - started);
    }
    console.log(`GET /api/portfolio with ${TENANTS} tenants: median ${median(api).toFixed(0)} ms`);
    const browser = await launchChromium();
    const times: number[] = [];
    try {
      for (let run = 0; run < RUNS; run += 1) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const page = await context.newPage();
        await page.goto(`${host.origin}${CONSOLE_PATH}`);
        // The last row present = the table rendered (a locator wait: the console's CSP forbids eval).
        await page.locator("tbody tr").nth(TENANTS - 1).waitFor({ state: "attached", timeout: 60_000 });
        times.push(await page.evaluate<number>("performance.now()"));
        await context.close();
      }
    } finally {
      await browser.close();
    }
    console.log(
      `first render with ${TENANTS} tenants: median ${median(times).toFixed(0)} ms over ${RUNS} cold loads (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`,
    );
  } finally {
    await host.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
