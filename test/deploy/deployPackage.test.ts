/**
 * The deploy package stands alone. Built, zipped and extracted into an empty temporary folder (no
 * node_modules above it), with nothing else but a stand-in for the host's @azure/functions-core,
 * its `main` registers every function the dev host registers from the repository's build, loads
 * nothing from outside the package, keeps the SDK chunks unloaded at start-up, and every chunk
 * loads from the package alone.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lazyExternal } from "../../dev/bundle";
import { buildPackage, hostModule, type PackageSummary, packageMain } from "../../dev/package/buildPackage";
import { filesUnder, unzip, zipFiles } from "../../dev/package/zip";
import { appEntry, repoRoot } from "../../dev/stack";

interface Registration {
  name: string;
  bindings: string[];
}

// What the Functions Node worker provides, reduced to recording what @azure/functions registers.
const functionsCoreStandIn = `
const registered = [];
module.exports = {
  registered,
  setProgrammingModel() {},
  getProgrammingModel() { return undefined; },
  registerFunction(metadata) {
    registered.push({ name: metadata.name, bindings: Object.values(metadata.bindings).map((b) => b.type).sort() });
    return { dispose() {} };
  },
  registerHook() { return { dispose() {} }; },
  log() {},
};
`;

// Run in the extracted package: load main as the worker does, then every chunk and every export of it.
const loadPackage = `
const fs = require("node:fs");
const path = require("node:path");
require(path.resolve(require("./package.json").main));
const atStart = Object.keys(require.cache);
const chunkDir = path.resolve("app/chunks");
const exportsOf = {};
for (const file of fs.readdirSync(chunkDir)) {
  const chunk = require(path.join(chunkDir, file));
  exportsOf[file] = Object.keys(chunk).map((k) => typeof chunk[k]);
}
const identity = require(path.join(chunkDir, "azure-identity.js"))["@azure/identity"];
const credential = new identity.ManagedIdentityCredential({ clientId: "00000000-0000-0000-0000-000000000000" }).constructor.name;
const registered = require("@azure/functions-core").registered;
console.log(JSON.stringify({ registered, atStart, afterChunks: Object.keys(require.cache), exportsOf, credential }));
`;

// The repository's build through the dev host: the functions the package must register too.
const loadRepoBuild = `
const { loadApp } = require(${JSON.stringify(path.join(repoRoot, "dist/dev/host/functionsCore.js"))});
const registered = [...loadApp(${JSON.stringify(appEntry)}).values()].map((f) => ({ name: f.name, bindings: f.bindings.map((b) => b.type).sort() }));
console.log(JSON.stringify(registered));
`;

const byName = (a: Registration, b: Registration) => (a.name < b.name ? -1 : 1);

describe("the deploy package (npm run package)", () => {
  let work: string;
  let built: PackageSummary;
  let extracted: string;
  let shimRoot: string;
  let loaded: { registered: Registration[]; atStart: string[]; afterChunks: string[]; exportsOf: Record<string, string[]>; credential: string };

  beforeAll(async () => {
    // Real path: require.cache keys are real paths, and the temporary folder may sit behind a link.
    work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "deploy-package-test-")));
    built = await buildPackage(repoRoot, path.join(work, "built"));
    extracted = path.join(work, "extracted");
    unzip(await zipFiles(filesUnder(built.dir)), extracted);
    shimRoot = path.join(work, "host-modules");
    fs.mkdirSync(path.join(shimRoot, hostModule), { recursive: true });
    fs.writeFileSync(path.join(shimRoot, hostModule, "index.js"), functionsCoreStandIn);
    const env = { PATH: process.env.PATH ?? "", HOME: work, NODE_PATH: shimRoot };
    loaded = JSON.parse(execFileSync(process.execPath, ["-e", loadPackage], { cwd: extracted, env, encoding: "utf8" }));
  }, 180_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("is extracted where no node_modules can help it", () => {
    for (let dir = extracted; dir !== path.dirname(dir); dir = path.dirname(dir)) expect(fs.existsSync(path.join(dir, "node_modules")), dir).toBe(false);
  });

  it("holds host.json, a minimal package.json, the app and its chunks, the console if built, and no node_modules or source maps", () => {
    const files = filesUnder(extracted).map((f) => f.name);
    expect(files).toEqual(built.files);
    expect(files).toEqual(expect.arrayContaining(["host.json", "package.json", packageMain]));
    for (const f of files) expect(f, f).toMatch(/^(host\.json|package\.json|app\/index\.js|app\/chunks\/[a-z0-9-]+\.js|console\/.+)$/);
    for (const f of files) expect(f, f).not.toMatch(/(^|\/)node_modules\/|\.map$/);
    const pkg = JSON.parse(fs.readFileSync(path.join(extracted, "package.json"), "utf8")) as Record<string, unknown>;
    expect(Object.keys(pkg).sort()).toEqual(["main", "name", "private", "version"]);
    expect(pkg.main).toBe(packageMain);
    expect(fs.readFileSync(path.join(extracted, "host.json"), "utf8")).toBe(fs.readFileSync(path.join(repoRoot, "host.json"), "utf8"));
    if (fs.existsSync(path.join(repoRoot, "dist", "console"))) expect(files.some((f) => f.startsWith("console/"))).toBe(true);
  });

  it("has a chunk for every SDK the repository's bundle loads on first use", () => {
    for (const sdk of lazyExternal.filter((m) => m !== hostModule)) expect(built.chunks.has(sdk), sdk).toBe(true);
  });

  it("registers every function the dev host registers from the repository's build, with the same bindings", () => {
    const fromRepo = (JSON.parse(execFileSync(process.execPath, ["-e", loadRepoBuild], { encoding: "utf8" })) as Registration[]).sort(byName);
    expect(fromRepo.length).toBeGreaterThan(10);
    expect([...loaded.registered].sort(byName)).toEqual(fromRepo);
  });

  it("loads nothing from outside the package but the host's module, at start-up or when every chunk loads", () => {
    const outside = (files: string[]) => files.filter((f) => !f.startsWith(extracted + path.sep) && !f.startsWith(shimRoot + path.sep));
    expect(outside(loaded.atStart)).toEqual([]);
    expect(outside(loaded.afterChunks)).toEqual([]);
  });

  it("leaves every SDK chunk unloaded at start-up (the REST pipeline too: registering functions needs none), and loads each on first use", () => {
    const chunkFiles = (files: string[]) => files.map((f) => path.relative(extracted, f).split(path.sep).join("/"));
    for (const chunk of built.chunks.values()) expect(chunkFiles(loaded.atStart), chunk).not.toContain(chunk);
    for (const chunk of built.chunks.values()) expect(chunkFiles(loaded.afterChunks), chunk).toContain(chunk);
    for (const [file, kinds] of Object.entries(loaded.exportsOf)) {
      expect(kinds.length, file).toBeGreaterThan(0);
      for (const kind of kinds) expect(kind, file).toBe("object");
    }
    expect(loaded.credential).toBe("ManagedIdentityCredential");
  });
});
