/**
 * Checks parsed Bicep against the Bicep type definitions (test/infra/bicep/typeIndex.ts), the way
 * the compiler's type check would for the parts this project writes: each resource's type and
 * api-version exist, every property key in its body (at any nesting depth of object and array
 * literals, and in both branches of `a ? b : c`) is a property of that type, required properties
 * are set, read-only ones are not, discriminators and closed string enums take a known value; each
 * module's `params` are parameters the module declares, and its required ones are all given.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type BicepFile, type BicepValue, type ModuleDecl, parseBicep, type ResourceDecl } from "./parser";
import { FLAGS, resolveRef, type TypeEntry, type TypeIndex, type TypeRef } from "./typeIndex";

export interface Problem {
  line: number;
  message: string;
}

/** Keys Bicep itself accepts in a resource or module body, whatever the resource type. */
const RESOURCE_KEYWORDS = ["scope", "parent", "dependsOn"];
const MODULE_KEYS = ["name", "scope", "params", "dependsOn"];

type Properties = Record<string, { type: TypeRef; flags: number }>;

class Checker {
  readonly problems: Problem[] = [];
  constructor(private readonly index: TypeIndex) {}

  private report(line: number, message: string): void {
    this.problems.push({ line, message });
  }

  resource(decl: ResourceDecl, parent?: { type: string; version: string }): void {
    const qualified = this.qualifiedType(decl, parent);
    if (!qualified) return;
    const def = this.index.resource(`${qualified.type}@${qualified.version}`);
    if (!def) {
      this.report(decl.line, `${decl.symbol}: ${qualified.type}@${qualified.version} is not among the fixtures: the type does not exist at that api-version, or its types.json is missing from test/fixtures/bicep (SOURCES.md)`);
      return;
    }
    const body = resolveRef(def.types, def.body);
    this.value(def.types, body, decl.body, decl.symbol, { extraKeys: RESOURCE_KEYWORDS, checkRequired: !decl.existing });
    if (decl.body.kind === "object") for (const child of decl.body.resources) this.resource(child, qualified);
  }

  private qualifiedType(decl: ResourceDecl, parent?: { type: string; version: string }): { type: string; version: string } | null {
    const [typePart, version] = decl.typeRef.split("@") as [string, string | undefined];
    const type = parent && !typePart.includes("/") ? `${parent.type}/${typePart}` : typePart;
    const resolvedVersion = version ?? parent?.version;
    if (!resolvedVersion) {
      this.report(decl.line, `${decl.symbol}: '${decl.typeRef}' has no api-version`);
      return null;
    }
    const namespace = type.split("/")[0]!;
    const known = this.index.apiVersions(namespace);
    if (!known) {
      this.report(decl.line, `${decl.symbol}: namespace ${namespace} has no entry in test/fixtures/bicep/api-versions.json`);
      return null;
    }
    if (!known.includes(resolvedVersion)) {
      this.report(decl.line, `${decl.symbol}: api-version ${resolvedVersion} does not exist for ${namespace} (bicep-types-az has ${known.slice(-5).join(", ")}, ...)`);
      return null;
    }
    return { type, version: resolvedVersion };
  }

  private value(types: TypeEntry[], type: TypeEntry, value: BicepValue, where: string, opts: { extraKeys?: string[]; checkRequired?: boolean } = {}): void {
    if (value.kind === "choice") {
      for (const option of value.options) this.value(types, type, option, where, opts);
      return;
    }
    switch (type.$type) {
      case "ObjectType":
        if (value.kind === "object") this.object(types, type.properties ?? {}, type.additionalProperties, value, where, opts);
        return;
      case "DiscriminatedObjectType":
        if (value.kind === "object") this.discriminated(types, type, value, where, opts);
        return;
      case "UnionType":
        this.union(types, (type.elements as TypeRef[]).map((e) => resolveRef(types, e)), value, where, opts);
        return;
      case "ArrayType":
        if (value.kind === "array" && type.itemType) {
          const item = resolveRef(types, type.itemType);
          value.items.forEach((v, i) => this.value(types, item, v, `${where}[${value.loop ? "for" : i}]`));
        }
        return;
      case "StringLiteralType":
        if (value.kind === "string" && value.value !== null && value.value !== type.value) this.report(value.line, `${where}: '${value.value}' is not '${type.value}'`);
        return;
      default:
        return;
    }
  }

