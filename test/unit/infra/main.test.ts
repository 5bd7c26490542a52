import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSettings } from "../../../shared/config/settings";
import { EVENT_NAMES, eventFields } from "../../../shared/observability/events";
import type { EventName } from "../../../shared/observability/events";
import { TENANTS_TABLE_DEFAULT } from "../../../shared/store/names";

/*
 * Checks of infra/ that need no Azure and no Bicep compiler: the Bicep is read as text with
 * small, deliberately strict parsers (object literals, params, module blocks). Anything these
 * parsers cannot read is a failure, not a skip. What the compiled ARM template shows more
 * exactly (no keys, identity-only flags, containers and partition keys, app-setting keys,
 * parameters and outputs) is checked on the Bicep CLI's output in infra.template.test.ts.
 */

const root = join(__dirname, "..", "..", "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const INFRA = "infra";
const FUNCTION_APP = read("infra/modules/functionApp.bicep");
const MAIN = read("infra/main.bicep");
const COSMOS = read("infra/modules/cosmos.bicep");

/** Graph credential keys: exactly one is set, chosen by graphAuthMode. */
const GRAPH_CREDENTIAL_BLOCKS = {
  federated: "graphFederatedSettings",
  clientSecret: "graphClientSecretSettings",
  certificate: "graphCertificateSettings",
} as const;

// ---------------------------------------------------------------------------------------------
// Minimal Bicep readers
// ---------------------------------------------------------------------------------------------

/** The text between the brace that opens at `openIndex` and its matching close. */
function braceBlock(text: string, openIndex: number): string {
  let depth = 0;
  for (let i = openIndex; i < text.length; i++) {
    const ch = text[i];
    if (ch === "{") depth++;
    else if (ch === "}") {
      depth--;
      if (depth === 0) return text.slice(openIndex + 1, i);
    }
  }
  throw new Error(`unbalanced braces from ${openIndex}`);
}

/** Top-level `key: value` pairs of an object literal (values that fit on the key's line). */
function objectEntries(body: string): Map<string, string> {
  const entries = new Map<string, string>();
  let depth = 0;
  for (const line of body.split("\n")) {
    const trimmed = line.trim();
    if (depth === 0) {
      const m = /^'?([A-Za-z_][\w.-]*)'?\s*:\s*(.*)$/.exec(trimmed);
      if (m) entries.set(m[1]!, m[2]!.trim());
    }
    for (const ch of trimmed) {
      if (ch === "{" || ch === "[" || ch === "(") depth++;
      if (ch === "}" || ch === "]" || ch === ")") depth--;
    }
  }
  return entries;
}

/** `var <name> = { ... }` blocks whose name ends in Settings. */
function settingsBlocks(text: string): Map<string, Map<string, string>> {
  const blocks = new Map<string, Map<string, string>>();
  for (const m of text.matchAll(/^var (\w+Settings) = \{/gm)) {
    blocks.set(m[1]!, objectEntries(braceBlock(text, m.index! + m[0].length - 1)));
  }
  return blocks;
}

interface Param {
  name: string;
  type: string;
  defaultValue?: string;
  decorators: string;
}

function params(text: string): Map<string, Param> {
  const out = new Map<string, Param>();
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    const m = /^param (\w+) (\w+)(?: = (.*))?$/.exec(line.trim());
    if (!m) return;
    let j = i - 1;
    const decorators: string[] = [];
    while (j >= 0 && !/^(param|var|resource|module|output|targetScope)\b/.test(lines[j]!.trim()) && lines[j]!.trim() !== "") {
      decorators.unshift(lines[j]!);
      j--;
    }
    out.set(m[1]!, { name: m[1]!, type: m[2]!, defaultValue: m[3], decorators: decorators.join("\n") });
  });
  return out;
}

function outputs(text: string): string[] {
  return [...text.matchAll(/^output (\w+) /gm)].map((m) => m[1]!);
}

