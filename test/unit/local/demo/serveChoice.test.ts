import { describe, expect, it } from "vitest";
import { serveChoice } from "../../../../local/demo/main";

describe("npm run demo: whether the host stays up for the web console", () => {
  it("stays up on a terminal, where a person will open the URL it prints", () => {
    expect(serveChoice([], true, {})).toEqual({ serve: true, because: "output is a terminal" });
  });

  it("ends after the demo when the output is not a terminal (a pipe, a log, a script)", () => {
    expect(serveChoice([], false, {})).toEqual({ serve: false, because: "output is not a terminal" });
  });

  it("ends after the demo under CI even on a terminal, unless CI is empty, 0 or false", () => {
    for (const ci of ["true", "1", "yes", "GitHub Actions"]) expect(serveChoice([], true, { CI: ci })).toEqual({ serve: false, because: "CI is set" });
    for (const ci of ["", " ", "0", "false", "FALSE"]) expect(serveChoice([], true, { CI: ci })).toMatchObject({ serve: true });
  });

  it("--serve keeps it up anywhere, --no-serve ends it anywhere", () => {
    expect(serveChoice(["--serve"], false, { CI: "true" })).toEqual({ serve: true, because: "--serve" });
    expect(serveChoice(["--no-serve"], true, {})).toEqual({ serve: false, because: "--no-serve" });
  });

  it("refuses an unknown argument or both flags with a message instead of guessing", () => {
    expect(serveChoice(["--sreve"], true, {})).toEqual({ error: expect.stringContaining('unknown argument "--sreve"') });
    expect(serveChoice(["--serve", "--no-serve"], true, {})).toEqual({ error: expect.stringContaining("contradict") });
  });
});
