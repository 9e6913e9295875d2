/**
 * The chunk plugin on a small made-up node_modules: requires of another SDK package become its
 * chunk (subpaths included, one chunk per package), the Functions model stays in the bundle, and
 * a second copy of an SDK nested under another package stops the build.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build } from "esbuild";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chunkFileName, isSdkPackage, packageNameOf, sdkChunkPlugin } from "../../dev/package/sdkChunks";

let root: string;

function writeModule(dir: string, name: string, version: string, code: string): void {
  const at = path.join(root, dir, "node_modules", name);
  fs.mkdirSync(at, { recursive: true });
  fs.writeFileSync(path.join(at, "package.json"), JSON.stringify({ name, version, main: "index.js" }));
  fs.writeFileSync(path.join(at, "index.js"), code);
}

async function bundle(entry: string, self: string | null) {
  const references: string[] = [];
  const result = await build({
    absWorkingDir: root,
    stdin: { contents: entry, resolveDir: root, loader: "js" },
    bundle: true,
    platform: "node",
    format: "cjs",
    write: false,
    logLevel: "silent",
    plugins: [sdkChunkPlugin({ root, self, chunkDirFromOutput: "./chunks", onReference: (_name, specifier) => references.push(specifier) })],
  });
  return { code: result.outputFiles[0]!.text, references };
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-chunks-"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe("SDK chunks", () => {
  it("names packages and their chunk files", () => {
    expect(packageNameOf("@typespec/ts-http-runtime/internal/util")).toBe("@typespec/ts-http-runtime");
    expect(packageNameOf("lodash/get")).toBe("lodash");
    expect(chunkFileName("@azure/core-rest-pipeline")).toBe("azure-core-rest-pipeline.js");
    expect(isSdkPackage("@azure/identity")).toBe(true);
    expect(isSdkPackage("@typespec/ts-http-runtime")).toBe(true);
    for (const appSide of ["@azure/functions", "@azure/functions-core", "durable-functions"]) expect(isSdkPackage(appSide), appSide).toBe(false);
  });

  it("sends other SDK packages to their chunk and bundles everything else", async () => {
    writeModule("", "@azure/alpha", "1.0.0", 'module.exports = require("@azure/beta");');
    writeModule("", "@azure/beta", "1.0.0", "module.exports = { beta: 1 };");
    writeModule("", "@azure/functions", "4.0.0", "module.exports = { functionsModel: 4 };");
    const app = await bundle('require("@azure/alpha"); require("@azure/alpha/sub"); require("@azure/functions");', null);
    expect(app.references).toEqual(["@azure/alpha", "@azure/alpha/sub"]);
    expect(app.code).toContain('require("./chunks/azure-alpha.js")["@azure/alpha"]');
    expect(app.code).toContain('require("./chunks/azure-alpha.js")["@azure/alpha/sub"]');
    expect(app.code).toContain("functionsModel: 4");
    // Alpha's own chunk bundles alpha and reaches beta through beta's chunk.
    const alpha = await bundle('module.exports = require("@azure/alpha");', "@azure/alpha");
    expect(alpha.references).toEqual(["@azure/beta"]);
    expect(alpha.code).toContain('require("./chunks/azure-beta.js")["@azure/beta"]');
    expect(alpha.code).not.toContain("beta: 1");
  });

  it("refuses a second copy of an SDK package nested under another one", async () => {
    writeModule("", "@azure/alpha", "1.0.0", 'module.exports = require("@azure/beta");');
    writeModule("", "@azure/beta", "1.0.0", "module.exports = { beta: 1 };");
    writeModule("node_modules/@azure/alpha", "@azure/beta", "2.0.0", "module.exports = { beta: 2 };");
    await expect(bundle('module.exports = require("@azure/alpha");', "@azure/alpha")).rejects.toThrow(/its own copy of @azure\/beta/);
  });
});
