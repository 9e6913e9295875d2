/**
 * `npm run package`: the deployable, and all of it. dist/package/ is what azd deploys (azure.yaml
 * `dist`) and dist/package.zip the same files zipped:
 *
 *   host.json
 *   package.json        name, version, main: the Node worker finds the functions by loading main
 *   app/index.js        the app, bundled with the Functions programming model and durable-functions
 *   app/chunks/*.js     one per Azure SDK package, loaded when first required (see sdkChunks.ts):
 *                       identity, storage and Event Grid on first use, the REST pipeline at start
 *   console/            the web console's built assets, when dist/console/ exists (the app reads
 *                       them at path.join(__dirname, "..", "console"), as from dist/app/)
 *
 * No node_modules: every require left in the bundles is Node's own, another chunk, or the host's
 * `@azure/functions-core`. No source maps: they would more than triple the package, and the
 * worker runs without --enable-source-maps unless told to; `npm run build` writes the app's map
 * to dist/app/ for reading stack traces locally.
 */
import * as fs from "node:fs";
import { isBuiltin } from "node:module";
import * as path from "node:path";
import { build } from "esbuild";
import { bundleEntry, bundleOptions } from "../bundle";
import { chunkEntrySource, chunkFileName, sdkChunkPlugin } from "./sdkChunks";
import { filesUnder, zipFiles } from "./zip";

export const packageDir = "dist/package";
export const packageZip = "dist/package.zip";
export const packageMain = "app/index.js";
export const packageChunkDir = "app/chunks";
/** Provided by the Functions Node worker at run time, never bundled. */
export const hostModule = "@azure/functions-core";

export interface PackageSummary {
  dir: string;
  /** Every file, relative to `dir`, with `/`. */
  files: string[];
  /** SDK package → its chunk file, relative to `dir`. */
  chunks: Map<string, string>;
}

/** Bare modules a built file requires that are neither Node's, the host's nor a relative file: must be none. */
export function outsideRequires(code: string): string[] {
  const required = [...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1] as string);
  return [...new Set(required.filter((m) => !m.startsWith(".") && !isBuiltin(m) && m !== hostModule))];
}

async function bundleApp(root: string, outDir: string, reference: (name: string, specifier: string) => void): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: [bundleEntry],
    outfile: path.join(outDir, packageMain),
    ...bundleOptions,
    external: [hostModule],
    plugins: [sdkChunkPlugin({ root, self: null, chunkDirFromOutput: "./chunks", onReference: reference })],
    logLevel: "warning",
  });
}

async function bundleChunk(root: string, outDir: string, name: string, specifiers: string[], reference: (name: string, specifier: string) => void) {
  await build({
    absWorkingDir: root,
    stdin: { contents: chunkEntrySource(specifiers), resolveDir: root, sourcefile: `chunk of ${name}`, loader: "js" },
    outfile: path.join(outDir, packageChunkDir, chunkFileName(name)),
    ...bundleOptions,
    // The SDKs name spans and messages after their classes (`${this.constructor.name}.getToken`).
    keepNames: true,
    plugins: [sdkChunkPlugin({ root, self: name, chunkDirFromOutput: ".", onReference: reference })],
    logLevel: "warning",
  });
}

function copyTree(from: string, to: string): void {
  for (const { name, file } of filesUnder(from)) {
    if (name.endsWith(".map")) continue;
    fs.mkdirSync(path.dirname(path.join(to, name)), { recursive: true });
    fs.copyFileSync(file, path.join(to, name));
  }
}

/** Builds the package from the sources under `root` into `outDir` (emptied first). */
export async function buildPackage(root: string, outDir: string): Promise<PackageSummary> {
  fs.rmSync(outDir, { recursive: true, force: true });
  const wanted = new Map<string, Set<string>>();
  const reference = (name: string, specifier: string) => {
    if (!wanted.has(name)) wanted.set(name, new Set());
    wanted.get(name)?.add(specifier);
  };
  await bundleApp(root, outDir, reference);
  // A chunk can ask for a package or a subpath no bundle asked for yet: build until none is missing.
  const builtWith = new Map<string, number>();
  for (;;) {
    const stale = [...wanted].find(([name, specs]) => builtWith.get(name) !== specs.size);
    if (!stale) break;
    const [name, specs] = stale;
    builtWith.set(name, specs.size);
    await bundleChunk(root, outDir, name, [...specs], reference);
  }

  fs.copyFileSync(path.join(root, "host.json"), path.join(outDir, "host.json"));
  const { name, version } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { name: string; version: string };
  fs.writeFileSync(path.join(outDir, "package.json"), `${JSON.stringify({ name, version, private: true, main: packageMain }, null, 2)}\n`);
  const consoleAssets = path.join(root, "dist", "console");
  if (fs.existsSync(consoleAssets)) copyTree(consoleAssets, path.join(outDir, "console"));

  for (const file of [packageMain, ...[...wanted.keys()].map((n) => `${packageChunkDir}/${chunkFileName(n)}`)]) {
    const outside = outsideRequires(fs.readFileSync(path.join(outDir, file), "utf8"));
    if (outside.length > 0) throw new Error(`${file} requires ${outside.join(", ")}: the package would need node_modules`);
  }
  return {
    dir: outDir,
    files: filesUnder(outDir).map((f) => f.name),
    chunks: new Map([...wanted.keys()].sort().map((n) => [n, `${packageChunkDir}/${chunkFileName(n)}`])),
  };
}

async function main(): Promise<void> {
  const root = path.resolve(__dirname, "../../..");
  const summary = await buildPackage(root, path.join(root, packageDir));
  const zip = await zipFiles(filesUnder(summary.dir));
  fs.writeFileSync(path.join(root, packageZip), zip);
  const bytes = summary.files.reduce((n, f) => n + fs.statSync(path.join(summary.dir, f)).size, 0);
  console.log(`${packageDir}: ${summary.files.length} files, ${(bytes / 1e6).toFixed(2)} MB; ${summary.chunks.size} SDK chunks`);
  console.log(`${packageZip}: ${(zip.length / 1e6).toFixed(2)} MB`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
