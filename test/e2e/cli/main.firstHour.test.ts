import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLICY_TYPES } from "../../../shared/domain/policyTypes";
import { DEFAULT_NIGHTLY_SELECTION, normaliseSelection, policyTypesInScope, selectionHash } from "../../../shared/domain/selection";
import { runCli } from "../../../cli/main";
import type { InterruptSignal } from "../../../cli/io";
import { CONTOSO, FABRIKAM, http, startE2eHost, syncUrl } from "../../support/hostFixture";
import type { E2eHost } from "../../support/hostFixture";

/**
 * The first hour of a new user, through the real CLI (in process, over real HTTP) against the
 * local host: typos never look like empty tenants, a run can be left and re-attached to, hints
 * carry real values, and every listing has its formats. The Ctrl-C in a real terminal and the
 * signals to `npm start` / `npm run demo` are in test/e2e/package.signals.test.ts.
 */
let e2e: E2eHost;
beforeAll(async () => {
  e2e = await startE2eHost();
});
afterAll(async () => {
  await e2e?.close();
});

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Every pause the CLI asked for between polls, in ms. */
  sleeps: number[];
}

/** The CLI with short real pauses; `interrupt` lets a test press Ctrl-C at a moment it chooses. */
async function cli(argv: string[], options: { interrupt?: (fire: (signal: InterruptSignal) => void) => void } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const sleeps: number[] = [];
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { TENANT_INVENTORY_API_URL: e2e.baseUrl },
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, 20);
        signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    interrupts: (handler) => {
      options.interrupt?.(handler);
      return () => undefined;
    },
  });
  return { code, stdout, stderr, sleeps };
}

const STRANGER = "0b6e1c9a-1111-4222-8333-944455556666";
const ADDED = "5d7f9b1d-3e5a-4c7e-9a1c-3e5a7c9e1b3d";

describe("a tenant id that is not registered (a typo)", () => {
  it.each([
    ["items", ["items", STRANGER]],
    ["items --missing", ["items", STRANGER, "--missing"]],
    ["runs", ["runs", STRANGER]],
    ["coverage", ["coverage", STRANGER]],
    ["runs watch", ["runs", "watch", STRANGER, "some-run"]],
    ["sync", ["sync", STRANGER]],
    ["tenants remove", ["tenants", "remove", STRANGER]],
  ])("%s exits 4 with TENANT_NOT_FOUND and a hint naming the id, never an empty answer", async (_name, argv) => {
    const run = await cli(argv);
    expect(run.code, run.stderr).toBe(4);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("TENANT_NOT_FOUND");
    expect(run.stderr).toContain(`hint: no tenant ${STRANGER} is registered here (a typo?)`);
    expect(run.stderr).not.toMatch(/<\w+>/);
  });
});