interface ModuleUse {
  symbol: string;
  path: string;
  params: Map<string, string>;
}

function modules(text: string): ModuleUse[] {
  return [...text.matchAll(/^module (\w+) '([^']+)' = (?:if \([^)]*\) )?\{/gm)].map((m) => {
    const body = braceBlock(text, m.index! + m[0].length - 1);
    const paramsAt = body.indexOf("params: {");
    const paramsBody = braceBlock(body, paramsAt + "params: ".length);
    return { symbol: m[1]!, path: m[2]!, params: objectEntries(paramsBody) };
  });
}

function unquote(literal: string): string | undefined {
  const m = /^'([^']*)'$/.exec(literal);
  return m && !m[1]!.includes("${") ? m[1] : undefined;
}

const mainParams = params(MAIN);
const appParams = params(FUNCTION_APP);
const functionAppModule = modules(MAIN).find((m) => m.path === "modules/functionApp.bicep")!;

/** Resolves a functionApp.bicep setting value to the value a default deployment gives it, if knowable. */
function resolveDefault(expression: string): string | undefined {
  const literal = unquote(expression);
  if (literal !== undefined) return literal;
  const asString = /^string\((\w+)\)$/.exec(expression);
  const ident = asString ? asString[1]! : /^\w+$/.test(expression) ? expression : undefined;
  if (!ident) return undefined;
  const own = appParams.get(ident);
  if (own?.defaultValue !== undefined) return unquote(own.defaultValue) ?? own.defaultValue;
  const passed = functionAppModule.params.get(ident);
  if (!passed) return undefined;
  if (/^\w+$/.test(passed)) {
    const top = mainParams.get(passed);
    if (top?.defaultValue !== undefined) return unquote(top.defaultValue) ?? top.defaultValue;
  }
  // `flag || !empty(text)` (AUTH_REQUIRE_PRINCIPAL is also on when sign-in is configured).
  const orNotEmpty = /^(\w+) \|\| !empty\((\w+)\)$/.exec(passed);
  if (orNotEmpty) {
    const flag = mainParams.get(orNotEmpty[1]!)?.defaultValue;
    const text = mainParams.get(orNotEmpty[2]!)?.defaultValue;
    if (flag !== undefined && text !== undefined) return String(flag === "true" || (unquote(text) ?? text) !== "");
  }
  const variable = new RegExp(`^var ${passed} = '([^']*)'$`, "m").exec(MAIN);
  return variable?.[1];
}

/** A stand-in for values only known at deployment (endpoints, ids, Key Vault references). */
function placeholder(key: string): string {
  if (/ENDPOINT|URL|Uri/.test(key)) return "https://placeholder.example.com/";
  if (/CLIENT_ID|clientId/.test(key)) return "00000000-0000-0000-0000-000000000001";
  if (key === "GRAPH_CLIENT_CERTIFICATE_PATH") return "/certs/graph.pem";
  return "placeholder";
}

function simulatedAppSettings(mode: keyof typeof GRAPH_CREDENTIAL_BLOCKS): Record<string, string> {
  const blocks = settingsBlocks(FUNCTION_APP);
  const env: Record<string, string> = {};
  for (const name of ["hostSettings", "inventorySettings", GRAPH_CREDENTIAL_BLOCKS[mode]]) {
    const block = blocks.get(name);
    if (!block) throw new Error(`functionApp.bicep has no var ${name}`);
    for (const [key, expression] of block) {
      const value = resolveDefault(expression);
      env[key] = value === undefined || value === "" ? placeholder(key) : value;
    }
  }
  env["GRAPH_AUTH_MODE"] = mode;
  return env;
}

function walk(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? walk(path) : [path];
  });
}

// ---------------------------------------------------------------------------------------------
// App settings ↔ settings schema
// ---------------------------------------------------------------------------------------------

