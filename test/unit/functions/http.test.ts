import { HttpRequest } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { ApiProblem } from "../../../shared/http/problem";
import { API_ROUTES } from "../../../shared/http/routes/index";
import { toApiRequest, toHttpResponseInit } from "../../../functions/http";
import { TENANT, createWorld, servicesOf, requestEnv, testSettings } from "../../support/httpFakes";

const syncUrl = `https://app.example.net/api/tenants/${TENANT}/inventory/sync?code=key`;

describe("Functions adapter (HttpRequest ⇄ ApiRequest/ApiResponse)", () => {
  it("lower-cases headers and carries url, params, query and the body", async () => {
    const request = new HttpRequest({
      method: "POST",
      url: syncUrl,
      headers: { "Content-Type": "application/json", "X-Correlation-Id": "abc" },
      params: { tenantId: TENANT },
      body: { string: '{"categories":["apps"]}' },
    });
    const api = toApiRequest(request);
    expect(api.headers["content-type"]).toBe("application/json");
    expect(api.headers["x-correlation-id"]).toBe("abc");
    expect(api.params).toEqual({ tenantId: TENANT });
    expect(api.query.get("code")).toBe("key");
    expect(api.url).toBe(syncUrl);
    expect(await api.bodyText()).toBe('{"categories":["apps"]}');
  });

  it("stops reading a body over the limit with PAYLOAD_TOO_LARGE", async () => {
    const request = new HttpRequest({ method: "POST", url: syncUrl, body: { bytes: new Uint8Array(70 * 1024).fill(0x20) } });
    const error: unknown = await toApiRequest(request).bodyText().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiProblem);
    expect(error).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });

  it("serialises the body itself so problem+json keeps its content type; 204 has no body", () => {
    const init = toHttpResponseInit({ status: 400, headers: { "content-type": "application/problem+json" }, body: { code: "X" } });
    expect(init).toEqual({ status: 400, headers: { "content-type": "application/problem+json" }, body: '{"code":"X"}' });
    expect(toHttpResponseInit({ status: 204, headers: {} })).toEqual({ status: 204, headers: {} });
  });

  it("runs a route end to end: HttpRequest in, 202 HttpResponseInit with Location out", async () => {
    const world = createWorld();
    const route = API_ROUTES.find((r) => r.name === "inventorySyncStart")!;
    const request = new HttpRequest({ method: "POST", url: syncUrl, params: { tenantId: TENANT }, headers: { "content-type": "application/json" } });
    // In Azure the platform sets WEBSITE_HOSTNAME; Location is built from it, not from the request.
    const settings = testSettings({ PUBLIC_BASE_URL: "", WEBSITE_HOSTNAME: "app.example.net" });
    const init = toHttpResponseInit(await route.handler(toApiRequest(request), requestEnv(servicesOf(world, settings))));
    expect(init.status).toBe(202);
    expect((init.headers as Record<string, string>).location).toBe(`https://app.example.net/api/tenants/${TENANT}/inventory/runs/run-1`);
    expect(JSON.parse(init.body as string)).toMatchObject({ runId: "run-1", status: "queued" });
  });
});
