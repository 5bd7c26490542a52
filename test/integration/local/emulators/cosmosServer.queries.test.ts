/**
 * The Cosmos-compatible stand-in (`@vercel/cosmosdb-server` with the patches in `patches/`)
 * answers the query shapes the stores send as Cosmos DB does: a query with a partition key sees
 * that logical partition only, cross-partition queries see every partition, ORDER BY and
 * continuation tokens page without a gap or a repeat, aggregates count what they should.
 *
 * Why the patches exist (docs/performance.md, "Compare and drift"): unpatched, the server
 * evaluated every query over the whole container, whatever the partition key, through generated
 * code that copied its candidate list once per document (O(n²) in the container's size), and
 * evaluated each query a second time for the query plan the SDK asks for beside it. Timing is the
 * bench's business (`npm run bench:compare`); these tests pin the behaviour.
 */
import https from "node:https";
import { CosmosClient } from "@azure/cosmos";
import type { Container } from "@azure/cosmos";
import cosmosQuery from "@zeit/cosmosdb-query";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COSMOS_SERVER_KEY, loopbackCosmosAgent, startCosmosServer } from "../../../../local/emulators/cosmosServer";
import type { RunningCosmosServer } from "../../../../local/emulators/cosmosServer";

const TENANTS = 40;
const PER_TENANT = 25;
const tenantId = (n: number) => `tenant-${String(n).padStart(2, "0")}`;

interface Doc {
  id: string;
  tenantId: string;
  n: number;
  tags: string[];
}

