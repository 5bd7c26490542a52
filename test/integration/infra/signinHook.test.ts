/**
 * `azd up` configures sign-in without a pre-made app registration: azure.yaml runs
 * infra/hooks/signin.mjs before provisioning (find or create the registration, set
 * SIGN_IN_CLIENT_ID) and after it (register the redirect URI the outputs name).
 *
 * No real Azure exists where these tests run, so the hook runs as azd would start it — a child
 * process with the azd environment in its environment — against a recording stand-in for `az`
 * and `azd` on the PATH (test/support/fakeAzure.mjs, a tiny stateful directory). The tests assert
 * the exact commands. That the real Azure CLI accepts them is checked against its documentation
 * and source (docs/deploy.md §4a cites them), not here.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { parse } from "yaml";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ApiRoleSchema } from "../../../shared/http/pipeline";

// Plain JavaScript (ESM; azd runs it before anything is installed), typed by signin.d.mts.
const loadHook = () => import("../../../infra/hooks/signin.mjs");
let hook: Awaited<ReturnType<typeof loadHook>>;
beforeAll(async () => {
  hook = await loadHook();
});

const root = join(__dirname, "..", "..", "..");
const HOOK = join(root, "infra", "hooks", "signin.mjs");
const FAKE = join(root, "test", "support", "fakeAzure.mjs");
const NAME = "tenant-inventory console (prod)";
const REDIRECT = "https://func-inv-prod.azurewebsites.net/.auth/login/aad/callback";
const CONSOLE = "https://func-inv-prod.azurewebsites.net/api/console/";
const appRolesJson = () => JSON.parse(readFileSync(join(root, "infra", "signin", "appRoles.json"), "utf8")) as unknown[];

describe("the sign-in hook's decisions", () => {
  it("creates a registration named after the azd environment when nothing is configured", () => {
    expect(hook.signInPlan({ AZURE_ENV_NAME: "prod" })).toEqual({ kind: "create", displayName: NAME });
    expect(() => hook.signInPlan({})).toThrow(/AZURE_ENV_NAME "" is not an azd environment name/);
    expect(() => hook.signInPlan({ AZURE_ENV_NAME: "a'b" })).toThrow(hook.HookError);
  });

  it("uses SIGN_IN_CLIENT_ID as given (made by hand or by an earlier run), and refuses one that is not a client id", () => {
    const id = "11111111-2222-4333-8444-555555555555";
    expect(hook.signInPlan({ AZURE_ENV_NAME: "prod", SIGN_IN_CLIENT_ID: ` ${id} ` })).toEqual({ kind: "given", clientId: id });
    expect(() => hook.signInPlan({ AZURE_ENV_NAME: "prod", SIGN_IN_CLIENT_ID: "console" })).toThrow(/not an app registration's client id/);
  });

  it("is off with SIGN_IN=off (or false, 0, no), and says how to clear a client id that would turn it on anyway", () => {
    for (const off of ["off", "OFF", "false", "0", "no"]) expect(hook.signInPlan({ SIGN_IN: off })).toEqual({ kind: "off" });
    expect(() => hook.signInPlan({ SIGN_IN: "off", SIGN_IN_CLIENT_ID: "11111111-2222-4333-8444-555555555555" })).toThrow(/azd env set SIGN_IN_CLIENT_ID ""/);
    expect(() => hook.signInPlan({ SIGN_IN: "maybe", AZURE_ENV_NAME: "prod" })).toThrow(/expected on or off/);
    expect(hook.signInPlan({ SIGN_IN: "on", AZURE_ENV_NAME: "prod" })).toMatchObject({ kind: "create" });
  });

  it("does not create a registration in the CLI's tenant when sign-in tokens come from another one", () => {
    expect(() => hook.signInPlan({ AZURE_ENV_NAME: "prod", SIGN_IN_TENANT_ID: "contoso.onmicrosoft.com" })).toThrow(/create the app registration in that tenant/);
  });

  it("finds this environment's registration by its exact name among the prefix matches az lists, and refuses to pick between two", () => {
    const mine = { displayName: NAME, appId: "a" };
    const other = { displayName: `${NAME} old`, appId: "b" };
    expect(hook.pickExistingApp([other, mine], NAME)).toBe(mine);
    expect(hook.pickExistingApp([other], NAME)).toBeNull();
    expect(() => hook.pickExistingApp([mine, { ...mine, appId: "c" }], NAME)).toThrow(/2 app registrations are named .* \(a, c\)/);
  });

  it("infra/signin/appRoles.json holds exactly the API's roles, enabled, with fixed ids, for users and applications", () => {
    const roles = hook.checkAppRoles(appRolesJson());
    expect(roles.map((r) => r.value).sort()).toEqual([...ApiRoleSchema.options].sort());
    expect(hook.API_ROLES).toEqual(ApiRoleSchema.options);
    const [first, ...rest] = appRolesJson() as Record<string, unknown>[];
    expect(() => hook.checkAppRoles(rest)).toThrow(/expected the roles/);
    expect(() => hook.checkAppRoles([{ ...first, isEnabled: false }, ...rest])).toThrow(/isEnabled true/);
    expect(() => hook.checkAppRoles([{ ...first, allowedMemberTypes: ["User"] }, ...rest])).toThrow(/to applications/);
    expect(() => hook.checkAppRoles([first, ...rest.map((r) => ({ ...r, id: first!.id }))])).toThrow(/share an id/);
    expect(() => hook.checkAppRoles({})).toThrow(/an array/);
  });

  it("takes the redirect URI from the provisioned output, and adds it to the registration's list without dropping others", () => {
    expect(hook.redirectUriOf({ SIGN_IN_REDIRECT_URI: REDIRECT })).toBe(REDIRECT);
    expect(() => hook.redirectUriOf({})).toThrow(/did the provisioning finish/);
    expect(() => hook.redirectUriOf({ SIGN_IN_REDIRECT_URI: REDIRECT.replace("https", "http") })).toThrow(hook.HookError);
    expect(hook.redirectUrisToSet(undefined, REDIRECT)).toEqual([REDIRECT]);
    expect(hook.redirectUrisToSet(["https://old/.auth/login/aad/callback"], REDIRECT)).toEqual(["https://old/.auth/login/aad/callback", REDIRECT]);
    expect(hook.redirectUrisToSet([REDIRECT], REDIRECT)).toBeNull();
  });

  it("tells the operator how to give each role, with the enterprise application's id and the role's id", () => {
    const roles = hook.checkAppRoles(appRolesJson());
    const text = hook.nextSteps({ appId: "app-1", spObjectId: "sp-1", roles, consoleUrl: CONSOLE });
    for (const r of roles) expect(text).toContain(`"resourceId":"sp-1","appRoleId":"${r.id}"`);
    expect(text).toContain("servicePrincipals/sp-1/appRoleAssignedTo");
    expect(text).toContain(`Then open ${CONSOLE}`);
  });
});

describe("the hooks as azd runs them, against a recording az and azd", () => {
  let dir = "";
  let state = "";
  let log = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "signin-hook-"));
    state = join(dir, "state.json");
    log = join(dir, "calls.log");
    for (const tool of ["az", "azd"]) {
      writeFileSync(join(dir, tool), `#!/bin/sh\nexec "${process.execPath}" "${FAKE}" ${tool} "$@"\n`);
      chmodSync(join(dir, tool), 0o755);
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** One hook run: the azd environment's values (as azd passes them) plus the fake's settings. */
  function runHook(phase: string, azdEnv: Record<string, string>, extra: Record<string, string> = {}) {
    writeFileSync(log, "");
    const r = spawnSync(process.execPath, [HOOK, phase], {
      cwd: root,
      encoding: "utf8",
      env: { PATH: `${dir}${delimiter}${process.env.PATH}`, HOME: dir, FAKE_AZURE_STATE: state, FAKE_AZURE_LOG: log, ...azdEnv, ...extra },
    });
    const calls = readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as string[]);
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, calls };
  }
  const directory = () => JSON.parse(readFileSync(state, "utf8")) as {
    apps: { appId: string; displayName: string; identifierUris: string[]; appRoles: unknown[]; signInAudience: string; web: { redirectUris: string[]; implicitGrantSettings: { enableIdTokenIssuance: boolean } } }[];
    sps: { id: string; appId: string }[];
    env: Record<string, string>;
  };
  /** What azd passes to postprovision: the environment reloaded after preprovision, plus the outputs. */
  const afterProvision = () => ({ AZURE_ENV_NAME: "prod", ...directory().env, SIGN_IN_REDIRECT_URI: REDIRECT, CONSOLE_URL: CONSOLE });

  it("first azd up: creates the registration with the app roles, its api:// URI and service principal, sets SIGN_IN_CLIENT_ID, then registers the redirect URI", () => {
    const pre = runHook("preprovision", { AZURE_ENV_NAME: "prod" });
    expect(pre.code, pre.stderr).toBe(0);
    const { appId } = directory().apps[0]!;
    expect(pre.calls).toEqual([
      ["az", "ad", "app", "list", "--display-name", NAME, "--output", "json"],
      ["az", "ad", "app", "create", "--display-name", NAME, "--sign-in-audience", "AzureADMyOrg", "--app-roles", `@${hook.APP_ROLES_FILE}`, "--enable-id-token-issuance", "true", "--output", "json"],
      ["az", "ad", "app", "update", "--id", appId, "--identifier-uris", `api://${appId}`],
      ["az", "ad", "sp", "list", "--filter", `appId eq '${appId}'`, "--output", "json"],
      ["az", "ad", "sp", "create", "--id", appId, "--output", "json"],
      ["azd", "env", "set", "SIGN_IN_CLIENT_ID", appId],
    ]);
    expect(pre.stdout).toContain(`created the app registration "${NAME}" (${appId}) with the app roles Inventory.Read, Inventory.Sync, Tenants.Manage`);
    expect(directory().env).toEqual({ SIGN_IN_CLIENT_ID: appId });

    const post = runHook("postprovision", afterProvision());
    expect(post.code, post.stderr).toBe(0);
    expect(post.calls).toEqual([
      ["az", "ad", "app", "show", "--id", appId, "--output", "json"],
      ["az", "ad", "app", "update", "--id", appId, "--web-redirect-uris", REDIRECT, "--enable-id-token-issuance", "true"],
      ["az", "ad", "sp", "list", "--filter", `appId eq '${appId}'`, "--output", "json"],
    ]);
    const [app] = directory().apps;
    const sp = directory().sps[0]!;
    expect(app).toMatchObject({ displayName: NAME, signInAudience: "AzureADMyOrg", identifierUris: [`api://${appId}`], web: { redirectUris: [REDIRECT], implicitGrantSettings: { enableIdTokenIssuance: true } } });
    expect(app!.appRoles).toEqual(appRolesJson());
    expect(post.stdout).toContain(`registered the redirect URI ${REDIRECT} on ${appId}`);
    expect(post.stdout).toContain(`servicePrincipals/${sp.id}/appRoleAssignedTo`);
    expect(post.stdout).toContain(`Then open ${CONSOLE}`);
  });

  it("second azd up: changes nothing — the registration is given, the redirect URI already there", () => {
    expect(runHook("preprovision", { AZURE_ENV_NAME: "prod" }).code).toBe(0);
    expect(runHook("postprovision", afterProvision()).code).toBe(0);
    const appId = directory().env.SIGN_IN_CLIENT_ID!;

    const pre = runHook("preprovision", { AZURE_ENV_NAME: "prod", ...directory().env });
    expect(pre.code, pre.stderr).toBe(0);
    expect(pre.calls).toEqual([]);
    expect(pre.stdout).toContain(`using the app registration SIGN_IN_CLIENT_ID=${appId}`);
    const post = runHook("postprovision", afterProvision());
    expect(post.code, post.stderr).toBe(0);
    expect(post.calls.map((c) => c.slice(0, 4).join(" "))).toEqual(["az ad app show", "az ad sp list"]);
    expect(post.stdout).toContain("is already registered");
    expect(directory().apps).toHaveLength(1);
    expect(directory().sps).toHaveLength(1);
  });

  it("a new azd environment folder of the same name (another clone) finds the registration by name instead of making a second", () => {
    expect(runHook("preprovision", { AZURE_ENV_NAME: "prod" }).code).toBe(0);
    const appId = directory().env.SIGN_IN_CLIENT_ID!;
    const pre = runHook("preprovision", { AZURE_ENV_NAME: "prod" });
    expect(pre.code, pre.stderr).toBe(0);
    expect(pre.calls).toEqual([
      ["az", "ad", "app", "list", "--display-name", NAME, "--output", "json"],
      ["az", "ad", "sp", "list", "--filter", `appId eq '${appId}'`, "--output", "json"],
      ["azd", "env", "set", "SIGN_IN_CLIENT_ID", appId],
    ]);
    expect(pre.stdout).toContain(`reusing the app registration "${NAME}" (${appId})`);
    expect(directory().apps).toHaveLength(1);
  });

  it("SIGN_IN=off: calls neither az nor azd, says the console cannot be used in Azure", () => {
    for (const phase of ["preprovision", "postprovision"]) {
      const r = runHook(phase, { AZURE_ENV_NAME: "prod", SIGN_IN: "off" });
      expect(r.code, r.stderr).toBe(0);
      expect(r.calls).toEqual([]);
    }
    expect(runHook("preprovision", { AZURE_ENV_NAME: "prod", SIGN_IN: "off" }).stdout).toContain("Sign-in is off (SIGN_IN=off)");
  });

  it("without the right to create app registrations it fails the provisioning with az's reason and sets nothing", () => {
    const r = runHook("preprovision", { AZURE_ENV_NAME: "prod" }, { FAKE_AZURE_FAIL: "ad app create" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("sign-in hook (preprovision): az ad app create failed (exit 1): ERROR: Insufficient privileges");
    expect(r.calls.map((c) => c[0])).not.toContain("azd");
  });

  it("a pre-made registration it may not change: warns with the command for its owner and does not fail the deployment", () => {
    // A registration someone else made (and its service principal), given with SIGN_IN_CLIENT_ID.
    expect(runHook("preprovision", { AZURE_ENV_NAME: "other" }).code).toBe(0);
    const appId = directory().env.SIGN_IN_CLIENT_ID!;
    const r = runHook("postprovision", { AZURE_ENV_NAME: "prod", SIGN_IN_CLIENT_ID: appId, SIGN_IN_REDIRECT_URI: REDIRECT }, { FAKE_AZURE_FAIL: "ad app update" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`WARNING: could not add the redirect URI to ${appId} (ERROR: Insufficient privileges to complete the operation.). Its owner must run:`);
    expect(r.stdout).toContain(`az ad app update --id ${appId} --web-redirect-uris ${REDIRECT} --enable-id-token-issuance true`);
    expect(r.calls.map((c) => c.slice(0, 4).join(" "))).not.toContain("azd env set");
  });

  it("postprovision without the output (provisioning did not finish) fails with a clear message", () => {
    const r = runHook("postprovision", { AZURE_ENV_NAME: "prod", SIGN_IN_CLIENT_ID: "11111111-2222-4333-8444-555555555555" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the output SIGN_IN_REDIRECT_URI is \"\"");
  });

  it("starts az directly on POSIX, and on Windows through the shell with every argument quoted (here /bin/sh stands in for cmd.exe)", () => {
    const script = "console.log(JSON.stringify(process.argv.slice(1)))";
    const args = [NAME, "appId eq '00000000-0000-4000-8000-000000000001'", `@${hook.APP_ROLES_FILE}`];
    for (const platform of ["linux", "win32"] as const) {
      const r = hook.spawnRunner(platform)(process.execPath, ["-e", script, ...args]);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(args);
    }
    expect(() => hook.spawnRunner("win32")("az", ['say "hi"'])).toThrow(/double quote/);
    expect(() => hook.spawnRunner("linux")("no-such-az-here", [])).toThrow(/could not be started .*install it and sign in/);
  });

  it("an unknown phase is a usage error", () => {
    const r = runHook("provision", {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("preprovision|postprovision");
  });
});

describe("azure.yaml and the Bicep use the hook", () => {
  const azureYaml = parse(readFileSync(join(root, "azure.yaml"), "utf8")) as { hooks?: Record<string, Record<string, Record<string, unknown>>> };

  it("runs the sign-in hook before and after provisioning, with Node on POSIX and on Windows, failing azd when it fails", () => {
    for (const phase of ["preprovision", "postprovision"]) {
      expect(azureYaml.hooks?.[phase]).toEqual({
        posix: { shell: "sh", run: `node infra/hooks/signin.mjs ${phase}`, interactive: true, continueOnError: false },
        windows: { shell: "pwsh", run: `node infra/hooks/signin.mjs ${phase}`, interactive: true, continueOnError: false },
      });
    }
  });

  it("passes the SIGN_IN_CLIENT_ID the hook sets to the Bicep, which accepts tokens for the api:// URI the hook registers", () => {
    const params = JSON.parse(readFileSync(join(root, "infra", "main.parameters.json"), "utf8")) as { parameters: Record<string, { value: string }> };
    expect(params.parameters.signInClientId).toEqual({ value: "${SIGN_IN_CLIENT_ID}" });
    const functionApp = readFileSync(join(root, "infra", "modules", "functionApp.bicep"), "utf8");
    expect(functionApp).toContain("'api://${signInClientId}'");
    expect(readFileSync(join(root, "infra", "main.bicep"), "utf8")).toContain("output SIGN_IN_REDIRECT_URI string = 'https://${functionApp.outputs.defaultHostName}/.auth/login/aad/callback'");
  });
});
