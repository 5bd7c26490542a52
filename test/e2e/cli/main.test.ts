import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../cli/main";
import { http, startE2eHost, syncUrl } from "../../support/hostFixture";
import type { E2eHost } from "../../support/hostFixture";
import { policyTypesOfCategory } from "../../../shared/domain";

/** The CLI in-process against the local host over real HTTP; poll pauses shortened, nothing else faked. */
let e2e: E2eHost;
beforeAll(async () => {
  e2e = await startE2eHost();
});
afterAll(async () => {
  await e2e?.close();
});

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { TENANT_INVENTORY_API_URL: e2e.baseUrl },
    sleep: () => new Promise((resolve) => setTimeout(resolve, 20)),
  });
  return { code, stdout, stderr };
}

const TENANT = "2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f70";

describe("the CLI against the local host", () => {
  it("tenants add → sync --wait → exit 0 with the per-type table", async () => {
    const added = await cli("tenants", "add", TENANT, "--name", "Northwind (CLI)");
    expect(added.code, added.stderr).toBe(0);
    const listed = await cli("tenants", "list");
    expect(listed.stdout).toContain("Northwind (CLI)");

    const synced = await cli("sync", TENANT, "--categories", "scripts,compliance", "--wait");
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stdout).toMatch(/run \S+: success/);
    expect(synced.stdout).toMatch(/POLICY TYPE\s+STATUS\s+ITEMS\s+UPSERTED\s+PAGES\s+DURATION/);
    const types = [...policyTypesOfCategory("scripts"), ...policyTypesOfCategory("compliance")];
    expect(types).toContain("deviceCustomAttributeShellScript");
    for (const type of types) {
      expect(synced.stdout).toMatch(new RegExp(`^${type}\\s+success\\s+\\d+`, "m"));
    }
    // Progress went to stderr, one line per change (not a terminal).
    expect(synced.stderr).toContain(`success ${types.length}/${types.length} policy types`);
  });

  it("a sync of a selection that is already running → exit 3 naming the active run", async () => {
    e2e.gate.hold();
    try {
      const first = await http("POST", syncUrl(e2e.baseUrl, TENANT), { json: { categories: ["apps"] } });
      expect(first.status).toBe(202);
      const overlap = await cli("sync", TENANT, "--categories", "apps");
      expect(overlap.code).toBe(3);
      expect(overlap.stderr).toContain("LOCK_HELD");
      expect(overlap.stderr).toContain(first.body.runId);
    } finally {
      e2e.gate.release();
    }
  });

  it("items --missing after a simulated removal names the removed policy, with high confidence", async () => {
    const simulator = e2e.host.stack.simulator!;
    const scripts = simulator.control.objects(TENANT, "deviceShellScript") as { id: string; displayName: string }[];
    const victim = scripts[0]!;
    simulator.control.mutate(TENANT, "deviceShellScript", { remove: [victim.id] });

    const again = await cli("sync", TENANT, "--categories", "compliance,scripts", "--wait");
    expect(again.code, again.stderr).toBe(0);
    const missing = await cli("items", TENANT, "--missing", "--categories", "scripts,compliance");
    expect(missing.code, missing.stderr).toBe(0);
    expect(missing.stdout).toContain("confidence high");
    expect(missing.stdout).toContain(victim.displayName);
    expect(missing.stdout).toMatch(/1 missing item\n/);

    const json = await cli("items", TENANT, "--missing", "--categories", "scripts,compliance", "--json");
    const report = JSON.parse(json.stdout) as { items: { externalId: string; typeComplete: boolean }[] };
    expect(report.items).toEqual([expect.objectContaining({ externalId: victim.id, typeComplete: true })]);
  });

  it("runs changes prints what a run changed against the previous run of its selection, as a table, CSV or JSON", async () => {
    const simulator = e2e.host.stack.simulator!;
    const policies = simulator.control.objects(TENANT, "deviceCompliancePolicy") as { id: string }[];
    simulator.control.mutate(TENANT, "deviceCompliancePolicy", { rename: { [policies[0]!.id]: "Compliance (renamed by an admin)" } });
    const synced = await cli("sync", TENANT, "--categories", "compliance,scripts", "--wait", "--json");
    expect(synced.code, synced.stderr).toBe(0);
    const run = JSON.parse(synced.stdout) as { id: string; baseRunId: string };

    const shown = await cli("runs", "changes", TENANT, run.id);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`Run ${run.id} compared with run ${run.baseRunId}: 0 added, 1 changed, 0 removed, 0 reappeared.`);
    expect(shown.stdout).toMatch(/^changed\s+deviceCompliancePolicy\s+Compliance \(renamed by an admin\)\s+displayName, meta\.lastModifiedDateTime/m);

    const csv = await cli("runs", "changes", TENANT, run.id, "--format", "csv");
    expect(csv.stdout.split("\r\n")[0]).toBe("KIND,POLICY TYPE,DISPLAY NAME,CHANGED FIELDS,DETECTED,EXTERNAL ID");
    const none = await cli("runs", "changes", TENANT, run.id, "--kind", "removed", "--json");
    expect(JSON.parse(none.stdout)).toMatchObject({ runId: run.id, counts: { changed: 1 }, items: [] });
    expect((await cli("runs", "changes", TENANT, "no-such-run")).code).toBe(4);
  });

  it("usage and API errors map to their exit codes", async () => {
    expect((await cli("sync", "not-a-guid")).code).toBe(2);
    const unknown = await cli("sync", "0b6e1c9a-1111-4222-8333-944455556666");
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain("TENANT_NOT_FOUND");
  });
});
