import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { adminConsentUrl, permissionTableMarkdown } from "../../../local/graphConsent";
import { POLICY_TYPE_KEYS, policyTypeDefinition, requiredGraphPermissions } from "../../../shared/domain/policyTypes";

const doc = readFileSync(join(__dirname, "..", "..", "..", "docs", "graph-permissions.md"), "utf8");

describe("Graph consent script and docs/graph-permissions.md", () => {
  it("the doc's permission table is the one generated from the catalog (regenerate: permissionTableMarkdown())", () => {
    expect(doc).toContain(permissionTableMarkdown());
  });

  it("lists every policy type of the catalog with its read permission, and the summary grants exactly the distinct permissions", () => {
    const table = permissionTableMarkdown();
    for (const key of POLICY_TYPE_KEYS) {
      expect(table).toMatch(new RegExp(`^\\| ${key}( \\(foundation\\))? \\| [^|]+ \\| ${policyTypeDefinition(key).readPermission.replace(/\./g, "\\.")} \\|$`, "m"));
    }
    const summary = [...table.matchAll(/^- `([^`]+)`$/gm)].map((m) => m[1]);
    expect(summary).toEqual(requiredGraphPermissions());
    for (const p of summary) expect(p).toMatch(/\.Read\.All$/);
  });

  it("builds the admin-consent URL of a customer tenant for the app", () => {
    expect(adminConsentUrl("contoso.onmicrosoft.com", "11111111-2222-3333-4444-555555555555")).toBe(
      "https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id=11111111-2222-3333-4444-555555555555",
    );
  });
});
