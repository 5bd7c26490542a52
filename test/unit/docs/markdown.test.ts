import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/** The repository's own documentation, read as a new engineer would: every pointer must land. */
const root = resolve(__dirname, "../../..");
const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" })
  .split("\0")
  .filter((f) => f !== "" && existsSync(join(root, f)));
const text = (file: string) => readFileSync(join(root, file), "utf8");

describe("the documentation points inside the repository", () => {
  it("no doc or code comment names API.md or DESIGN.md (files this repository does not have); no doc points at ../shared", () => {
    const offenders: string[] = [];
    for (const file of tracked.filter((f) => /\.(md|ts|mts|mjs|json|bicep|yaml|yml)$/.test(f) && !f.endsWith("package-lock.json"))) {
      text(file)
        .split("\n")
        .forEach((line, i) => {
          // (Code imports the repository's own shared/ as ../shared; a document never has a reason to.)
          const outside = file.endsWith(".md") && line.includes("../shared");
          if (/(^|[^\w/.-])(API|DESIGN)\.md\b/.test(line) || outside) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    // This file names them on purpose, to look for them.
    expect(offenders.filter((o) => !o.startsWith("test/unit/docs/markdown.test.ts"))).toEqual([]);
  });

  it("every relative link in a markdown file leads to a file of the repository", () => {
    const broken: string[] = [];
    for (const file of tracked.filter((f) => f.endsWith(".md"))) {
      for (const match of text(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1]!.split("#")[0]!;
        if (target === "" || /^[a-z]+:/i.test(target)) continue;
        if (!existsSync(resolve(root, dirname(file), target))) broken.push(`${file} → ${match[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
