/**
 * The published Azure examples under test/fixtures/azure (sources in its SOURCES.md), and a shape
 * check that holds our emulator's answers against them.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const dir = path.resolve(__dirname, "../fixtures/azure");

export function fixture(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(dir, name), "utf8"));
}

/** The 200 body of an azure-rest-api-specs example file. */
export const exampleBody = (name: string): any => fixture(name).responses["200"].body;

/**
 * Where `actual` has a field the published example does not. Maps in the examples are written
 * with one placeholder key ("string"), which stands for any key. A null in either is not a type
 * clash (the specs mark most fields nullable). Absent fields are fine: examples are not exhaustive
 * the other way.
 */
export function shapeProblems(actual: unknown, example: unknown, at = "$", known: ReadonlySet<string> = new Set()): string[] {
  if (actual === null || example === null || example === undefined || known.has(at)) return [];
  if (Array.isArray(actual)) {
    if (!Array.isArray(example)) return [`${at}: an array where the example has ${typeof example}`];
    return example.length === 0 ? [] : actual.flatMap((item) => shapeProblems(item, example[0], `${at}[]`, known));
  }
  if (typeof actual === "object") {
    if (typeof example !== "object" || Array.isArray(example))
      return [`${at}: an object where the example has ${Array.isArray(example) ? "an array" : typeof example}`];
    const ex = example as Record<string, unknown>;
    const placeholder = Object.keys(ex).length === 1 && "string" in ex ? ex.string : undefined;
    return Object.entries(actual as Record<string, unknown>).flatMap(([key, value]) => {
      const where = `${at}.${key}`;
      if (key in ex) return shapeProblems(value, ex[key], where, known);
      if (placeholder !== undefined) return shapeProblems(value, placeholder, `${at}.*`, known);
      return known.has(where) ? [] : [`${where}: not in the published example`];
    });
  }
  return typeof actual === typeof example ? [] : [`${at}: ${typeof actual} where the example has ${typeof example}`];
}