describe("following a run", () => {
  it("sync prints the exact command to follow the run; runs watch re-attaches with progress and reports the finished run", async () => {
    e2e.gate.hold();
    let watching: Promise<CliRun> | null = null;
    try {
      const queued = await cli(["sync", CONTOSO, "--categories", "scripts"]);
      expect(queued.code, queued.stderr).toBe(0);
      const runId = /Queued run (\S+) /.exec(queued.stdout)?.[1];
      expect(runId).toBeDefined();
      expect(queued.stderr).toBe(`Follow it with: tenant-inventory runs watch ${CONTOSO} ${runId}\n`);
      watching = cli(["runs", "watch", CONTOSO, runId!]);
      // It is really waiting on the held run, not reporting a finished one.
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      e2e.gate.release();
    }
    const watched = await watching!;
    const scripts = policyTypesInScope(normaliseSelection({ categories: ["scripts"] })).length;
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stderr).toMatch(new RegExp(`run \\S+: (queued|running) 0/${scripts} policy types`));
    expect(watched.stderr).toMatch(new RegExp(`run \\S+: success ${scripts}/${scripts} policy types`));
    expect(watched.stdout).toMatch(/run \S+: success/);
    expect(watched.stdout).toMatch(/^deviceShellScript\s+success/m);

    // A finished run: watch reports it at once.
    const again = await cli(["runs", "watch", CONTOSO, /run (\S+):/.exec(watched.stdout)![1]!, "--json"]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: "success", tenantId: CONTOSO });
    expect(again.sleeps).toEqual([]);
  });

  it("Ctrl-C stops watching only: exit 130, the run goes on, the message names the command to follow it, which then works", async () => {
    e2e.gate.hold();
    let interrupted: CliRun;
    try {
      interrupted = await cli(["sync", FABRIKAM, "--categories", "apps", "--wait"], {
        interrupt: (fire) => setTimeout(() => fire("SIGINT"), 150),
      });
    } finally {
      e2e.gate.release();
    }
    expect(interrupted.code).toBe(130);
    const runId = /SIGINT: stopped watching\. Run (\S+) goes on in the service; nothing was cancelled\./.exec(interrupted.stderr)?.[1];
    expect(runId, interrupted.stderr).toBeDefined();
    expect(interrupted.stderr).toContain(`Follow it again with: tenant-inventory runs watch ${FABRIKAM} ${runId}\n`);
    expect(interrupted.stdout).toBe("");

    const resumed = await cli(["runs", "watch", FABRIKAM, runId!]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`run ${runId}: success`));
  });

  it("sync --wait polls after 1 s at first: the API asks a young run to be polled sooner", async () => {
    const waited = await cli(["sync", CONTOSO, "--categories", "compliance", "--wait"]);
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.sleeps[0]).toBe(1_000);
    const accepted = await http("POST", syncUrl(e2e.baseUrl, CONTOSO), { json: { categories: ["updates"] } });
    expect([accepted.status, accepted.headers.get("retry-after")]).toEqual([202, "1"]);
  });

  it("a sync of a selection already running names the active run in a hint that re-attaches to it", async () => {
    e2e.gate.hold();
    try {
      const first = await http("POST", syncUrl(e2e.baseUrl, CONTOSO), { json: { categories: ["apps"] } });
      expect(first.status).toBe(202);
      const overlap = await cli(["sync", CONTOSO, "--categories", "apps"]);
      expect(overlap.code).toBe(3);
      expect(overlap.stderr).toContain(`hint: follow the active run with: tenant-inventory runs watch ${CONTOSO} ${first.body.runId}`);
    } finally {
      e2e.gate.release();
    }
  });
});