  private object(types: TypeEntry[], props: Properties, additional: TypeRef | undefined, value: Extract<BicepValue, { kind: "object" }>, where: string, opts: { extraKeys?: string[]; checkRequired?: boolean }): void {
    for (const entry of value.entries) {
      const at = `${where}.${entry.key ?? "<interpolated key>"}`;
      const prop = entry.key === null ? undefined : props[entry.key];
      if (prop) {
        if ((prop.flags & FLAGS.readOnly) !== 0 && (prop.flags & FLAGS.required) === 0) this.report(entry.line, `${at} is read-only`);
        this.value(types, resolveRef(types, prop.type), entry.value, at);
      } else if (entry.key !== null && opts.extraKeys?.includes(entry.key)) {
        // a Bicep keyword (scope, parent, dependsOn)
      } else if (additional) {
        this.value(types, resolveRef(types, additional), entry.value, at);
      } else {
        const known = Object.keys(props);
        const near = known.find((k) => k.toLowerCase() === entry.key?.toLowerCase());
        this.report(entry.line, `${at} is not a property of this type${near ? ` (did you mean '${near}'?)` : ""}; it has: ${known.join(", ")}`);
      }
    }
    if (opts.checkRequired !== false) {
      const given = new Set(value.entries.map((e) => e.key));
      for (const [name, prop] of Object.entries(props)) {
        if ((prop.flags & FLAGS.required) !== 0 && (prop.flags & FLAGS.readOnly) === 0 && !given.has(name)) this.report(value.line, `${where}.${name} is required`);
      }
    }
  }

  private discriminated(types: TypeEntry[], type: TypeEntry, value: Extract<BicepValue, { kind: "object" }>, where: string, opts: { extraKeys?: string[]; checkRequired?: boolean }): void {
    const elements = type.elements as Record<string, TypeRef>;
    const tag = value.entries.find((e) => e.key === type.discriminator)?.value;
    const base = type.baseProperties ?? {};
    if (tag?.kind === "string" && tag.value !== null) {
      const key = Object.keys(elements).find((k) => k.toLowerCase() === tag.value!.toLowerCase());
      if (!key) {
        this.report(tag.line, `${where}.${type.discriminator}: '${tag.value}' is not one of ${Object.keys(elements).join(", ")}`);
        return;
      }
      const element = resolveRef(types, elements[key]!);
      this.object(types, { ...base, ...element.properties }, element.additionalProperties, value, where, opts);
      return;
    }
    // The discriminator is computed: accept any element's properties.
    const all: Properties = { ...base };
    for (const ref of Object.values(elements)) Object.assign(all, resolveRef(types, ref).properties);
    this.object(types, all, undefined, value, where, { ...opts, checkRequired: false });
  }

  private union(types: TypeEntry[], members: TypeEntry[], value: BicepValue, where: string, opts: { extraKeys?: string[]; checkRequired?: boolean }): void {
    if (value.kind === "string" && value.value !== null) {
      const literals = members.filter((m) => m.$type === "StringLiteralType").map((m) => m.value);
      const open = members.some((m) => m.$type !== "StringLiteralType");
      if (!open && !literals.includes(value.value)) this.report(value.line, `${where}: '${value.value}' is not one of ${literals.join(", ")}`);
      return;
    }
    const shaped = members.filter((m) => ["ObjectType", "DiscriminatedObjectType", "ArrayType"].includes(m.$type));
    if (shaped.length === 0) return;
    // Valid if it fits one member; otherwise report against the first.
    const attempts = shaped.map((member) => {
      const trial = new Checker(this.index);
      trial.value(types, member, value, where, opts);
      return trial.problems;
    });
    if (!attempts.some((p) => p.length === 0)) this.problems.push(...attempts[0]!);
  }

  module(decl: ModuleDecl, file: string, readFile: (f: string) => string): void {
    if (decl.body.kind !== "object") return;
    const target = path.resolve(path.dirname(file), decl.path);
    let declared: BicepFile;
    try {
      declared = parseBicep(readFile(target));
    } catch (err) {
      this.report(decl.line, `${decl.symbol}: cannot read module ${decl.path}: ${(err as Error).message}`);
      return;
    }
    for (const entry of decl.body.entries) {
      if (entry.key === null || !MODULE_KEYS.includes(entry.key)) this.report(entry.line, `${decl.symbol}.${entry.key} is not a module property (${MODULE_KEYS.join(", ")})`);
    }
    const params = decl.body.entries.find((e) => e.key === "params")?.value;
    if (params?.kind !== "object") return;
    const names = new Map(declared.params.map((p) => [p.name, p]));
    for (const entry of params.entries) {
      if (entry.key === null || !names.has(entry.key)) this.report(entry.line, `${decl.symbol}.params.${entry.key}: ${decl.path} declares no such parameter; it has: ${[...names.keys()].join(", ")}`);
    }
    const given = new Set(params.entries.map((e) => e.key));
    for (const p of declared.params) {
      if (!p.hasDefault && !p.type.endsWith("?") && !given.has(p.name)) this.report(params.line, `${decl.symbol}.params.${p.name} is required by ${decl.path}`);
    }
  }
}

/** Problems in one Bicep source; `file` locates the modules it references. */
export function checkBicepSource(source: string, file: string, index: TypeIndex, readFile: (f: string) => string = (f) => fs.readFileSync(f, "utf8")): Problem[] {
  const parsed = parseBicep(source);
  const checker = new Checker(index);
  for (const r of parsed.resources) checker.resource(r);
  for (const m of parsed.modules) checker.module(m, file, readFile);
  return checker.problems;
}