describe("app settings set by Bicep", () => {
  const blocks = settingsBlocks(FUNCTION_APP);
  const allKeys = [...blocks.values()].flatMap((b) => [...b.keys()]);

  it("are read from the *Settings blocks the app settings are built from", () => {
    expect([...blocks.keys()].sort()).toEqual(
      [
        "graphCertificateSettings",
        "graphClientSecretSettings",
        "graphFederatedSettings",
        "hostSettings",
        "inventorySettings",
      ].sort(),
    );
    const union = /var appSettings = union\(([^)]*)\)/.exec(FUNCTION_APP)?.[1] ?? "";
    for (const name of ["hostSettings", "inventorySettings", "graphAuthSettings"]) {
      expect(union, name).toContain(name);
    }
    expect(FUNCTION_APP).toMatch(/name: 'appsettings'\s+properties: appSettings/);
  });

  it.each(Object.keys(GRAPH_CREDENTIAL_BLOCKS) as (keyof typeof GRAPH_CREDENTIAL_BLOCKS)[])(
    "passes the settings schema of the code for GRAPH_AUTH_MODE=%s",
    (mode) => {
      const env = simulatedAppSettings(mode);
      const settings = loadSettings(env);
      expect(settings.GRAPH_AUTH_MODE).toBe(mode);
      expect(settings.COSMOS_KEY).toBeUndefined();
      expect(settings.TABLES_CONNECTION_STRING).toBeUndefined();
      expect(settings.COSMOS_DATABASE).toBe("inventory");
      expect(settings.TABLES_TENANTS_TABLE).toBe(TENANTS_TABLE_DEFAULT);
      // Bicep defaults equal the schema defaults (no silent drift between Azure and local).
      const schemaDefaults = loadSettings({
        COSMOS_ENDPOINT: "https://x.example.com/",
        TABLES_ENDPOINT: "https://x.example.com/",
        GRAPH_AUTH_MODE: "federated",
        GRAPH_CLIENT_ID: "x",
        GRAPH_FEDERATED_CLIENT_ID: "y",
      });
      for (const key of [
        "GRAPH_BASE_URL",
        "GRAPH_REQUEST_TIMEOUT_MS",
        "GRAPH_MAX_ATTEMPTS",
        "SYNC_SCHEDULE",
        "WATCHDOG_SCHEDULE",
        "SYNC_MAX_CONCURRENT_RUNS",
        "SYNC_MAX_CONCURRENT_RUNS_PER_TENANT",
        "SYNC_MAX_PARALLEL_TYPES",
        "SYNC_LEASE_SECONDS",
        "SYNC_NIGHTLY_WAIT_SECONDS",
        "CHANGES_RETENTION_DAYS",
        "AUTH_REQUIRE_PRINCIPAL",
      ] as const) {
        expect(settings[key], key).toEqual(schemaDefaults[key]);
      }
    },
  );

  it("never sets COSMOS_KEY or a tables connection string; TABLES_ENDPOINT is the table service URI (identity)", () => {
    expect(allKeys).not.toContain("COSMOS_KEY");
    expect(allKeys).not.toContain("TABLES_CONNECTION_STRING");
    expect(allKeys).not.toContain("AzureWebJobsStorage");
    const inventory = blocks.get("inventorySettings")!;
    expect(inventory.get("TABLES_ENDPOINT")).toBe("storageTableEndpoint");
    expect(functionAppModule.params.get("storageTableEndpoint")).toBe("storage.outputs.tableEndpoint");
    expect(read("infra/modules/storage.bicep")).toMatch(/output tableEndpoint string = account\.properties\.primaryEndpoints\.table/);
  });

  it("uses identity-based AzureWebJobsStorage: blob, queue and table service URIs with the managed identity credential", () => {
    const host = blocks.get("hostSettings")!;
    expect(host.get("AzureWebJobsStorage__credential")).toBe("'managedidentity'");
    expect(host.get("AzureWebJobsStorage__clientId")).toBe("identityClientId");
    for (const service of ["blob", "queue", "table"]) {
      expect(host.has(`AzureWebJobsStorage__${service}ServiceUri`), service).toBe(true);
    }
    expect(host.get("APPLICATIONINSIGHTS_AUTHENTICATION_STRING")).toBe("'ClientId=${identityClientId};Authorization=AAD'");
  });

  it("defaults GRAPH_AUTH_MODE to federated with the user-assigned identity's client id as GRAPH_FEDERATED_CLIENT_ID", () => {
    expect(mainParams.get("graphAuthMode")?.defaultValue).toBe("'federated'");
    expect(blocks.get("graphFederatedSettings")?.get("GRAPH_FEDERATED_CLIENT_ID")).toBe("identityClientId");
    expect(functionAppModule.params.get("identityClientId")).toBe("identity.outputs.clientId");
    expect(blocks.get("inventorySettings")?.get("GRAPH_CLIENT_ID")).toBe("graphClientId");
    expect(mainParams.get("graphClientId")?.defaultValue).toBeUndefined();
  });

  it("takes the Graph secret from a Key Vault reference resolved with the user-assigned identity", () => {
    expect(blocks.get("graphClientSecretSettings")?.get("GRAPH_CLIENT_SECRET")).toMatch(/^'@Microsoft\.KeyVault\(VaultName=/);
    expect(FUNCTION_APP).toMatch(/keyVaultReferenceIdentity: identityId/);
  });

  it("sets every %SETTING% that host.json references", () => {
    const hostJson = read("host.json");
    const referenced = [...hostJson.matchAll(/%(\w+)%/g)].map((m) => m[1]!);
    expect(referenced.length).toBeGreaterThan(0);
    for (const name of referenced) expect(allKeys, name).toContain(name);
  });
});

