/**
 * Loads the COMPILED app the way the Functions Node.js worker does and checks what it registers.
 *
 * How the worker does it: before loading the app it makes the built-in module
 * `@azure/functions-core` resolvable by wrapping `Module.prototype.require`; `@azure/functions`
 * then calls `coreApi.registerFunction(metadata, callback)` for every `app.http` / `app.timer` /
 * `df.app.*` call (without that module it runs in "test mode" and registers nothing). Here a
 * child Node process does the same with a capturing core API, then requires package.json `main`.
 *
 * To extend: add a row to EXPECTED_HTTP for a new route, or to EXPECTED_OTHER for a timer,
 * orchestration, activity or entity (`trigger` is the binding type of its trigger, e.g.
 * "timerTrigger", "orchestrationTrigger", "activityTrigger", "entityTrigger"). The set of
 * registered functions must equal the union of both tables exactly.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");

const EXPECTED_HTTP: { name: string; methods: string[]; route: string; authLevel: "anonymous" | "function" }[] = [
  { name: "inventorySyncStart", methods: ["POST"], route: "tenants/{tenantId}/inventory/sync", authLevel: "function" },
  { name: "inventoryRunGet", methods: ["GET", "HEAD"], route: "tenants/{tenantId}/inventory/runs/{runId}", authLevel: "function" },
  { name: "inventoryRunList", methods: ["GET", "HEAD"], route: "tenants/{tenantId}/inventory/runs", authLevel: "function" },
  { name: "inventoryItemList", methods: ["GET", "HEAD"], route: "tenants/{tenantId}/inventory/items", authLevel: "function" },
  { name: "inventoryMissing", methods: ["GET", "HEAD"], route: "tenants/{tenantId}/inventory/missing", authLevel: "function" },
  { name: "inventoryCoverage", methods: ["GET", "HEAD"], route: "tenants/{tenantId}/inventory/coverage", authLevel: "function" },
  { name: "tenantPut", methods: ["PUT"], route: "tenants/{tenantId}", authLevel: "function" },
  { name: "tenantList", methods: ["GET", "HEAD"], route: "tenants", authLevel: "function" },
  { name: "tenantGet", methods: ["GET", "HEAD"], route: "tenants/{tenantId}", authLevel: "function" },
  { name: "tenantDelete", methods: ["DELETE"], route: "tenants/{tenantId}", authLevel: "function" },
  { name: "policyTypeList", methods: ["GET", "HEAD"], route: "policy-types", authLevel: "function" },
  { name: "health", methods: ["GET", "HEAD"], route: "health", authLevel: "anonymous" },
  { name: "openApiDocument", methods: ["GET", "HEAD"], route: "openapi.json", authLevel: "anonymous" },
];

/** Non-HTTP registrations (timers, orchestrations, activities, entities) — added with the engine's. */
const EXPECTED_OTHER: { name: string; trigger: string; schedule?: string }[] = [
  { name: "inventorySync", trigger: "orchestrationTrigger" },
  { name: "nightlySync", trigger: "orchestrationTrigger" },
  { name: "syncGate", trigger: "entityTrigger" },
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

interface Binding {
  type: string;
  direction: string;
  schedule?: string;
  methods?: string[];
  route?: string;
  authLevel?: string;
}
interface Registered {
  name: string;
  bindings: Record<string, Binding>;
}

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

let registered: Registered[] = [];

beforeAll(() => {
  // Build the deployable code (functions/ + shared/) with the project's tsconfig into dist/, as
  // `npm run build` does, so the test never reads a stale dist. Tests are left out so a type
  // error in a test file cannot hide or fake a registration problem.
  const dir = join(root, ".test-results");
  mkdirSync(dir, { recursive: true });
  const tsconfig = join(dir, "tsconfig.registrations.json");
  // Its own outDir: other tests run the built local host and demo from dist/ at the same time.
  const outDir = join(dir, "registrations-dist");
  writeFileSync(
    tsconfig,
    JSON.stringify({ extends: "../tsconfig.json", compilerOptions: { outDir: "./registrations-dist", rootDir: ".." }, include: ["../functions", "../shared"] }),
  );
  const build = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", tsconfig], {
    cwd: root,
    encoding: "utf8",
  });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  const main = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).main as string;
  expect(main).toBe("dist/functions/index.js");
  expect(existsSync(join(outDir, main.replace(/^dist\//, "")))).toBe(true);

  const run = spawnSync(process.execPath, ["-e", CAPTURE, root, outDir], { cwd: root, encoding: "utf8", env: { ...process.env } });
  if (run.status !== 0) throw new Error(`loading ${main} failed:\n${run.stderr}`);
  const marker = run.stdout.lastIndexOf("@@REGISTERED@@");
  registered = JSON.parse(run.stdout.slice(marker + "@@REGISTERED@@".length)) as Registered[];
}, 180_000);

const triggerOf = (fn: Registered): Binding | undefined =>
  Object.values(fn.bindings).find((b) => b.direction === "in" && b.type.endsWith("Trigger"));

describe("compiled registrations (package.json main, as the Functions worker loads it)", () => {
  it("registers exactly the expected functions", () => {
    const expected = [...EXPECTED_HTTP.map((e) => e.name), ...EXPECTED_OTHER.map((e) => e.name)].sort();
    expect(registered.map((r) => r.name).sort()).toEqual(expected);
  });

  it.each(EXPECTED_HTTP)("HTTP $name: $methods $route, authLevel $authLevel, durable client input, http output", (e) => {
    const fn = registered.find((r) => r.name === e.name);
    expect(fn, `${e.name} not registered`).toBeDefined();
    const trigger = triggerOf(fn!);
    expect(trigger).toMatchObject({ type: "httpTrigger", methods: e.methods, route: e.route, authLevel: e.authLevel });
    const bindings = Object.values(fn!.bindings);
    expect(bindings.some((b) => b.type === "durableClient" && b.direction === "in")).toBe(true);
    expect(fn!.bindings.$return).toMatchObject({ type: "http", direction: "out" });
  });

  it("only health and openapi.json are anonymous", () => {
    const anonymous = registered.filter((r) => triggerOf(r)?.type === "httpTrigger" && triggerOf(r)?.authLevel !== "function");
    expect(anonymous.map((r) => r.name).sort()).toEqual(["health", "openApiDocument"]);
  });

  it("every non-HTTP registration has its trigger type", () => {
    for (const e of EXPECTED_OTHER) {
      const fn = registered.find((r) => r.name === e.name);
      expect(fn && triggerOf(fn)?.type, e.name).toBe(e.trigger);
    }
  });

  it("binds each timer's schedule to its setting and gives every timer starter the durable client", () => {
    for (const e of EXPECTED_OTHER.filter((x) => x.trigger === "timerTrigger")) {
      const fn = registered.find((r) => r.name === e.name)!;
      expect(triggerOf(fn)?.schedule, e.name).toBe(e.schedule);
      expect(Object.values(fn.bindings).some((b) => b.type === "durableClient" && b.direction === "in"), e.name).toBe(true);
    }
  });
});
