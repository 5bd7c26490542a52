import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SUPPORTED_DURABLE_FUNCTIONS, checkLibraryShape } from "../../../../local/durable/libraryBoundary";

describe("the durable-functions internals the offline driver reaches into", () => {
  it("are pinned to the minor version the driver was written against", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, "../../../../package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(pkg.dependencies["durable-functions"], "pin durable-functions with ~ to the minor version libraryBoundary.ts supports").toMatch(
      new RegExp(`^~${SUPPORTED_DURABLE_FUNCTIONS.replace(".", "\\.")}\\.\\d+$`),
    );
  });

  it("still have the shape local/durable/libraryBoundary.ts relies on", () => {
    const problems = checkLibraryShape();
    expect(
      problems,
      `durable-functions changed shape; update local/durable/libraryBoundary.ts and hostShim.ts before moving the pin:\n- ${problems.join("\n- ")}`,
    ).toEqual([]);
  });
});
