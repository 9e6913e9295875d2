/**
 * Bundles the app's start-up path into dist/app/index.js (package.json `main`): one file to
 * load instead of ~570 modules, so a cold start only registers functions. SDKs the app loads on
 * first use (identity, the REST pipeline, Event Grid parsing) stay external and load then;
 * `@azure/functions-core` is the host's, never bundled.
 */
import * as path from "node:path";
import { type BuildOptions, buildSync } from "esbuild";

export const bundleEntry = "src/index.ts";
export const bundleOutfile = "dist/app/index.js";
export const lazyExternal = [
  "@azure/functions-core",
  "@azure/identity",
  "@azure/core-auth",
  "@azure/core-rest-pipeline",
  "@typespec/ts-http-runtime",
  "@azure/eventgrid",
  "@azure/storage-blob",
];

/** What the app bundle and the deploy package's bundles (dev/package/) share: Node 20's CommonJS, minified. */
export const bundleOptions = { bundle: true, platform: "node", target: "node20", format: "cjs", minify: true } as const satisfies BuildOptions;

export function bundleApp(root: string): void {
  buildSync({
    absWorkingDir: root,
    entryPoints: [bundleEntry],
    outfile: path.join(root, bundleOutfile),
    ...bundleOptions,
    sourcemap: true,
    external: lazyExternal,
    logLevel: "warning",
  });
}

if (require.main === module) bundleApp(path.resolve(__dirname, "../.."));
