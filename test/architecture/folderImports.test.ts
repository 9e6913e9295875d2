/**
 * The rooms of src/ and what each may import. A folder imports only the rooms listed for it
 * (type imports included: they couple as much), so imports run downward and never in a circle.
 * A new folder must be placed here before it can be imported.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const srcDir = path.resolve(__dirname, "../../src");

/** Each room and the rooms below it that it may import, lowest first. */
const mayImport: Record<string, readonly string[]> = {
  json: [],
  observability: [],
  batch: ["json"],
  config: ["batch"],
  storage: ["batch"],
  runs: ["batch", "config", "json", "observability"],
  preflight: ["batch", "runs", "storage", "json"],
  notify: ["batch", "runs"],
  orchestration: ["batch", "config", "observability", "preflight", "runs"],
  activities: ["batch", "notify", "preflight", "runs", "storage", "json", "observability"],
  events: ["batch", "config", "json", "observability", "runs"],
  retention: ["config", "json", "runs"],
  http: ["batch", "config", "events", "json", "observability", "preflight", "runs", "storage"],
  functions: [
    "activities",
    "batch",
    "config",
    "events",
    "http",
    "json",
    "notify",
    "observability",
    "orchestration",
    "preflight",
    "retention",
    "runs",
    "storage",
  ],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : e.name.endsWith(".ts") ? [full] : [];
  });
}

/** The room a file of src/ lives in (its first folder); null for src/index.ts. */
function roomOf(file: string): string | null {
  const rel = path.relative(srcDir, file).split(path.sep);
  return rel.length > 1 ? (rel[0] ?? null) : null;
}

/** Folder → folder edges, each with one file that makes it. */
function folderEdges(): Map<string, { to: string; file: string; specifier: string }[]> {
  const edges = new Map<string, { to: string; file: string; specifier: string }[]>();
  for (const file of sourceFiles(srcDir)) {
    const from = roomOf(file);
    if (!from) continue;
    for (const ref of ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true).importedFiles) {
      if (!ref.fileName.startsWith(".")) continue;
      const target = path.resolve(path.dirname(file), ref.fileName);
      if (!target.startsWith(srcDir + path.sep)) continue;
      const to = roomOf(fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, "index.ts"));
      if (!to || to === from) continue;
      edges.set(from, [...(edges.get(from) ?? []), { to, file: path.relative(srcDir, file), specifier: ref.fileName }]);
    }
  }
  return edges;
}

/** Every cycle through the folder graph, as the list of rooms it passes. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const walk = (node: string, pathSoFar: string[]) => {
    for (const next of graph.get(node) ?? []) {
      const at = pathSoFar.indexOf(next);
      if (at >= 0) found.push([...pathSoFar.slice(at), next]);
      else walk(next, [...pathSoFar, next]);
    }
  };
  for (const node of graph.keys()) walk(node, [node]);
  return found;
}

describe("the rooms of src/", () => {
  const edges = folderEdges();

  it("every folder has a place in the map", () => {
    const folders = fs
      .readdirSync(srcDir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.filter((f) => !(f in mayImport))).toEqual([]);
  });

  it("no folder imports a room it may not (the map runs downward)", () => {
    const stray = [...edges].flatMap(([from, list]) =>
      list.filter((e) => !(mayImport[from] ?? []).includes(e.to)).map((e) => `${e.file} imports ${e.specifier} (${from} → ${e.to})`),
    );
    expect(stray).toEqual([]);
  });

  it("no folders import each other in a circle, and the allowed map has none either", () => {
    const actual = new Map([...edges].map(([from, list]) => [from, new Set(list.map((e) => e.to))]));
    expect(cycles(actual)).toEqual([]);
    expect(cycles(new Map(Object.entries(mayImport).map(([from, to]) => [from, new Set(to)])))).toEqual([]);
  });

  it("sees the imports it judges (the check can fail)", () => {
    expect(edges.get("functions")?.some((e) => e.to === "orchestration")).toBe(true);
    expect(edges.get("orchestration")?.some((e) => e.to === "runs")).toBe(true);

    expect(
      cycles(
        new Map([
          ["a", new Set(["b"])],
          ["b", new Set(["c"])],
          ["c", new Set(["a"])],
        ]),
      ),
    ).toContainEqual(["a", "b", "c", "a"]);
  });
});