// ---------------------------------------------------------------------------------------------
// Data stores ↔ store code
// ---------------------------------------------------------------------------------------------

describe("Cosmos DB and Table Storage in Bicep", () => {
  it("names the database inventory in Bicep, the settings default and the app setting", () => {
    expect(params(COSMOS).get("databaseName")?.defaultValue).toBe("'inventory'");
    expect(MAIN).toMatch(/^var cosmosDatabaseName = 'inventory'$/m);
    expect(loadSettings({ COSMOS_ENDPOINT: "https://x/", TABLES_ENDPOINT: "https://x/", GRAPH_AUTH_MODE: "simulator", GRAPH_BASE_URL: "http://127.0.0.1:1" }).COSMOS_DATABASE).toBe("inventory");
  });

  it("excludes item meta from indexing in every container", () => {
    expect(/var excludedPaths = \[[\s\S]*?\{ path: '\/meta\/\*' \}[\s\S]*?\n\]/.test(COSMOS)).toBe(true);
    expect(COSMOS).toMatch(/excludedPaths: excludedPaths/);
    expect(COSMOS).toMatch(/includedPaths: \[\s+\{ path: '\/\*' \}\s+\]/);
  });

  it("is serverless by default, autoscale by parameter, with local (key) authentication disabled", () => {
    expect(params(COSMOS).get("capacityMode")?.defaultValue).toBe("'serverless'");
    expect(COSMOS).toMatch(/isServerless \? \[\{ name: 'EnableServerless' \}\] : \[\]/);
    expect(COSMOS).toMatch(/autoscaleSettings: \{\s+maxThroughput: autoscaleMaxThroughput/);
    expect(COSMOS).toMatch(/disableLocalAuth: true/);
  });

  it("creates the tenant registry table the code defaults to", () => {
    expect(MAIN).toMatch(new RegExp(`^var tenantsTableName = '${TENANTS_TABLE_DEFAULT}'$`, "m"));
    expect(read("infra/modules/storage.bicep")).toMatch(/tableServices\/tables@[\d-]+' = \{\s+parent: tableService\s+name: tenantsTableName/);
  });
});

// ---------------------------------------------------------------------------------------------
// Identity-only access
// ---------------------------------------------------------------------------------------------

describe("identity-only access", () => {
  it("grants the identity exactly the data roles it needs", () => {
    const roles = read("infra/modules/roleAssignments.bicep");
    for (const [role, id] of Object.entries({
      "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
      "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
      "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
      "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
      "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
    })) {
      expect(roles, role).toContain(id);
    }
    // Cosmos DB data plane: sqlRoleAssignments with the built-in Data Contributor, scoped to the database.
    expect(roles).toMatch(/databaseAccounts\/sqlRoleAssignments@[\d-]+' = \{\s+parent: cosmos/);
    expect(roles).toContain("var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'");
    expect(roles).toMatch(/scope: '\$\{cosmos\.id\}\/dbs\/\$\{cosmosDatabaseName\}'/);
  });
});

// ---------------------------------------------------------------------------------------------
// Hosting, modules, API versions, documentation
// ---------------------------------------------------------------------------------------------

describe("Bicep structure", () => {
  it("hosts on Flex Consumption, Node 20 or 22, with one always-ready instance for the durable group", () => {
    expect(FUNCTION_APP).toMatch(/name: 'FC1'\s+tier: 'FlexConsumption'/);
    expect(FUNCTION_APP).toMatch(/name: 'durable'\s+instanceCount: alwaysReadyDurableInstances/);
    expect(mainParams.get("alwaysReadyDurableInstances")?.defaultValue).toBe("1");
    expect(mainParams.get("nodeVersion")?.decorators).toMatch(/'20'\s+'22'/);
    expect(FUNCTION_APP).toMatch(/runtime: \{\s+name: 'node'\s+version: nodeVersion/);
  });

  it("pins one GA API version per resource type", () => {
    const versions = new Map<string, Set<string>>();
    for (const file of walk(INFRA).filter((f) => f.endsWith(".bicep"))) {
      for (const m of read(file).matchAll(/'([A-Za-z]+\.[A-Za-z]+\/[\w/]+)@([\w-]+)'/g)) {
        const set = versions.get(m[1]!) ?? new Set<string>();
        set.add(m[2]!);
        versions.set(m[1]!, set);
      }
    }
    expect(versions.size).toBeGreaterThan(10);
    for (const [type, set] of versions) {
      expect([...set], type).toHaveLength(1);
      expect([...set][0], type).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(versions.get("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments")).toBeDefined();
  });

  it("documents every parameter and output of main.bicep, in the template and in docs/deploy.md", () => {
    const deployDoc = read("docs/deploy.md");
    for (const param of mainParams.values()) {
      expect(param.decorators, param.name).toMatch(/@description\(/);
      expect(deployDoc, param.name).toContain(`\`${param.name}\``);
    }
    for (const output of outputs(MAIN)) expect(deployDoc, output).toContain(`\`${output}\``);
  });

  it("deploys the API with azd to the app tagged with its service name", () => {
    const azureYaml = read("azure.yaml");
    expect(azureYaml).toMatch(/services:\s+api:\s+project: \.\s+language: ts\s+host: function/);
    expect(FUNCTION_APP).toMatch(/param azdServiceName string = 'api'/);
    expect(FUNCTION_APP).toMatch(/'azd-service-name': azdServiceName/);
  });
});

// ---------------------------------------------------------------------------------------------
// Workbook and alerts ↔ the events the code emits
// ---------------------------------------------------------------------------------------------

interface Query {
  where: string;
  kql: string;
}

function workbookQueries(): Query[] {
  const workbook = JSON.parse(read("infra/monitoring/workbook.json")) as {
    version: string;
    items: { type: number; name: string; content: { query?: string } }[];
  };
  expect(workbook.version).toBe("Notebook/1.0");
  return workbook.items
    .filter((i) => i.type === 3)
    .map((i) => ({ where: `workbook:${i.name}`, kql: i.content.query ?? "" }));
}

const ALERT_FILES = ["failed-runs.kql", "tenant-no-success-26h.kql", "stuck-running.kql", "new-drift.kql"];
function alertQueries(): Query[] {
  return ALERT_FILES.map((f) => ({ where: `alert:${f}`, kql: read(`infra/monitoring/alerts/${f}`) }));
}

describe("workbook and alert KQL", () => {
  const eventNames = new Set<string>(EVENT_NAMES);

  it("the workbook JSON parses and has the required views", () => {
    const names = workbookQueries().map((q) => q.where);
    for (const view of [
      "runs-by-status",
      "failed-partial-by-tenant",
      "duration-per-tenant",
      "duration-per-policy-type",
      "graph-retries-over-time",
      "missing-trend",
      "drift-per-tenant",
      "drift-new-over-time",
    ]) {
      expect(names).toContain(`workbook:${view}`);
    }
  });

  it.each([...workbookQueries(), ...alertQueries()].map((q) => [q.where, q.kql] as const))(
    "%s references only event names and fields the code emits",
    (_where, kql) => {
      const code = kql.replace(/^\s*\/\/.*$/gm, "");
      const referenced = [...code.matchAll(/\bInventory[A-Z]\w*/g)].map((m) => m[0]);
      expect(referenced.length).toBeGreaterThan(0);
      expect(referenced.filter((n) => !eventNames.has(n))).toEqual([]);
      // Every event is selected by its exact line prefix ("<EventName> ").
      for (const name of new Set(referenced)) {
        expect(code).toMatch(new RegExp(`"${name} "|"${name}"`));
      }
      const fields = new Set(["eventName", ...[...new Set(referenced)].flatMap((n) => eventFields(n as EventName))]);
      const used = [...code.matchAll(/\bp\.(\w+)/g)].map((m) => m[1]!);
      expect(used.filter((f) => !fields.has(f))).toEqual([]);
      expect(code).toMatch(/parse_json\(substring\(message, indexof\(message, " "\) \+ 1\)\)/);
      expect(code).toMatch(/^\s*(let [\s\S]*?)?traces\b/m);
    },
  );

  it("covers every event of the catalog somewhere in the workbook", () => {
    const all = workbookQueries().map((q) => q.kql).join("\n");
    for (const name of EVENT_NAMES) expect(all, name).toContain(`"${name} "`);
  });

  it("deploys the workbook and four alert rules (failed runs, 26 h without success, stuck past the lease, new high-confidence drift) from these files", () => {
    const observability = read("infra/modules/observability.bicep");
    expect(observability).toContain("loadTextContent('../monitoring/workbook.json')");
    for (const file of ALERT_FILES) expect(observability).toContain(`../monitoring/alerts/${file}`);
    expect(observability).toMatch(/replace\(loadTextContent\('\.\.\/monitoring\/alerts\/stuck-running\.kql'\), '\{\{LEASE_SECONDS\}\}', string\(syncLeaseSeconds\)\)/);
    expect(read("infra/monitoring/alerts/stuck-running.kql")).toContain("{{LEASE_SECONDS}}");
    expect(read("infra/monitoring/alerts/tenant-no-success-26h.kql")).toMatch(/ago\(26h\)/);
    expect(read("infra/monitoring/alerts/failed-runs.kql")).toMatch(/tostring\(p\.status\) == "failed"/);
    // Drift alerts only on what the evaluation itself calls new and certain: never on low confidence.
    expect(read("infra/monitoring/alerts/new-drift.kql")).toMatch(/tostring\(p\.confidence\) == "high" and tobool\(p\.newDrift\)/);
    expect(MAIN).toMatch(/syncLeaseSeconds: syncLeaseSeconds/);
    // Bicep's loadTextContent limit.
    expect(read("infra/monitoring/workbook.json").length).toBeLessThan(131_072);
  });
});
