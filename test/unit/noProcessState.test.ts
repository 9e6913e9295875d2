/**
 * No run state in process memory, the static half: the app (src/) keeps nothing
 * about runs at module level. A Functions app is scaled out, moved and restarted at will, and the
 * durable task hub is the only place a run's state may live (twoProcesses.test.ts is the running
 * half). This test finds module-level mutable state in src/**\/*.ts and requires each finding to be
 * on the allow-list below with the reason it is not run state, so a change that keeps something
 * about runs in memory (a Map of runs, a pushed-to array of jobs, a `let lastRun`) fails here and
 * has to argue its case.
 *
 * What counts as module-level mutable state (top-level statements start at column 0 in src/):
 *  - `let`/`var` at column 0 (also exported);
 *  - a module-level `new Map/Set/WeakMap/WeakSet/Array(...)` that is mutated (`.set/.add/.delete/.clear`)
 *    in its file or in a file that imports it (an unmutated one is a lookup table);
 *  - a module-level array literal that is pushed to, spliced, sorted in place or assigned into;
 *  - a module-level object literal that is assigned into or deleted from;
 *  - a static class field that is not readonly; a write to `globalThis`/`global` or to `process.env`.
 * Not seen: state captured in closures of factories called at module level (src/functions/
 * builds its activities that way; they take the shared clients and keep nothing else).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(__dirname, "../..");

/** `file:name` → why it is not run state. */
const allowList: Record<string, string> = {
  "src/functions/jobDurations.ts:seen":
    "each endpoint's expected job duration as last read from its jobDurations entity (a cache read again after a minute); the durations live in the entity",
  "src/batch/armThrottleSignal.ts:listener":
    "who hears of ARM's 429s in this worker (the fleet pacer, set once at registration); the budget they lower lives in the fleetRuns entity",
  "src/config/index.ts:cached": "the parsed settings, keyed by the settings' raw values: a cache rebuilt from the environment, nothing about runs",
  "src/functions/sharedClients.ts:cachedClient":
    "the Azure ML client for the current configuration (its bearer policies cache tokens): a cache rebuilt from settings",
  "src/functions/sharedClients.ts:cachedDeps":
    "the pre-flight dependencies (client, blob inspector) for the current configuration: a cache rebuilt from settings",
  "src/functions/sharedClients.ts:cachedDiagnostics":
    "the diagnostics activity's clients (Run History, datastore reads, blob inspector) for the current configuration: a cache rebuilt from settings",
  "src/functions/sharedClients.ts:cachedNotice":
    "the run-end notice activity's pipeline, HTTP client and credential for the current configuration: a cache rebuilt from settings",
  "src/http/receiveEvents.ts:deserializerInstance": "the Event Grid deserializer, created on first use; it holds no event or run",
  "src/runs/startOrJoin.ts:startsUnderWay":
    "starts of one id under way in this process, so a second waits for the first: each entry goes when its start settles, and the task hub stays the truth",
};

interface Finding {
  file: string;
  name: string;
  kind: string;
  line: number;
  text: string;
}

interface SourceFile {
  file: string;
  text: string;
}

const code = (line: string) => !/^\s*(\/\/|\*|\/\*)/.test(line);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Files that may touch `name` from `file`: the file itself, and files importing `name` from it. */
function filesReaching(files: SourceFile[], file: string, name: string, exported: boolean): SourceFile[] {
  const base = path.basename(file).replace(/\.ts$/, "");
  return files.filter(
    (f) =>
      f.file === file ||
      (exported && new RegExp(`import\\s*(type\\s+)?\\{[^}]*\\b${escape(name)}\\b[^}]*\\}\\s*from\\s*["'][^"']*\\b${escape(base)}["']`).test(f.text)),
  );
}

function mutated(files: SourceFile[], file: string, name: string, exported: boolean, pattern: (n: string) => RegExp): boolean {
  return filesReaching(files, file, name, exported).some((f) =>
    f.text
      .split("\n")
      .filter(code)
      .some((l) => pattern(escape(name)).test(l)),
  );
}

const collectionMutation = (n: string) => new RegExp(`(^|[^\\w.])${n}\\.(set|add|delete|clear)\\(`);
const arrayMutation = (n: string) =>
  new RegExp(`(^|[^\\w.])${n}(\\.(push|unshift|splice|pop|shift|fill|copyWithin|sort|reverse)\\(|\\.length\\s*=[^=]|\\[[^\\]]*\\]\\s*=[^=])`);
const objectMutation = (n: string) =>
  new RegExp(`(^|[^\\w.])(${n}(\\.\\w+|\\[[^\\]]*\\])\\s*(=[^=]|\\+=|-=|\\+\\+|--)|delete\\s+${n}[.[]|Object\\.assign\\(\\s*${n}\\b)`);

