import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GENERATED_BLOCKS, applyGeneratedBlocks, renderPermissionTable } from "../../local/catalogDocs";
import { POLICY_TYPES, requiredGraphPermissions } from "../../shared/domain";

const root = join(__dirname, "..", "..");

describe("catalog documentation", () => {
  it.each(Object.entries(GENERATED_BLOCKS))("the committed %s is what `npm run docs:catalog` generates", (file, blocks) => {
    const committed = readFileSync(join(root, file), "utf8");
    expect(applyGeneratedBlocks(committed, blocks)).toBe(committed);
  });

  it("lists every catalog type with its own read permission, and the union the consent script grants", () => {
    const table = renderPermissionTable();
    for (const def of POLICY_TYPES) expect(table).toContain(`| ${def.graphPath} | ${def.readPermission} |`);
    for (const permission of requiredGraphPermissions()) expect(table).toContain(`- \`${permission}\``);
  });

  it("refuses to write into a document that lost its markers", () => {
    expect(() => applyGeneratedBlocks("# no markers", { permissions: renderPermissionTable })).toThrow(/markers/);
  });
});
