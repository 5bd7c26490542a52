import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Run } from "../../../shared/domain/run";
import { ApiClient, ApiError, retryAfterSeconds, resolveBaseUrl } from "../../../cli/apiClient";
import { runCli } from "../../../cli/main";

// ── a loopback server that speaks docs/api.md ────────────────────────────────────────────────────

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Never answer (for timeouts). */
  hang?: boolean;
}

const problem = (
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): Reply => ({
  status,
  headers: { "content-type": "application/problem+json" },
  body: {
    type: `urn:tenant-inventory:problem:${code}`,
    title: code,
    status,
    code,
    detail,
    correlationId: "server-side-id",
    ...extra,
  },
});

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function startApi(
  handler: (req: Recorded, index: number) => Reply,
): Promise<{ apiUrl: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const text = Buffer.concat(chunks).toString("utf8");
      const recorded: Recorded = {
        method: req.method ?? "",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      requests.push(recorded);
      const reply = handler(recorded, requests.length - 1);
      if (reply.hang) return;
      const headers: Record<string, string> = {
        "x-correlation-id": String(req.headers["x-correlation-id"] ?? ""),
        ...reply.headers,
      };
      if (reply.body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
      res.writeHead(reply.status, headers);
      res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { apiUrl: `http://127.0.0.1:${port}/api`, requests };
}

// ── fixtures in the documented shapes ───────────────────────────────────────────────────────

const TENANT = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
const HASH = "a".repeat(64);
const RUN_PATH = `/api/tenants/${TENANT}/inventory/runs/run-1`;

function run(overrides: Partial<Run> = {}): Run {
  return {
    id: "run-1",
    tenantId: TENANT,
    selectionHash: HASH,
    selection: {
      policyTypes: ["deviceConfiguration", "mobileApp"],
      categories: [],
      includeFoundations: false,
    },
    status: "running",
    trigger: "http",
    correlationId: "c",
    requestedAt: "2024-05-01T12:00:00.000Z",
    startedAt: "2024-05-01T12:00:01.000Z",
    finishedAt: null,
    hadErrors: false,
    counts: { itemsObserved: 0, itemsUpserted: 0, errors: 0 },
    changes: null,
    baseRunId: null,
    errorCodes: [],
    errors: [],
    policyTypes: [],
    orchestrationInstanceId: "o-1",
    ...overrides,
  };
}

const outcome = (policyType: "deviceConfiguration" | "mobileApp", ok = true) => ({
  policyType,
  status: ok ? ("success" as const) : ("failed" as const),
  itemsObserved: ok ? 3 : 0,
  itemsUpserted: ok ? 3 : 0,
  pages: 1,
  errorCode: ok ? null : ("GRAPH_FORBIDDEN" as const),
  durationMs: 420,
});

const finished = (
  status: Run["status"],
  policyTypes = [outcome("deviceConfiguration"), outcome("mobileApp")],
): Run =>
  run({
    status,
    finishedAt: "2024-05-01T12:00:13.500Z",
    policyTypes,
    hadErrors: status !== "success",
    errorCodes: policyTypes.some((p) => p.errorCode) ? ["GRAPH_FORBIDDEN"] : [],
    errors: policyTypes
      .filter((p) => p.errorCode)
      .map((p) => ({ code: "GRAPH_FORBIDDEN" as const, policyType: p.policyType, message: "forbidden" })),
    counts: { itemsObserved: 6, itemsUpserted: 6, errors: policyTypes.filter((p) => p.errorCode).length },
  });

const tenant = (overrides: Record<string, unknown> = {}) => ({
  tenantId: TENANT,
  displayName: "Contoso",
  enabled: true,
  selections: [{ policyTypes: [], categories: [], includeFoundations: true }],
  createdAt: "2024-05-01T00:00:00.000Z",
  updatedAt: "2024-05-01T00:00:00.000Z",
  ...overrides,
});

const item = (n: number) => ({
  id: `deviceConfiguration.${n}`,
  tenantId: TENANT,
  policyType: "deviceConfiguration",
  category: "configuration",
  externalId: `ext-${n}`,
  displayName: `Policy ${n}`,
  platform: "windows",
  meta: {},
  firstSeenAt: "2024-05-01T12:00:00.000Z",
  lastSeenAt: "2024-05-01T12:00:00.000Z",
  lastSeenRunId: "run-1",
});

const accepted: Reply = {
  status: 202,
  headers: { location: `http://127.0.0.1${RUN_PATH}`, "retry-after": "0" },
  body: { runId: "run-1", tenantId: TENANT, selectionHash: HASH, status: "queued", links: { run: RUN_PATH } },
};

function capture() {
  let out = "";
  let err = "";
  const sleeps: number[] = [];
  return {
    io: (env: Record<string, string> = {}) => ({
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env,
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
    }),
    get out() {
      return out;
    },
    get err() {
      return err;
    },
    sleeps,
  };
}

const client = (apiUrl: string, extra: Partial<ConstructorParameters<typeof ApiClient>[0]> = {}) =>
  new ApiClient({
    baseUrl: apiUrl,
    key: "k3y",
    correlationId: "cli-test-1",
    timeoutMs: 5_000,
    fetch: (i, init) => fetch(i, init),
    ...extra,
  });

// ── the client ──────────────────────────────────────────────────────────────────────────────

describe("ApiClient against a loopback API", () => {
  it("sends the function key, the correlation id and a JSON body, and reads 201 as created", async () => {
    const api = await startApi(() => ({ status: 201, body: tenant() }));
    const result = await client(api.apiUrl).putTenant(TENANT, { displayName: "Contoso", enabled: true });
    expect(result.created).toBe(true);
    const [req] = api.requests;
    expect(req?.method).toBe("PUT");
    expect(req?.path).toBe(`/api/tenants/${TENANT}`);
    expect(req?.headers["x-functions-key"]).toBe("k3y");
    expect(req?.headers["x-correlation-id"]).toBe("cli-test-1");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.body).toEqual({ displayName: "Contoso", enabled: true });
  });

  it("sends no x-functions-key when no key is configured (the local host)", async () => {
    const api = await startApi(() => ({ status: 200, body: { items: [] } }));
    await client(api.apiUrl, { key: undefined }).listTenants();
    expect(api.requests[0]?.headers["x-functions-key"]).toBeUndefined();
  });

  it("reads a 202 sync answer and its Retry-After", async () => {
    const api = await startApi(() => ({ ...accepted, headers: { ...accepted.headers, "retry-after": "5" } }));
    const result = await client(api.apiUrl).startSync(TENANT, { categories: ["scripts"] }, Date.now());
    expect(result.accepted.runId).toBe("run-1");
    expect(result.retryAfterSeconds).toBe(5);
    expect(api.requests[0]?.method).toBe("POST");
    expect(api.requests[0]?.path).toBe(`/api/tenants/${TENANT}/inventory/sync`);
    expect(api.requests[0]?.body).toEqual({ categories: ["scripts"] });
  });

  it("tells a 202 run (still going) from a 200 run (finished)", async () => {
    const api = await startApi((_, i) =>
      i === 0
        ? { status: 202, headers: { "retry-after": "2" }, body: run() }
        : { status: 200, body: finished("success") },
    );
    const c = client(api.apiUrl);
    const first = await c.getRun(TENANT, "run-1", Date.now());
    const second = await c.getRun(TENANT, "run-1", Date.now());
    expect([first.finished, first.retryAfterSeconds, first.run.status]).toEqual([false, 2, "running"]);
    expect([second.finished, second.run.status]).toEqual([true, "success"]);
    expect(api.requests.map((r) => r.path)).toEqual([RUN_PATH, RUN_PATH]);
  });

  it("turns a 409 LOCK_HELD problem into an error carrying the stable code and the active run", async () => {
    const api = await startApi(() =>
      problem(409, "LOCK_HELD", "Run run-0 holds the lock.", { runId: "run-2", activeRunId: "run-0" }),
    );
    const error = await client(api.apiUrl)
      .startSync(TENANT, {}, Date.now())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const e = error as ApiError;
    expect(e.code).toBe("LOCK_HELD");
    expect(e.info).toMatchObject({
      status: 409,
      activeRunId: "run-0",
      runId: "run-2",
      correlationId: "server-side-id",
    });
    expect(e.message).toContain("Run run-0 holds the lock.");
  });

  it("turns a 400 problem into its field errors", async () => {
    const api = await startApi(() =>
      problem(400, "VALIDATION_FAILED", "The request is not valid", {
        errors: [{ path: "query.limit", message: "expected an integer" }],
      }),
    );
    const e = (await client(api.apiUrl)
      .listRuns(TENANT, { limit: 5 })
      .catch((x: unknown) => x)) as ApiError;
    expect(e.code).toBe("VALIDATION_FAILED");
    expect(e.info.fieldErrors).toEqual([{ path: "query.limit", message: "expected an integer" }]);
  });

  it("names Azure's bare 401 (no problem body) UNAUTHORIZED", async () => {
    const api = await startApi(() => ({ status: 401 }));
    const e = (await client(api.apiUrl)
      .listTenants()
      .catch((x: unknown) => x)) as ApiError;
    expect([e.code, e.info.status]).toEqual(["UNAUTHORIZED", 401]);
  });

  it("rejects a 200 whose body is not the documented shape", async () => {
    const api = await startApi(() => ({ status: 200, body: { items: [{ tenantId: TENANT }] } }));
    const e = (await client(api.apiUrl)
      .listTenants()
      .catch((x: unknown) => x)) as ApiError;
    expect(e.code).toBe("BAD_RESPONSE");
    expect(e.message).toContain("tenant list");
  });

  it("times out a server that never answers", async () => {
    const api = await startApi(() => ({ status: 200, hang: true }));
    const e = (await client(api.apiUrl, { timeoutMs: 200 })
      .listTenants()
      .catch((x: unknown) => x)) as ApiError;
    expect(e.code).toBe("TIMEOUT");
    expect(e.transient).toBe(true);
  });

  it("reports a refused connection as NETWORK_ERROR", async () => {
    const api = await startApi(() => ({ status: 200 }));
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    const e = (await client(api.apiUrl)
      .listTenants()
      .catch((x: unknown) => x)) as ApiError;
    expect(e.code).toBe("NETWORK_ERROR");
    expect(e.message).toContain("ECONNREFUSED");
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2024-05-01T12:00:00Z");
    expect(retryAfterSeconds("7", now)).toBe(7);
    expect(retryAfterSeconds("Wed, 01 May 2024 12:00:10 GMT", now)).toBe(10);
    expect(retryAfterSeconds("Wed, 01 May 2024 11:00:00 GMT", now)).toBe(0);
    expect(retryAfterSeconds("soon", now)).toBeNull();
    expect(retryAfterSeconds(null, now)).toBeNull();
  });

  it("resolves the base URL: /api for a bare host, no trailing slash, http(s) only", () => {
    expect(resolveBaseUrl("https://contoso-inv.azurewebsites.net")).toBe(
      "https://contoso-inv.azurewebsites.net/api",
    );
    expect(resolveBaseUrl("http://127.0.0.1:7071/api/")).toBe("http://127.0.0.1:7071/api");
    expect(() => resolveBaseUrl("ftp://x")).toThrow(/http or https/);
    expect(() => resolveBaseUrl("https://x/api?code=secret")).toThrow(/query/);
    expect(() => resolveBaseUrl("not a url")).toThrow(/not a URL/);
  });
});

// ── the whole CLI, in process, against the loopback API ─────────────────────────────────────

describe("runCli against a loopback API", () => {
  it("tenants add registers a new tenant with PUT and exits 0", async () => {
    const api = await startApi((req) =>
      req.method === "GET"
        ? problem(404, "TENANT_NOT_FOUND", "not registered")
        : { status: 201, body: tenant() },
    );
    const c = capture();
    const code = await runCli(
      ["--api-url", api.apiUrl, "tenants", "add", TENANT.toUpperCase(), "--name", "Contoso"],
      c.io(),
    );
    expect(code).toBe(0);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /api/tenants/${TENANT}`,
      `PUT /api/tenants/${TENANT}`,
    ]);
    expect(api.requests[1]?.body).toEqual({ displayName: "Contoso", enabled: true });
    expect(c.out).toContain(`Registered tenant ${TENANT} (Contoso), enabled`);
  });

  it("tenants add --disabled keeps an existing tenant's nightly selections", async () => {
    const selections = [{ policyTypes: ["mobileApp"], categories: [], includeFoundations: false }];
    const api = await startApi((req) =>
      req.method === "GET"
        ? { status: 200, body: tenant({ selections }) }
        : { status: 200, body: tenant({ selections, enabled: false }) },
    );
    const c = capture();
    const code = await runCli(
      ["--api-url", api.apiUrl, "tenants", "add", TENANT, "--name", "Contoso", "--disabled"],
      c.io(),
    );
    expect(code).toBe(0);
    expect(api.requests[1]?.body).toEqual({ displayName: "Contoso", enabled: false, selections });
    expect(c.out).toContain("Updated tenant");
  });

  it("tenants list prints one row per tenant", async () => {
    const api = await startApi(() => ({
      status: 200,
      body: {
        items: [
          tenant(),
          tenant({
            tenantId: "11111111-2222-3333-4444-555555555555",
            displayName: "Fabrikam",
            enabled: false,
          }),
        ],
      },
    }));
    const c = capture();
    expect(await runCli(["--api-url", api.apiUrl, "tenants", "list"], c.io())).toBe(0);
    expect(c.out.split("\n")[0]).toMatch(/^TENANT ID\s+DISPLAY NAME\s+ENABLED/);
    expect(c.out).toMatch(/Fabrikam\s+no/);
  });

  it("sync --wait polls 202 → 200 with one correlation id, honours Retry-After within 1–30 s, prints the per-type table, exits 0", async () => {
    const api = await startApi((req, i) => {
      if (req.method === "POST") return accepted;
      if (i === 1)
        return {
          status: 202,
          headers: { "retry-after": "3" },
          body: run({ status: "queued", startedAt: null }),
        };
      if (i === 2)
        return {
          status: 202,
          headers: { "retry-after": "120" },
          body: run({ policyTypes: [outcome("deviceConfiguration")] }),
        };
      return { status: 200, body: finished("success") };
    });
    const c = capture();
    const code = await runCli(
      ["sync", TENANT, "--policy-types", "deviceConfiguration,mobileApp", "--wait"],
      c.io({ TENANT_INVENTORY_API_URL: api.apiUrl, TENANT_INVENTORY_KEY: "env-key" }),
    );
    expect(code).toBe(0);
    expect(c.sleeps).toEqual([1_000, 3_000, 30_000]);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /api/tenants/${TENANT}/inventory/sync`,
      `GET ${RUN_PATH}`,
      `GET ${RUN_PATH}`,
      `GET ${RUN_PATH}`,
    ]);
    expect(api.requests[0]?.body).toEqual({ policyTypes: ["deviceConfiguration", "mobileApp"] });
    const ids = new Set(api.requests.map((r) => r.headers["x-correlation-id"]));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^cli-[0-9a-f-]{36}$/);
    expect(api.requests.every((r) => r.headers["x-functions-key"] === "env-key")).toBe(true);
    expect(c.err).toContain("run run-1: queued 0/2 policy types");
    expect(c.err).toContain("run run-1: running 1/2 policy types");
    expect(c.err).toContain("run run-1: success 2/2 policy types");
    expect(c.out).toContain("run run-1: success in 12.5s");
    expect(c.out).toMatch(/deviceConfiguration\s+success\s+3\s+3\s+1/);
  });

  it("sync --wait on a partial run warns and still exits 0", async () => {
    const api = await startApi((req) =>
      req.method === "POST"
        ? accepted
        : {
            status: 200,
            body: finished("partial", [outcome("deviceConfiguration"), outcome("mobileApp", false)]),
          },
    );
    const c = capture();
    expect(await runCli(["--api-url", api.apiUrl, "sync", TENANT, "--wait"], c.io())).toBe(0);
    expect(c.err).toContain("warning: run run-1 is partial: 1 of 2 policy types failed (GRAPH_FORBIDDEN)");
    expect(c.out).toMatch(/mobileApp\s+failed.*GRAPH_FORBIDDEN/);
  });

  it("sync --wait on a failed run exits 1", async () => {
    const api = await startApi((req) =>
      req.method === "POST"
        ? accepted
        : { status: 200, body: finished("failed", [outcome("deviceConfiguration", false)]) },
    );
    const c = capture();
    expect(await runCli(["--api-url", api.apiUrl, "sync", TENANT, "--wait"], c.io())).toBe(1);
    expect(c.err).toContain("error: run run-1 failed (GRAPH_FORBIDDEN)");
  });

  it("sync --wait on a run that was skipped exits 3", async () => {
    const skipped = run({
      status: "skipped",
      startedAt: null,
      finishedAt: "2024-05-01T12:00:02.000Z",
      errorCodes: ["CONCURRENCY_LIMIT_GLOBAL"],
    });
    const api = await startApi((req) => (req.method === "POST" ? accepted : { status: 200, body: skipped }));
    const c = capture();
    expect(
      await runCli(["--api-url", api.apiUrl, "sync", TENANT, "--wait", "--wait-for-slot", "60"], c.io()),
    ).toBe(3);
    expect(api.requests[0]?.body).toEqual({ waitForSlotSeconds: 60 });
    expect(c.err).toContain("skipped (CONCURRENCY_LIMIT_GLOBAL)");
  });

  it("polling survives a transient 503 and carries on", async () => {
    const api = await startApi((req, i) =>
      req.method === "POST"
        ? accepted
        : i === 1
          ? { status: 503 }
          : { status: 200, body: finished("success") },
    );
    const c = capture();
    expect(await runCli(["--api-url", api.apiUrl, "sync", TENANT, "--wait"], c.io())).toBe(0);
    expect(api.requests).toHaveLength(3);
  });

  it("sync without --wait sends the whole selection, prints the run id and exits 0", async () => {
    const api = await startApi(() => accepted);
    const c = capture();
    const code = await runCli(
      [
        "--api-url",
        api.apiUrl,
        "sync",
        TENANT,
        "--categories",
        "scripts",
        "--foundations",
        "--policy-types",
        "mobileApp",
      ],
      c.io(),
    );
    expect(code).toBe(0);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]?.body).toEqual({
      policyTypes: ["mobileApp"],
      categories: ["scripts"],
      includeFoundations: true,
    });
    expect(c.out).toContain("Queued run run-1");
  });

  it("sync on a held lock exits 3 and prints the active run id", async () => {
    const api = await startApi(() =>
      problem(409, "LOCK_HELD", "Run run-0 is running.", { runId: "run-2", activeRunId: "run-0" }),
    );
    const c = capture();
    expect(await runCli(["--api-url", api.apiUrl, "sync", TENANT, "--wait"], c.io())).toBe(3);
    expect(c.err).toContain("LOCK_HELD");
    expect(c.err).toContain("active run: run-0");
    expect(c.err).toContain("correlation id: server-side-id");
  });

  it("sync of an unregistered tenant exits 4 with a hint", async () => {
    const api = await startApi(() => problem(404, "TENANT_NOT_FOUND", "The tenant is not registered."));
    const c = capture();
    expect(await runCli(["--api-url", api.apiUrl, "sync", TENANT], c.io())).toBe(4);
    expect(c.err).toContain("TENANT_NOT_FOUND");
    expect(c.err).toContain("tenants add");
  });

  it("a 400 from the API exits 2 and shows its field errors", async () => {
    const api = await startApi(() =>
      problem(400, "INVALID_CONTINUATION_TOKEN", "The continuation token is not valid here", {
        errors: [{ path: "query.continuationToken", message: "not issued for this tenant" }],
      }),
    );
    const c = capture();
    expect(
      await runCli(["--api-url", api.apiUrl, "runs", TENANT, "--continuation-token", "bogus"], c.io()),
    ).toBe(2);
    expect(c.err).toContain("INVALID_CONTINUATION_TOKEN");
    expect(c.err).toContain("query.continuationToken: not issued for this tenant");
  });

  it("a bare 401 from a deployed app exits 1 and says to pass --key", async () => {
    const api = await startApi(() => ({ status: 401 }));
    const c = capture();
    expect(await runCli(["--api-url", api.apiUrl, "tenants", "list"], c.io())).toBe(1);
    expect(c.err).toContain("--key or set TENANT_INVENTORY_KEY");
  });

  it("--key on the command line wins over TENANT_INVENTORY_KEY", async () => {
    const api = await startApi(() => ({ status: 200, body: { items: [] } }));
    const c = capture();
    await runCli(
      ["tenants", "list", "--api-url", api.apiUrl, "--key", "flag-key"],
      c.io({ TENANT_INVENTORY_KEY: "env-key" }),
    );
    expect(api.requests[0]?.headers["x-functions-key"]).toBe("flag-key");
  });

  it("runs passes --limit, --status and --selection-hash as query and prints a table", async () => {
    const api = await startApi(() => ({
      status: 200,
      body: { items: [finished("success")], continuationToken: "next" },
    }));
    const c = capture();
    expect(
      await runCli(
        [
          "--api-url",
          api.apiUrl,
          "runs",
          TENANT,
          "--limit",
          "5",
          "--status",
          "success",
          "--selection-hash",
          HASH,
        ],
        c.io(),
      ),
    ).toBe(0);
    const q = api.requests[0]?.query;
    expect([q?.get("limit"), q?.get("status"), q?.get("selectionHash")]).toEqual(["5", "success", HASH]);
    expect(c.out).toMatch(/run-1\s+success\s+http/);
    expect(c.err).toContain("--continuation-token next");
  });

  it("items --all follows continuation tokens and keeps the filters on every page", async () => {
    const api = await startApi((req) =>
      req.query.get("continuationToken") === "p2"
        ? { status: 200, body: { items: [item(3)], continuationToken: null } }
        : { status: 200, body: { items: [item(1), item(2)], continuationToken: "p2" } },
    );
    const c = capture();
    const code = await runCli(
      [
        "--api-url",
        api.apiUrl,
        "items",
        TENANT,
        "--policy-type",
        "deviceConfiguration",
        "--q",
        "pol",
        "--all",
        "--json",
      ],
      c.io(),
    );
    expect(code).toBe(0);
    expect(api.requests).toHaveLength(2);
    for (const r of api.requests)
      expect([r.query.get("policyType"), r.query.get("q")]).toEqual(["deviceConfiguration", "pol"]);
    expect(api.requests[1]?.query.get("continuationToken")).toBe("p2");
    const printed = JSON.parse(c.out) as { items: { externalId: string }[]; continuationToken: null };
    expect(printed.items.map((i) => i.externalId)).toEqual(["ext-1", "ext-2", "ext-3"]);
    expect(printed.continuationToken).toBeNull();
  });

  it("items without --all prints one page and how to get the next", async () => {
    const api = await startApi(() => ({ status: 200, body: { items: [item(1)], continuationToken: "p2" } }));
    const c = capture();
    expect(
      await runCli(
        [
          "--api-url",
          api.apiUrl,
          "items",
          TENANT,
          "--category",
          "configuration",
          "--platform",
          "windows",
          "--limit",
          "1",
        ],
        c.io(),
      ),
    ).toBe(0);
    expect(api.requests).toHaveLength(1);
    expect([
      api.requests[0]?.query.get("category"),
      api.requests[0]?.query.get("platform"),
      api.requests[0]?.query.get("limit"),
    ]).toEqual(["configuration", "windows", "1"]);
    expect(c.out).toMatch(/deviceConfiguration\s+windows\s+Policy 1/);
    expect(c.err).toContain("--continuation-token p2");
  });

  it("items --missing sends the selection as comma lists and says how far to trust the answer", async () => {
    const api = await startApi(() => ({
      status: 200,
      body: {
        selectionHash: HASH,
        latestRun: {
          id: "run-1",
          status: "partial",
          hadErrors: true,
          finishedAt: "2024-05-01T12:00:13.000Z",
        },
        confidence: "low",
        items: [{ ...item(9), typeComplete: false }],
      },
    }));
    const c = capture();
    const code = await runCli(
      [
        "--api-url",
        api.apiUrl,
        "items",
        TENANT,
        "--missing",
        "--policy-types",
        "mobileApp,deviceConfiguration",
        "--foundations",
      ],
      c.io(),
    );
    expect(code).toBe(0);
    expect(api.requests[0]?.path).toBe(`/api/tenants/${TENANT}/inventory/missing`);
    expect(api.requests[0]?.query.get("policyTypes")).toBe("mobileApp,deviceConfiguration");
    expect(api.requests[0]?.query.get("includeFoundations")).toBe("true");
    expect(api.requests[0]?.query.has("categories")).toBe(false);
    expect(c.out).toContain("confidence low");
    expect(c.out).toMatch(/Policy 9.*\bno$/m);
  });
});
