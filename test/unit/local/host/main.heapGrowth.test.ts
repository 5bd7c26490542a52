import { describe, expect, it } from "vitest";
import { applyHeapGrowth, DEFAULT_HEAP_GROWING_PERCENT } from "../../../../local/host/main";

describe("the local host's heap growth (LOCAL_HEAP_GROWING_PERCENT)", () => {
  it("lets V8 grow the heap 50 % past the live heap unless configured, and 0 sets nothing (V8's own policy)", () => {
    expect(DEFAULT_HEAP_GROWING_PERCENT).toBe(50);
    expect(applyHeapGrowth({})).toBe(50);
    expect(applyHeapGrowth({ LOCAL_HEAP_GROWING_PERCENT: " 25 " })).toBe(25);
    expect(applyHeapGrowth({ LOCAL_HEAP_GROWING_PERCENT: "0" })).toBe(0);
  });

  it("refuses a value that is not a whole percentage, so a typo never silently keeps V8's 4× slack", () => {
    for (const bad of ["50%", "-1", "1.5", "1000", "lots"]) {
      expect(() => applyHeapGrowth({ LOCAL_HEAP_GROWING_PERCENT: bad })).toThrow(/LOCAL_HEAP_GROWING_PERCENT/);
    }
  });
});
