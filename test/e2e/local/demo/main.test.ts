import { describe, expect, it } from "vitest";
import { runDemo } from "../../../../local/demo/main";
import { POLICY_TYPES } from "../../../../shared/domain";
import { CONTOSO_DEMO, FABRIKAM_DEMO } from "../../../../local/host/demoTenants";

describe("npm run demo, in process", () => {
  it("syncs both demo tenants over HTTP, prints runs and coverage, then a deletion and a 403 show up as missing with low confidence", async () => {
    let out = "";
    const summary = await runDemo({ stdout: { write: (s: string) => (out += s) }, pollIntervalMs: 50, latencyMs: 0 });

    expect(summary.firstRuns.map((r) => [r.displayName, r.status])).toEqual([
      ["Contoso Demo", "success"],
      ["Fabrikam Demo", "success"],
    ]);
    expect(summary.firstRuns[1]!.itemsObserved).toBeGreaterThan(summary.firstRuns[0]!.itemsObserved);
    // Every catalog type has a coverage row per tenant; the synced ones name their last run.
    for (const tenant of [CONTOSO_DEMO, FABRIKAM_DEMO]) {
      const rows = summary.coverage[tenant.tenantId]!;
      expect(rows).toHaveLength(POLICY_TYPES.length);
      expect(rows.length).toBeGreaterThanOrEqual(40);
      expect(rows.find((r) => r.policyType === "deviceConfiguration")).toMatchObject({ itemCount: tenant.sizes.deviceConfiguration, lastRun: { status: "success" } });
      expect(rows.find((r) => r.policyType === "roleDefinition")).toMatchObject({ itemCount: 0, lastRun: null });
    }

    expect(summary.secondRun).toMatchObject({ tenantId: CONTOSO_DEMO.tenantId, status: "partial", errorCodes: ["GRAPH_FORBIDDEN"] });
    expect(summary.missing.confidence).toBe("low");
    const deleted = summary.missing.items.filter((i) => i.typeComplete);
    expect(deleted.map((i) => i.externalId).sort()).toEqual(summary.removed.map((r) => r.externalId).sort());
    const unread = summary.missing.items.filter((i) => !i.typeComplete);
    expect(unread).toHaveLength(CONTOSO_DEMO.sizes.mobileApp!);
    expect(unread.every((i) => i.policyType === "mobileApp")).toBe(true);
    // The change set: the two deletions removed, the rename changed, the 403'd type not compared.
    expect(summary.changes).toMatchObject({ counts: { added: 0, changed: 1, removed: 2, reappeared: 0 }, incompleteTypes: ["mobileApp"] });
    expect(out).toMatch(new RegExp(`^changed\\s+deviceConfiguration\\s+.*\\(edited\\)\\s+displayName, meta\\.lastModifiedDateTime`, "m"));
    expect(out).toContain("Not enumerated completely (nothing of them is called removed): mobileApp.");

    // Compare and drift: the one real change in the staging copy, and nothing else.
    expect(summary.compare).toMatchObject({ onlyLeft: 0, onlyRight: 0, different: 1, ambiguous: 0 });
    expect(summary.compare.same).toBeGreaterThan(10);
    expect(summary.drift).toMatchObject({ baselineId: "contoso-standard", baselineVersion: 1, confidence: "high", counts: { missing: 0, extra: 0, changed: 1 } });
    expect(summary.drift.changed).toEqual([{ displayName: summary.changedInStaging.displayName, differences: ["meta.description"] }]);
    expect(out).toMatch(/0 only left, 0 only right, 1 different, \d+ same, 0 ambiguous/);
    expect(out).toMatch(/baseline contoso-standard v1, based on run \S+: confidence high — 0 missing, 0 extra, 1 changed, \d+ matching/);

    // What a person reads.
    const nonFoundation = POLICY_TYPES.filter((t) => !t.foundation).length;
    expect(out).toContain(`Contoso Demo: success ${nonFoundation}/${nonFoundation} policy types`);
    expect(out).toContain(`Fabrikam Demo: success ${nonFoundation}/${nonFoundation} policy types`);
    expect(out).toMatch(/POLICY TYPE\s+STATUS\s+ITEMS\s+UPSERTED\s+PAGES\s+DURATION\s+ERROR/);
    expect(out).toMatch(/POLICY TYPE\s+CATEGORY\s+CONTOSO DEMO ITEMS\s+LAST RUN\s+FABRIKAM DEMO ITEMS/);
    expect(out).toMatch(/mobileApp\s+failed\s+0\s+0\s+0\s+\S+\s+GRAPH_FORBIDDEN/);
    expect(out).toContain("confidence low");
    expect(out).toContain(`${summary.missing.items.length} missing items`);
    // The dependency lookup: a group of the untouched tenant, every item assigned to it, and one item's assignments.
    expect(summary.dependencies.tenantId).toBe(FABRIKAM_DEMO.tenantId);
    expect(summary.dependencies.itemIds.length).toBeGreaterThan(1);
    expect(out).toContain(`7. Where is a group used? GET …/inventory/dependencies?groupId=${summary.dependencies.groupId}`);
    expect(out).toMatch(/POLICY TYPE\s+PLATFORM\s+DISPLAY NAME\s+VIA\s+ID/);
    expect(out).toContain(`${summary.dependencies.itemIds.length} items`);
    expect(out).toMatch(/Assignments:\n\s*TARGET\s+GROUP\s+INTENT/);
    expect(out).toMatch(/Demo finished in /);
    // The run's Location was followed: at least one 202 before the 200 is not guaranteed, the 200 is.
    expect(out).toMatch(/followed http:\/\/127\.0\.0\.1:\d+\/api\/tenants\/[0-9a-f-]+\/inventory\/runs\/[0-9a-f-]+ \(\d+ × 202, then 200\)/);
  });
});
