/**
 * The local host as a web page would attack it (DNS rebinding, cross-site POSTs) and at the edges
 * of HTTP (HEAD, OPTIONS, oversize headers, malformed requests). Raw node:http requests, because
 * fetch will not let a test choose the Host header or send a broken request line.
 */
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalHost } from "../../../../local/host/localHost";
import { CONTOSO, expectProblem, http, startE2eHost, syncUrl } from "../../../support/hostFixture";
import type { E2eHost, HttpAnswer } from "../../../support/hostFixture";

let e2e: E2eHost;
beforeAll(async () => {
  e2e = await startE2eHost();
});
afterAll(async () => {
  await e2e?.close();
});

/** One request with exactly these headers (Host included) and target. */
function raw(
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: string,
): Promise<HttpAnswer> {
  const port = new URL(e2e.baseUrl).port;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, method, path: target, headers, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") h.set(k, v);
          let parsed: unknown;
          try {
            parsed = text === "" ? undefined : JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: h, text, body: parsed });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Bytes straight onto the socket; the answer as text. */
function socketExchange(bytes: string): Promise<string> {
  const port = Number(new URL(e2e.baseUrl).port);
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(bytes));
    let text = "";
    socket.on("data", (c: Buffer) => (text += c.toString("utf8")));
    socket.on("close", () => resolve(text));
    socket.on("error", reject);
  });
}

const hostHeader = () => new URL(e2e.baseUrl).host;
const tenantsPath = "/api/tenants";
const other = "0b6e1c9a-1111-4222-8333-944455556666";

