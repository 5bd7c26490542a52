import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normaliseAssignments } from "../../../../shared/domain";
import type { InventoryItem, PolicyTypeKey } from "../../../../shared/domain";
import { CONTOSO, FABRIKAM, expectProblem, followLocation, http, startE2eHost, syncUrl } from "../../../support/hostFixture";
import type { E2eHost } from "../../../support/hostFixture";
import { runCli } from "../../../../cli/main";
import { ExitCode } from "../../../../cli/exitCodes";

/**
 * One item and dependency lookups over real HTTP: the local host, its embedded Graph simulator
 * (which serves assignments as Graph does) and the Cosmos-compatible store.
 */
let e2e: E2eHost;
let items: InventoryItem[] = [];
beforeAll(async () => {
  e2e = await startE2eHost();
  const accepted = await http("POST", syncUrl(e2e.baseUrl, CONTOSO), { json: { includeFoundations: true } });
  expect(accepted.status, accepted.text).toBe(202);
  const followed = await followLocation(accepted.headers.get("location")!);
  expect(followed.final.body.status).toBe("success");
  items = await allPages(`${e2e.baseUrl}/tenants/${CONTOSO}/inventory/items`);
});
afterAll(async () => {
  await e2e?.close();
});

async function allPages(url: string, limit = 200): Promise<InventoryItem[]> {
  const out: InventoryItem[] = [];
  let token: string | null = null;
  do {
    const page = new URL(url);
    page.searchParams.set("limit", String(limit));
    if (token) page.searchParams.set("continuationToken", token);
    const answer = await http("GET", page.href);
    expect(answer.status, answer.text).toBe(200);
    out.push(...answer.body.items);
    token = answer.body.continuationToken;
  } while (token);
  return out;
}

const itemUrl = (tenantId: string, id: string) => `${e2e.baseUrl}/tenants/${tenantId}/inventory/items/${encodeURIComponent(id)}`;
const depsUrl = (query: string) => `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/dependencies?${query}`;
const ids = (list: InventoryItem[]) => list.map((i) => i.id).sort();

describe("GET …/inventory/items/{itemId}", () => {
  it("returns the item as the list serves it, with its assignments", async () => {
    const item = items.find((i) => i.policyType === "mobileApp")!;
    const answer = await http("GET", itemUrl(CONTOSO, item.id));
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual(item);
    expect(answer.body.assignments.status).toBe("known");
  });

  it("serves the assignments Graph holds for an expand type, a per-object type and the intents (whose expand lies)", async () => {
    const host = e2e.host.stack.simulator!;
    for (const type of ["deviceConfiguration", "iosManagedAppProtection", "deviceEnrollmentConfiguration", "endpointSecurityIntent"] as PolicyTypeKey[]) {
      const graph = host.control.objects(CONTOSO, type) as { id: string; assignments: unknown }[];
      for (const obj of graph) {
        const item = items.find((i) => i.policyType === type && i.externalId === obj.id)!;
        const answer = await http("GET", itemUrl(CONTOSO, item.id));
        expect(answer.body.assignments, `${type} ${obj.id}`).toEqual(normaliseAssignments(obj.assignments));
      }
    }
  });

  it("a type without assignments says notApplicable", async () => {
    const filter = items.find((i) => i.policyType === "assignmentFilter")!;
    expect((await http("GET", itemUrl(CONTOSO, filter.id))).body.assignments).toEqual({ status: "notApplicable", targets: [] });
  });

  it("404 ITEM_NOT_FOUND for an id that is not stored, and for another tenant's item; 400 for an id no item can have", async () => {
    expectProblem(await http("GET", itemUrl(CONTOSO, "deviceConfiguration.doesNotExist")), 404, "ITEM_NOT_FOUND");
    expectProblem(await http("GET", itemUrl(FABRIKAM, items[0]!.id)), 404, "ITEM_NOT_FOUND");
    expectProblem(await http("GET", itemUrl(CONTOSO, "a b#c")), 400, "VALIDATION_FAILED", "path.itemId");
    expectProblem(await http("GET", itemUrl("not-a-tenant", items[0]!.id)), 400, "VALIDATION_FAILED");
    expectProblem(await http("GET", itemUrl("99999999-9999-4999-8999-999999999999", items[0]!.id)), 404, "TENANT_NOT_FOUND");
  });
});

