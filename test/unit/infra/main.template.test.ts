/**
 * infra/ compiled by the real Bicep CLI (restored from NuGet by `npm run infra:build`), and the
 * ARM template it produces checked for what matters in Azure: no key anywhere, identity-only
 * data planes, Cosmos containers equal to the store code's, app settings known to the settings
 * schema, every parameter settable through `azd env set`, the outputs a user needs.
 *
 * Needs the .NET SDK (`dotnet`) for the restore. Without it the whole file is skipped and
 * test/runSuite.mjs prints the one line saying so; CI has it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SETTING_NAMES } from "../../../shared/config/settings";
import { COSMOS_CONTAINERS, COSMOS_PARTITION_KEYS, TENANTS_TABLE_DEFAULT } from "../../../shared/store/names";

const root = join(__dirname, "..", "..", "..");
const hasDotnet = spawnSync("dotnet", ["--version"], { encoding: "utf8" }).status === 0;

/** Settings the Functions host or the Azure SDK reads; every other app setting must be a schema key. */
const HOST_SETTINGS = new Set([
  "AzureWebJobsStorage__credential",
  "AzureWebJobsStorage__clientId",
  "AzureWebJobsStorage__blobServiceUri",
  "AzureWebJobsStorage__queueServiceUri",
  "AzureWebJobsStorage__tableServiceUri",
  "APPLICATIONINSIGHTS_CONNECTION_STRING",
  "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
  "DURABLE_TASK_HUB_NAME",
  "AZURE_CLIENT_ID",
  "AzureFunctionsJobHost__logging__applicationInsights__samplingSettings__excludedTypes",
]);
/** Schema keys deliberately never set in Azure (identity instead of keys). */
// PUBLIC_BASE_URL: only behind a custom domain; WEBSITE_HOSTNAME: set by the platform itself.
const ABSENT_IN_AZURE = new Set(["COSMOS_KEY", "TABLES_CONNECTION_STRING", "PUBLIC_BASE_URL", "WEBSITE_HOSTNAME"]);

interface ArmResource {
  type: string;
  name: string;
  condition?: unknown;
  identity?: { type: string; userAssignedIdentities?: Record<string, unknown> };
  properties?: Record<string, unknown> & { template?: ArmTemplate };
  copy?: { name: string; count: string };
}
interface ArmTemplate {
  parameters: Record<string, { type: string; defaultValue?: unknown; allowedValues?: unknown[] }>;
  variables?: Record<string, unknown>;
  resources: ArmResource[];
  outputs: Record<string, { type: string; value: string }>;
}

let outDir = "";
let build = { status: -1 as number | null, output: "" };
let template: ArmTemplate;

