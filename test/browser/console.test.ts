/**
 * The web console in a real browser: Debian's Chromium driven by playwright-core (no browser
 * download) against the local host with the Graph simulator, through the public API only.
 * Skipped (runSuite prints one line) where /usr/bin/chromium is absent; CI installs it.
 * It also writes the README's screenshots (docs/images/console-*.png) at 1280 px.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseCsv } from "csv-parse/sync";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { CONTOSO, FABRIKAM, SMALL_DEMO_TENANTS, followLocation, http, startE2eHost, syncUrl } from "../support/hostFixture";
import type { E2eHost } from "../support/hostFixture";
import { buildConsole, CHROMIUM, launchChromium, principalHeader } from "../support/browser";

const ROOT = join(__dirname, "..", "..");
// The README's screenshots are refreshed with UPDATE_SCREENSHOTS=1; an ordinary run writes them
// under .test-results/ so it never dirties the work tree.
const SHOTS = process.env.UPDATE_SCREENSHOTS === "1" ? join(ROOT, "docs", "images") : join(ROOT, ".test-results", "console");
const CONTOSO_NAME = SMALL_DEMO_TENANTS[0]!.displayName;

async function syncAndWait(baseUrl: string, tenantId: string, body: unknown) {
  const started = await http("POST", syncUrl(baseUrl, tenantId), { json: body });
  expect(started.status, started.text).toBe(202);
  return (await followLocation(started.headers.get("location")!)).final.body as { id: string; status: string };
}

/** No serious or critical axe-core violation (WCAG 2 A/AA rules) on the page as it is now. */
async function expectAccessible(page: Page, what: string) {
  // Evaluated through the DevTools protocol: the console's CSP (no inline script) stays on.
  await page.evaluate(readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"));
  const result = await page.evaluate<{ violations: { id: string; impact: string; nodes: unknown[] }[] }>(
    `axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } })`,
  );
  const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.nodes.length})`);
  expect(serious, `axe on ${what}`).toEqual([]);
}

describe.skipIf(!existsSync(CHROMIUM))("the web console in Chromium", () => {
  let e2e: E2eHost;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let consoleUrl: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await buildConsole();
    e2e = await startE2eHost();
    consoleUrl = `${e2e.host.origin}/api/console/`;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    page = await context.newPage();
    // Inventory to look at: every non-foundation type of Contoso, once.
    const run = await syncAndWait(e2e.baseUrl, CONTOSO, {});
    expect(run.status).toBe("success");
    // The tenant summary is written right after the run turns final (finalizeRun's post-run
    // step), so the run can answer 200 a moment before the portfolio shows it: wait for it.
    const shown = async () =>
      ((await http("GET", `${e2e.baseUrl}/portfolio`)).body as { items: { tenantId: string; lastRun: { id: string } | null }[] }).items.find((t) => t.tenantId === CONTOSO)?.lastRun?.id;
    for (const deadline = Date.now() + 15_000; (await shown()) !== run.id; ) {
      if (Date.now() > deadline) throw new Error(`the portfolio never showed run ${run.id} of Contoso`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  afterAll(async () => {
    await browser?.close();
    await e2e?.close();
  });

  it("opens the portfolio worst first, filters it, drills into a tenant and searches its inventory on the server", async () => {
    // The tenant summary is a post-run step: it may land just after the run's 200.
    type Portfolio = { items: { displayName: string; stale: boolean }[] };
    await expect.poll(async () => ((await http("GET", `${e2e.baseUrl}/portfolio`)).body as Portfolio).items.map((t) => t.stale)).toEqual([true, false]);
    const portfolio = (await http("GET", `${e2e.baseUrl}/portfolio`)).body as Portfolio;
    await page.goto(consoleUrl);
    await page.getByRole("heading", { level: 1, name: "Portfolio" }).waitFor();
    const names = page.getByRole("table").locator("tbody th a");
    await expect.poll(() => names.allInnerTexts()).toEqual(portfolio.items.map((t) => t.displayName));
    // Fabrikam has never been synced: stale, so it needs attention and comes before Contoso.
    await page.screenshot({ path: join(SHOTS, "console-portfolio.png") });
    await expectAccessible(page, "portfolio");
    await page.getByRole("combobox", { name: "Show" }).selectOption("attention");
    await expect.poll(() => names.allInnerTexts()).toEqual([portfolio.items[0]!.displayName]);
    await page.getByRole("combobox", { name: "Show" }).selectOption("all");

    await page.getByRole("link", { name: CONTOSO_NAME }).click();
    await page.getByRole("heading", { level: 1, name: CONTOSO_NAME }).waitFor();
    const table = page.getByRole("table");
    await table.waitFor();
    const all = await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/items?limit=200`);
    const first = (all.body as { items: { displayName: string }[] }).items[0]!.displayName;
    const needle = first.slice(0, Math.min(6, first.length)).toLowerCase();
    const expected = (await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/items?limit=200&q=${encodeURIComponent(needle)}`)).body as { items: unknown[] };

    await page.getByRole("searchbox", { name: "Search names" }).fill(needle);
    await page.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => table.locator("tbody tr").count()).toBe(Math.min(expected.items.length, 100));
    for (const name of await table.locator("tbody th").allInnerTexts()) expect(name.toLowerCase()).toContain(needle);
    await page.getByRole("button", { name: "Clear" }).click();
    await expect.poll(() => table.locator("tbody tr").count()).toBe(Math.min((all.body as { items: unknown[] }).items.length, 100));
    await page.screenshot({ path: join(SHOTS, "console-inventory.png") });
    await expectAccessible(page, "inventory");

    // Export the filtered inventory as CSV through the page's link and read the downloaded file.
    await page.getByRole("combobox", { name: "Category" }).selectOption("compliance");
    await page.getByRole("button", { name: "Apply" }).click();
    const compliance = (await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/items?limit=200&category=compliance`)).body as { items: { id: string; displayName: string }[] };
    await expect.poll(() => table.locator("tbody tr").count()).toBe(compliance.items.length);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "CSV" }).click()]);
    expect(download.suggestedFilename()).toBe(`items-${CONTOSO}.csv`);
    const rows = parseCsv(readFileSync((await download.path())!, "utf8"), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.id).sort()).toEqual(compliance.items.map((i) => i.id).sort());
    expect(rows.every((r) => r.category === "compliance" && r.tenantId === CONTOSO)).toBe(true);
    await page.getByRole("button", { name: "Clear" }).click();

    await page.getByRole("link", { name: "Coverage" }).click();
    await page.getByRole("table", { name: "Coverage per policy type" }).waitFor();
    await expectAccessible(page, "coverage");
  });

  it("opens one item from the inventory with its meta and its assignments as the API has them", async () => {
    await page.goto(`${consoleUrl}#/tenants/${CONTOSO}/items`);
    const first = page.getByRole("table").locator("tbody th a").first();
    await first.waitFor();
    const name = (await first.innerText()).trim();
    await first.click();
    await page.getByRole("heading", { level: 2, name }).waitFor();
    const href = page.url().split("/items/")[1]!;
    const item = (await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/items/${href}`)).body as {
      policyType: string;
      externalId: string;
      assignments: { status: string; targets: unknown[] };
    };
    const main = page.locator("main");
    expect(await main.innerText()).toContain(item.externalId);
    await page.getByRole("heading", { level: 3, name: "Assignments" }).waitFor();
    if (item.assignments.status === "known" && item.assignments.targets.length > 0) {
      await expect.poll(() => page.getByRole("table", { name: "Assignment targets" }).locator("tbody tr").count()).toBe(item.assignments.targets.length);
    } else {
      expect(await main.innerText()).toMatch(item.assignments.status === "known" ? /Not assigned\./ : item.assignments.status === "unknown" ? /could not be read/ : /have no assignments/);
    }
    await expectAccessible(page, "item");
  });

  it("starts a sync with a selection and follows the run until it finishes", async () => {
    await page.goto(`${consoleUrl}#/tenants/${CONTOSO}/runs`);
    e2e.gate.hold();
    await page.getByRole("checkbox", { name: "compliance" }).check();
    await page.getByRole("button", { name: "Sync now" }).click();
    const status = page.getByRole("status").filter({ hasText: "In progress" });
    await status.waitFor();
    await expectAccessible(page, "run in progress");
    e2e.gate.release();
    await page.getByRole("status").filter({ hasText: "Finished" }).waitFor({ timeout: 30_000 });
    await expect(page.locator(".badge-success").first().innerText()).resolves.toBe("Success");
    await expect(page.getByRole("table", { name: "Outcome per policy type" }).locator("tbody tr").count()).resolves.toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, "console-run.png") });
    await expectAccessible(page, "finished run");
  });

  it("shows 409 LOCK_HELD as already running, with a link that opens the active run", async () => {
    e2e.gate.hold();
    const started = await http("POST", syncUrl(e2e.baseUrl, CONTOSO), { json: { categories: ["apps"] } });
    expect(started.status).toBe(202);
    const activeRunId = (started.body as { runId: string }).runId;
    await page.goto(`${consoleUrl}#/tenants/${CONTOSO}/runs`);
    await page.getByRole("checkbox", { name: "apps", exact: true }).check();
    await page.getByRole("button", { name: "Sync now" }).click();
    const notice = page.getByRole("status").filter({ hasText: "already running" });
    await notice.waitFor();
    await notice.getByRole("link", { name: "open it" }).click();
    await page.getByRole("heading", { name: `Run ${activeRunId}` }).waitFor();
    e2e.gate.release();
    await page.getByRole("status").filter({ hasText: "Finished" }).waitFor({ timeout: 30_000 });
  });

  it("explains on the missing page that a 403'd type was not read completely", async () => {
    const selection = { categories: ["scripts"] };
    expect((await syncAndWait(e2e.baseUrl, CONTOSO, selection)).status).toBe("success");
    e2e.host.stack.simulator!.control.fault(CONTOSO, "deviceManagementScript", { status: 403 });
    const second = await syncAndWait(e2e.baseUrl, CONTOSO, selection);
    expect(second.status).toBe("partial");

    await page.goto(`${consoleUrl}#/tenants/${CONTOSO}/missing`);
    const picker = page.getByRole("combobox", { name: "Selection" });
    await expect.poll(() => picker.locator("option").count(), { timeout: 15_000 }).toBeGreaterThan(1);
    await picker.selectOption({ value: (second as unknown as { selectionHash: string }).selectionHash });
    await page.getByText("Confidence: low.").waitFor();
    const rows = page.getByRole("table").locator("tbody tr");
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    const first = await rows.first().innerText();
    expect(first).toContain("deviceManagementScript");
    expect(first).toContain("Type not read completely");
    // One poll for both: while the run named by the report loads, the row says "not read
    // completely" without the code (seen once in a full suite under load: a poll for the code,
    // then a plain read that caught the row re-rendered for the selected selection's report).
    await expect.poll(() => rows.first().innerText()).toMatch(/GRAPH_FORBIDDEN[\s\S]*403 Forbidden/);
    await page.screenshot({ path: join(SHOTS, "console-missing.png") });
    await expectAccessible(page, "missing");
    // The same run's changes: nothing of the type it could not read is called removed, and the page says why.
    await page.goto(`${consoleUrl}#/tenants/${CONTOSO}/runs/${second.id}`);
    const notice = page.getByText("Not read completely, so nothing of them is called removed:");
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.innerText()).toContain("deviceManagementScript");
  });

  it("lists what a sync changed on the run page, with the changed fields, and the same change over time on the tenant's Changes tab", async () => {
    // A baseline run of the selection, then an admin's edit in the simulator, then the run that sees it.
    const selection = { categories: ["compliance"] };
    const base = await syncAndWait(e2e.baseUrl, CONTOSO, selection);
    expect(base.status).toBe("success");
    // Nothing changed since the selection's previous run (or it is its first: the baseline): the page says so.
    expect(((await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/runs/${base.id}/changes`)).body as { items: unknown[] }).items).toEqual([]);
    await page.goto(`${consoleUrl}#/tenants/${CONTOSO}/runs/${base.id}`);
    await page.getByText("No changes in this run.").waitFor({ timeout: 15_000 });
    const simulator = e2e.host.stack.simulator!.control;
    const target = (simulator.objects(CONTOSO, "deviceCompliancePolicy") as { id: string; displayName: string; version: number }[])[0]!;
    const renamed = `${target.displayName} (edited)`;
    simulator.mutate(CONTOSO, "deviceCompliancePolicy", { rename: { [target.id]: renamed }, update: { [target.id]: { version: target.version + 1 } } });
    const run = await syncAndWait(e2e.baseUrl, CONTOSO, selection);
    expect(run.status).toBe("success");
    type Changes = { items: { kind: string; itemId: string; displayName: string; changedFields: string[] }[] };
    const changes = (await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/runs/${run.id}/changes`)).body as Changes;
    const change = changes.items.find((c) => c.displayName === renamed)!;
    expect(change.kind).toBe("changed");
    expect(change.changedFields).toEqual(expect.arrayContaining(["displayName", "meta.version"]));

    await page.goto(`${consoleUrl}#/tenants/${CONTOSO}/runs/${run.id}`);
    const runTable = page.getByRole("table", { name: "What this run changed" });
    await runTable.waitFor({ timeout: 15_000 });
    await expect.poll(() => runTable.locator("tbody tr").count()).toBe(changes.items.length);
    const row = runTable.locator("tbody tr").filter({ hasText: renamed });
    const text = await row.innerText();
    expect(text).toContain("Changed");
    for (const field of change.changedFields) expect(text).toContain(field);
    await page.screenshot({ path: join(SHOTS, "console-run-changes.png"), fullPage: true });
    await expectAccessible(page, "a run's changes");
    await row.getByRole("link", { name: renamed }).click();
    await page.getByRole("heading", { level: 2, name: renamed }).waitFor();
    expect(page.url()).toContain(`/items/${encodeURIComponent(change.itemId)}`);

    // Over time: the portfolio's "changes in 24 h" opens the tenant's Changes tab on the last 24 hours.
    type Portfolio = { items: { tenantId: string; changesLast24h: number | null }[] };
    await expect
      .poll(async () => ((await http("GET", `${e2e.baseUrl}/portfolio`)).body as Portfolio).items.find((t) => t.tenantId === CONTOSO)?.changesLast24h ?? 0, { timeout: 15_000 })
      .toBeGreaterThan(0);
    await page.goto(consoleUrl);
    const contosoRow = page.getByRole("row").filter({ has: page.getByRole("link", { name: CONTOSO_NAME, exact: true }) });
    await contosoRow.getByRole("link", { name: /changes? in the last 24 hours$/ }).click();
    await page.getByRole("heading", { level: 2, name: "Changes" }).waitFor();
    expect(await page.getByRole("combobox", { name: "Period" }).inputValue()).toBe("24h");
    const overTime = page.getByRole("table", { name: /^Changes in the last 24 hours/ });
    const since = new Date(Date.now() - 86_400_000).toISOString();
    const expected = (await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/changes?since=${since}&limit=100`)).body as Changes;
    await expect.poll(() => overTime.locator("tbody tr").count(), { timeout: 15_000 }).toBe(expected.items.length);
    const overTimeRow = overTime.locator("tbody tr").filter({ hasText: renamed });
    expect(await overTimeRow.innerText()).toContain("meta.version");
    await page.screenshot({ path: join(SHOTS, "console-changes.png"), fullPage: true });
    await expectAccessible(page, "changes over time");
    // Filtered on the server: only "changed" entries, the edit among them.
    const changedOnly = (await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/changes?since=${since}&kind=changed&limit=100`)).body as Changes;
    expect(changedOnly.items.length).toBeGreaterThan(0);
    await page.getByRole("combobox", { name: "Kind of change" }).selectOption("changed");
    await expect
      .poll(async () => (await overTime.locator("tbody tr td:nth-child(2)").allInnerTexts()).map((k) => k.trim()), { timeout: 15_000 })
      .toEqual(changedOnly.items.map(() => "Changed"));
    // Between two dates (the browser's calendar day, today to today): the edit is in it.
    const today = await page.evaluate<string>(`new Date().toLocaleDateString("sv")`);
    await page.getByRole("combobox", { name: "Period" }).selectOption("range");
    await page.getByLabel("From", { exact: true }).fill(today);
    await page.getByLabel("To", { exact: true }).fill(today);
    await page.getByRole("table", { name: /^Changes in the chosen dates/ }).locator("tbody tr").filter({ hasText: renamed }).waitFor();
    await page.getByRole("combobox", { name: "Period" }).selectOption("24h");
    await overTimeRow.getByRole("link", { name: /^open run/ }).click();
    await page.getByRole("heading", { level: 2, name: `Run ${run.id}` }).waitFor();
    await page.goto(`${consoleUrl}#/tenants/${CONTOSO}/changes`);
    await overTime.or(page.getByRole("table", { name: /^Changes in the last 7 days/ })).waitFor();
    await page.getByRole("table", { name: /^Changes in the last 7 days/ }).getByRole("link", { name: renamed }).first().click();
    await page.getByRole("heading", { level: 2, name: renamed }).waitFor();
  });

  it("links an item to the groups, filters and scope tags it references, each to every item using it", async () => {
    type Item = { id: string; displayName: string; assignments: { status: string; targets: { groupId: string | null; filterId: string | null }[] } };
    const items = ((await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/items?limit=200`)).body as { items: Item[] }).items;
    const item = items.find((i) => i.assignments.status === "known" && i.assignments.targets.some((t) => t.groupId))!;
    const groupId = item.assignments.targets.find((t) => t.groupId)!.groupId!;
    const users = ((await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/dependencies?groupId=${groupId}&limit=100`)).body as { items: Item[] }).items;
    expect(users.map((u) => u.id)).toContain(item.id);

    await page.goto(`${consoleUrl}#/tenants/${CONTOSO}/items/${encodeURIComponent(item.id)}`);
    await page.getByRole("heading", { level: 2, name: item.displayName }).waitFor();
    const references = page.getByRole("table", { name: "What this item references" });
    // Polled: the page before (another item) may still be on screen for a moment after the address changed.
    await expect.poll(() => references.innerText(), { timeout: 15_000 }).toContain(groupId);
    await expectAccessible(page, "an item's dependencies");
    await references.getByRole("link", { name: `every item using this group (${groupId})` }).click();
    await page.getByRole("heading", { level: 2, name: `Items using group ${groupId}` }).waitFor();
    const list = page.getByRole("table", { name: "Items using this group" });
    await expect.poll(() => list.locator("tbody th").allInnerTexts(), { timeout: 15_000 }).toEqual(users.map((u) => u.displayName));
    await expectAccessible(page, "items using a group");
    await list.getByRole("link", { name: item.displayName, exact: true }).first().click();
    await page.getByRole("heading", { level: 2, name: item.displayName }).waitFor();

    // A filter that is itself in the inventory (a foundation type): named and linked from the item
    // using it, and its own page lists what references it.
    const filtered = items.find((i) => i.assignments.status === "known" && i.assignments.targets.some((t) => t.filterId))!;
    const filterId = filtered.assignments.targets.find((t) => t.filterId)!.filterId!;
    e2e.host.stack.simulator!.control.mutate(CONTOSO, "assignmentFilter", {
      add: [{ "@odata.type": "#microsoft.graph.deviceAndAppManagementAssignmentFilter", id: filterId, displayName: "Corporate Windows devices", platform: "windows10AndLater", roleScopeTags: ["0"] }],
    });
    expect((await syncAndWait(e2e.baseUrl, CONTOSO, { policyTypes: ["assignmentFilter"] })).status).toBe("success");
    const filterUsers = ((await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/dependencies?filterId=${filterId}&limit=100`)).body as { items: Item[] }).items;
    await page.goto(`${consoleUrl}#/tenants/${CONTOSO}/items/${encodeURIComponent(filtered.id)}`);
    await page.getByRole("table", { name: "What this item references" }).getByRole("link", { name: "Corporate Windows devices" }).click();
    await page.getByRole("heading", { level: 2, name: "Corporate Windows devices" }).waitFor();
    const usingFilter = page.getByRole("table", { name: "Items using this assignment filter" });
    await expect.poll(() => usingFilter.locator("tbody th").allInnerTexts(), { timeout: 15_000 }).toEqual(filterUsers.map((u) => u.displayName));
    expect(filterUsers.map((u) => u.id)).toContain(filtered.id);
    await page.screenshot({ path: join(SHOTS, "console-item-dependencies.png"), fullPage: true });
    await expectAccessible(page, "a filter and the items using it");

    // Not a group id: the API's 400 and its stable code, not an empty list.
    await page.goto(`${consoleUrl}#/tenants/${CONTOSO}/uses/group:not-a-guid`);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.innerText()).toContain("VALIDATION_FAILED");
  });

  it("compares two tenants and holds one against a baseline, saying the API's counts", async () => {
    expect((await syncAndWait(e2e.baseUrl, FABRIKAM, {})).status).toBe("success");
    const compared = (await http("GET", `${e2e.baseUrl}/compare?left=${CONTOSO}&right=${FABRIKAM}`)).body as { counts: Record<string, number> };
    await page.goto(consoleUrl);
    await page.getByRole("link", { name: "Compare" }).click();
    await page.getByRole("heading", { level: 1, name: "Compare two tenants" }).waitFor();
    await page.getByRole("combobox", { name: "Left" }).selectOption(CONTOSO);
    await page.getByRole("combobox", { name: "Right" }).selectOption(FABRIKAM);
    await page.getByRole("button", { name: "Compare" }).click();
    const summary = page.getByRole("status").filter({ hasText: " vs " });
    await summary.waitFor();
    const c = compared.counts;
    expect(await summary.innerText()).toContain(`${c.same} same, ${c.different} different, ${c.onlyLeft} only left, ${c.onlyRight} only right`);
    await page.screenshot({ path: join(SHOTS, "console-compare.png") });
    await expectAccessible(page, "compare");

    const put = await http("PUT", `${e2e.baseUrl}/baselines/contoso-gold`, { json: { displayName: "Contoso gold", source: { tenantId: CONTOSO, categories: ["compliance"] } } });
    expect([200, 201]).toContain(put.status);
    const drift = (await http("GET", `${e2e.baseUrl}/tenants/${FABRIKAM}/drift?baselineId=contoso-gold`)).body as { counts: Record<string, number> };
    await page.goto(`${consoleUrl}#/tenants/${FABRIKAM}/drift/contoso-gold`);
    const counts = page.getByRole("status").filter({ hasText: "Confidence" });
    await counts.waitFor();
    const d = drift.counts;
    expect(await counts.innerText()).toContain(`${d.missing} missing, ${d.extra} extra, ${d.changed} changed, ${d.matching} matching`);
    await expectAccessible(page, "drift");
  });

  it("pages compare, drift and missing 100 rows at a time, the pager reaching the last row", async () => {
    // 130 Autopilot profiles only Contoso has: 130+ compare rows, a baseline of 130+ items that
    // Fabrikam lacks, then — deleted in Graph — 130+ missing items.
    const type = "windowsAutopilotDeploymentProfile";
    const selection = { policyTypes: [type] };
    const { added } = e2e.host.stack.simulator!.control.mutate(CONTOSO, type, { add: 130 });
    expect((await syncAndWait(e2e.baseUrl, CONTOSO, selection)).status).toBe("success");
    const rows = page.getByRole("table").locator("tbody tr");
    /** At most one page in the DOM; "Next page" until the last, whose last row is `lastName`. */
    const pageThrough = async (total: number, lastName: string) => {
      await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(100);
      const pages = Math.ceil(total / 100);
      await page.getByText(`Page 1 of ${pages}`).waitFor();
      for (let n = 2; n <= pages; n += 1) {
        await page.getByRole("button", { name: "Next page" }).click();
        await page.getByText(`Page ${n} of ${pages}`).waitFor();
        expect(await rows.count()).toBeLessThanOrEqual(100);
      }
      expect(await page.getByRole("button", { name: "Next page" }).isDisabled()).toBe(true);
      await expect.poll(() => rows.count()).toBe(total - (pages - 1) * 100);
      expect(await rows.last().locator("th").innerText()).toBe(lastName);
    };

    type Compare = { items: { displayName: string; status: string; left: { itemId: string } | null }[] };
    const compared = ((await http("GET", `${e2e.baseUrl}/compare?left=${CONTOSO}&right=${FABRIKAM}`)).body as Compare).items.filter((r) => r.status !== "same");
    expect(compared.length).toBeGreaterThan(130);
    // The compare pair is the address's query (hash locations keep the search outside the hash).
    await page.goto(`${consoleUrl}?left=${CONTOSO}&right=${FABRIKAM}#/compare`);
    await pageThrough(compared.length, compared.at(-1)!.displayName);
    await expectAccessible(page, "compare, last page");
    // Each row links to its items; the export holds every row, not the page.
    const last = compared.at(-1)!;
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "CSV" }).click()]);
    const exported = parseCsv(readFileSync((await download.path())!, "utf8"), { columns: true }) as Record<string, string>[];
    expect(exported.filter((r) => r.status !== "same").map((r) => r.displayName)).toEqual(compared.map((r) => r.displayName));
    if (last.left) {
      await rows.last().getByRole("link", { name: `${last.displayName} in ${CONTOSO_NAME}` }).click();
      await page.getByRole("heading", { level: 2, name: last.displayName }).waitFor();
      expect(page.url()).toContain(`/tenants/${CONTOSO}/items/${encodeURIComponent(last.left.itemId)}`);
    }

    const put = await http("PUT", `${e2e.baseUrl}/baselines/autopilot-gold`, { json: { displayName: "Autopilot gold", source: { tenantId: CONTOSO, policyTypes: [type] } } });
    expect([200, 201]).toContain(put.status);
    type Drift = { items: { displayName: string; status: string }[] };
    const drift = ((await http("GET", `${e2e.baseUrl}/tenants/${FABRIKAM}/drift?baselineId=autopilot-gold`)).body as Drift).items.filter((r) => r.status !== "matching");
    expect(drift.length).toBeGreaterThan(100);
    await page.goto(`${consoleUrl}#/tenants/${FABRIKAM}/drift/autopilot-gold`);
    await pageThrough(drift.length, drift.at(-1)!.displayName);
    await expectAccessible(page, "drift, last page");

    e2e.host.stack.simulator!.control.mutate(CONTOSO, type, { remove: added.map((o) => String(o.id)) });
    const run = (await syncAndWait(e2e.baseUrl, CONTOSO, selection)) as unknown as { status: string; selectionHash: string };
    expect(run.status).toBe("success");
    type Missing = { items: { displayName: string }[] };
    const missing = ((await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/missing?selectionHash=${run.selectionHash}`)).body as Missing).items;
    expect(missing.length).toBe(130);
    await page.goto(`${consoleUrl}#/tenants/${CONTOSO}/missing`);
    const picker = page.getByRole("combobox", { name: "Selection" });
    await expect.poll(() => picker.locator(`option[value="${run.selectionHash}"]`).count(), { timeout: 15_000 }).toBe(1);
    await picker.selectOption({ value: run.selectionHash });
    await pageThrough(missing.length, missing.at(-1)!.displayName);
  });

  it("never calls a tenant nothing was read of equal to a baseline or to another tenant, and says what was not read", async () => {
    // Registered, never synced: every type is unread.
    const fresh = "0f0f0f0f-1111-4222-8333-444455556666";
    expect([200, 201]).toContain((await http("PUT", `${e2e.baseUrl}/tenants/${fresh}`, { json: { displayName: "Northwind Never Synced" } })).status);
    // No baseline assigned: the tab says so and picks none for the reader.
    await page.goto(`${consoleUrl}#/tenants/${fresh}/drift`);
    await page.getByText("No baseline is assigned to this tenant").waitFor();
    expect(await page.getByRole("combobox", { name: "Baseline" }).inputValue()).toBe("");
    expect(await page.getByRole("status").filter({ hasText: "Confidence" }).count()).toBe(0);
    // Assigned (not the first baseline in the list): the tab opens on it.
    expect((await http("PUT", `${e2e.baseUrl}/tenants/${fresh}`, { json: { displayName: "Northwind Never Synced", baselines: ["contoso-gold"] } })).status).toBe(200);
    const drift = (await http("GET", `${e2e.baseUrl}/tenants/${fresh}/drift?baselineId=contoso-gold`)).body as { confidence: string; incompleteTypes: string[]; items: { status: string }[] };
    expect(drift.confidence).toBe("low");
    expect(drift.items.filter((r) => r.status !== "matching")).toEqual([]);
    // The same address again: reloaded, so the tenant record (with its baselines) is read anew.
    await page.reload();
    await page.getByRole("status").filter({ hasText: "Confidence: low" }).waitFor();
    expect(await page.getByRole("combobox", { name: "Baseline" }).inputValue()).toBe("contoso-gold");
    const section = page.getByRole("region", { name: "Drift" });
    const text = await section.innerText();
    expect(text).toContain("drift cannot be confirmed");
    for (const t of drift.incompleteTypes) expect(text).toContain(t);
    expect(text).not.toMatch(/matches the baseline/);

    // Compare against it: low confidence, the unread types of the right side named, rows unconfirmed in words.
    type Compare = { confidence: string; incompleteTypes: { left: string[]; right: string[] }; items: { displayName: string; unconfirmed: boolean }[] };
    const compared = (await http("GET", `${e2e.baseUrl}/compare?left=${CONTOSO}&right=${fresh}`)).body as Compare;
    expect(compared.confidence).toBe("low");
    await page.goto(`${consoleUrl}?left=${CONTOSO}&right=${fresh}#/compare`);
    const notice = page.locator(".notice").filter({ hasText: "Low confidence" });
    await notice.waitFor();
    expect(await notice.innerText()).toContain("Not read completely in Northwind Never Synced (right): ");
    expect(await notice.innerText()).toContain(compared.incompleteTypes.right[0]!);
    const first = page.getByRole("table").locator("tbody tr").first();
    await expect.poll(() => first.innerText()).toContain("only left — unconfirmed: the right tenant's type was not read completely");
    await expectAccessible(page, "compare, low confidence");
  });

  it("opens the tenant's Drift tab from the portfolio's drift cell, on the baseline the portfolio counted", async () => {
    const fabrikam = SMALL_DEMO_TENANTS[1]!;
    expect((await http("PUT", `${e2e.baseUrl}/tenants/${FABRIKAM}`, { json: { displayName: fabrikam.displayName, baselines: ["contoso-gold"] } })).status).toBe(200);
    expect((await syncAndWait(e2e.baseUrl, FABRIKAM, { categories: ["compliance"] })).status).toBe("success");
    type Portfolio = { items: { tenantId: string; drift: { baselineId: string; missing: number; extra: number; changed: number } | null }[] };
    const driftOf = async () => ((await http("GET", `${e2e.baseUrl}/portfolio`)).body as Portfolio).items.find((t) => t.tenantId === FABRIKAM)?.drift ?? null;
    await expect.poll(driftOf, { timeout: 15_000 }).not.toBeNull();
    const d = (await driftOf())!;
    await page.goto(consoleUrl);
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: fabrikam.displayName, exact: true }) });
    await row.getByRole("link", { name: /^drift against contoso-gold/ }).click();
    const counts = page.getByRole("status").filter({ hasText: "Confidence" });
    await counts.waitFor();
    expect(await counts.innerText()).toContain(`${d.missing} missing, ${d.extra} extra, ${d.changed} changed`);
    expect(await page.getByRole("combobox", { name: "Baseline" }).inputValue()).toBe("contoso-gold");
    expect(page.url()).toContain(`/tenants/${FABRIKAM}/drift/contoso-gold`);
    await page.getByRole("table", { name: /^Drift against contoso-gold/ }).or(page.locator(".empty")).waitFor();
    await page.screenshot({ path: join(SHOTS, "console-drift.png") });
    await expectAccessible(page, "drift from the portfolio");
  });

  /** Presses Tab until the focused element's text is `name`. */
  const tabTo = async (name: string) => {
    for (let i = 0; i < 40; i += 1) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate<string>(`document.activeElement?.textContent?.trim() ?? ""`);
      if (focused === name) return;
    }
    throw new Error(`Tab never reached ${name}`);
  };

  it("walks the main path with the keyboard alone: tenant → runs → a run", async () => {
    await page.goto(consoleUrl);
    await page.getByRole("heading", { level: 1, name: "Portfolio" }).waitFor();
    await tabTo(CONTOSO_NAME);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: CONTOSO_NAME }).waitFor();
    // Focus moved to the new page's heading, so the next Tab continues from there.
    await expect.poll(() => page.evaluate<string>("document.activeElement?.tagName")).toBe("H1");
    await tabTo("Runs");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 2, name: "Runs" }).waitFor();
    const firstRun = page.getByRole("table").locator("tbody th a").first();
    const label = (await firstRun.innerText()).trim();
    await tabTo(label);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 2, name: /^Run / }).waitFor();
  });

  it("reaches the Changes tab and its filters with the keyboard alone", async () => {
    await page.goto(`${consoleUrl}#/tenants/${CONTOSO}/items`);
    // Start from the heading, as after any navigation inside the console.
    await page.getByRole("heading", { level: 1, name: CONTOSO_NAME }).focus();
    await tabTo("Changes");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 2, name: "Changes" }).waitFor();
    // The tab's first control, the period, comes after the remaining tab links.
    const onPeriod = () => page.evaluate<boolean>(`document.activeElement?.closest("label")?.textContent?.startsWith("Period") ?? false`);
    for (let i = 0; i < 10 && !(await onPeriod()); i += 1) await page.keyboard.press("Tab");
    expect(await onPeriod()).toBe(true);
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => page.getByRole("combobox", { name: "Period" }).inputValue()).not.toBe("7d");
  });
  it("answers a continuation token the API refuses with its stable code and a way back to the first page", async () => {
    // Last in this file: it adds items. Enough of them for a second page of 100.
    const type = "windowsAutopilotDeploymentProfile";
    e2e.host.stack.simulator!.control.mutate(CONTOSO, type, { add: 60 });
    expect((await syncAndWait(e2e.baseUrl, CONTOSO, { policyTypes: [type] })).status).toBe("success");
    const all = (await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/items?limit=200`)).body as { items: unknown[] };
    expect(all.items.length).toBeGreaterThan(100);
    await page.goto(`${consoleUrl}#/tenants/${CONTOSO}/items`);
    const table = page.getByRole("table");
    await expect.poll(() => table.locator("tbody tr").count()).toBe(100);
    // A token the real API refuses (as an expired or tampered one would be): the next page's
    // request goes out with it, and the API answers 400 INVALID_CONTINUATION_TOKEN itself.
    const pattern = /\/inventory\/items\?.*continuationToken=/;
    await page.route(pattern, (route) => {
      const url = new URL(route.request().url());
      url.searchParams.set("continuationToken", "bm90LWEtdG9rZW4");
      return route.continue({ url: url.toString() });
    });
    await page.getByRole("button", { name: "Next page" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.innerText()).toContain("INVALID_CONTINUATION_TOKEN");
    await page.unroute(pattern);
    await page.getByRole("button", { name: "Back to the first page" }).click();
    await expect.poll(() => table.locator("tbody tr").count()).toBe(100);
    expect(await page.getByRole("alert").count()).toBe(0);
  });
});

