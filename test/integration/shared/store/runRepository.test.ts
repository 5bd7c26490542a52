import { afterAll, describe, expect, it } from "vitest";
import { finish, normaliseSelection, startRunning, safeMessage, selectionHash } from "../../../../shared/domain";
import { claimDocumentId } from "../../../../shared/store";
import { createTestStores, newTenantId } from "../../../support/stores";
import { queuedRun, skippedRun } from "../../../support/runs";

const stores = createTestStores();
afterAll(() => stores.dispose());
const S = normaliseSelection({ policyTypes: ["deviceConfiguration"] });
const hash = selectionHash(S);

const SECRETS = {
  jwt: "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0aWQiOiJ0ZW5hbnQiLCJzdWIiOiJhcHAifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
  clientSecret: "Qx8Q~fakeFakeFake0123456789abcdefGHIJ",
  bearer: "AbCdEf0123456789tokenvalue",
  sig: "k3yS1gn4tur3%2Bvalue%3D",
  accountKey: "c2VjcmV0LWFjY291bnQta2V5LXZhbHVlLTAxMjM0NTY3ODk=",
};
const leakyMessage =
  `AADSTS7000215: Invalid client secret provided. client_assertion=${SECRETS.jwt}&client_secret=${SECRETS.clientSecret} ` +
  `Authorization: Bearer ${SECRETS.bearer} url=https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=${SECRETS.sig} ` +
  `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${SECRETS.accountKey};EndpointSuffix=core.windows.net`;

async function rawDocument(tenantId: string, id: string): Promise<string> {
  const { runs } = await stores.containers();
  const { resource } = await runs.item(id, tenantId).read();
  return JSON.stringify(resource);
}