describe("tenants", () => {
  it("a disabled tenant's sync says how to enable it; tenants enable does, keeping name and selections", async () => {
    expect((await cli(["tenants", "add", ADDED, "--name", "Northwind", "--disabled"])).code).toBe(0);
    const refused = await cli(["sync", ADDED]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("TENANT_DISABLED");
    expect(refused.stderr).toContain(`hint: the tenant is disabled; enable it with: tenant-inventory tenants enable ${ADDED}`);
    const enabled = await cli(["tenants", "enable", ADDED]);
    expect(enabled.stdout).toBe(`Tenant ${ADDED} (Northwind) is enabled.\n`);
    expect((await cli(["sync", ADDED, "--categories", "scripts", "--wait"])).code).toBe(0);
  });

  it("tenants list shows the same nightly selection for the demo tenants and an added one, sorted by name", async () => {
    await cli(["tenants", "add", ADDED, "--name", "Northwind"]);
    const listed = await cli(["tenants", "list"]);
    const rows = listed.stdout.trim().split("\n").slice(1);
    expect(rows.map((r) => r.split(/\s{2,}/)[1])).toEqual(["Contoso Demo", "Fabrikam Demo", "Northwind"]);
    for (const row of rows) expect(row).toMatch(/\s(yes|no)\s+1\s/);
    const json = JSON.parse((await cli(["tenants", "list", "--format", "json"])).stdout) as { items: { selections: unknown[] }[] };
    for (const t of json.items) expect(t.selections).toEqual([{ policyTypes: [], categories: [], includeFoundations: true }]);
  });

  it("tenants remove unregisters a tenant: its reads then answer TENANT_NOT_FOUND", async () => {
    const other = "7e9a1c3e-5f7b-4d9f-8b2d-4f6a8c0e2a4c";
    await cli(["tenants", "add", other, "--name", "Short-lived"]);
    const removed = await cli(["tenants", "remove", other]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`Removed tenant ${other}.`);
    expect((await cli(["items", other])).code).toBe(4);
  });
});

describe("listings", () => {
  beforeAll(async () => {
    const synced = await cli(["sync", CONTOSO, "--categories", "configuration,apps", "--wait"]);
    expect(synced.code, synced.stderr).toBe(0);
  });

  it("items come sorted by policy type then name, in table, json and csv alike", async () => {
    const json = JSON.parse((await cli(["items", CONTOSO, "--all", "--json"])).stdout) as { items: { policyType: string; displayName: string }[] };
    const keys = json.items.map((i) => `${i.policyType}\u0000${i.displayName.toLowerCase()}`);
    expect(keys.length).toBeGreaterThan(3);
    expect(keys).toEqual([...keys].sort());

    const csvOut = (await cli(["items", CONTOSO, "--all", "--format", "csv"])).stdout;
    const lines = csvOut.split("\r\n").filter((l) => l !== "");
    expect(lines[0]).toBe("POLICY TYPE,PLATFORM,DISPLAY NAME,LAST SEEN,EXTERNAL ID");
    expect(lines).toHaveLength(json.items.length + 1);
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(json.items.map((i) => i.policyType));

    const tableOut = (await cli(["items", CONTOSO, "--all"])).stdout;
    const tableTypes = tableOut.trim().split("\n").slice(1, -1).map((l) => l.split(/\s+/)[0]);
    expect(tableTypes).toEqual(json.items.map((i) => i.policyType));
  });

  it("a display name that is a spreadsheet formula is defused in CSV", async () => {
    const simulator = e2e.host.stack.simulator!;
    const [victim] = simulator.control.objects(CONTOSO, "deviceShellScript") as { id: string }[];
    simulator.control.mutate(CONTOSO, "deviceShellScript", { rename: { [victim!.id]: '=HYPERLINK("http://x","y")' } });
    expect((await cli(["sync", CONTOSO, "--categories", "scripts", "--wait"])).code).toBe(0);
    const csvOut = (await cli(["items", CONTOSO, "--policy-type", "deviceshellscript", "--format", "csv"])).stdout;
    expect(csvOut).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvOut).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  it("coverage: one row per catalog type, by category, in every format", async () => {
    const tableOut = await cli(["coverage", CONTOSO]);
    expect(tableOut.code, tableOut.stderr).toBe(0);
    expect(tableOut.stdout).toMatch(/^CATEGORY\s+POLICY TYPE\s+ITEMS\s+LAST OBSERVED\s+LAST RUN\s+STATUS\s+ERROR$/m);
    expect(tableOut.stdout).toMatch(/^configuration\s+deviceConfiguration\s+\d+\s/m);
    expect(tableOut.stdout).toMatch(/^foundations\s+roleDefinition\s+0\s+-\s+-\s+never enumerated$/m);
    const json = JSON.parse((await cli(["coverage", CONTOSO, "--json"])).stdout) as { items: unknown[] };
    expect(json.items).toHaveLength(POLICY_TYPES.length);
    const csvOut = (await cli(["coverage", CONTOSO, "--format", "csv"])).stdout;
    expect(csvOut.split("\r\n").filter((l) => l !== "")).toHaveLength(POLICY_TYPES.length + 1);
  });

  it("policy-types lists the catalog; a misspelt type is refused with the name it probably meant", async () => {
    const types = await cli(["policy-types"]);
    expect(types.code).toBe(0);
    expect(types.stdout).toMatch(/^apps\s+mobileApp\s+no\s+/m);
    expect(types.stdout).toMatch(/^foundations\s+assignmentFilter\s+yes\s+/m);
    expect(JSON.parse((await cli(["policy-types", "--format", "json"])).stdout).items).toHaveLength(POLICY_TYPES.length);

    const typo = await cli(["items", CONTOSO, "--policy-type", "devicecompliancepolcy"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Did you mean "deviceCompliancePolicy"?');
    const upper = await cli(["items", CONTOSO, "--policy-type", "MOBILEAPP", "--json"]);
    expect(upper.code, upper.stderr).toBe(0);
    expect((JSON.parse(upper.stdout) as { items: { policyType: string }[] }).items.every((i) => i.policyType === "mobileApp")).toBe(true);
  });

  it("runs and missing items take --format csv too", async () => {
    const runs = (await cli(["runs", CONTOSO, "--format", "csv"])).stdout;
    expect(runs.split("\r\n")[0]).toBe("RUN,STATUS,TRIGGER,REQUESTED,DURATION,TYPES,ITEMS,SELECTION,ERRORS");
    const missing = await cli(["items", CONTOSO, "--missing", "--categories", "scripts", "--format", "csv"]);
    expect(missing.code, missing.stderr).toBe(0);
    expect(missing.stdout.split("\r\n")[0]).toBe("POLICY TYPE,PLATFORM,DISPLAY NAME,LAST SEEN,TYPE COMPLETE,EXTERNAL ID");
  });
});

describe("after a nightly (issue 15: the new-user trap)", () => {
  beforeAll(async () => {
    const fired = await http("POST", `${e2e.host.origin}/admin/functions/nightlySyncTimer`, { json: {} });
    expect(fired.status, fired.text).toBeLessThan(300);
    const nightly = selectionHash(DEFAULT_NIGHTLY_SELECTION);
    const deadline = Date.now() + 60_000;
    while ((await e2e.host.stack.stores.runs.latestCompleted(FABRIKAM, nightly)) === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it("items --missing with no selection reports on the nightly's run, and the 12-character hash it prints works again", async () => {
    const missing = await cli(["items", FABRIKAM, "--missing"]);
    expect(missing.code, missing.stderr).toBe(0);
    const short = selectionHash(DEFAULT_NIGHTLY_SELECTION).slice(0, 12);
    expect(missing.stdout).toMatch(new RegExp(`^selection ${short}: latest completed run \\S+ \\(success`, "m"));
    expect(missing.stdout).not.toContain("No completed run");
    const again = await cli(["items", FABRIKAM, "--missing", "--selection-hash", short]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`selection ${short}: latest completed run`);
    const runs = await cli(["runs", FABRIKAM, "--selection-hash", short, "--json"]);
    expect(runs.code, runs.stderr).toBe(0);
    expect(JSON.parse(runs.stdout).items.length).toBeGreaterThan(0);
  });

  it("portfolio lists every tenant worst first, in every format; listings take --format ndjson", async () => {
    const table = await cli(["portfolio"]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^STATE\s+TENANT\s+LAST RUN\s+LAST SUCCESS\s+ITEMS\s+MISSING\s+CHANGES 24H\s+DRIFT\s+ERRORS\s+TENANT ID$/m);
    expect(table.stdout).toMatch(new RegExp(`^ok\\s+Fabrikam Demo\\s+success\\s.*${FABRIKAM}$`, "m"));
    const json = JSON.parse((await cli(["portfolio", "--json"])).stdout) as { items: { tenantId: string }[] };
    const ndjson = (await cli(["portfolio", "--format", "ndjson"])).stdout.trim().split("\n").map((l) => JSON.parse(l) as { tenantId: string });
    expect(ndjson).toEqual(json.items);
    const csvOut = (await cli(["portfolio", "--format", "csv"])).stdout;
    expect(csvOut.split("\r\n").filter((l) => l !== "")).toHaveLength(json.items.length + 1);

    const items = (await cli(["items", FABRIKAM, "--all", "--format", "ndjson"])).stdout.trim().split("\n");
    const all = JSON.parse((await cli(["items", FABRIKAM, "--all", "--json"])).stdout) as { items: unknown[] };
    expect(items.map((l) => JSON.parse(l))).toEqual(all.items);
  });
});