describe.skipIf(!existsSync(CHROMIUM))("the web console's roles (AUTH_REQUIRE_PRINCIPAL=true)", () => {
  let e2e: E2eHost;
  let browser: Browser;

  beforeAll(async () => {
    await buildConsole();
    e2e = await startE2eHost({ env: { AUTH_REQUIRE_PRINCIPAL: "true" } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await e2e?.close();
  });

  const open = async (roles: string[], name: string) => {
    // What App Service authentication injects for a signed-in person; the browser itself never holds a key.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, extraHTTPHeaders: { "x-ms-client-principal": principalHeader(roles, name) } });
    const page = await context.newPage();
    await page.goto(`${e2e.host.origin}/api/console/#/tenants/${CONTOSO}/runs`);
    await page.getByRole("heading", { level: 2, name: "Runs" }).waitFor();
    return page;
  };

  it("shows a reader no sync button, and an operator one", async () => {
    const reader = await open(["Inventory.Read"], "Rita Reader");
    // The roles are known (the header says whose they are) before the button's absence counts.
    await reader.getByText("Rita Reader · Inventory.Read").waitFor();
    await expect(reader.getByRole("button", { name: "Sync now" }).count()).resolves.toBe(0);
    const operator = await open(["Inventory.Read", "Inventory.Sync"], "Otto Operator");
    await operator.getByRole("button", { name: "Sync now" }).waitFor();
  });

  it("explains a person without any role instead of showing empty pages", async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { "x-ms-client-principal": principalHeader([], "Nora Norole") } });
    const page = await context.newPage();
    await page.goto(`${e2e.host.origin}/api/console/`);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.innerText()).toContain("FORBIDDEN");
  });
});
