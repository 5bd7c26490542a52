#!/usr/bin/env node
// azd hooks (azure.yaml `preprovision` / `postprovision`): the Entra app registration people sign
// in to the web console with, so that `azd up` turns sign-in on without a pre-made registration.
//
//   node infra/hooks/signin.mjs preprovision    before the Bicep: find or create the registration
//   node infra/hooks/signin.mjs postprovision   after it: register the app's redirect URI
//
// Bicep cannot do this here: its Microsoft Graph extension (`extension microsoftGraphV1`) is
// restored from a container registry at build time, which CI cannot reach, so the template
// could not be compiled and linted offline (docs/deploy.md §4a). Plain Node with no dependency,
// because azd provisions before anything is installed and Node is what the project needs anyway;
// one script serves the POSIX and the Windows hook alike.
//
// Decisions are pure functions (exported, tested one by one); every effect goes through `run`,
// which calls `az` / `azd`, so the whole hook also runs against recording fakes on the PATH
// (test/integration/infra/signinHook.test.ts).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const APP_ROLES_FILE = resolve(here, "..", "signin", "appRoles.json");

/** The API's roles (docs/api.md; `ApiRoleSchema` in shared/http/pipeline.ts; a test keeps them equal). */
export const API_ROLES = ["Inventory.Read", "Inventory.Sync", "Tenants.Manage"];
const OFF = new Set(["off", "false", "0", "no"]);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class HookError extends Error {
  name = "HookError";
}

/** Display name of the registration this hook creates: one per azd environment, found again by it. */
export function appDisplayName(envName) {
  if (!envName || !/^[A-Za-z0-9._()-]{1,64}$/.test(envName)) {
    throw new HookError(`AZURE_ENV_NAME ${JSON.stringify(envName ?? "")} is not an azd environment name (letters, digits, - _ . ( ))`);
  }
  return `tenant-inventory console (${envName})`;
}

/**
 * What to do about sign-in, from the azd environment:
 * - `off`: SIGN_IN is off/false/0/no — no App Service authentication, function keys only;
 * - `given`: SIGN_IN_CLIENT_ID names a registration (made by hand, or by an earlier run of this hook);
 * - `create`: find this environment's registration by name, or create it.
 */
export function signInPlan(env) {
  const switchValue = (env.SIGN_IN ?? "").trim().toLowerCase();
  const clientId = (env.SIGN_IN_CLIENT_ID ?? "").trim();
  if (OFF.has(switchValue)) {
    if (clientId) {
      throw new HookError(
        `SIGN_IN=${env.SIGN_IN} but SIGN_IN_CLIENT_ID is set (${clientId}), which turns App Service authentication on. ` +
          `To turn sign-in off run: azd env set SIGN_IN_CLIENT_ID "" (the app registration is kept).`,
      );
    }
    return { kind: "off" };
  }
  if (switchValue && !["on", "true", "1", "yes"].includes(switchValue)) {
    throw new HookError(`SIGN_IN=${JSON.stringify(env.SIGN_IN)}: expected on or off (unset means on)`);
  }
  if (clientId) {
    if (!GUID.test(clientId)) throw new HookError(`SIGN_IN_CLIENT_ID ${JSON.stringify(clientId)} is not an app registration's client id (a GUID)`);
    return { kind: "given", clientId };
  }
  if ((env.SIGN_IN_TENANT_ID ?? "").trim()) {
    // az creates in the tenant it is signed in to; tokens would come from another one.
    throw new HookError(
      `SIGN_IN_TENANT_ID is set (${env.SIGN_IN_TENANT_ID.trim()}) but SIGN_IN_CLIENT_ID is not: create the app registration in that tenant ` +
        `(docs/deploy.md §4a) and run azd env set SIGN_IN_CLIENT_ID <its client id>, or azd env set SIGN_IN off.`,
    );
  }
  return { kind: "create", displayName: appDisplayName(env.AZURE_ENV_NAME) };
}

/** The registration of that exact name among `az ad app list --display-name` (which matches by prefix); null if none. */
export function pickExistingApp(apps, displayName) {
  const same = apps.filter((a) => a.displayName === displayName);
  if (same.length > 1) {
    throw new HookError(
      `${same.length} app registrations are named "${displayName}" (${same.map((a) => a.appId).join(", ")}): ` +
        `delete the extra ones, or pick one with azd env set SIGN_IN_CLIENT_ID <client id>`,
    );
  }
  return same[0] ?? null;
}

