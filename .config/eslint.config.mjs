import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The layering arrows (docs/architecture.md "Layers"). A flat-config rule replaces an earlier one
 * for the same files instead of merging, so every folder below lists all that it may not import.
 */
const IO_MODULES = ["@azure/cosmos", "@azure/data-tables", "@azure/identity", "@microsoft/microsoft-graph-client", "node:fs", "node:http", "node:https", "fs", "http", "https"];
const FUNCTIONS_MODEL = [
  { name: "@azure/functions", message: "only functions/ registers Azure Functions." },
  { name: "durable-functions", message: "only functions/ (and the offline runtime) speak durable-functions." },
];
const never = (folders, why) => ({ group: folders.flatMap((f) => [`**/${f}`, `**/${f}/**`]), message: why });
const OFFLINE = never(["local"], "local/ is the offline runtime; nothing shipped imports it.");
const HOSTS = never(["functions", "cli"], "shared/ never imports a host (functions/) or the CLI.");
const restrict = (files, paths, patterns) => ({ files, rules: { "no-restricted-imports": ["error", { paths, patterns }] } });

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
  // functions/: thin registrations over shared/; never the offline runtime or the CLI.
  restrict(["functions/**/*.ts"], [], [OFFLINE, never(["cli"], "functions/ never imports the CLI.")]),
  // cli/: the shipped bin, a client of the HTTP API: the contract's schemas and the domain's vocabulary only.
  restrict(["cli/**/*.ts"], FUNCTIONS_MODEL, [
    OFFLINE,
    never(["functions"], "the CLI talks to a deployed app over HTTP; it never imports the app."),
    never(["shared/store", "shared/graph", "shared/sync", "shared/observability", "shared/config", "shared/compositionRoot"], "the CLI uses the HTTP contract (shared/http schemas) and the domain only."),
  ]),
  // console/: a browser app, a client of the public HTTP API: it may take the contract's TYPES from
  // shared/ (erased at build time), never a value, and never anything of a host or the CLI.
  {
    files: ["console/**/*.{ts,tsx}"],
    languageOptions: { globals: { window: "readonly", document: "readonly", location: "readonly", requestAnimationFrame: "readonly", DOMException: "readonly", Event: "readonly" } },
    rules: {
      "no-restricted-imports": "off",
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/shared/**", "zod"], allowTypeImports: true, message: "the console takes only types from shared/ (the API contract); values would ship server code to browsers." },
            { group: ["**/functions/**", "**/local/**", "**/cli/**", "node:*"], message: "the console runs in a browser and talks to the API over HTTP only." },
          ],
        },
      ],
    },
  },
  // shared/: runs in Azure but never depends on the Functions programming model.
  restrict(["shared/**/*.ts"], FUNCTIONS_MODEL, [OFFLINE, HOSTS]),
  // The composition root is the only shared file that sees every layer; nothing in shared/ imports it.
  restrict(["shared/{domain,config,graph,store,sync,http,observability}/**/*.ts"], FUNCTIONS_MODEL, [OFFLINE, HOSTS, never(["compositionRoot"], "only hosts import the composition root.")]),
  // Adapters depend on the domain (and settings) only: the sync loop lives in shared/sync, not in graph/.
  restrict(["shared/store/**/*.ts"], FUNCTIONS_MODEL, [OFFLINE, HOSTS, never(["compositionRoot", "sync", "http", "observability", "graph"], "store/ depends on the domain (and config) only.")]),
  restrict(["shared/graph/**/*.ts"], FUNCTIONS_MODEL, [OFFLINE, HOSTS, never(["compositionRoot", "sync", "http", "observability", "store"], "graph/ depends on the domain (and config) only.")]),
  // The sync slice uses the adapters through their ports; it never sees HTTP.
  restrict(["shared/sync/**/*.ts"], FUNCTIONS_MODEL, [OFFLINE, HOSTS, never(["compositionRoot", "http"], "the sync slice never imports HTTP or the composition root.")]),
  // HTTP reads through the store's ports and starts through the sync slice; it never calls Graph.
  restrict(["shared/http/**/*.ts"], FUNCTIONS_MODEL, [OFFLINE, HOSTS, never(["compositionRoot", "graph"], "HTTP never calls Graph or the composition root.")]),
  restrict(["shared/{config,observability}/**/*.ts"], [...FUNCTIONS_MODEL, ...IO_MODULES], [OFFLINE, HOSTS, never(["compositionRoot", "sync", "http", "store", "graph"], "config/ and observability/ depend on the domain only.")]),
  // Domain logic is pure: no I/O modules, no other layer.
  restrict(["shared/domain/**/*.ts"], [...FUNCTIONS_MODEL, ...IO_MODULES], [OFFLINE, HOSTS, never(["compositionRoot", "sync", "http", "store", "graph", "config", "observability"], "shared/domain is pure.")]),
);