describe("a local host no web page can drive", () => {
  it("answers only to loopback Host names: a rebound name gets 421 HOST_NOT_ALLOWED for reads and writes alike", async () => {
    const rebound = { host: "rebind.attacker.example" };
    expectProblem(await raw("GET", tenantsPath, rebound), 421, "HOST_NOT_ALLOWED");
    expectProblem(
      await raw(
        "PUT",
        `${tenantsPath}/${other}`,
        { ...rebound, "content-type": "application/json" },
        '{"displayName":"x"}',
      ),
      421,
      "HOST_NOT_ALLOWED",
    );
    expectProblem(await raw("DELETE", `${tenantsPath}/${CONTOSO}`, rebound), 421, "HOST_NOT_ALLOWED");
    expectProblem(
      await raw("POST", "/admin/functions/nightlySyncTimer", {
        ...rebound,
        "content-type": "application/json",
      }),
      421,
      "HOST_NOT_ALLOWED",
    );
    expectProblem(await raw("GET", tenantsPath, {}), 421, "HOST_NOT_ALLOWED");
    // Still registered: the DELETE above never reached a handler.
    expect((await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}`)).status).toBe(200);
    const port = new URL(e2e.baseUrl).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, "localhost"]) {
      expect((await raw("GET", tenantsPath, { host })).status, host).toBe(200);
    }
  });

  it("refuses every state-changing request from another origin with 403 ORIGIN_NOT_ALLOWED; its own origin and origin-less tools pass", async () => {
    const json = { "content-type": "application/json" };
    for (const origin of ["https://evil.example", "null", "http://127.0.0.1:1"]) {
      expectProblem(
        await http("POST", syncUrl(e2e.baseUrl, CONTOSO), { json: {}, headers: { origin } }),
        403,
        "ORIGIN_NOT_ALLOWED",
      );
      expectProblem(
        await http("PUT", `${e2e.baseUrl}/tenants/${other}`, {
          json: { displayName: "x" },
          headers: { origin },
        }),
        403,
        "ORIGIN_NOT_ALLOWED",
      );
      expectProblem(
        await http("DELETE", `${e2e.baseUrl}/tenants/${CONTOSO}`, { headers: { origin } }),
        403,
        "ORIGIN_NOT_ALLOWED",
      );
      expectProblem(
        await raw("POST", "/admin/functions/nightlySyncTimer", { host: hostHeader(), origin, ...json }),
        403,
        "ORIGIN_NOT_ALLOWED",
      );
    }
    expectProblem(
      await http("DELETE", `${e2e.baseUrl}/tenants/${CONTOSO}`, {
        headers: { "sec-fetch-site": "cross-site" },
      }),
      403,
      "ORIGIN_NOT_ALLOWED",
    );
    // Reads carry no CORS headers, so a foreign page cannot read them anyway; they are served.
    expect(
      (await http("GET", `${e2e.baseUrl}/tenants`, { headers: { origin: "https://evil.example" } })).status,
    ).toBe(200);
    const own = await http("PUT", `${e2e.baseUrl}/tenants/${other}`, {
      json: { displayName: "Own origin" },
      headers: { origin: e2e.host.origin },
    });
    expect(own.status, own.text).toBe(201);
    const port = new URL(e2e.baseUrl).port;
    const alias = await http("PUT", `${e2e.baseUrl}/tenants/${other}`, {
      json: { displayName: "Alias" },
      headers: { origin: `http://localhost:${port}` },
    });
    expect(alias.status, alias.text).toBe(200);
    expect((await http("DELETE", `${e2e.baseUrl}/tenants/${other}`)).status).toBe(204);
  });

  it("requires application/json on every POST and PUT, an empty body too: form and text posts get 415 (API and admin endpoint)", async () => {
    const host = hostHeader();
    for (const contentType of [
      undefined,
      "application/x-www-form-urlencoded",
      "text/plain",
      "multipart/form-data; boundary=x",
    ]) {
      const headers: Record<string, string> = { host, ...(contentType && { "content-type": contentType }) };
      expectProblem(
        await raw("POST", `/api/tenants/${CONTOSO}/inventory/sync`, headers),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
      );
      expectProblem(
        await raw("POST", "/admin/functions/nightlySyncTimer", headers),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
      );
      expectProblem(
        await raw("PUT", `/api/tenants/${other}`, headers, contentType ? "displayName=x" : undefined),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
      );
    }
    expect((await http("GET", `${e2e.baseUrl}/tenants/${other}`)).status).toBe(404);
  });

  it("builds Location and OpenAPI servers from its own address, never from the Host or an absolute-form target", async () => {
    const port = new URL(e2e.baseUrl).port;
    const accepted = await raw(
      "POST",
      `http://localhost:${port}/api/tenants/${CONTOSO}/inventory/sync`,
      { host: `localhost:${port}`, "content-type": "application/json" },
      '{"categories":["updates"]}',
    );
    expect(accepted.status, accepted.text).toBe(202);
    expect(accepted.headers.get("location")).toBe(
      `${e2e.host.origin}/api/tenants/${CONTOSO}/inventory/runs/${accepted.body.runId}`,
    );
    const doc = await raw("GET", "/api/openapi.json", { host: `localhost:${port}` });
    expect(doc.body.servers).toEqual([{ url: `${e2e.host.origin}/api` }]);
  });

  it("with PUBLIC_BASE_URL, Location and OpenAPI servers use it, and its host name is served", async () => {
    const host = await startLocalHost({
      port: 0,
      env: { PUBLIC_BASE_URL: "https://inventory.contoso.example" },
      demoTenants: [],
    });
    try {
      const put = await http("PUT", `${host.baseUrl}/tenants/${other}`, { json: { displayName: "Public" } });
      expect(put.status, put.text).toBe(201);
      expect(put.headers.get("location")).toBe(`https://inventory.contoso.example/api/tenants/${other}`);
      const doc = await http("GET", `${host.baseUrl}/openapi.json`);
      expect(doc.body.servers).toEqual([{ url: "https://inventory.contoso.example/api" }]);
      const state = await http("PUT", `${host.baseUrl}/tenants/${other}`, {
        json: { displayName: "Proxied" },
        headers: { origin: "https://inventory.contoso.example" },
      });
      expect(state.status, state.text).toBe(200);
    } finally {
      await host.close();
    }
  });

  it("never prints credentials embedded in a configured URL in the banner", async () => {
    // Nothing answers on port 9: the simulator-mode URL is only shown, never called during start-up.
    const host = await startLocalHost({
      port: 0,
      env: {
        GRAPH_AUTH_MODE: "simulator",
        GRAPH_BASE_URL: "http://graph-user:S3cr3tPassw0rd@127.0.0.1:9/graph?sig=s1gnature&code=abc",
      },
      demoTenants: [],
    });
    try {
      const banner = host.banner();
      expect(banner).toContain("127.0.0.1:9/graph");
      for (const leaked of ["S3cr3tPassw0rd", "graph-user", "s1gnature", "code=abc"])
        expect(banner).not.toContain(leaked);
    } finally {
      await host.close();
    }
  });
});

