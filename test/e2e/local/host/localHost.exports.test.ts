/**
 * Exports (docs/api.md "Exports") over real HTTP against the local stack: items and missing as
 * RFC 4180 CSV or NDJSON, asked for by `format=` or `Accept`, every matching row streamed (no
 * paging), attachment, and cells that a spreadsheet would run as formulas defused.
 */
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO, expectProblem, followLocation, http, startE2eHost, syncUrl } from "../../../support/hostFixture";
import type { E2eHost } from "../../../support/hostFixture";

let e2e: E2eHost;
const url = (path: string) => `${e2e.baseUrl}${path}`;
const NASTY = {
  comma: "Baseline, Windows 11",
  quotes: 'The "strict" profile',
  newline: "Line one\r\nLine two\nLine three",
  unicode: "Überwachung 監視 🛡️ ñ",
  formula: '=HYPERLINK("http://evil.example","click")',
  plus: "+1 policy",
  minus: "-2+3",
  at: "@SUM(A1)",
  tab: "\tTabbed",
};

async function sync(tenantId: string, body: unknown): Promise<{ id: string; status: string }> {
  const started = await http("POST", syncUrl(e2e.baseUrl, tenantId), { json: body });
  expect(started.status, started.text).toBe(202);
  return (await followLocation(started.headers.get("location")!)).final.body;
}

beforeAll(async () => {
  e2e = await startE2eHost();
  const sim = e2e.host.stack.simulator!.control;
  // 9 shell scripts, each renamed to one of the nasty names.
  sim.mutate(CONTOSO, "deviceShellScript", { add: Object.keys(NASTY).length });
  const scripts = sim.objects(CONTOSO, "deviceShellScript") as { id: string }[];
  sim.mutate(CONTOSO, "deviceShellScript", {
    rename: Object.fromEntries(Object.values(NASTY).map((name, i) => [scripts[i]!.id, name])),
  });
  expect((await sync(CONTOSO, { policyTypes: ["deviceShellScript", "deviceConfiguration"] })).status).toBe("success");
});
afterAll(async () => {
  await e2e?.close();
});

