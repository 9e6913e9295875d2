/**
 * The Bicep type definitions stored under test/fixtures/bicep/ (trimmed copies of
 * Azure/bicep-types-az `types.json` files, see SOURCES.md there): resource types by
 * `Type@api-version`, and every api-version that exists per namespace.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** One entry of a bicep-types `types.json` array; references are `{"$ref": "#/<index>"}`. */
export interface TypeEntry {
  $type: string;
  name?: string;
  value?: string;
  body?: TypeRef;
  properties?: Record<string, { type: TypeRef; flags: number }>;
  additionalProperties?: TypeRef;
  discriminator?: string;
  baseProperties?: Record<string, { type: TypeRef; flags: number }>;
  elements?: TypeRef[] | Record<string, TypeRef>;
  itemType?: TypeRef;
}
export interface TypeRef {
  $ref: string;
}

/** The property flags of bicep-types (`TypePropertyFlags`). */
export const FLAGS = { required: 1, readOnly: 2, writeOnly: 4, deployTimeConstant: 8 } as const;

export interface ResourceTypeDef {
  name: string;
  types: TypeEntry[];
  body: TypeRef;
}

export interface TypeIndex {
  /** By `type@apiVersion`, case-insensitive as ARM resource types are. */
  resource(typeWithVersion: string): ResourceTypeDef | undefined;
  /** api-versions that exist for a namespace (e.g. `Microsoft.Storage`), or undefined if unknown. */
  apiVersions(namespace: string): string[] | undefined;
  resourceNames(): string[];
}

export const fixturesDir = path.resolve(__dirname, "../../fixtures/bicep");

function typesFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? typesFiles(full) : e.name === "types.json" ? [full] : [];
  });
}

export function resolveRef(types: TypeEntry[], ref: TypeRef): TypeEntry {
  const m = /^#\/(\d+)$/.exec(ref.$ref);
  const entry = m ? types[Number(m[1])] : undefined;
  if (!entry) throw new Error(`dangling type reference ${ref.$ref}`);
  return entry;
}

export function loadTypeIndex(dir = fixturesDir): TypeIndex {
  const resources = new Map<string, ResourceTypeDef>();
  for (const file of typesFiles(dir)) {
    const types = JSON.parse(fs.readFileSync(file, "utf8")) as TypeEntry[];
    for (const t of types) {
      if (t.$type === "ResourceType" && t.name && t.body) resources.set(t.name.toLowerCase(), { name: t.name, types, body: t.body });
    }
  }
  const versions = JSON.parse(fs.readFileSync(path.join(dir, "api-versions.json"), "utf8")) as Record<string, string[]>;
  const byNamespace = new Map(Object.entries(versions).map(([ns, v]) => [ns.toLowerCase(), v]));
  return {
    resource: (name) => resources.get(name.toLowerCase()),
    apiVersions: (ns) => byNamespace.get(ns.toLowerCase()),
    resourceNames: () => [...resources.values()].map((r) => r.name),
  };
}