describe("HTTP edges of the local host", () => {
  it("serves HEAD for every GET route: the GET's status and headers, no body", async () => {
    for (const path of [
      "/health",
      "/tenants",
      `/tenants/${CONTOSO}`,
      `/tenants/${CONTOSO}/inventory/items`,
      "/openapi.json",
    ]) {
      const get = await http("GET", `${e2e.baseUrl}${path}`);
      const head = await http("HEAD", `${e2e.baseUrl}${path}`);
      expect(head.status, path).toBe(get.status);
      expect(head.text, path).toBe("");
      expect(head.headers.get("content-type"), path).toBe(get.headers.get("content-type"));
      expect(Number(head.headers.get("content-length")), path).toBeGreaterThan(0);
    }
    expectProblem(await http("GET", `${e2e.baseUrl}/tenants/not-a-guid`), 400, "VALIDATION_FAILED");
    expect((await http("HEAD", `${e2e.baseUrl}/tenants/not-a-guid`)).status).toBe(400);
  });

  it("answers OPTIONS with 204 and the allowed methods", async () => {
    const tenant = await http("OPTIONS", `${e2e.baseUrl}/tenants/${CONTOSO}`);
    expect(tenant.status).toBe(204);
    expect(tenant.headers.get("allow")?.split(", ").sort()).toEqual([
      "DELETE",
      "GET",
      "HEAD",
      "OPTIONS",
      "PUT",
    ]);
    expect((await http("OPTIONS", syncUrl(e2e.baseUrl, CONTOSO))).headers.get("allow")).toBe("POST, OPTIONS");
    expect(
      (await http("OPTIONS", `${e2e.host.origin}/admin/functions/nightlySyncTimer`)).headers.get("allow"),
    ).toBe("POST, OPTIONS");
    expectProblem(await http("OPTIONS", `${e2e.baseUrl}/no/such/route`), 404, "ROUTE_NOT_FOUND");
  });

  it("reads the documented 24,000-character continuation token: a 400 INVALID_CONTINUATION_TOKEN from the route, not a bare 431", async () => {
    const token = "A".repeat(24_000);
    const answer = await http(
      "GET",
      `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/items?continuationToken=${token}`,
    );
    expectProblem(answer, 400, "INVALID_CONTINUATION_TOKEN");
  });

  it("answers headers over its limit with 431 HEADERS_TOO_LARGE and a malformed request with 400 VALIDATION_FAILED, both problem+json", async () => {
    const huge = await socketExchange(
      `GET /api/health HTTP/1.1\r\nHost: ${hostHeader()}\r\nX-Big: ${"b".repeat(100_000)}\r\n\r\n`,
    );
    expect(huge).toMatch(/^HTTP\/1\.1 431/);
    expect(huge).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(huge.slice(huge.indexOf("\r\n\r\n") + 4))).toMatchObject({
      status: 431,
      code: "HEADERS_TOO_LARGE",
    });

    const broken = await socketExchange("NOT A REQUEST\r\n\r\n");
    expect(broken).toMatch(/^HTTP\/1\.1 400/);
    expect(JSON.parse(broken.slice(broken.indexOf("\r\n\r\n") + 4))).toMatchObject({
      status: 400,
      code: "VALIDATION_FAILED",
    });
  });
});
