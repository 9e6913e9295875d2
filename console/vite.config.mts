// The runs console's build (docs/console.md): Preact, bundled by Vite into dist/console, which the
// app serves at /api/console. Flat file names (no assets/ folder): the route serves one path segment.
import * as path from "node:path";
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "/api/console/",
  publicDir: "public",
  logLevel: "warn",
  // Production JSX whatever NODE_ENV says (vitest's global setup builds it with NODE_ENV=test).
  oxc: { jsx: { runtime: "automatic", importSource: "preact", development: false } },
  build: {
    outDir: path.join(import.meta.dirname, "..", "dist", "console"),
    emptyOutDir: true,
    assetsDir: "",
    target: "es2022",
    // The preload polyfill is for browsers without modulepreload; the console targets current ones.
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
});