describe("the Cosmos-compatible stand-in's queries", () => {
  let server: RunningCosmosServer;
  let container: Container;
  const queried: { partitionKey: unknown; plan: boolean }[] = [];

  beforeAll(async () => {
    server = await startCosmosServer({
      onRequest: (method, path, headers) => {
        if (method === "POST" && path.endsWith("/docs") && headers["x-ms-documentdb-isquery"] !== undefined)
          queried.push({ partitionKey: headers["x-ms-documentdb-partitionkey"], plan: false });
        if (method === "POST" && headers["x-ms-cosmos-is-query-plan-request"] !== undefined)
          queried.push({ partitionKey: headers["x-ms-documentdb-partitionkey"], plan: true });
      },
    });
    const client = new CosmosClient({ endpoint: server.endpoint, key: COSMOS_SERVER_KEY, agent: loopbackCosmosAgent(server.endpoint) });
    const { database } = await client.databases.createIfNotExists({ id: "stand-in-queries" });
    ({ container } = await database.containers.createIfNotExists({ id: "items", partitionKey: { paths: ["/tenantId"] } }));
    const docs: Doc[] = [];
    for (let t = 0; t < TENANTS; t++)
      for (let i = 0; i < PER_TENANT; i++)
        docs.push({ id: `item-${String(i).padStart(3, "0")}`, tenantId: tenantId(t), n: i, tags: i % 5 === 0 ? ["gold", `t${t}`] : [] });
    // Same ids in every partition: only the partition key tells them apart, as in the item store.
    for (let i = 0; i < docs.length; i += 100)
      await Promise.all(docs.slice(i, i + 100).map((doc) => container.items.create(doc)));
  }, 120_000);

  /** One query request as the SDK sends it (cross-partition, no partition key), `extra` headers added. */
  async function postQuery(query: string, extra: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = https.request(
        `${server.endpoint}/dbs/stand-in-queries/colls/items/docs`,
        {
          method: "POST",
          agent: loopbackCosmosAgent(server.endpoint),
          headers: {
            "content-type": "application/query+json",
            "x-ms-documentdb-isquery": "True",
            "x-ms-documentdb-query-enablecrosspartition": "True",
            ...extra,
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      request.on("error", reject);
      request.end(JSON.stringify({ query, parameters: [] }));
    });
    return { status: response.status, body: JSON.parse(response.text) as Record<string, unknown> };
  }

  afterAll(async () => {
    await server?.stop();
  });

  it("evaluates a query with a partition key over that logical partition only, whatever its WHERE clause", async () => {
    const { resources } = await container.items
      .query<Doc>("SELECT * FROM c WHERE c.n >= 0", { partitionKey: tenantId(7) })
      .fetchAll();
    expect(resources).toHaveLength(PER_TENANT);
    expect(new Set(resources.map((doc) => doc.tenantId))).toEqual(new Set([tenantId(7)]));
  });

  it("counts one partition's documents with a partition-scoped COUNT", async () => {
    const { resources } = await container.items
      .query<number>("SELECT VALUE COUNT(1) FROM c", { partitionKey: tenantId(3) })
      .fetchAll();
    expect(resources).toEqual([PER_TENANT]);
    const filtered = await container.items
      .query<number>({ query: "SELECT VALUE COUNT(1) FROM c WHERE c.tenantId = @t AND c.n < 10", parameters: [{ name: "@t", value: tenantId(3) }] }, { partitionKey: tenantId(3) })
      .fetchAll();
    expect(filtered.resources).toEqual([10]);
  });

  it("finds nothing for a partition key no document has", async () => {
    const { resources } = await container.items.query<Doc>("SELECT * FROM c", { partitionKey: "no-such-tenant" }).fetchAll();
    expect(resources).toEqual([]);
  });

  it("still reads every partition in a cross-partition query", async () => {
    const { resources } = await container.items
      .query<{ tenantId: string }>({ query: "SELECT c.tenantId FROM c WHERE ARRAY_CONTAINS(@ids, c.tenantId)", parameters: [{ name: "@ids", value: [tenantId(1), tenantId(2), tenantId(39)] }] })
      .fetchAll();
    expect(resources).toHaveLength(3 * PER_TENANT);
    const all = await container.items.query<number>("SELECT VALUE COUNT(1) FROM c").fetchAll();
    expect(all.resources).toEqual([TENANTS * PER_TENANT]);
  });

  it("pages a partition-scoped ORDER BY query with continuation tokens: every item once, in order", async () => {
    const ids: string[] = [];
    let continuationToken: string | undefined;
    let pages = 0;
    do {
      const iterator = container.items.query<Doc>("SELECT * FROM c ORDER BY c.id DESC", {
        partitionKey: tenantId(11),
        maxItemCount: 4,
        ...(continuationToken ? { continuationToken } : {}),
      });
      const page = await iterator.fetchNext();
      ids.push(...page.resources.map((doc) => `${doc.tenantId}/${doc.id}`));
      continuationToken = page.continuationToken;
      pages++;
    } while (continuationToken && pages < 50);
    const expected = Array.from({ length: PER_TENANT }, (_, i) => `${tenantId(11)}/item-${String(i).padStart(3, "0")}`).reverse();
    expect(ids).toEqual(expected);
    expect(pages).toBe(Math.ceil(PER_TENANT / 4));
  });

  it("joins into arrays and keeps documents without them out of the join", async () => {
    const { resources } = await container.items
      .query<{ id: string; tag: string }>("SELECT c.id, t AS tag FROM c JOIN t IN c.tags WHERE t != 'gold'", { partitionKey: tenantId(5) })
      .fetchAll();
    expect(resources.map((row) => row.tag)).toEqual(Array(PER_TENANT / 5).fill("t5"));
  });

  it("refuses a query with a syntax error with a 400, never a 5xx", async () => {
    await expect(container.items.query("SELECT FROM WHERE", { partitionKey: tenantId(1) }).fetchAll()).rejects.toMatchObject({ code: 400 });
  });

  it("sends the partition key the query is scoped by, and asks for a query plan beside it", async () => {
    queried.length = 0;
    await container.items.query("SELECT * FROM c", { partitionKey: tenantId(9) }).fetchAll();
    expect(queried).toContainEqual({ partitionKey: JSON.stringify([tenantId(9)]), plan: false });
    expect(queried.filter((q) => q.plan)).toHaveLength(1);
  });

  it("answers a query-plan request without evaluating the query (the SDK discards the answer), a syntax error still a 400", async () => {
    const plan = await postQuery("SELECT * FROM c", { "x-ms-cosmos-is-query-plan-request": "True" });
    expect(plan).toMatchObject({ status: 200, body: { Documents: [], _count: 0 } });
    const query = await postQuery("SELECT * FROM c", {});
    expect(query).toMatchObject({ status: 200, body: { _count: TENANTS * PER_TENANT } });
    expect((await postQuery("SELECT FROM WHERE", { "x-ms-cosmos-is-query-plan-request": "True" })).status).toBe(400);
  });

  it("generates query code that appends to its candidate list instead of copying it per document", () => {
    const code = cosmosQuery("SELECT c.id, t FROM c JOIN t IN c.tags WHERE c.tenantId = @t ORDER BY c.id").code;
    expect(code).toContain("$h.pushAll($");
    expect(code).not.toMatch(/\[\s*\.\.\.\$\s*,/);
  });
});