describe("run repository", () => {
  it("never persists a token or secret that appeared in an error message", async () => {
    const tenantId = newTenantId();
    const skipped = await stores.runs.create(skippedRun(tenantId, S, "2025-01-01T00:00:00.000Z", {
      code: "CREDENTIAL_UNAVAILABLE",
      message: leakyMessage,
    }));
    const queued = await stores.runs.create(queuedRun(tenantId, S, "2025-01-02T00:00:00.000Z"));
    const at = "2025-01-02T00:00:01.000Z";
    const forbidden = {
      policyType: "deviceConfiguration" as const,
      status: "failed" as const,
      itemsObserved: 0,
      itemsUpserted: 0,
      itemsInvalid: 0,
      itemsCreated: 0,
      pages: 0,
      errorCode: "GRAPH_FORBIDDEN" as const,
      // Even a caller that forgot safeMessage cannot persist the raw text.
      errorMessage: leakyMessage.slice(0, 600),
      durationMs: 1,
    };
    await stores.runs.update(tenantId, queued.id, (r) =>
      finish(r, [forbidden], at, { code: "CREDENTIAL_UNAVAILABLE", message: safeMessage(leakyMessage) }),
    );
    for (const id of [skipped.id, queued.id]) {
      const raw = await rawDocument(tenantId, id);
      expect(raw).toContain("AADSTS7000215");
      for (const [name, secret] of Object.entries(SECRETS)) expect(raw, name).not.toContain(secret);
    }
  });

  it("never loses an update when concurrent updaters race on the same run", async () => {
    const tenantId = newTenantId();
    const run = await stores.runs.create(queuedRun(tenantId, S, "2025-01-01T00:00:00.000Z"));
    const n = 12;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        stores.runs.update(tenantId, run.id, (r) => ({
          ...r,
          counts: { ...r.counts, itemsObserved: r.counts.itemsObserved + 1 },
          errorCodes: [...r.errorCodes, i % 2 ? "GRAPH_THROTTLED" : "GRAPH_TIMEOUT"],
        })),
      ),
    );
    const stored = await stores.runs.get(tenantId, run.id);
    expect(stored?.counts.itemsObserved).toBe(n);
    expect(stored?.errorCodes).toHaveLength(n);
  });

  it("leaves the run unchanged when the mutator returns null", async () => {
    const tenantId = newTenantId();
    const run = await stores.runs.create(queuedRun(tenantId, S, "2025-01-01T00:00:00.000Z"));
    expect(await stores.runs.update(tenantId, run.id, () => null)).toEqual(run);
  });

  it("grants exactly one of 20 concurrent claims for a tenant and selection; the others learn the winner", async () => {
    const tenantId = newTenantId();
    const ids = Array.from({ length: 20 }, (_, i) => `run-${i}`);
    const results = await Promise.all(
      ids.map((id) =>
        stores.runs.claim(tenantId, hash, id, "2099-01-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"),
      ),
    );
    const winners = ids.filter((_, i) => results[i]?.ok);
    expect(winners).toHaveLength(1);
    for (const result of results) if (!result.ok) expect(result.activeRunId).toBe(winners[0]);
  });

  it("lets a claim be taken over once its run is terminal or its lease expired, and released only by its holder", async () => {
    const tenantId = newTenantId();
    const first = await stores.runs.create(queuedRun(tenantId, S, "2025-01-01T00:00:00.000Z"));
    expect(
      await stores.runs.claim(
        tenantId,
        hash,
        first.id,
        "2099-01-01T00:00:00.000Z",
        "2025-01-01T00:00:00.000Z",
      ),
    ).toEqual({ ok: true });
    expect(
      await stores.runs.claim(
        tenantId,
        hash,
        "second",
        "2099-01-01T00:00:00.000Z",
        "2025-01-01T00:00:00.000Z",
      ),
    ).toEqual({
      ok: false,
      activeRunId: first.id,
    });
    await stores.runs.update(tenantId, first.id, (r) => finish(r, [], "2025-01-01T00:01:00.000Z"));
    expect(
      await stores.runs.claim(
        tenantId,
        hash,
        "second",
        "2025-01-01T00:10:00.000Z",
        "2025-01-01T00:02:00.000Z",
      ),
    ).toEqual({ ok: true });
    // "second" has no run document: it holds for the grace period in which its starter writes
    // the run, then it is an abandoned start and can be taken over (lease still far away).
    expect(
      await stores.runs.claim(
        tenantId,
        hash,
        "third",
        "2099-01-01T00:00:00.000Z",
        "2025-01-01T00:02:59.000Z",
      ),
    ).toMatchObject({ ok: false, activeRunId: "second" });
    expect(
      await stores.runs.claim(
        tenantId,
        hash,
        "third",
        "2099-01-01T00:00:00.000Z",
        "2025-01-01T00:03:01.000Z",
      ),
    ).toEqual({ ok: true });
    await stores.runs.releaseClaim(tenantId, hash, "second");
    expect(
      await stores.runs.claim(
        tenantId,
        hash,
        "fourth",
        "2099-01-01T00:00:00.000Z",
        "2025-01-01T00:03:30.000Z",
      ),
    ).toMatchObject({
      ok: false,
      activeRunId: "third",
    });
    await stores.runs.releaseClaim(tenantId, hash, "third");
    expect(
      await stores.runs.claim(
        tenantId,
        hash,
        "fourth",
        "2099-01-01T00:00:00.000Z",
        "2025-01-01T00:03:30.000Z",
      ),
    ).toEqual({ ok: true });
    // The claim lives beside the runs but is never listed as one.
    expect((await stores.runs.list(tenantId, { limit: 50 })).items.map((r) => r.id)).toEqual([first.id]);
    expect(await stores.runs.get(tenantId, claimDocumentId(hash))).toBeNull();
  });

  it("lists runs newest first, filtered by selection and status, page by page", async () => {
    const tenantId = newTenantId();
    const other = normaliseSelection({ categories: ["compliance"] });
    const created = [];
    for (let day = 1; day <= 5; day++) {
      const selection = day % 2 ? S : other;
      created.push(
        await stores.runs.create(queuedRun(tenantId, selection, `2025-01-0${day}T00:00:00.000Z`)),
      );
    }
    await stores.runs.update(tenantId, created[0]!.id, (r) => startRunning(r, new Date("2025-01-01T00:00:01.000Z"), 60));
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await stores.runs.list(tenantId, {
        selectionHash: hash,
        limit: 2,
        continuationToken: token,
      });
      seen.push(...page.items.map((r) => r.requestedAt.slice(0, 10)));
      token = page.continuationToken ?? undefined;
    } while (token);
    expect(seen).toEqual(["2025-01-05", "2025-01-03", "2025-01-01"]);
    expect(
      (await stores.runs.list(tenantId, { status: "running", limit: 10 })).items.map((r) => r.id),
    ).toEqual([created[0]!.id]);
    expect((await stores.runs.listActive(tenantId)).map((r) => r.requestedAt.slice(0, 10))).toEqual([
      "2025-01-01",
      "2025-01-02",
      "2025-01-03",
      "2025-01-04",
      "2025-01-05",
    ]);
  });
});
