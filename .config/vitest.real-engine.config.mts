import { defineConfig } from "vitest/config";

/**
 * `npm run test:real-engine`: the engine tests on the REAL Durable Task extension
 * (local/realEngine). Needs dotnet and the built host (npm run build:real-engine) and the built
 * app (npm run build): the bridge loads package.json `main` from dist/.
 */
export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/realEngine/**/*.test.ts"],
    globalSetup: ["test/support/globalSetup.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: "forks",
    // Each file starts its own engine (Azurite, bridge, .NET host): one at a time on 2 cores.
    maxWorkers: 1,
    fileParallelism: false,
  },
});