describe("CSV and NDJSON exports", () => {
  it("CSV: RFC 4180 with a header row; commas, quotes, newlines and unicode round-trip; formula-like cells are defused", async () => {
    const answer = await http("GET", url(`/tenants/${CONTOSO}/inventory/items?policyType=deviceShellScript&format=csv`));
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/csv; charset=utf-8; header=present");
    expect(answer.headers.get("content-disposition")).toBe(`attachment; filename="items-${CONTOSO}.csv"`);
    // Every record ends with CRLF; a quoted field keeps its own line breaks.
    expect(answer.text.endsWith("\r\n")).toBe(true);
    const records = parse(answer.text, { relax_column_count: false }) as string[][];
    const [header, ...rows] = records;
    expect(header).toEqual([
      "id", "tenantId", "policyType", "category", "externalId", "displayName", "platform", "odataType", "createdDateTime",
      "lastModifiedDateTime", "version", "roleScopeTagIds", "firstSeenAt", "lastSeenAt", "lastSeenRunId", "meta",
    ]);
    const names = rows.map((r) => r[5]);
    const json = await http("GET", url(`/tenants/${CONTOSO}/inventory/items?policyType=deviceShellScript&limit=200`));
    expect(rows).toHaveLength(json.body.items.length);
    expect(names).toContain(NASTY.comma);
    expect(names).toContain(NASTY.quotes);
    expect(names).toContain(NASTY.newline);
    expect(names).toContain(NASTY.unicode);
    for (const name of [NASTY.formula, NASTY.plus, NASTY.minus, NASTY.at, NASTY.tab]) {
      expect(names).toContain(`'${name}`);
      expect(names).not.toContain(name);
    }
    expect(answer.text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    // The raw bytes: no record starts a cell with a bare formula character.
    expect(answer.text).not.toMatch(/(^|,)[=+@-]/m);
  });

  it("NDJSON through Accept: one Item per line, the same items as the JSON pages, every page of them", async () => {
    const answer = await http("GET", url(`/tenants/${CONTOSO}/inventory/items`), { headers: { accept: "application/x-ndjson" } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect(answer.headers.get("content-disposition")).toBe(`attachment; filename="items-${CONTOSO}.ndjson"`);
    const lines = answer.text.split("\n");
    expect(lines.pop()).toBe("");
    const streamed = lines.map((l) => JSON.parse(l) as { id: string; displayName: string });
    // Paged JSON with a small page: the export must have all of them, in one answer.
    const paged: { id: string }[] = [];
    let token: string | null = null;
    do {
      const page = await http("GET", url(`/tenants/${CONTOSO}/inventory/items?limit=7${token ? `&continuationToken=${token}` : ""}`));
      paged.push(...page.body.items);
      token = page.body.continuationToken;
    } while (token);
    expect(paged.length).toBeGreaterThan(7);
    expect(streamed.map((i) => i.id).sort()).toEqual(paged.map((i) => i.id).sort());
    expect(streamed.find((i) => i.displayName === NASTY.newline)).toBeDefined();
  });

  it("format= wins over Accept; Accept q-values pick the best; anything else stays JSON", async () => {
    const base = url(`/tenants/${CONTOSO}/inventory/items?policyType=deviceConfiguration`);
    expect((await http("GET", `${base}&format=json`, { headers: { accept: "text/csv" } })).headers.get("content-type")).toMatch(/^application\/json/);
    expect((await http("GET", base, { headers: { accept: "application/json;q=0.5, text/csv" } })).headers.get("content-type")).toMatch(/^text\/csv/);
    expect((await http("GET", base, { headers: { accept: "text/html" } })).headers.get("content-type")).toMatch(/^application\/json/);
    expectProblem(await http("GET", `${base}&format=xlsx`), 400, "VALIDATION_FAILED", "query.format");
    expectProblem(await http("GET", `${base}&format=csv&continuationToken=abc`), 400, "VALIDATION_FAILED", "query.continuationToken");
    // HEAD answers the export's headers without streaming it.
    const head = await fetch(`${base}&format=csv`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(await head.text()).toBe("");
  });

  it("missing as CSV and NDJSON: the report's items with typeComplete; the selection and run in headers", async () => {
    const sim = e2e.host.stack.simulator!.control;
    const scripts = sim.objects(CONTOSO, "deviceShellScript") as { id: string; displayName: string }[];
    const gone = scripts.find((s) => s.displayName === NASTY.formula)!;
    sim.mutate(CONTOSO, "deviceShellScript", { remove: [gone.id] });
    const run = await sync(CONTOSO, { policyTypes: ["deviceShellScript", "deviceConfiguration"] });
    const selection = "policyTypes=deviceShellScript,deviceConfiguration";
    const json = await http("GET", url(`/tenants/${CONTOSO}/inventory/missing?${selection}`));
    expect(json.body.items).toHaveLength(1);

    const csv = await http("GET", url(`/tenants/${CONTOSO}/inventory/missing?${selection}&format=csv`));
    expect(csv.status).toBe(200);
    expect(csv.headers.get("x-selection-hash")).toBe(json.body.selectionHash);
    expect(csv.headers.get("x-latest-run-id")).toBe(run.id);
    expect(csv.headers.get("x-missing-confidence")).toBe("high");
    const [header, ...rows] = parse(csv.text) as string[][];
    expect(header!.at(-1)).toBe("typeComplete");
    expect(rows).toEqual([expect.arrayContaining([gone.id, `'${NASTY.formula}`, "true"])]);

    const ndjson = await http("GET", url(`/tenants/${CONTOSO}/inventory/missing?${selection}`), { headers: { accept: "application/x-ndjson" } });
    expect(ndjson.text.trim().split("\n").map((l) => JSON.parse(l))).toEqual(json.body.items);
  });

  it("an export of nothing is the header row alone (CSV) or an empty body (NDJSON)", async () => {
    const csv = await http("GET", url(`/tenants/${CONTOSO}/inventory/items?q=no-such-name-anywhere&format=csv`));
    expect(csv.status).toBe(200);
    expect(csv.text.split("\r\n")).toEqual([expect.stringMatching(/^id,tenantId,/), ""]);
    const ndjson = await http("GET", url(`/tenants/${CONTOSO}/inventory/items?q=no-such-name-anywhere&format=ndjson`));
    expect(ndjson.text).toBe("");
  });
});