/** Module-level mutable state in the given sources. */
function findModuleState(files: SourceFile[]): Finding[] {
  const findings: Finding[] = [];
  for (const { file, text } of files) {
    const lines = text.split("\n");
    lines.forEach((line, i) => {
      const at = (name: string, kind: string) => findings.push({ file, name, kind, line: i + 1, text: line.trim() });
      let m: RegExpExecArray | null;
      if ((m = /^(export\s+)?(let|var)\s+(\w+)/.exec(line))) at(m[3]!, m[2]!);
      else if ((m = /^(export\s+)?const\s+(\w+)[^=]*=\s*new\s+(Map|Set|WeakMap|WeakSet|Array)\b/.exec(line))) {
        if (mutated(files, file, m[2]!, !!m[1], collectionMutation)) at(m[2]!, `mutated ${m[3]}`);
      } else if ((m = /^(export\s+)?const\s+(\w+)[^=]*=\s*\[/.exec(line))) {
        if (mutated(files, file, m[2]!, !!m[1], arrayMutation)) at(m[2]!, "mutated array");
      } else if ((m = /^(export\s+)?const\s+(\w+)[^=]*=\s*\{/.exec(line))) {
        if (mutated(files, file, m[2]!, !!m[1], objectMutation)) at(m[2]!, "mutated object");
      }
      if ((m = /^\s+(?:(?:public|private|protected)\s+)?static\s+(?!readonly\b|async\b|get\b|set\b)(\w+)\s*[=:;]/.exec(line))) at(m[1]!, "static field");
      if (code(line) && /\b(globalThis|global)(\.\w+|\[[^\]]*\])\s*(=[^=]|\?\?=|\|\|=)/.test(line)) at("globalThis", "global write");
      if (code(line) && /\bprocess\.env(\.\w+|\[[^\]]*\])\s*(=[^=]|\?\?=|\|\|=)/.test(line)) at("process.env", "environment write");
    });
  }
  return findings;
}

function sourcesUnder(dir: string): SourceFile[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourcesUnder(full);
    return e.name.endsWith(".ts") ? [{ file: path.relative(repoRoot, full).split(path.sep).join("/"), text: fs.readFileSync(full, "utf8") }] : [];
  });
}

describe("no run state in process memory: module-level state in src/", () => {
  const sources = sourcesUnder(path.join(repoRoot, "src"));
  const findings = findModuleState(sources);

  it("reads the app's sources (not vacuous)", () => {
    expect(sources.length).toBeGreaterThan(40);
    expect(sources.some((s) => s.file === "src/orchestration/scoringRunOrchestrator.ts")).toBe(true);
    // The known caches are found, so the scanner works on the real code.
    expect(findings.map((f) => `${f.file}:${f.name}`)).toEqual(
      expect.arrayContaining(["src/config/index.ts:cached", "src/functions/sharedClients.ts:cachedClient"]),
    );
  });

  it("every module-level mutable binding is on the allow-list, with its reason", () => {
    const unexplained = findings.filter((f) => !(`${f.file}:${f.name}` in allowList)).map((f) => `${f.file}:${f.line} ${f.kind} '${f.name}': ${f.text}`);
    expect(
      unexplained,
      "module-level state in src/: keep run state in the durable task hub, or add it to the allow-list with the reason it is not run state",
    ).toEqual([]);
  });

  it("the allow-list names only state that still exists (no stale entries)", () => {
    const found = new Set(findings.map((f) => `${f.file}:${f.name}`));
    expect(Object.keys(allowList).filter((k) => !found.has(k))).toEqual([]);
    for (const [key, reason] of Object.entries(allowList)) expect(reason.length, key).toBeGreaterThan(20);
  });

  it("the scanner finds each kind of module-level state, and leaves read-only tables and locals alone", () => {
    const sample = (text: string, extra: SourceFile[] = []) => findModuleState([{ file: "src/x/sample.ts", text }, ...extra]).map((f) => `${f.name}:${f.kind}`);
    expect(sample("let lastRun: string | undefined;\nexport let count = 0;\nvar old = 1;")).toEqual(["lastRun:let", "count:let", "old:var"]);
    expect(sample("const runs = new Map<string, Run>();\nexport function remember(id: string, r: Run) {\n  runs.set(id, r);\n}")).toEqual(["runs:mutated Map"]);
    expect(sample("const seen = new Set();\nfunction f(id) { if (!seen.has(id)) seen.add(id); }")).toEqual(["seen:mutated Set"]);
    expect(sample("const jobs: string[] = [];\nexport function track(j: string) {\n  jobs.push(j);\n}")).toEqual(["jobs:mutated array"]);
    expect(sample("const byId: Record<string, number> = {};\nexport function f(id: string) {\n  byId[id] = 1;\n}")).toEqual(["byId:mutated object"]);
    expect(sample("const state = { polls: 0 };\nexport function f() {\n  state.polls++;\n}")).toEqual(["state:mutated object"]);
    expect(sample("export class C {\n  static instances = 0;\n  static readonly max = 3;\n  static async make() {}\n}")).toEqual(["instances:static field"]);
    expect(sample("export function f() {\n  globalThis.lastRun = 1;\n  process.env.X = 'y';\n}")).toEqual([
      "globalThis:global write",
      "process.env:environment write",
    ]);
    // mutated from another module that imports it
    expect(
      sample("export const registry = new Map();", [{ file: "src/y/user.ts", text: 'import { registry } from "../x/sample";\nregistry.set("a", 1);' }]),
    ).toEqual(["registry:mutated Map"]);
    // not state: lookup tables never mutated, locals, reads, a comparison
    expect(
      sample(
        [
          'const terminal = new Set(["Completed"]);',
          "export const isTerminal = (s: string) => terminal.has(s);",
          'const FIELDS = ["a", "b"];',
          "const copy = [...FIELDS].sort();",
          "const names = { a: 1 } as const;",
          "export function f() {",
          "  let local = 0;",
          "  const m = new Map();",
          "  m.set(1, 2);",
          "  local++;",
          "  return names.a === local;",
          "}",
          "// cachedRuns.set(1) in a comment",
        ].join("\n"),
      ),
    ).toEqual([]);
  });
});