describe("GET …/inventory/dependencies", () => {
  const targets = (i: InventoryItem) => (i.assignments?.status === "known" ? i.assignments.targets : []);

  it("by group: exactly the items with the group among their assignment targets (include or exclude)", async () => {
    const groups = new Set(items.flatMap((i) => targets(i).map((t) => t.groupId)).filter((g): g is string => g !== null));
    expect(groups.size).toBeGreaterThan(1);
    for (const group of groups) {
      const expected = items.filter((i) => targets(i).some((t) => t.groupId === group));
      expect(ids(await allPages(depsUrl(`groupId=${group}`))), group).toEqual(ids(expected));
      // Group ids are GUIDs: Graph compares them case-insensitively, so does the lookup.
      expect(ids(await allPages(depsUrl(`groupId=${group.toUpperCase()}`)))).toEqual(ids(expected));
    }
    const excluded = items.filter((i) => targets(i).some((t) => t.intent === "exclude"));
    expect(excluded.length).toBeGreaterThan(0);
  });

  it("by filter: the items whose assignments use it, in include or exclude mode", async () => {
    const filters = new Set(items.flatMap((i) => targets(i).map((t) => t.filterId)).filter((f): f is string => f !== null));
    expect(filters.size).toBeGreaterThan(0);
    for (const filter of filters) {
      const expected = items.filter((i) => targets(i).some((t) => t.filterId === filter));
      expect(ids(await allPages(depsUrl(`filterId=${filter}`)))).toEqual(ids(expected));
    }
  });

  it("by scope tag: the items tagged with it (scope tags live in meta)", async () => {
    const tagged = (tag: string) =>
      items.filter((i) => ((i.meta.roleScopeTagIds ?? i.meta.roleScopeTags ?? []) as string[]).includes(tag));
    expect(ids(await allPages(depsUrl("scopeTagId=0")))).toEqual(ids(tagged("0")));
    expect(tagged("0").length).toBeGreaterThan(10);
  });

  it("an unknown id is an empty page, not an error", async () => {
    const answer = await http("GET", depsUrl("groupId=00000000-0000-4000-8000-000000000000"));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ items: [], continuationToken: null });
  });

  it("pages with continuation tokens bound to tenant and query", async () => {
    const all = await allPages(depsUrl("scopeTagId=0"));
    const paged = await allPages(depsUrl("scopeTagId=0"), 7);
    expect(ids(paged)).toEqual(ids(all));
    const first = await http("GET", depsUrl("scopeTagId=0&limit=3"));
    const token = first.body.continuationToken as string;
    expect(token).toEqual(expect.any(String));
    // The same token for another query, another tenant or the items list is refused.
    expectProblem(await http("GET", depsUrl(`scopeTagId=1&continuationToken=${token}`)), 400, "INVALID_CONTINUATION_TOKEN");
    expectProblem(await http("GET", `${e2e.baseUrl}/tenants/${FABRIKAM}/inventory/dependencies?scopeTagId=0&continuationToken=${token}`), 400, "INVALID_CONTINUATION_TOKEN");
    expectProblem(await http("GET", `${e2e.baseUrl}/tenants/${CONTOSO}/inventory/items?continuationToken=${token}`), 400, "INVALID_CONTINUATION_TOKEN");
  });

  it("400 VALIDATION_FAILED unless exactly one well-formed id is given", async () => {
    expectProblem(await http("GET", depsUrl("")), 400, "VALIDATION_FAILED");
    expectProblem(await http("GET", depsUrl("groupId=00000000-0000-4000-8000-000000000000&scopeTagId=0")), 400, "VALIDATION_FAILED");
    expectProblem(await http("GET", depsUrl("groupId=Sales%20team")), 400, "VALIDATION_FAILED", "query.groupId");
    expectProblem(await http("GET", depsUrl("filterId=1")), 400, "VALIDATION_FAILED", "query.filterId");
    expectProblem(await http("GET", depsUrl("scopeTagId=Default")), 400, "VALIDATION_FAILED", "query.scopeTagId");
    expectProblem(await http("GET", depsUrl("scopeTagId=0&limit=0")), 400, "VALIDATION_FAILED", "query.limit");
    expectProblem(await http("GET", depsUrl("scopeTagId=0&policyType=mobileApp")), 400, "VALIDATION_FAILED");
  });
});

describe("the CLI: item and dependencies", () => {
  async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await runCli(argv, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: { TENANT_INVENTORY_API_URL: e2e.baseUrl },
      sleep: () => Promise.resolve(),
    });
    return { code, stdout, stderr };
  }

  it("item by id or by policy type + Graph id: the item and where it is applied", async () => {
    const item = items.find((i) => i.assignments?.targets.some((t) => t.kind === "group"))!;
    const json = await cli("item", CONTOSO, item.id, "--format", "json");
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(item);
    const table = await cli("item", CONTOSO, "--policy-type", item.policyType, "--external-id", item.externalId);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain(item.displayName);
    expect(table.stdout).toMatch(/TARGET\s+GROUP\s+INTENT\s+APP INTENT\s+FILTER\s+FILTER MODE/);
    for (const target of item.assignments!.targets) if (target.groupId) expect(table.stdout).toContain(target.groupId);
  });

  it("item says plainly when the assignments are not applicable, and maps a missing item to its exit code", async () => {
    const filter = items.find((i) => i.policyType === "assignmentFilter")!;
    expect((await cli("item", CONTOSO, filter.id)).stdout).toContain("Assignments: this type has none.");
    const missing = await cli("item", CONTOSO, "deviceConfiguration.doesNotExist");
    expect(missing.code).toBe(ExitCode.notFound);
    expect(missing.stderr).toContain("ITEM_NOT_FOUND");
  });

  it("dependencies --group lists the items assigned to the group and how; --all --format json is the API's list", async () => {
    const group = items.flatMap((i) => i.assignments?.targets ?? []).find((t) => t.groupId !== null)!.groupId!;
    const expected = await allPages(depsUrl(`groupId=${group}`));
    const table = await cli("dependencies", CONTOSO, "--group", group, "--all");
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/POLICY TYPE\s+PLATFORM\s+DISPLAY NAME\s+VIA\s+ID/);
    expect(table.stdout).toContain(`${expected.length} item${expected.length === 1 ? "" : "s"}`);
    const json = await cli("dependencies", CONTOSO, "--group", group, "--all", "--format", "json");
    expect(ids(JSON.parse(json.stdout).items)).toEqual(ids(expected));
    const byTag = await cli("dependencies", CONTOSO, "--scope-tag", "0", "--limit", "5");
    expect(byTag.code).toBe(0);
    expect(byTag.stderr).toContain("More items: add --all");
  });

  it("dependencies refuses no target, two targets, and ids that are not ids, before any request", async () => {
    for (const argv of [[], ["--group", "00000000-0000-4000-8000-000000000000", "--scope-tag", "0"], ["--group", "Sales"], ["--scope-tag", "Default"]]) {
      const answer = await cli("dependencies", CONTOSO, ...argv);
      expect(answer.code, argv.join(" ")).toBe(ExitCode.usage);
    }
  });
});
