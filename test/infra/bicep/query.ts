/** Small lookups over parsed Bicep (test/infra/bicep/parser.ts) for the infrastructure tests. */
import { tokenize } from "./lexer";
import { type BicepFile, type BicepValue, type ModuleDecl, parseBicep, type ResourceDecl } from "./parser";

/** The value at a dotted path of object keys (`properties.filter.advancedFilters`), or undefined. */
export function valueAt(value: BicepValue | undefined, dottedPath: string): BicepValue | undefined {
  let current = value;
  for (const key of dottedPath.split(".")) {
    if (current?.kind !== "object") return undefined;
    current = current.entries.find((e) => e.key === key)?.value;
  }
  return current;
}

/** String literal items of an array value. */
export const stringItems = (value: BicepValue | undefined): Array<string | null> =>
  value?.kind === "array" ? value.items.map((i) => (i.kind === "string" ? i.value : null)) : [];

/** Every resource declaration, nested ones included. */
export function allResources(file: BicepFile): ResourceDecl[] {
  const walk = (decls: ResourceDecl[]): ResourceDecl[] =>
    decls.flatMap((d) => [d, ...(d.body.kind === "object" ? walk(d.body.resources) : [])]);
  return walk(file.resources);
}

export function moduleNamed(file: BicepFile, symbol: string): ModuleDecl {
  const m = file.modules.find((x) => x.symbol === symbol);
  if (!m) throw new Error(`no module ${symbol}`);
  return m;
}

export function resourceNamed(file: BicepFile, symbol: string): ResourceDecl {
  const r = allResources(file).find((x) => x.symbol === symbol);
  if (!r) throw new Error(`no resource ${symbol}`);
  return r;
}

/** The source without comments (strings, interpolations included, kept as written). */
export function withoutComments(src: string): string {
  return tokenize(src).map((t) => (t.kind === "newline" ? "\n" : t.text)).join(" ");
}

export { parseBicep };