/** The app roles file, checked: the API's roles exactly, each enabled, with a fixed GUID and users and applications as members. */
export function checkAppRoles(roles) {
  if (!Array.isArray(roles)) throw new HookError("appRoles.json: expected an array of app roles");
  const values = roles.map((r) => r?.value);
  if (JSON.stringify([...values].sort()) !== JSON.stringify([...API_ROLES].sort())) {
    throw new HookError(`appRoles.json: expected the roles ${API_ROLES.join(", ")}, found ${values.join(", ")}`);
  }
  for (const r of roles) {
    if (!GUID.test(String(r.id)) || r.isEnabled !== true || typeof r.displayName !== "string" || typeof r.description !== "string") {
      throw new HookError(`appRoles.json: role ${r.value} needs a GUID id, isEnabled true, a displayName and a description`);
    }
    if (!Array.isArray(r.allowedMemberTypes) || !r.allowedMemberTypes.includes("User") || !r.allowedMemberTypes.includes("Application")) {
      throw new HookError(`appRoles.json: role ${r.value} must be assignable to users (and groups) and to applications`);
    }
  }
  if (new Set(roles.map((r) => r.id)).size !== roles.length) throw new HookError("appRoles.json: two roles share an id");
  return roles;
}

/** The redirect URI App Service authentication answers on, from the provisioned outputs. */
export function redirectUriOf(env) {
  const uri = (env.SIGN_IN_REDIRECT_URI ?? "").trim();
  if (!/^https:\/\/[a-z0-9.-]+\/\.auth\/login\/aad\/callback$/i.test(uri)) {
    throw new HookError(`the output SIGN_IN_REDIRECT_URI is ${JSON.stringify(uri)}, not https://<app host>/.auth/login/aad/callback: did the provisioning finish?`);
  }
  return uri;
}

/** The web redirect URIs to write, or null when the wanted one is already registered (others are kept). */
export function redirectUrisToSet(current, wanted) {
  const list = Array.isArray(current) ? current : [];
  return list.includes(wanted) ? null : [...list, wanted];
}

