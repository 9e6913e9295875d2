// Lint: the language's pitfalls (typescript-eslint), import cycles, and the house rules that
// review alone used to keep: orchestrators are deterministic, the deployed app stands alone,
// and only the registration files know the Functions runtime. Formatting is Prettier's.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import globals from "globals";
import tseslint from "typescript-eslint";

/** Imports no deployed module may make: the local runtime, the tests and the tools are never shipped. */
const outsideTheApp = [
  { group: ["**/dev", "**/dev/**"], message: "src/ is deployed alone: it must not import the local runtime (dev/)." },
  { group: ["**/test", "**/test/**"], message: "src/ must not import tests." },
  { group: ["**/bench", "**/bench/**", "**/cli", "**/cli/**"], message: "src/ must not import the benchmark or the CLI." },
];

/** Anything an orchestrator could use to read the clock, draw a random number or do I/O. */
const nondeterministicSyntax = [
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "Orchestrators read the time from context.df.currentUtcDateTime." },
  { selector: "CallExpression[callee.name='Date']", message: "Orchestrators read the time from context.df.currentUtcDateTime." },
  { selector: "MemberExpression[object.name='Date'][property.name='now']", message: "Orchestrators read the time from context.df.currentUtcDateTime." },
  { selector: "MemberExpression[object.name='Math'][property.name='random']", message: "Orchestrators draw ids from context.df.newGuid." },
  { selector: "MemberExpression[object.name='performance']", message: "Orchestrators read no clock." },
];
const nondeterministicGlobals = [
  "setTimeout",
  "setInterval",
  "setImmediate",
  "clearTimeout",
  "clearInterval",
  "queueMicrotask",
  "fetch",
  "process",
  "crypto",
  "performance",
  "require",
].map((name) => ({ name, message: "Orchestrators do no I/O and read no clock: use activities, durable timers and events." }));
const nodeBuiltins = [
  "assert",
  "buffer",
  "child_process",
  "crypto",
  "dns",
  "events",
  "fs",
  "fs/promises",
  "http",
  "https",
  "net",
  "os",
  "path",
  "stream",
  "timers",
  "timers/promises",
  "tls",
  "url",
  "util",
  "worker_threads",
  "zlib",
];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "**/*.js", "**/*.cjs", "test/fixtures/azure/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.mts", "**/*.mjs"],
    languageOptions: { globals: { ...globals.node } },
    plugins: { "import-x": importX },
    settings: {
      "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".mts", ".js", ".json"] })],
      "import-x/extensions": [".ts", ".mts", ".js"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".mts"] },
    },
    rules: {
      // Generators over durable Tasks receive `any` from the SDK's own types; elsewhere prefer unknown.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports", disallowTypeAnnotations: false }],
      // The Azure SDKs and the client are loaded on first use, not at registration (cold start).
      "@typescript-eslint/no-require-imports": ["error", { allow: ["^@azure/", "^\\.\\./(batch|storage|notify)/"] }],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-self-import": "error",
      "import-x/no-duplicates": ["error", { "prefer-inline": true }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-console": "off",
    },
  },
  {
    // The deployed app: never the local runtime or the tests; only the registration files know the Functions runtime.
    files: ["src/**/*.ts"],
    ignores: ["src/functions/**", "src/index.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@azure/functions", message: "Only src/functions/ registers with the Functions runtime; logic lives in modules that do not import it." },
          ],
          patterns: outsideTheApp,
        },
      ],
    },
  },
  {
    files: ["src/functions/**/*.ts", "src/index.ts"],
    rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns: outsideTheApp }] },
  },
  {
    // Orchestrators replay: the same history must produce the same decisions.
    files: ["src/orchestration/**/*.ts"],
    rules: {
      "no-restricted-syntax": ["error", ...nondeterministicSyntax],
      "no-restricted-globals": ["error", ...nondeterministicGlobals],
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: "Orchestrators do no I/O." })),
            { name: "durable-functions", allowTypeImports: true, message: "The orchestrator receives its context; registration lives in src/functions/." },
            { name: "@azure/functions", message: "Only src/functions/ registers with the Functions runtime." },
          ],
          patterns: [
            ...outsideTheApp,
            { group: ["node:*"], message: "Orchestrators do no I/O." },
            { group: ["@azure/*"], message: "Orchestrators call Azure only through activities." },
            {
              group: [
                "../batch",
                "../batch/*",
                "../storage",
                "../storage/*",
                "../activities",
                "../activities/*",
                "../functions/*",
                "../http/*",
                "../events/*",
                "../config",
                "../config/*",
              ],
              allowTypeImports: true,
              message: "Orchestrators reach the Azure ML client, storage and settings only through activities and their input (type imports are fine).",
            },
          ],
        },
      ],
    },
  },
  {
    // The runs console runs in the browser: the DOM's globals, and no Node module of the app's (types only).
    files: ["console/src/**/*.ts", "console/src/**/*.tsx"],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // Run data (tags, error text) is shown as text only: Preact escapes it; nothing may parse it as HTML.
      "no-restricted-syntax": [
        "error",
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: "Show run data as text, never as HTML." },
        { selector: "MemberExpression[property.name=/^(innerHTML|outerHTML|insertAdjacentHTML)$/]", message: "Show run data as text, never as HTML." },
        { selector: "CallExpression[callee.property.name='write'][callee.object.name='document']", message: "Show run data as text, never as HTML." },
      ],
      "no-eval": "error",
      "no-implied-eval": "error",
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*"], message: "The console runs in the browser." },
            {
              group: ["../../src/*", "../../src/**"],
              allowTypeImports: true,
              message: "The console reads the app only through its HTTP API (types are fine).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts", "dev/**/*.ts"],
    rules: {
      // The local runtime loads the app and Azurite's untyped modules the way the Functions worker and Azurite's CLI do.
      "@typescript-eslint/no-require-imports": "off",
      // Tests and tools assert on and build shapes freely.
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  prettier,
);
