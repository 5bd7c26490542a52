/**
 * Selections made easy (docs/api.md "Selections", "missing"), over real HTTP against the local
 * stack: the tenant's selections are listable, `missing` without a selection answers for the
 * most recent completed run (a nightly included), and the short hash the CLI prints is accepted
 * wherever a selection hash is — an ambiguous prefix is a 400 naming the candidates.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_NIGHTLY_SELECTION, POLICY_TYPE_KEYS, normaliseSelection, selectionHash } from "../../../../shared/domain";
import type { PolicyTypeKey } from "../../../../shared/domain";
import { CONTOSO, FABRIKAM, expectProblem, followLocation, http, startE2eHost, syncUrl, waitForIdle } from "../../../support/hostFixture";
import type { E2eHost } from "../../../support/hostFixture";

let e2e: E2eHost;
const url = (path: string) => `${e2e.baseUrl}${path}`;
const NIGHTLY_HASH = selectionHash(DEFAULT_NIGHTLY_SELECTION);

beforeAll(async () => {
  e2e = await startE2eHost();
  // The nightly, as the timer fires it: every enabled tenant × its nightly selections.
  const fired = await http("POST", `${e2e.host.origin}/admin/functions/nightlySyncTimer`, { json: {} });
  expect(fired.status, fired.text).toBeLessThan(300);
  const deadline = Date.now() + 60_000;
  while ((await e2e.host.stack.stores.runs.latestCompleted(CONTOSO, NIGHTLY_HASH)) === null && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await waitForIdle(e2e.host);
});
afterAll(async () => {
  await e2e?.close();
});

/** Two selections whose hashes share their first 8 hex characters (found by search, ~1 s). */
function collidingSelections(): [PolicyTypeKey[], PolicyTypeKey[]] {
  const seen = new Map<string, PolicyTypeKey[]>();
  const keys = [...POLICY_TYPE_KEYS];
  for (let a = 0; a < keys.length; a++)
    for (let b = a + 1; b < keys.length; b++)
      for (let c = b + 1; c < keys.length; c++)
        for (let d = c + 1; d < keys.length; d++) {
          const policyTypes = [keys[a]!, keys[b]!, keys[c]!, keys[d]!];
          const prefix = selectionHash(normaliseSelection({ policyTypes })).slice(0, 8);
          const earlier = seen.get(prefix);
          if (earlier) return [earlier, policyTypes];
          seen.set(prefix, policyTypes);
        }
  throw new Error("no 8-character prefix collision among 4-type selections");
}

describe("selections made easy", () => {
  it("after a nightly, missing with no selection answers for the nightly's run (the new-user trap)", async () => {
    const answer = await http("GET", url(`/tenants/${CONTOSO}/inventory/missing`));
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.selectionHash).toBe(NIGHTLY_HASH);
    expect(answer.body.latestRun).toMatchObject({ status: "success" });
    expect(answer.body.confidence).toBe("high");
  });

  it("the 12-character hash the CLI prints, in any case, is accepted by missing and runs", async () => {
    const short = NIGHTLY_HASH.slice(0, 12);
    const missing = await http("GET", url(`/tenants/${CONTOSO}/inventory/missing?selectionHash=${short.toUpperCase()}`));
    expect(missing.status, missing.text).toBe(200);
    expect(missing.body.selectionHash).toBe(NIGHTLY_HASH);
    expect(missing.body.latestRun).not.toBeNull();
    const runs = await http("GET", url(`/tenants/${CONTOSO}/inventory/runs?selectionHash=${NIGHTLY_HASH.slice(0, 8)}`));
    expect(runs.status, runs.text).toBe(200);
    expect(runs.body.items.length).toBeGreaterThan(0);
    expect(runs.body.items.every((r: { selectionHash: string }) => r.selectionHash === NIGHTLY_HASH)).toBe(true);
    // Fewer than 8 characters is not a prefix this API takes; one that matches nothing is a 400, not an empty answer.
    expectProblem(await http("GET", url(`/tenants/${CONTOSO}/inventory/missing?selectionHash=${short.slice(0, 7)}`)), 400, "VALIDATION_FAILED", "query.selectionHash");
    const unknown = NIGHTLY_HASH.startsWith("0000") ? "ffffffff" : "00000000";
    expectProblem(await http("GET", url(`/tenants/${CONTOSO}/inventory/missing?selectionHash=${unknown}`)), 400, "VALIDATION_FAILED", "query.selectionHash");
  });

  it("lists the tenant's selections, newest activity first, with the nightly flag and the newest run", async () => {
    const started = await http("POST", syncUrl(e2e.baseUrl, CONTOSO), { json: { categories: ["scripts"] } });
    expect(started.status).toBe(202);
    const run = (await followLocation(started.headers.get("location")!)).final.body;
    const answer = await http("GET", url(`/tenants/${CONTOSO}/inventory/selections`));
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.items).toEqual([
      { selectionHash: run.selectionHash, selection: normaliseSelection({ categories: ["scripts"] }), latestRun: { id: run.id, status: "success", finishedAt: run.finishedAt }, nightly: false },
      { selectionHash: NIGHTLY_HASH, selection: DEFAULT_NIGHTLY_SELECTION, latestRun: expect.objectContaining({ status: "success" }), nightly: true },
    ]);
    // Missing with no selection now follows the newer run.
    expect((await http("GET", url(`/tenants/${CONTOSO}/inventory/missing`))).body.selectionHash).toBe(run.selectionHash);
  });

  it("a prefix two of the tenant's selections share is 400 SELECTION_AMBIGUOUS listing both; a nightly selection that never ran is listed", async () => {
    const [first, second] = collidingSelections();
    const hashes = [first, second].map((policyTypes) => selectionHash(normaliseSelection({ policyTypes })));
    const put = await http("PUT", url(`/tenants/${FABRIKAM}`), {
      json: { displayName: "Fabrikam Demo", selections: [{ policyTypes: first }, { policyTypes: second }] },
    });
    expect(put.status, put.text).toBe(200);
    const listed = await http("GET", url(`/tenants/${FABRIKAM}/inventory/selections`));
    expect(listed.body.items.filter((s: { nightly: boolean; latestRun: unknown }) => s.nightly && s.latestRun === null).map((s: { selectionHash: string }) => s.selectionHash)).toEqual(hashes);

    const prefix = hashes[0]!.slice(0, 8);
    const ambiguous = await http("GET", url(`/tenants/${FABRIKAM}/inventory/missing?selectionHash=${prefix}`));
    expectProblem(ambiguous, 400, "SELECTION_AMBIGUOUS");
    expect(ambiguous.body.errors.map((e: { message: string }) => e.message).sort()).toEqual([...hashes].sort());
    expectProblem(await http("GET", url(`/tenants/${FABRIKAM}/inventory/runs?selectionHash=${prefix}`)), 400, "SELECTION_AMBIGUOUS");
    // One more character than they share settles it.
    const settled = await http("GET", url(`/tenants/${FABRIKAM}/inventory/missing?selectionHash=${hashes[1]!.slice(0, 16)}`));
    expect(settled.status, settled.text).toBe(200);
    expect(settled.body).toMatchObject({ selectionHash: hashes[1], latestRun: null, items: [] });
  });

  it("selections of an unregistered tenant are 404 TENANT_NOT_FOUND", async () => {
    expectProblem(await http("GET", url("/tenants/0b6e1c9a-1111-4222-8333-944455556666/inventory/selections")), 404, "TENANT_NOT_FOUND");
  });
});
