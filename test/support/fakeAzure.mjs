#!/usr/bin/env node
// A recording stand-in for the Azure CLI and the Azure Developer CLI, for the sign-in hook's
// tests (no real Azure exists where the tests run). `node fakeAzure.mjs az <args…>` or
// `… azd <args…>`, put on the PATH as `az` and `azd` by small shims. It appends every call to
// FAKE_AZURE_LOG (one JSON array per line) and keeps a tiny directory in FAKE_AZURE_STATE:
// app registrations, service principals and the azd environment's values, so a second run sees
// what the first created. Only the commands the hook uses are understood; any other call fails
// with exit 2, so an unexpected command fails the test instead of passing silently.
// FAKE_AZURE_FAIL="<substring of the joined call>" makes a matching call fail with exit 1.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";

const [, , tool, ...args] = process.argv;
const statePath = process.env.FAKE_AZURE_STATE;
const logPath = process.env.FAKE_AZURE_LOG;
if (!statePath || !logPath) {
  process.stderr.write("fakeAzure: FAKE_AZURE_STATE and FAKE_AZURE_LOG must be set\n");
  process.exit(2);
}
appendFileSync(logPath, JSON.stringify([tool, ...args]) + "\n");
const state = existsSync(statePath) ? JSON.parse(readFileSync(statePath, "utf8")) : {};
state.apps ??= [];
state.sps ??= [];
state.env ??= {};
state.counter ??= 0;
const save = () => writeFileSync(statePath, JSON.stringify(state, null, 2));
const guid = () => `00000000-0000-4000-8000-${String(++state.counter).padStart(12, "0")}`;
const fail = (code, message) => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};
const out = (value) => process.stdout.write(JSON.stringify(value, null, 2) + "\n");

/** `--name value…` → the values up to the next `--flag`. */
function option(name) {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const values = [];
  for (let j = i + 1; j < args.length && !args[j].startsWith("--"); j++) values.push(args[j]);
  return values;
}
const one = (name) => option(name)?.[0];
const call = args.join(" ");

if (process.env.FAKE_AZURE_FAIL && `${tool} ${call}`.includes(process.env.FAKE_AZURE_FAIL)) {
  fail(1, "ERROR: Insufficient privileges to complete the operation.");
}
const appOf = (id) => state.apps.find((a) => a.appId === id || a.id === id || a.identifierUris.includes(id));

if (tool === "azd" && args[0] === "env" && args[1] === "set" && args.length === 4) {
  state.env[args[2]] = args[3];
  save();
} else if (tool === "azd" && args[0] === "env" && args[1] === "get-value" && args.length === 3) {
  if (!(args[2] in state.env)) fail(1, `ERROR: key '${args[2]}' not found in the environment values`);
  process.stdout.write(state.env[args[2]] + "\n");
} else if (tool === "az" && call.startsWith("ad app list --display-name ") && one("--output") === "json") {
  const name = one("--display-name");
  out(state.apps.filter((a) => a.displayName.startsWith(name)));
} else if (tool === "az" && call.startsWith("ad app create ") && one("--output") === "json") {
  const rolesArg = one("--app-roles");
  if (!rolesArg?.startsWith("@")) fail(2, "fakeAzure: --app-roles @file expected");
  const app = {
    id: guid(),
    appId: guid(),
    displayName: one("--display-name"),
    signInAudience: one("--sign-in-audience"),
    identifierUris: [],
    appRoles: JSON.parse(readFileSync(rolesArg.slice(1), "utf8")),
    web: { redirectUris: [], implicitGrantSettings: { enableIdTokenIssuance: one("--enable-id-token-issuance") === "true" } },
  };
  state.apps.push(app);
  save();
  out(app);
} else if (tool === "az" && call.startsWith("ad app update --id ")) {
  const app = appOf(one("--id"));
  if (!app) fail(3, `ERROR: Resource '${one("--id")}' does not exist`);
  if (option("--identifier-uris")) app.identifierUris = option("--identifier-uris");
  if (option("--web-redirect-uris")) app.web.redirectUris = option("--web-redirect-uris");
  if (option("--enable-id-token-issuance")) app.web.implicitGrantSettings.enableIdTokenIssuance = one("--enable-id-token-issuance") === "true";
  save();
} else if (tool === "az" && call.startsWith("ad app show --id ") && one("--output") === "json") {
  const app = appOf(one("--id"));
  if (!app) fail(3, `ERROR: Resource '${one("--id")}' does not exist`);
  out(app);
} else if (tool === "az" && call.startsWith("ad sp list --filter ") && one("--output") === "json") {
  const m = /^appId eq '([0-9a-f-]+)'$/.exec(one("--filter") ?? "");
  if (!m) fail(2, `fakeAzure: unsupported filter ${one("--filter")}`);
  out(state.sps.filter((s) => s.appId === m[1]));
} else if (tool === "az" && call.startsWith("ad sp create --id ") && one("--output") === "json") {
  const app = appOf(one("--id"));
  if (!app) fail(3, `ERROR: Resource '${one("--id")}' does not exist`);
  const sp = { id: guid(), appId: app.appId, displayName: app.displayName };
  state.sps.push(sp);
  save();
  out(sp);
} else {
  fail(2, `fakeAzure: unsupported call: ${tool} ${call}`);
}
