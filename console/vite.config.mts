import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * The console's build: console/ → dist/console, served by the app's own routes under
 * /api/console/ (shared/http/routes/console.ts). Preact's automatic JSX runtime through Vite's
 * own transform, so no framework plugin is needed. No source maps in the deployment, and every
 * file name carries its content hash (the route serves them as immutable).
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/api/console/",
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  resolve: { alias: { react: "preact/compat", "react-dom": "preact/compat" } },
  build: {
    outDir: fileURLToPath(new URL("../dist/console", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    target: "es2022",
    // The whole console is one small chunk; inlining nothing keeps the CSP free of data: scripts.
    assetsInlineLimit: 0,
  },
});
