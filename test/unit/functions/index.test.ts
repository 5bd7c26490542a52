/**
 * Loads the COMPILED app the way the Functions Node.js worker does and checks what it registers.
 *
 * How the worker does it: before loading the app it makes the built-in module
 * `@azure/functions-core` resolvable by wrapping `Module.prototype.require`; `@azure/functions`
 * then calls `coreApi.registerFunction(metadata, callback)` for every `app.http` / `app.timer` /
 * `df.app.*` call (without that module it runs in "test mode" and registers nothing). Here a
 * child Node process does the same with a capturing core API, then requires package.json `main`.
 *
 * To extend: add a row to EXPECTED_HTTP (test/support/registrations.ts) for a new route, or to EXPECTED_OTHER for a timer,
 * orchestration, activity or entity (`trigger` is the binding type of its trigger, e.g.
 * "timerTrigger", "orchestrationTrigger", "activityTrigger", "entityTrigger"). The set of
 * registered functions must equal the union of both tables exactly.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { EXPECTED_HTTP, EXPECTED_OTHER, captureRegistrations } from "../../support/registrations";

const root = join(__dirname, "..", "..", "..");

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


let registered: Registered[] = [];
let outDirBuilt = "";

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

  outDirBuilt = outDir;
  const { AUTH_REQUIRE_PRINCIPAL: _a, WEBSITE_AUTH_ENABLED: _w, ...env } = process.env;
  registered = captureRegistrations(root, outDir, env) as Registered[];
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

  it("only health, openapi.json and the console's static page and files are anonymous", () => {
    const anonymous = registered.filter((r) => triggerOf(r)?.type === "httpTrigger" && triggerOf(r)?.authLevel !== "function");
    expect(anonymous.map((r) => r.name).sort()).toEqual(["consoleAsset", "consolePage", "health", "openApiDocument"]);
  });

  it("with AUTH_REQUIRE_PRINCIPAL behind App Service authentication the principal is the gate: no route needs a key a browser cannot hold", () => {
    const gated = captureRegistrations(root, outDirBuilt, { ...process.env, AUTH_REQUIRE_PRINCIPAL: "true", WEBSITE_AUTH_ENABLED: "True" }) as Registered[];
    const http = gated.filter((r) => triggerOf(r)?.type === "httpTrigger");
    expect(http.length).toBe(EXPECTED_HTTP.length);
    expect(http.filter((r) => triggerOf(r)?.authLevel !== "anonymous").map((r) => r.name)).toEqual([]);
  });

  it("keeps the function keys when either half is missing: the setting without App Service authentication, or the platform without the setting", () => {
    for (const env of [{ AUTH_REQUIRE_PRINCIPAL: "true" }, { WEBSITE_AUTH_ENABLED: "True" }]) {
      const { AUTH_REQUIRE_PRINCIPAL: _a, WEBSITE_AUTH_ENABLED: _w, ...rest } = process.env;
      const keyed = (captureRegistrations(root, outDirBuilt, { ...rest, ...env }) as Registered[]).filter(
        (r) => triggerOf(r)?.type === "httpTrigger" && triggerOf(r)?.authLevel === "function",
      );
      expect(keyed.map((r) => r.name).sort(), JSON.stringify(env)).toEqual(EXPECTED_HTTP.filter((e) => e.authLevel === "function").map((e) => e.name).sort());
    }
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
