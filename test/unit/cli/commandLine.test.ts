import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../../../cli/commandLine";
import type { CliCommand, ParseOutcome } from "../../../cli/commandLine";
import { runCli } from "../../../cli/main";

const TENANT = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
const HASH = "b".repeat(64);

function command(argv: string[]): CliCommand {
  const outcome = parseCommandLine(argv);
  if (outcome.kind !== "command")
    throw new Error(`expected a command, got exit ${outcome.exitCode}: ${outcome.stderr}`);
  return outcome.command;
}

function refused(argv: string[]): Extract<ParseOutcome, { kind: "exit" }> {
  const outcome = parseCommandLine(argv);
  if (outcome.kind !== "exit")
    throw new Error(`expected a usage error, got ${JSON.stringify(outcome.command)}`);
  return outcome;
}

describe("CLI command line: commands and flags", () => {
  it("tenants add takes a GUID (stored lower-case), --name and --disabled", () => {
    expect(command(["tenants", "add", TENANT.toUpperCase(), "--name", "  Contoso Ltd  "])).toEqual({
      kind: "tenants.add",
      tenantId: TENANT,
      displayName: "Contoso Ltd",
      enabled: true,
      json: false,
    });
    expect(command(["tenants", "add", TENANT, "--name", "C", "--disabled", "--json"])).toMatchObject({
      enabled: false,
      json: true,
    });
  });

  it("tenants list, with --format table|json|csv and --json as the shorthand of --format json", () => {
    expect(command(["tenants", "list"])).toEqual({ kind: "tenants.list", format: "table" });
    expect(command(["tenants", "list", "--json"])).toEqual({ kind: "tenants.list", format: "json" });
    expect(command(["tenants", "list", "--format", "csv"])).toEqual({ kind: "tenants.list", format: "csv" });
    expect(command(["tenants", "list", "--json", "--format", "json"])).toEqual({ kind: "tenants.list", format: "json" });
  });

  it("every listing takes --format: tenants list, runs, items, items --missing, coverage, policy-types", () => {
    for (const argv of [
      ["tenants", "list"],
      ["runs", TENANT],
      ["items", TENANT],
      ["items", TENANT, "--missing"],
      ["coverage", TENANT],
      ["policy-types"],
    ]) {
      expect(command([...argv, "--format", "csv"]), argv.join(" ")).toMatchObject({ format: "csv" });
    }
  });

  it("tenants remove, enable and disable take a tenant id; runs watch a tenant and a run", () => {
    expect(command(["tenants", "remove", TENANT.toUpperCase()])).toEqual({ kind: "tenants.remove", tenantId: TENANT });
    expect(command(["tenants", "enable", TENANT])).toEqual({ kind: "tenants.setEnabled", tenantId: TENANT, enabled: true });
    expect(command(["tenants", "disable", TENANT])).toEqual({ kind: "tenants.setEnabled", tenantId: TENANT, enabled: false });
    expect(command(["runs", "watch", TENANT, "run-1"])).toEqual({ kind: "runs.watch", tenantId: TENANT, runId: "run-1", json: false });
    expect(command(["runs", "watch", TENANT, "run-1", "--json"])).toMatchObject({ kind: "runs.watch", json: true });
    expect(command(["coverage", TENANT])).toEqual({ kind: "coverage", tenantId: TENANT, format: "table" });
  });

  it("policy types, categories and platforms are case-insensitive and come out in the catalog's spelling", () => {
    expect(command(["sync", TENANT, "--policy-types", "DEVICECONFIGURATION,mobileapp", "--categories", "Scripts"])).toMatchObject({
      selection: { policyTypes: ["deviceConfiguration", "mobileApp"], categories: ["scripts"] },
    });
    expect(command(["items", TENANT, "--policy-type", "MobileApp", "--platform", "IOS"])).toMatchObject({
      query: { policyType: "mobileApp", platform: "ios" },
    });
  });

  it("sync without flags means every non-foundation type and returns at once", () => {
    expect(command(["sync", TENANT])).toEqual({
      kind: "sync",
      tenantId: TENANT,
      selection: {},
      waitForSlotSeconds: undefined,
      wait: false,
      json: false,
    });
  });

  it("sync accumulates comma lists and repeated flags into the selection", () => {
    expect(
      command([
        "sync",
        TENANT,
        "--policy-types",
        "mobileApp, deviceConfiguration",
        "--policy-types",
        "roleScopeTag",
        "--categories",
        "scripts,updates",
        "--foundations",
        "--wait",
        "--wait-for-slot",
        "120",
        "--json",
      ]),
    ).toEqual({
      kind: "sync",
      tenantId: TENANT,
      selection: {
        policyTypes: ["mobileApp", "deviceConfiguration", "roleScopeTag"],
        categories: ["scripts", "updates"],
        includeFoundations: true,
      },
      waitForSlotSeconds: 120,
      wait: true,
      json: true,
    });
  });

  it("runs takes --limit, --status, --selection-hash, --continuation-token and --json", () => {
    expect(
      command([
        "runs",
        TENANT,
        "--limit",
        "200",
        "--status",
        "partial",
        "--selection-hash",
        HASH,
        "--continuation-token",
        "tok",
        "--json",
      ]),
    ).toEqual({
      kind: "runs",
      tenantId: TENANT,
      query: { limit: 200, status: "partial", selectionHash: HASH, continuationToken: "tok" },
      format: "json",
    });
  });

  it("items takes the list filters, --limit, --all, --continuation-token and --json", () => {
    expect(
      command([
        "items",
        TENANT,
        "--policy-type",
        "mobileApp",
        "--category",
        "apps",
        "--platform",
        "ios",
        "--q",
        "VPN",
        "--limit",
        "10",
        "--all",
        "--continuation-token",
        "t",
        "--json",
      ]),
    ).toEqual({
      kind: "items",
      tenantId: TENANT,
      query: {
        policyType: "mobileApp",
        category: "apps",
        platform: "ios",
        q: "VPN",
        limit: 10,
        continuationToken: "t",
      },
      all: true,
      format: "json",
    });
  });

  it("items --missing takes a selection, or a selection hash", () => {
    expect(command(["items", TENANT, "--missing", "--categories", "scripts", "--foundations"])).toEqual({
      kind: "missing",
      tenantId: TENANT,
      query: { selection: { categories: ["scripts"], includeFoundations: true } },
      format: "table",
    });
    // No selection: the API answers for the tenant's most recent completed run (a nightly too).
    expect(command(["items", TENANT, "--missing"])).toMatchObject({ query: { latest: true } });
    // The 12 characters the CLI prints are accepted; the API resolves them.
    expect(command(["items", TENANT, "--missing", "--selection-hash", HASH.slice(0, 12).toUpperCase()])).toMatchObject({
      query: { selectionHash: HASH.slice(0, 12) },
    });
    expect(command(["items", TENANT, "--missing", "--selection-hash", HASH, "--json"])).toEqual({
      kind: "missing",
      tenantId: TENANT,
      query: { selectionHash: HASH },
      format: "json",
    });
  });

  it("global options work before or after the command", () => {
    const before = parseCommandLine([
      "--api-url",
      "https://x.example/api",
      "--key",
      "k",
      "--timeout",
      "2.5",
      "--correlation-id",
      "ci.run-7",
      "tenants",
      "list",
    ]);
    const after = parseCommandLine([
      "tenants",
      "list",
      "--api-url",
      "https://x.example/api",
      "--key",
      "k",
      "--timeout",
      "2.5",
      "--correlation-id",
      "ci.run-7",
    ]);
    const expected = {
      apiUrl: "https://x.example/api",
      key: "k",
      timeoutSeconds: 2.5,
      correlationId: "ci.run-7",
    };
    expect(before).toMatchObject({ kind: "command", globals: expected });
    expect(after).toMatchObject({ kind: "command", globals: expected });
    expect(parseCommandLine(["tenants", "list"])).toMatchObject({
      globals: { timeoutSeconds: 30, apiUrl: undefined, key: undefined },
    });
  });

  it("--help and --version print to stdout and exit 0", () => {
    const help = refused(["--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("Usage: tenant-inventory");
    expect(help.stdout).toMatch(/sync \[options\] <tenantId>/);
    const version = refused(["--version"]);
    expect(version.exitCode).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("CLI command line: bad input exits 2 with a clear message", () => {
  const cases: [string, string[], RegExp][] = [
    ["no command", [], /Usage: tenant-inventory/],
    ["tenants without a subcommand", ["tenants"], /Usage: tenant-inventory tenants/],
    ["an unknown command", ["synk", TENANT], /unknown command 'synk'/],
    ["an unknown option", ["runs", TENANT, "--since", "1d"], /unknown option '--since'/],
    [
      "a tenant id that is not a GUID",
      ["sync", "contoso.onmicrosoft.com"],
      /Expected an Entra tenant id \(a GUID\)/,
    ],
    ["a missing tenant id", ["runs"], /missing required argument 'tenantId'/],
    ["an extra argument", ["runs", TENANT, "extra"], /too many arguments/],
    [
      "tenants add without --name",
      ["tenants", "add", TENANT],
      /required option '--name <displayName>' not specified/,
    ],
    ["a blank --name", ["tenants", "add", TENANT, "--name", "  "], /display name of 1 to 256/],
    [
      "an unknown policy type",
      ["sync", TENANT, "--policy-types", "deviceConfiguration,bogus"],
      /Unknown policy type "bogus"\. `tenant-inventory policy-types` lists them\./,
    ],
    [
      "a misspelt policy type, with the name it probably meant",
      ["sync", TENANT, "--policy-types", "deviceConfigration"],
      /Unknown policy type "deviceConfigration"\. Did you mean "deviceConfiguration"\?/,
    ],
    [
      "a misspelt --policy-type",
      ["items", TENANT, "--policy-type", "mobilapp"],
      /Unknown policy type "mobilapp"\. Did you mean "mobileApp"\?/,
    ],
    [
      "--json with another --format",
      ["items", TENANT, "--json", "--format", "csv"],
      /--json and --format csv disagree/,
    ],
    [
      "an unknown --format",
      ["policy-types", "--format", "xml"],
      /argument 'xml' is invalid\. Allowed choices are table, json, csv/,
    ],
    [
      "an unknown category",
      ["sync", TENANT, "--categories", "scripts,backup"],
      /Unknown category "backup"\. Known: /,
    ],
    ["an empty list", ["sync", TENANT, "--policy-types", " , "], /comma-separated list of policy types/],
    ["--wait-for-slot beyond 3600", ["sync", TENANT, "--wait-for-slot", "3601"], /integer from 0 to 3600/],
    ["--limit 0", ["runs", TENANT, "--limit", "0"], /integer from 1 to 200/],
    ["--limit 201", ["items", TENANT, "--limit", "201"], /integer from 1 to 200/],
    ["--limit 1e2", ["items", TENANT, "--limit", "1e2"], /integer from 1 to 200/],
    [
      "an unknown --status",
      ["runs", TENANT, "--status", "done"],
      /Allowed choices are queued, running, success, partial, failed, skipped/,
    ],
    ["a --selection-hash under 8 characters", ["runs", TENANT, "--selection-hash", "abcdef1"], /prefix of at least 8/],
    ["a --selection-hash that is not hex", ["runs", TENANT, "--selection-hash", "abcdefgh"], /prefix of at least 8/],
    ["an unknown --policy-type", ["items", TENANT, "--policy-type", "bogus"], /argument 'bogus' is invalid/],
    ["an unknown --platform", ["items", TENANT, "--platform", "amiga"], /argument 'amiga' is invalid/],
    ["an empty --q", ["items", TENANT, "--q", ""], /1 to 256 characters/],
    [
      "--missing with list filters",
      ["items", TENANT, "--missing", "--q", "x", "--all"],
      /--q, --all cannot be combined with --missing/,
    ],
    [
      "--missing with a hash and a selection",
      ["items", TENANT, "--missing", "--selection-hash", HASH, "--categories", "apps"],
      /names the selection already/,
    ],
    [
      "--policy-types without --missing",
      ["items", TENANT, "--policy-types", "mobileApp"],
      /--policy-types only apply with --missing/,
    ],
    ["--timeout 0", ["tenants", "list", "--timeout", "0"], /greater than 0 and at most 600/],
    ["a --correlation-id with spaces", ["tenants", "list", "--correlation-id", "a b"], /1 to 64 characters/],
  ];

  it.each(cases)("%s", (_name, argv, message) => {
    const outcome = refused(argv);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.stderr).toMatch(message);
  });

  it("a bad --api-url is a usage error before any request", async () => {
    let out = "";
    let err = "";
    let called = false;
    const code = await runCli(["--api-url", "ftp://example.com", "tenants", "list"], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: {},
      fetch: async () => {
        called = true;
        return new Response("{}");
      },
    });
    expect(code).toBe(2);
    expect(err).toContain("--api-url must be http or https");
    expect(out).toBe("");
    expect(called).toBe(false);
  });

  it("warns before sending a key over plain http to a remote host", async () => {
    let err = "";
    await runCli(["tenants", "list"], {
      stdout: { write: () => undefined },
      stderr: { write: (s: string) => (err += s) },
      env: { TENANT_INVENTORY_API_URL: "http://inventory.example.com", TENANT_INVENTORY_KEY: "k" },
      fetch: async () =>
        new Response(JSON.stringify({ items: [] }), { headers: { "content-type": "application/json" } }),
    });
    expect(err).toContain("warning: sending the function key over plain http to inventory.example.com");
  });
});
