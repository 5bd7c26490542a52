import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GENERATED_BLOCKS, applyGeneratedBlocks, renderLeftOut } from "../../../local/catalogDocs";

const root = join(__dirname, "..", "..", "..");

describe("catalog documentation", () => {
  it.each(Object.entries(GENERATED_BLOCKS))("the committed %s is what `npm run docs:catalog` generates", (file, blocks) => {
    const committed = readFileSync(join(root, file), "utf8");
    expect(applyGeneratedBlocks(committed, blocks)).toBe(committed);
  });

  it("refuses to write into a document that lost its markers", () => {
    expect(() => applyGeneratedBlocks("# no markers", { "left-out": renderLeftOut })).toThrow(/markers/);
  });
});