/** What the operator still has to do: give people (or groups, or apps) the roles. */
export function nextSteps({ appId, spObjectId, roles, consoleUrl }) {
  const lines = [
    `Sign-in: app registration ${appId}, enterprise application (service principal) ${spObjectId}.`,
    "Still to do — give people their app roles (a role counts from their next sign-in):",
    `  Entra admin center → Enterprise applications → ${spObjectId} → Users and groups → Add assignment, or:`,
  ];
  for (const r of roles) {
    lines.push(
      `  ${r.value.padEnd(15)} az rest -m POST -u https://graph.microsoft.com/v1.0/servicePrincipals/${spObjectId}/appRoleAssignedTo ` +
        `-b '{"principalId":"<user or group object id>","resourceId":"${spObjectId}","appRoleId":"${r.id}"}'`,
    );
  }
  lines.push("  (your own object id: az ad signed-in-user show --query id -o tsv)");
  lines.push(`  Optional: only people with a role may sign in at all: az ad sp update --id ${spObjectId} --set appRoleAssignmentRequired=true`);
  if (consoleUrl) lines.push(`Then open ${consoleUrl}`);
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Effects: az and azd through `run(command, args)` → { status, stdout, stderr }
// ---------------------------------------------------------------------------------------------

function check(result, what) {
  if (result.status !== 0) {
    const detail = (result.stderr || result.stdout || "").trim().split("\n").slice(-3).join(" ");
    throw new HookError(`${what} failed (exit ${result.status}): ${detail}`);
  }
  return result.stdout;
}

function json(text, what) {
  try {
    return JSON.parse(text);
  } catch {
    throw new HookError(`${what} did not answer JSON: ${String(text).slice(0, 200)}`);
  }
}

const az = (run, args, what) => json(check(run("az", [...args, "--output", "json"]), what), what);

/** The service principal of the app (created when missing): where roles are assigned. */
function ensureServicePrincipal(run, appId, log) {
  const found = az(run, ["ad", "sp", "list", "--filter", `appId eq '${appId}'`], "az ad sp list");
  if (Array.isArray(found) && found[0]?.id) return found[0].id;
  const created = az(run, ["ad", "sp", "create", "--id", appId], "az ad sp create");
  log(`Created the enterprise application (service principal) ${created.id} of ${appId}.`);
  return created.id;
}

/** Before the Bicep: make sure SIGN_IN_CLIENT_ID names a registration with the API's app roles. */
export function preprovision({ env, run, log }) {
  const plan = signInPlan(env);
  if (plan.kind === "off") {
    log("Sign-in is off (SIGN_IN=off): no App Service authentication; API calls need function keys, and the web console cannot be used in Azure.");
    return plan;
  }
  if (plan.kind === "given") {
    log(`Sign-in: using the app registration SIGN_IN_CLIENT_ID=${plan.clientId} (not changed before provisioning).`);
    return plan;
  }
  const roles = checkAppRoles(json(readFileSync(APP_ROLES_FILE, "utf8"), "infra/signin/appRoles.json"));
  const apps = az(run, ["ad", "app", "list", "--display-name", plan.displayName], "az ad app list");
  let app = pickExistingApp(Array.isArray(apps) ? apps : [], plan.displayName);
  const created = app === null;
  if (app) {
    log(`Sign-in: reusing the app registration "${plan.displayName}" (${app.appId}).`);
  } else {
    // ID tokens only: App Service authentication signs people in with the OpenID Connect flow
    // that returns an ID token, so no client secret is created (docs/deploy.md §4a).
    app = az(
      run,
      ["ad", "app", "create", "--display-name", plan.displayName, "--sign-in-audience", "AzureADMyOrg", "--app-roles", `@${APP_ROLES_FILE}`, "--enable-id-token-issuance", "true"],
      "az ad app create",
    );
    log(`Sign-in: created the app registration "${plan.displayName}" (${app.appId}) with the app roles ${roles.map((r) => r.value).join(", ")}.`);
  }
  if (!GUID.test(String(app.appId))) throw new HookError(`az answered an app registration without a client id: ${JSON.stringify(app).slice(0, 200)}`);
  // api://<client id> is the audience machine callers ask tokens for (allowedAudiences in functionApp.bicep).
  const identifierUri = `api://${app.appId}`;
  if (!(app.identifierUris ?? []).includes(identifierUri)) {
    check(run("az", ["ad", "app", "update", "--id", app.appId, "--identifier-uris", identifierUri]), "az ad app update --identifier-uris");
  }
  ensureServicePrincipal(run, app.appId, log);
  check(run("azd", ["env", "set", "SIGN_IN_CLIENT_ID", app.appId]), "azd env set SIGN_IN_CLIENT_ID");
  log(`azd env set SIGN_IN_CLIENT_ID ${app.appId}: the Bicep turns App Service authentication on with it.`);
  return { kind: plan.kind, clientId: app.appId, created };
}

/** After the Bicep: the app's callback registered on the registration, and what is left to do. */
export function postprovision({ env, run, log }) {
  const plan = signInPlan(env);
  if (plan.kind === "off") return plan;
  // azd reloads the environment after preprovision, so SIGN_IN_CLIENT_ID is normally set here;
  // ask azd in case an older azd passed the environment of before the hook.
  const clientId = plan.kind === "given" ? plan.clientId : check(run("azd", ["env", "get-value", "SIGN_IN_CLIENT_ID"]), "azd env get-value SIGN_IN_CLIENT_ID").trim();
  if (!GUID.test(clientId)) throw new HookError(`SIGN_IN_CLIENT_ID is ${JSON.stringify(clientId)} after provisioning: did the preprovision hook run?`);
  const redirectUri = redirectUriOf(env);
  const app = az(run, ["ad", "app", "show", "--id", clientId], "az ad app show");
  const uris = redirectUrisToSet(app.web?.redirectUris, redirectUri);
  if (uris) {
    const args = ["ad", "app", "update", "--id", clientId, "--web-redirect-uris", ...uris, "--enable-id-token-issuance", "true"];
    const result = run("az", args);
    if (result.status !== 0) {
      // A registration made by someone else may not be ours to change: say what to run, do not fail the deployment.
      log(`WARNING: could not add the redirect URI to ${clientId} (${(result.stderr || "").trim().split("\n").pop()}). Its owner must run:`);
      log(`  az ${args.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(" ")}`);
    } else {
      log(`Sign-in: registered the redirect URI ${redirectUri} on ${clientId}.`);
    }
  } else {
    log(`Sign-in: the redirect URI ${redirectUri} is already registered on ${clientId}.`);
  }
  const spObjectId = ensureServicePrincipal(run, clientId, log);
  const roles = Array.isArray(app.appRoles) && app.appRoles.length > 0 ? app.appRoles : checkAppRoles(json(readFileSync(APP_ROLES_FILE, "utf8"), "appRoles.json"));
  log(nextSteps({ appId: clientId, spObjectId, roles, consoleUrl: (env.CONSOLE_URL ?? "").trim() || undefined }));
  return { kind: plan.kind, clientId, redirectUriAdded: uris !== null };
}

/**
 * `az` / `azd` as child processes. On Windows both are .cmd files, which Node only starts
 * through the shell (since the April 2024 security releases), so there each argument is quoted
 * for cmd.exe; no argument this hook passes contains a double quote.
 */
export function spawnRunner(platform = process.platform) {
  return (command, args) => {
    const windows = platform === "win32";
    if (windows && args.some((a) => a.includes('"'))) throw new HookError(`an argument of ${command} contains a double quote`);
    const r = windows
      ? spawnSync([command, ...args.map((a) => `"${a}"`)].join(" "), { shell: true, encoding: "utf8" })
      : spawnSync(command, args, { encoding: "utf8" });
    if (r.error) throw new HookError(`${command} could not be started (${r.error.message}): install it and sign in (az login, azd auth login)`);
    return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  };
}

function main() {
  const phase = process.argv[2];
  const hooks = { preprovision, postprovision };
  if (!Object.hasOwn(hooks, phase)) {
    process.stderr.write(`usage: node ${join("infra", "hooks", "signin.mjs")} preprovision|postprovision\n`);
    return 2;
  }
  try {
    hooks[phase]({ env: process.env, run: spawnRunner(), log: (line) => process.stdout.write(line + "\n") });
    return 0;
  } catch (error) {
    if (!(error instanceof HookError)) throw error;
    process.stderr.write(`sign-in hook (${phase}): ${error.message}\n`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
