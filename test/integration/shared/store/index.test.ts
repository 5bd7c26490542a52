import { afterAll, describe, expect, it } from "vitest";
import { createTestStores } from "../../../support/stores";

describe("stores on the provided emulators", () => {
  const stores = createTestStores();
  afterAll(() => stores.dispose());

  it("report healthy Cosmos and Table checks", async () => {
    expect(await stores.check()).toEqual({ cosmos: "ok", tables: "ok" });
  });
});