beforeAll(() => {
  if (!hasDotnet) return;
  outDir = mkdtempSync(join(tmpdir(), "infra-build-"));
  const r = spawnSync(process.execPath, [join(root, "infra", "tools", "build.mjs"), "--outdir", outDir], {
    cwd: root,
    encoding: "utf8",
  });
  build = { status: r.status, output: `${r.stdout}${r.stderr}` };
  if (r.status === 0) template = JSON.parse(readFileSync(join(outDir, "main.json"), "utf8")) as ArmTemplate;
}, 300_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** The template of the module deployed under `name` (main.bicep's `module … = { name: … }`). */
function moduleTemplate(name: string): ArmTemplate {
  const deployment = template.resources.find((r) => r.type === "Microsoft.Resources/deployments" && r.name === name);
  if (!deployment?.properties?.template) throw new Error(`no module deployment named ${name}`);
  return deployment.properties.template;
}
function resourcesOf(type: string): ArmResource[] {
  const all = template.resources
    .filter((r) => r.type === "Microsoft.Resources/deployments")
    .flatMap((d) => d.properties!.template!.resources);
  return [...template.resources, ...all].filter((r) => r.type === type);
}
function only(type: string): ArmResource {
  const found = resourcesOf(type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
}

describe.skipIf(!hasDotnet)("infra/main.bicep compiled by the Bicep CLI", () => {
  it("compiles and lints with zero errors and zero warnings (npm run infra:build)", () => {
    expect(build.output).toMatch(/Bicep CLI version \d+\.\d+\.\d+/);
    expect(build.output, build.output).toMatch(/\[infra\] clean:/);
    expect(build.status).toBe(0);
  });

  it("contains no key, connection string with a secret, SAS or instrumentation key anywhere", () => {
    const text = JSON.stringify(template);
    const forbidden = [
      /listKeys\(/i,
      /listConnectionStrings\(/i,
      /listAccountSas\(/i,
      /listServiceSas\(/i,
      /AccountKey=/,
      /SharedAccessKey/,
      /primaryMasterKey/,
      /InstrumentationKey=/,
    ];
    for (const pattern of forbidden) expect(text, String(pattern)).not.toMatch(pattern);
    const secure = Object.entries(template.parameters).filter(([, p]) => /secure/i.test(p.type));
    expect(secure).toEqual([]);
  });

  it("turns off every non-Entra authorization: shared keys, local auth, access policies, basic-auth publishing", () => {
    expect(only("Microsoft.Storage/storageAccounts").properties).toMatchObject({
      allowSharedKeyAccess: false,
      allowBlobPublicAccess: false,
      defaultToOAuthAuthentication: true,
    });
    expect(only("Microsoft.DocumentDB/databaseAccounts").properties).toMatchObject({
      disableLocalAuth: true,
      disableKeyBasedMetadataWriteAccess: true,
    });
    expect(only("Microsoft.Insights/components").properties).toMatchObject({ DisableLocalAuth: true });
    expect(only("Microsoft.OperationalInsights/workspaces").properties).toMatchObject({ features: { disableLocalAuth: true } });
    const vault = only("Microsoft.KeyVault/vaults").properties!;
    expect(vault).toMatchObject({ enableRbacAuthorization: true });
    expect(vault).not.toHaveProperty("accessPolicies");
    const publishing = resourcesOf("Microsoft.Web/sites/basicPublishingCredentialsPolicies");
    expect(publishing.map((r) => r.name).sort()).toEqual([
      "[format('{0}/{1}', parameters('name'), 'ftp')]",
      "[format('{0}/{1}', parameters('name'), 'scm')]",
    ]);
    for (const policy of publishing) expect(policy.properties).toEqual({ allow: false });
  });

  it("runs the app as the user-assigned identity only, also for the deployment package and Key Vault references", () => {
    const site = only("Microsoft.Web/sites");
    expect(site.identity?.type).toBe("UserAssigned");
    const props = site.properties as {
      httpsOnly: boolean;
      keyVaultReferenceIdentity: string;
      functionAppConfig: { deployment: { storage: { authentication: { type: string } } }; runtime: { name: string; version: string } };
    };
    expect(props.httpsOnly).toBe(true);
    expect(props.keyVaultReferenceIdentity).toBe("[parameters('identityId')]");
    expect(props.functionAppConfig.deployment.storage.authentication.type).toBe("UserAssignedIdentity");
    expect(props.functionAppConfig.runtime).toEqual({ name: "node", version: "[parameters('nodeVersion')]" });
  });

  it("creates exactly the Cosmos containers of the store code, each partitioned on the code's key", () => {
    const cosmos = moduleTemplate("cosmos");
    const containers = cosmos.variables!.containers as { name: string; partitionKeyPath: string; defaultTtl: number | null }[];
    expect(containers.map((c) => c.name).sort()).toEqual(Object.values(COSMOS_CONTAINERS).sort());
    const keyOf = new Map<string, string>(Object.entries(COSMOS_CONTAINERS).map(([k, name]) => [name, COSMOS_PARTITION_KEYS[k as keyof typeof COSMOS_CONTAINERS]]));
    for (const c of containers) expect(c.partitionKeyPath, c.name).toBe(keyOf.get(c.name));
    const containerResource = only("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers");
    expect(containerResource.copy?.count).toBe("[length(variables('containers'))]");
    expect((containerResource.properties as { resource: { partitionKey: unknown } }).resource.partitionKey).toEqual({
      paths: ["[variables('containers')[copyIndex()].partitionKeyPath]"],
      kind: "Hash",
      version: 2,
    });
    // Change documents expire by their own `ttl`, which Cosmos honours only where the container
    // has a default TTL (-1: on, nothing expiring by default); items never expire.
    const ttl = Object.fromEntries(containers.map((c) => [c.name, c.defaultTtl]));
    expect(ttl).toEqual({ [COSMOS_CONTAINERS.items]: null, [COSMOS_CONTAINERS.runs]: -1, [COSMOS_CONTAINERS.baselines]: null });
    expect((containerResource.properties as { resource: { defaultTtl: unknown } }).resource.defaultTtl).toBe("[variables('containers')[copyIndex()].defaultTtl]");
  });

  it("creates the tenant registry table the code defaults to", () => {
    expect(template.variables?.tenantsTableName).toBe(TENANTS_TABLE_DEFAULT);
    expect(only("Microsoft.Storage/storageAccounts/tableServices/tables").name).toContain("parameters('tenantsTableName')");
  });

  it("sets only app settings the settings schema or the host knows, and every schema key but the key-based ones", () => {
    const app = moduleTemplate("functionApp");
    const vars = app.variables as Record<string, Record<string, string> | string>;
    expect(vars.appSettings).toBe("[union(variables('hostSettings'), variables('inventorySettings'), variables('graphAuthSettings'))]");
    expect(vars.graphAuthSettings).toMatch(/graphFederatedSettings.*graphClientSecretSettings.*graphCertificateSettings/);
    const blocks = ["hostSettings", "inventorySettings", "graphFederatedSettings", "graphClientSecretSettings", "graphCertificateSettings"];
    const keys = blocks.flatMap((b) => Object.keys(vars[b] as Record<string, string>));
    const schema = new Set<string>(SETTING_NAMES);
    expect(keys.filter((k) => !schema.has(k) && !HOST_SETTINGS.has(k))).toEqual([]);
    expect(SETTING_NAMES.filter((k) => !keys.includes(k) && !ABSENT_IN_AZURE.has(k))).toEqual([]);
    for (const absent of ABSENT_IN_AZURE) expect(keys).not.toContain(absent);
    // The only app setting that names a secret is a Key Vault reference, never a value.
    expect((vars.graphClientSecretSettings as Record<string, string>).GRAPH_CLIENT_SECRET).toMatch(/^\[format\('@Microsoft\.KeyVault\(VaultName=/);
    const config = resourcesOf("Microsoft.Web/sites/config").find((r) => r.name.includes("appsettings"))!;
    expect(config.properties).toBe("[variables('appSettings')]");
  });

  it("creates the Key Vault only in clientSecret mode, without purge protection by default", () => {
    const vaultModule = template.resources.find((r) => r.name === "keyVault")!;
    expect(vaultModule.condition).toBe("[variables('useKeyVault')]");
    expect(template.variables?.useKeyVault).toBe("[equals(parameters('graphAuthMode'), 'clientSecret')]");
    expect(template.parameters.keyVaultPurgeProtection?.defaultValue).toBe(false);
    expect(template.parameters.keyVaultSoftDeleteRetentionInDays?.defaultValue).toBe(7);
  });

  it("defaults to Node 22 on Flex Consumption (FC1), with Node 20 selectable", () => {
    expect(template.parameters.nodeVersion).toMatchObject({ defaultValue: "22", allowedValues: ["20", "22"] });
    expect(only("Microsoft.Web/serverfarms")).toMatchObject({ sku: { name: "FC1", tier: "FlexConsumption" } });
  });

  it("lets `azd env set` reach every parameter, with the template's own defaults (infra/main.parameters.json)", () => {
    const file = JSON.parse(readFileSync(join(root, "infra", "main.parameters.json"), "utf8")) as {
      parameters: Record<string, { value: string }>;
    };
    expect(Object.keys(file.parameters).sort()).toEqual(Object.keys(template.parameters).sort());
    const variables = new Set<string>();
    for (const [name, param] of Object.entries(template.parameters)) {
      const m = /^\$\{([A-Z][A-Z0-9_]*)(?:=([^}]*))?\}$/.exec(file.parameters[name]!.value);
      expect(m, `${name}: ${file.parameters[name]!.value}`).not.toBeNull();
      expect(variables.has(m![1]!), `${m![1]} used twice`).toBe(false);
      variables.add(m![1]!);
      // azd passes an unset ${VAR} as "" — which overrides a default and is no int or bool — so
      // every parameter with a non-empty default repeats it as ${VAR=default}.
      const fallback = m![2];
      if (param.defaultValue === undefined || param.defaultValue === "") expect(fallback, name).toBeUndefined();
      else expect(fallback, name).toBe(String(param.defaultValue));
    }
  });

  it("signs people in with Entra ID through App Service authentication when signInClientId is set, with no client secret", () => {
    expect(template.parameters.signInClientId).toMatchObject({ type: "string", defaultValue: "" });
    const auth = resourcesOf("Microsoft.Web/sites/config").find((r) => r.name.includes("authsettingsV2"));
    expect(auth, "authsettingsV2").toBeDefined();
    expect(String(auth!.condition)).toContain("signIn");
    expect(auth!.properties).toMatchObject({
      platform: { enabled: true },
      globalValidation: { requireAuthentication: true, unauthenticatedClientAction: "RedirectToLoginPage", excludedPaths: ["/api/health", "/api/openapi.json"] },
      login: { tokenStore: { enabled: false } },
      httpSettings: { requireHttps: true },
    });
    expect(JSON.stringify(auth!.properties)).not.toContain("clientSecret");
    // Sign-in turns the principal requirement on: App Service authentication without it would let
    // anyone signed in to the tenant call every route.
    const module = template.resources.find((r) => r.type === "Microsoft.Resources/deployments" && JSON.stringify(r).includes("authsettingsV2"))!;
    const passed = (module.properties as { parameters: Record<string, { value: string }> }).parameters.authRequirePrincipal!.value;
    expect(passed).toBe("[or(parameters('authRequirePrincipal'), not(empty(parameters('signInClientId'))))]");
    expect(template.outputs.CONSOLE_URL?.value).toMatch(/\/api\/console\/'/);
    expect(template.outputs.SIGN_IN_REDIRECT_URI?.value).toContain("/.auth/login/aad/callback");
  });

  it("outputs the API URL, how to get the function key and where the workbook is", () => {
    expect(template.outputs.API_BASE_URL?.value).toMatch(/^\[format\('https:\/\/\{0\}\/api', .*defaultHostName/);
    expect(template.outputs.FUNCTION_KEY_COMMAND?.value).toContain("az functionapp keys list");
    expect(template.outputs.WORKBOOK_URL?.value).toContain("environment().portal");
    expect(template.outputs.WORKBOOK_URL?.value).toContain("/workbook");
  });
});
