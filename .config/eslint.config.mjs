import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", ".local-data/**", ".test-results/**", ".package/**", "infra/tools/.packages/**", "infra/tools/obj/**", "infra/tools/out/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", setImmediate: "readonly", AbortController: "readonly", AbortSignal: "readonly", fetch: "readonly", structuredClone: "readonly", TextEncoder: "readonly", TextDecoder: "readonly", Response: "readonly", Request: "readonly", Headers: "readonly" },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  {
    // Production code never imports the offline runtime.
    files: ["functions/**/*.ts", "shared/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/local/**", "../local/*", "../../local/*"], message: "local/ is the offline runtime; production code must not import it." }] }],
    },
  },
  {
    // shared/ runs in Azure but never depends on the Functions programming model.
    files: ["shared/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "@azure/functions", message: "shared/ must not import Azure Functions." }, { name: "durable-functions", message: "shared/ must not import Durable Functions." }], patterns: [{ group: ["**/local/**", "**/functions/**"], message: "shared/ never imports local/ or functions/." }] }],
    },
  },
  {
    // Domain logic is pure: no I/O modules.
    files: ["shared/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: ["@azure/cosmos", "@azure/data-tables", "@azure/identity", "@microsoft/microsoft-graph-client", "node:fs", "node:http", "node:https", "fs", "http", "https"], patterns: [{ group: ["**/store/**", "**/graph/**", "**/local/**", "**/functions/**"], message: "shared/domain is pure." }] }],
    },
  },
);
