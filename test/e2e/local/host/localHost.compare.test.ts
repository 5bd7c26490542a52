/**
 * GET /api/compare over real HTTP against the local host (embedded stores, simulated Graph):
 * a gold tenant and a customer, synced through the API, compared item by item.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../../cli/main";
import { expectProblem, http, startE2eHost } from "../../../support/hostFixture";
import type { E2eHost } from "../../../support/hostFixture";
import { CUSTOMER, GOLD, GOLD_TENANTS, addObjects, deviceConfiguration, settingsCatalogPolicy, syncAndWait } from "../../../support/goldTenants";

let e2e: E2eHost;
const url = (path: string) => `${e2e.baseUrl}${path}`;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const row = (body: any, displayName: string) => body.items.find((i: { displayName: string }) => i.displayName.toLowerCase() === displayName.toLowerCase());

beforeAll(async () => {
  e2e = await startE2eHost({ demoTenants: GOLD_TENANTS });
  addObjects(e2e, GOLD, "deviceConfiguration", [
    deviceConfiguration("Firewall Baseline", { roleScopeTagIds: ["0", "12"] }),
    deviceConfiguration("BitLocker"),
    deviceConfiguration("Edge Settings"),
    deviceConfiguration("Defender AV"),
    deviceConfiguration("Password Policy"),
  ]);
  addObjects(e2e, CUSTOMER, "deviceConfiguration", [
    // Same policy, configured a year later and saved three times, scope tags with other ids and in another order.
    deviceConfiguration("Firewall Baseline", {
      roleScopeTagIds: ["31", "0"],
      version: 4,
      createdDateTime: "2025-03-01T00:00:00Z",
      lastModifiedDateTime: "2025-06-01T00:00:00Z",
    }),
    deviceConfiguration("BitLocker", { description: "BitLocker (relaxed for kiosks)" }),
    deviceConfiguration("Defender AV v2"),
    deviceConfiguration("password   POLICY", { description: "Password Policy (standard)" }),
    deviceConfiguration("Customer Local"),
    deviceConfiguration("Wi-Fi Corp"),
    deviceConfiguration("wi-fi  corp"),
  ]);
  addObjects(e2e, GOLD, "deviceConfiguration", [deviceConfiguration("Wi-Fi Corp")]);
  addObjects(e2e, GOLD, "settingsCatalogPolicy", [settingsCatalogPolicy("Office Updates")]);
  addObjects(e2e, CUSTOMER, "settingsCatalogPolicy", [settingsCatalogPolicy("Office Updates", { platforms: "macOS" })]);
  await syncAndWait(e2e, GOLD);
  await syncAndWait(e2e, CUSTOMER);
}, 120_000);
afterAll(async () => {
  await e2e?.close();
});

describe("GET /api/compare", () => {
  it("reports only-left, only-right, different (with the fields), same and ambiguous, matching names case- and space-insensitively", async () => {
    const answer = await http("GET", url(`/compare?left=${GOLD}&right=${CUSTOMER}&policyTypes=deviceConfiguration`));
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toMatchObject({ left: GOLD, right: CUSTOMER, confidence: "high", incompleteTypes: { left: [], right: [] } });
    expect(answer.body.counts).toEqual({ onlyLeft: 2, onlyRight: 2, different: 1, same: 2, ambiguous: 1 });
    expect(answer.body.items.every((i: { unconfirmed: boolean }) => i.unconfirmed === false)).toBe(true);
    expect(row(answer.body, "BitLocker")).toMatchObject({ status: "different", differences: ["meta.description"] });
    expect(row(answer.body, "Edge Settings")).toMatchObject({ status: "onlyLeft", right: null });
    expect(row(answer.body, "Customer Local")).toMatchObject({ status: "onlyRight", left: null });
    // A rename is honest as what it is: the old name on one side, the new on the other.
    expect(row(answer.body, "Defender AV")).toMatchObject({ status: "onlyLeft" });
    expect(row(answer.body, "Defender AV v2")).toMatchObject({ status: "onlyRight" });
    expect(row(answer.body, "Password Policy")).toMatchObject({ status: "same", differences: [] });
    const wifi = row(answer.body, "Wi-Fi Corp");
    expect(wifi).toMatchObject({ status: "ambiguous", differences: [] });
    expect(wifi.left.externalId).toMatch(/^0{8}-/);
    expect(wifi.right).not.toBeNull();
  });

  it("never calls a reordering, a version bump, new timestamps or other scope tag ids a difference", async () => {
    const answer = await http("GET", url(`/compare?left=${GOLD}&right=${CUSTOMER}&policyTypes=deviceConfiguration`));
    const firewall = row(answer.body, "Firewall Baseline");
    expect(firewall).toMatchObject({ status: "same", differences: [] });
    expect(firewall.left.itemId).not.toBe(firewall.right.itemId);
  });

  it("compares the scope asked for: a category, and every non-foundation type by default", async () => {
    const configuration = await http("GET", url(`/compare?left=${GOLD}&right=${CUSTOMER}&categories=configuration`));
    expect(configuration.status, configuration.text).toBe(200);
    expect(row(configuration.body, "Office Updates")).toMatchObject({ status: "different", differences: ["meta.platforms", "platform"] });
    const all = await http("GET", url(`/compare?left=${GOLD}&right=${CUSTOMER}`));
    expect(all.body.items.length).toBe(configuration.body.items.length);
    const apps = await http("GET", url(`/compare?left=${GOLD}&right=${CUSTOMER}&categories=apps`));
    expect(apps.body).toMatchObject({ counts: { onlyLeft: 0, onlyRight: 0, different: 0, same: 0, ambiguous: 0 }, items: [] });
  });

  it("exports the rows as CSV (format=csv or Accept) and NDJSON, every row, as an attachment", async () => {
    const csv = await http("GET", url(`/compare?left=${GOLD}&right=${CUSTOMER}&policyTypes=deviceConfiguration&format=csv`));
    expect(csv.status, csv.text).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="compare-/);
    const lines = csv.text.trim().split("\r\n");
    expect(lines[0]).toBe("policyType,displayName,status,differences,leftItemId,leftExternalId,rightItemId,rightExternalId,unconfirmed");
    expect(lines).toHaveLength(1 + 8);
    expect(lines.find((l) => l.includes("BitLocker"))).toMatch(/^deviceConfiguration,BitLocker,different,meta\.description,/);
    const viaAccept = await http("GET", url(`/compare?left=${GOLD}&right=${CUSTOMER}&policyTypes=deviceConfiguration`), { headers: { accept: "text/csv" } });
    expect(viaAccept.text).toBe(csv.text);
    const ndjson = await http("GET", url(`/compare?left=${GOLD}&right=${CUSTOMER}&policyTypes=deviceConfiguration&format=ndjson`));
    const rows = ndjson.text.trim().split("\n").map((l) => JSON.parse(l));
    expect(rows.map((r) => r.status).sort()).toEqual(["ambiguous", "different", "onlyLeft", "onlyLeft", "onlyRight", "onlyRight", "same", "same"]);
  });

  it("answers 404 TENANT_NOT_FOUND when either tenant is not registered, and 400 for bad input", async () => {
    const stranger = "33333333-cccc-4ccc-8ccc-333333333333";
    expectProblem(await http("GET", url(`/compare?left=${GOLD}&right=${stranger}`)), 404, "TENANT_NOT_FOUND");
    expectProblem(await http("GET", url(`/compare?left=${stranger}&right=${GOLD}`)), 404, "TENANT_NOT_FOUND");
    expectProblem(await http("GET", url(`/compare?left=${GOLD}`)), 400, "VALIDATION_FAILED", "query.right");
    expectProblem(await http("GET", url(`/compare?left=${GOLD}&right=not-a-guid`)), 400, "VALIDATION_FAILED", "query.right");
    expectProblem(await http("GET", url(`/compare?left=${GOLD}&right=${CUSTOMER}&policyTypes=nope`)), 400, "VALIDATION_FAILED");
    expectProblem(await http("GET", url(`/compare?left=${GOLD}&right=${CUSTOMER}&extra=1`)), 400, "VALIDATION_FAILED");
  });
});

describe("tenant-inventory compare <left> <right>", () => {
  async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await runCli(argv, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: { TENANT_INVENTORY_API_URL: e2e.baseUrl },
    });
    return { code, stdout, stderr };
  }

  it("prints the counts and every row that is not the same; --all adds those, --format csv and --json serve machines", async () => {
    const table = await cli("compare", GOLD, CUSTOMER, "--policy-types", "deviceConfiguration");
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain("2 only left, 2 only right, 1 different, 2 same, 1 ambiguous; confidence high");
    expect(table.stdout).not.toContain("unconfirmed");
    expect(table.stdout).toMatch(/^different\s+deviceConfiguration\s+BitLocker\s+meta\.description/m);
    expect(table.stdout).not.toMatch(/^same\s/m);
    const all = await cli("compare", GOLD, CUSTOMER, "--policy-types", "deviceConfiguration", "--all");
    expect(all.stdout).toMatch(/^same\s+deviceConfiguration\s+Firewall Baseline/m);
    const csv = await cli("compare", GOLD, CUSTOMER, "--policy-types", "deviceConfiguration", "--format", "csv");
    expect(csv.stdout.split("\r\n")[0]).toBe("STATUS,POLICY TYPE,DISPLAY NAME,DIFFERENCES,LEFT EXTERNAL ID,RIGHT EXTERNAL ID,UNCONFIRMED");
    const json = await cli("compare", GOLD, CUSTOMER, "--policy-types", "deviceConfiguration", "--json");
    expect(JSON.parse(json.stdout).counts.same).toBe(2);
  });

  it("exits non-zero with the API's code for an unregistered tenant", async () => {
    const answer = await cli("compare", GOLD, "33333333-cccc-4ccc-8ccc-333333333333");
    expect(answer.code).not.toBe(0);
    expect(answer.stderr).toContain("TENANT_NOT_FOUND");
  });
});

describe("a side that could not read a type never makes a difference look confirmed", () => {
  const NEVER_SYNCED = "44444444-dddd-4ddd-8ddd-444444444444";

  it("a type the right side's latest run could not read (403): confidence low, the type named, rows resting on it unconfirmed", async () => {
    const simulator = e2e.host.stack.simulator!;
    simulator.control.fault(CUSTOMER, "deviceConfiguration", { status: 403 });
    try {
      const run = await syncAndWait(e2e, CUSTOMER);
      expect(run).toMatchObject({ status: "partial", errorCodes: ["GRAPH_FORBIDDEN"] });
    } finally {
      simulator.control.reset(CUSTOMER);
    }
    const answer = await http("GET", url(`/compare?left=${GOLD}&right=${CUSTOMER}&categories=configuration`));
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toMatchObject({ confidence: "low", incompleteTypes: { left: [], right: ["deviceConfiguration"] } });
    // "Only in the gold tenant" is not known when the customer's list could not be read.
    expect(row(answer.body, "Edge Settings")).toMatchObject({ status: "onlyLeft", unconfirmed: true });
    // The customer's last observed copy differs; whether it still does is not known.
    expect(row(answer.body, "BitLocker")).toMatchObject({ status: "different", unconfirmed: true });
    // The gold tenant read its device configurations completely: "only right" rests on that read.
    expect(row(answer.body, "Customer Local")).toMatchObject({ status: "onlyRight", unconfirmed: false });
    // A type both sides read completely is as sure as ever.
    expect(row(answer.body, "Office Updates")).toMatchObject({ status: "different", unconfirmed: false });

    const csv = await http("GET", url(`/compare?left=${GOLD}&right=${CUSTOMER}&categories=configuration&format=csv`));
    expect(csv.headers.get("x-compare-confidence")).toBe("low");
    expect(csv.text.split("\r\n").find((l) => l.startsWith("deviceConfiguration,Edge Settings,"))).toMatch(/,true$/);
    const ndjson = await http("GET", url(`/compare?left=${GOLD}&right=${CUSTOMER}&categories=configuration&format=ndjson`));
    const rows = ndjson.text.trim().split("\n").map((l) => JSON.parse(l));
    expect(rows.find((r) => r.displayName === "Customer Local")).toMatchObject({ unconfirmed: false });
    expect(rows.find((r) => r.displayName === "Edge Settings")).toMatchObject({ unconfirmed: true });
  });

  it("a tenant never synced: every type is incomplete on its side and nothing is a confirmed only-left", async () => {
    const put = await http("PUT", url(`/tenants/${NEVER_SYNCED}`), { json: { displayName: "Never synced" } });
    expect([200, 201]).toContain(put.status);
    const answer = await http("GET", url(`/compare?left=${GOLD}&right=${NEVER_SYNCED}&policyTypes=deviceConfiguration,settingsCatalogPolicy`));
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toMatchObject({ confidence: "low", incompleteTypes: { left: [], right: ["deviceConfiguration", "settingsCatalogPolicy"] } });
    expect(answer.body.counts.onlyLeft).toBeGreaterThan(0);
    expect(answer.body.items.every((i: { status: string; unconfirmed: boolean }) => i.status === "onlyLeft" && i.unconfirmed)).toBe(true);
  });

  it("the CLI table says the confidence, names the unread types and marks the rows", async () => {
    let stdout = "";
    const code = await runCli(["compare", GOLD, CUSTOMER, "--categories", "configuration"], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => undefined },
      env: { TENANT_INVENTORY_API_URL: e2e.baseUrl },
    });
    expect(code).toBe(0);
    expect(stdout).toContain("; confidence low");
    expect(stdout).toContain("not read completely by the latest run (right: deviceConfiguration)");
    expect(stdout).toMatch(/^onlyLeft\s+deviceConfiguration\s+Edge Settings\s.*unconfirmed\s*$/m);
    const customerLocal = stdout.split("\n").find((l) => /^onlyRight\s+deviceConfiguration\s+Customer Local\s/.test(l));
    expect(customerLocal).toBeDefined();
    expect(customerLocal).not.toContain("unconfirmed");
  });
});
