/**
 * Loads a compiled app the way the Functions Node.js worker does and returns what it registers
 * (see test/unit/functions/index.test.ts for the mechanism). Shared by the registrations test (dev
 * build) and the package test (the deployment package, loaded from its own node_modules).
 */
import { spawnSync } from "node:child_process";

// appRoot: folder of the package.json whose `main` is loaded; outDir: where `dist/` of `main` lives.
const CAPTURE = `
const Module = require("module");
const path = require("path");
const registered = [];
const coreApi = {
  version: "capture", hostVersion: "4.1000.0",
  registerHook: () => ({ dispose() {} }),
  setProgrammingModel: () => {},
  getProgrammingModel: () => undefined,
  log: () => {},
  registerFunction: (metadata) => { registered.push(metadata); return { dispose() {} }; },
  Disposable: class { constructor(f) { this.f = f; } dispose() { if (this.f) this.f(); } },
};
Module.prototype.require = new Proxy(Module.prototype.require, {
  apply(target, thisArg, args) {
    return args[0] === "@azure/functions-core" ? coreApi : Reflect.apply(target, thisArg, args);
  },
});
const root = process.argv[1];
const outDir = process.argv[2];
const main = require(path.join(root, "package.json")).main;
require(path.resolve(outDir, main.slice("dist/".length)));
process.stdout.write("\\n@@REGISTERED@@" + JSON.stringify(registered));
`;

export const EXPECTED_HTTP: { name: string; methods: string[]; route: string; authLevel: "anonymous" | "function" }[] = [
  { name: "inventorySyncStart", methods: ["POST"], route: "tenants/{tenantId}/inventory/sync", authLevel: "function" },
  { name: "inventoryRunGet", methods: ["GET", "HEAD"], route: "tenants/{tenantId}/inventory/runs/{runId}", authLevel: "function" },
  { name: "inventoryRunList", methods: ["GET", "HEAD"], route: "tenants/{tenantId}/inventory/runs", authLevel: "function" },
  { name: "inventoryRunChanges", methods: ["GET", "HEAD"], route: "tenants/{tenantId}/inventory/runs/{runId}/changes", authLevel: "function" },
  { name: "inventoryChangeList", methods: ["GET", "HEAD"], route: "tenants/{tenantId}/inventory/changes", authLevel: "function" },
  { name: "inventoryItemList", methods: ["GET", "HEAD"], route: "tenants/{tenantId}/inventory/items", authLevel: "function" },
  { name: "inventoryItemGet", methods: ["GET", "HEAD"], route: "tenants/{tenantId}/inventory/items/{itemId}", authLevel: "function" },
  { name: "inventoryDependencies", methods: ["GET", "HEAD"], route: "tenants/{tenantId}/inventory/dependencies", authLevel: "function" },
  { name: "inventoryMissing", methods: ["GET", "HEAD"], route: "tenants/{tenantId}/inventory/missing", authLevel: "function" },
  { name: "inventoryCoverage", methods: ["GET", "HEAD"], route: "tenants/{tenantId}/inventory/coverage", authLevel: "function" },
  { name: "inventorySelectionList", methods: ["GET", "HEAD"], route: "tenants/{tenantId}/inventory/selections", authLevel: "function" },
  { name: "tenantPut", methods: ["PUT"], route: "tenants/{tenantId}", authLevel: "function" },
  { name: "tenantList", methods: ["GET", "HEAD"], route: "tenants", authLevel: "function" },
  { name: "tenantGet", methods: ["GET", "HEAD"], route: "tenants/{tenantId}", authLevel: "function" },
  { name: "tenantDelete", methods: ["DELETE"], route: "tenants/{tenantId}", authLevel: "function" },
  { name: "compareTenants", methods: ["GET", "HEAD"], route: "compare", authLevel: "function" },
  { name: "baselinePut", methods: ["PUT"], route: "baselines/{baselineId}", authLevel: "function" },
  { name: "baselineList", methods: ["GET", "HEAD"], route: "baselines", authLevel: "function" },
  { name: "baselineGet", methods: ["GET", "HEAD"], route: "baselines/{baselineId}", authLevel: "function" },
  { name: "baselineDelete", methods: ["DELETE"], route: "baselines/{baselineId}", authLevel: "function" },
  { name: "tenantDrift", methods: ["GET", "HEAD"], route: "tenants/{tenantId}/drift", authLevel: "function" },
  { name: "policyTypeList", methods: ["GET", "HEAD"], route: "policy-types", authLevel: "function" },
  { name: "portfolio", methods: ["GET", "HEAD"], route: "portfolio", authLevel: "function" },
  { name: "health", methods: ["GET", "HEAD"], route: "health", authLevel: "anonymous" },
  { name: "whoAmI", methods: ["GET", "HEAD"], route: "me", authLevel: "function" },
  { name: "consolePage", methods: ["GET", "HEAD"], route: "console", authLevel: "anonymous" },
  { name: "consoleAsset", methods: ["GET", "HEAD"], route: "console/assets/{file}", authLevel: "anonymous" },
  { name: "openApiDocument", methods: ["GET", "HEAD"], route: "openapi.json", authLevel: "anonymous" },
];

/** Non-HTTP registrations (timers, orchestrations, activities, entities) — added with the engine's. */
export const EXPECTED_OTHER: { name: string; trigger: string; schedule?: string }[] = [
  { name: "inventorySync", trigger: "orchestrationTrigger" },
  { name: "inventorySyncLane", trigger: "orchestrationTrigger" },
  { name: "nightlySync", trigger: "orchestrationTrigger" },
  { name: "nightlySyncLane", trigger: "orchestrationTrigger" },
  { name: "syncGate", trigger: "entityTrigger" },
  { name: "workQueue", trigger: "entityTrigger" },
  { name: "markRunning", trigger: "activityTrigger" },
  { name: "syncPolicyType", trigger: "activityTrigger" },
  { name: "finalizeRun", trigger: "activityTrigger" },
  { name: "listNightlyWork", trigger: "activityTrigger" },
  { name: "prepareNightlyRun", trigger: "activityTrigger" },
  { name: "reportNightly", trigger: "activityTrigger" },
  // Schedules are bound to app settings (%NAME%), so operators change them without a deployment.
  { name: "nightlySyncTimer", trigger: "timerTrigger", schedule: "%SYNC_SCHEDULE%" },
  { name: "syncWatchdogTimer", trigger: "timerTrigger", schedule: "%WATCHDOG_SCHEDULE%" },
];

export interface CapturedFunction {
  name: string;
  bindings: Record<string, { type: string; direction: string; [key: string]: unknown }>;
}

/** Runs a child Node process in `appRoot` that requires package.json `main` from `outDir` and reports the registrations. */
export function captureRegistrations(appRoot: string, outDir: string, env: NodeJS.ProcessEnv = process.env): CapturedFunction[] {
  const run = spawnSync(process.execPath, ["-e", CAPTURE, appRoot, outDir], { cwd: appRoot, encoding: "utf8", env });
  if (run.status !== 0) throw new Error(`loading the app from ${outDir} failed:\n${run.stderr}`);
  const marker = run.stdout.lastIndexOf("@@REGISTERED@@");
  if (marker < 0) throw new Error(`no registrations reported:\n${run.stdout}${run.stderr}`);
  return JSON.parse(run.stdout.slice(marker + "@@REGISTERED@@".length)) as CapturedFunction[];
}
