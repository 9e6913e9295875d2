/**
 * The deploy package's lazily loaded chunks: one CommonJS file per Azure SDK package, so the
 * package needs no node_modules. The Azure SDK packages share classes and module state across
 * package boundaries (pipeline policies, RestError, AbortError, the logger, tracing), and
 * node_modules gives each one copy; so does this: every bundle (the app and each chunk) reaches
 * another SDK package only through that package's chunk, and a chunk loads only when something
 * first requires it, as the package would from node_modules. Other dependencies (tslib, debug,
 * the proxy agents) are stateless helpers or private to one SDK: each bundle inlines its own.
 */
import * as path from "node:path";
import type { Plugin } from "esbuild";

/** The Functions programming model: loaded at start-up with the app, so bundled into it; `functions-core` is the host's. */
const appSide = new Set(["@azure/functions", "@azure/functions-extensions-base", "@azure/functions-core"]);

/** `@scope/name` or `name` of a bare specifier (`@typespec/ts-http-runtime/internal/util` → `@typespec/ts-http-runtime`). */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string);
}

export function isSdkPackage(name: string): boolean {
  return /^@(azure|typespec)\/[^/]+$/.test(name) && !appSide.has(name);
}

/** The chunk's file name inside the package's chunk folder: `@azure/identity` → `azure-identity.js`. */
export function chunkFileName(name: string): string {
  return `${name.slice(1).replace("/", "-")}.js`;
}

/**
 * A chunk's entry: one lazy getter per specifier the other bundles require from its package (a
 * subpath like `@typespec/ts-http-runtime/internal/util` shares the package's modules, so it
 * lives in the same chunk and is not a second copy).
 */
export function chunkEntrySource(specifiers: Iterable<string>): string {
  return [...specifiers]
    .sort()
    .map((s) => `Object.defineProperty(exports, ${JSON.stringify(s)}, { enumerable: true, get: () => require(${JSON.stringify(s)}) });`)
    .join("\n");
}

export interface ChunkPluginOptions {
  /** The repository root: where a chunk's own package resolves from. */
  root: string;
  /** The SDK package this bundle is the chunk of, or null for the app. */
  self: string | null;
  /** From the bundle's output file to the chunk folder, as require() takes it (`./chunks`, `.`). */
  chunkDirFromOutput: string;
  /** Called with every SDK specifier this bundle requires from another chunk. */
  onReference: (name: string, specifier: string) => void;
}

/** Where a resolved file's package lives: the directory `…/node_modules/<name>` that holds it. */
function packageDirOf(file: string, name: string): string {
  const marker = `${path.sep}node_modules${path.sep}${name.split("/").join(path.sep)}${path.sep}`;
  const at = file.lastIndexOf(marker);
  return at < 0 ? file : file.slice(0, at + marker.length);
}

/** Rewrites every require/import of another SDK package to its chunk: `require("./chunks/azure-identity.js")["@azure/identity"]`. */
export function sdkChunkPlugin(options: ChunkPluginOptions): Plugin {
  return {
    name: "sdk-chunks",
    setup(build) {
      const fromRoot = new Map<string, string>();
      build.onResolve({ filter: /^@(azure|typespec)\// }, async (args) => {
        const name = packageNameOf(args.path);
        if (args.pluginData === "plain" || !isSdkPackage(name) || name === options.self) return undefined;
        // One chunk per package name holds one version: refuse a second copy nested under another package.
        const here = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: "plain" });
        if (!fromRoot.has(name)) fromRoot.set(name, (await build.resolve(name, { kind: "require-call", resolveDir: options.root, pluginData: "plain" })).path);
        if (!fromRoot.get(name)) return { errors: [{ text: `${name} (required by ${args.importer}) does not resolve from the repository root` }] };
        if (here.errors.length === 0 && packageDirOf(here.path, name) !== packageDirOf(fromRoot.get(name) as string, name)) {
          return { errors: [{ text: `${args.importer} requires its own copy of ${name} (${here.path}): one chunk cannot stand for two versions` }] };
        }
        options.onReference(name, args.path);
        return { path: args.path, namespace: "sdk-chunk" };
      });
      build.onLoad({ filter: /.*/, namespace: "sdk-chunk" }, (args) => {
        const chunk = `${options.chunkDirFromOutput}/${chunkFileName(packageNameOf(args.path))}`;
        return { contents: `module.exports = require(${JSON.stringify(chunk)})[${JSON.stringify(args.path)}];`, loader: "js" };
      });
      build.onResolve({ filter: /.*/, namespace: "sdk-chunk" }, (args) => ({ path: args.path, external: true }));
    },
  };
}
