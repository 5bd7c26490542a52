import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SETTING_NAMES, SettingsError, loadSettings } from "../../../../shared/config/settings";

const minimal = {
  COSMOS_ENDPOINT: "https://inventory.documents.azure.com:443/",
  TABLES_ENDPOINT: "https://inventorystore.table.core.windows.net",
  GRAPH_AUTH_MODE: "federated",
  GRAPH_CLIENT_ID: "00000000-0000-0000-0000-00000000000a",
  GRAPH_FEDERATED_CLIENT_ID: "00000000-0000-0000-0000-00000000000b",
};

function problemsOf(env: Record<string, string>): { setting: string; message: string }[] {
  try {
    loadSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as SettingsError).problems;
  }
  throw new Error("expected the settings to be refused");
}

describe("settings", () => {
  it("applies the documented defaults to a minimal identity-based configuration", () => {
    const s = loadSettings(minimal);
    expect(s).toMatchObject({
      COSMOS_DATABASE: "inventory",
      GRAPH_BASE_URL: "https://graph.microsoft.com",
      SYNC_SCHEDULE: "0 0 2 * * *",
      SYNC_MAX_CONCURRENT_RUNS: 20,
      SYNC_MAX_CONCURRENT_RUNS_PER_TENANT: 2,
      SYNC_MAX_PARALLEL_TYPES: 8,
      SYNC_LEASE_SECONDS: 1800,
      AUTH_REQUIRE_PRINCIPAL: false,
    });
    expect(s.COSMOS_KEY).toBeUndefined();
  });

  it("fails naming a missing setting and what was expected", () => {
    const { COSMOS_ENDPOINT: _omit, ...rest } = minimal;
    expect(problemsOf(rest)).toEqual([{ setting: "COSMOS_ENDPOINT", message: "expected an http(s) URL" }]);
  });

  it("fails naming each malformed setting", () => {
    const problems = problemsOf({ ...minimal, SYNC_MAX_PARALLEL_TYPES: "eight", SYNC_SCHEDULE: "nightly", AUTH_REQUIRE_PRINCIPAL: "yes" });
    expect(problems.map((p) => p.setting).sort()).toEqual(["AUTH_REQUIRE_PRINCIPAL", "SYNC_MAX_PARALLEL_TYPES", "SYNC_SCHEDULE"]);
    expect(problems.find((p) => p.setting === "SYNC_MAX_PARALLEL_TYPES")?.message).toMatch(/integer between 1 and 64/);
  });

  it("requires the credential setting of the chosen Graph auth mode", () => {
    expect(problemsOf({ ...minimal, GRAPH_AUTH_MODE: "clientSecret" })).toEqual([
      { setting: "GRAPH_CLIENT_SECRET", message: "required when GRAPH_AUTH_MODE=clientSecret" },
    ]);
    expect(problemsOf({ ...minimal, GRAPH_AUTH_MODE: "certificate" })[0]?.setting).toBe("GRAPH_CLIENT_CERTIFICATE_PATH");
  });

  it("refuses simulator-mode Graph auth unless GRAPH_BASE_URL is a loopback address", () => {
    const sim = { ...minimal, GRAPH_AUTH_MODE: "simulator" };
    expect(problemsOf({ ...sim, GRAPH_BASE_URL: "https://graph.microsoft.com" })[0]?.setting).toBe("GRAPH_BASE_URL");
    expect(loadSettings({ ...sim, GRAPH_BASE_URL: "http://127.0.0.1:7072" }).GRAPH_AUTH_MODE).toBe("simulator");
  });

  it("requires a tables endpoint or connection string, and a per-tenant limit within the global one", () => {
    const { TABLES_ENDPOINT: _t, ...noTables } = minimal;
    expect(problemsOf(noTables)[0]?.setting).toBe("TABLES_ENDPOINT");
    expect(problemsOf({ ...minimal, SYNC_MAX_CONCURRENT_RUNS: "2", SYNC_MAX_CONCURRENT_RUNS_PER_TENANT: "3" })[0]?.setting).toBe(
      "SYNC_MAX_CONCURRENT_RUNS_PER_TENANT",
    );
  });

  it("lists every setting in local.settings.example.json with a working local value", () => {
    const example = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "..", "local.settings.example.json"), "utf8")) as {
      Values: Record<string, string>;
    };
    for (const name of SETTING_NAMES) expect(Object.keys(example.Values), name).toContain(name);
    expect(() => loadSettings(example.Values)).not.toThrow();
  });
});
