/**
 * Every resource in infra/*.bicep against the type definitions the Bicep compiler uses
 * (Azure/bicep-types-az, trimmed copies under test/fixtures/bicep/, sources in SOURCES.md there):
 * its type and api-version exist, and every property name it sets, at any depth, is one of the
 * type's. Module parameters are checked against the module's `param` declarations. The Bicep CLI
 * cannot be installed here, so test/infra/bicep/ parses the files itself.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseBicep, type ResourceDecl } from "./bicep/parser";
import { checkBicepSource } from "./bicep/typeCheck";
import { fixturesDir, loadTypeIndex } from "./bicep/typeIndex";
import { bicepFiles, infraDir, read, rel } from "./infraFiles";

const index = loadTypeIndex();
const file = (name: string) => path.join(infraDir, name);

/** Problems in a copy of an infra file with one edit applied (the edit must apply). */
function problemsAfter(name: string, from: string, to: string): string[] {
  const source = read(file(name));
  expect(source, `${name} contains ${from}`).toContain(from);
  return checkBicepSource(source.replace(from, to), file(name), index).map((p) => p.message);
}

const countResources = (decls: ResourceDecl[]): number =>
  decls.reduce((n, d) => n + 1 + (d.body.kind === "object" ? countResources(d.body.resources) : 0), 0);

describe("infra/*.bicep against the Bicep type definitions", () => {
  it("loads the fixtures listed in SOURCES.md", () => {
    const sources = fs.readFileSync(path.join(fixturesDir, "SOURCES.md"), "utf8");
    const listed = [...sources.matchAll(/^\| `([^`]+\/types\.json)` \|/gm)].map((m) => m[1]!);
    expect(listed.length).toBeGreaterThanOrEqual(10);
    for (const p of listed) expect(fs.existsSync(path.join(fixturesDir, p)), p).toBe(true);
    expect(sources).toMatch(/Azure\/bicep-types-az/);
    expect(sources).toMatch(/\b[0-9a-f]{40}\b/);
    expect(sources).toMatch(/MIT/);
    expect(index.resourceNames().length).toBeGreaterThanOrEqual(15);
  });

  it("parses every resource declaration in every file", () => {
    for (const f of bicepFiles()) {
      const source = read(f);
      const declared = (source.replace(/\/\/.*$/gm, "").match(/^\s*resource\s+\w+\s+'/gm) ?? []).length;
      expect(countResources(parseBicep(source).resources), rel(f)).toBe(declared);
    }
  });

  for (const f of bicepFiles()) {
    it(`${rel(f)}: types, api-versions, property names and module parameters exist`, () => {
      expect(checkBicepSource(read(f), f, index)).toEqual([]);
    });
  }

  describe("fails on a broken copy (positive controls)", () => {
    it.each([
      ["a property name typo", "modules/storage.bicep", "allowBlobPublicAccess", "allowBlobPublicAcess", /properties\.allowBlobPublicAcess is not a property/],
      ["a typo two objects deep", "modules/storage.bicep", "defaultAction: 'Allow'", "defaultAktion: 'Allow'", /networkAcls\.defaultAktion is not a property/],
      ["a typo in a nested resource", "modules/storage.bicep", "publicAccess: 'None'", "publicAcces: 'None'", /deploymentContainer\.properties\.publicAcces/],
      ["an api-version that does not exist", "modules/storage.bicep", "storageAccounts@2023-05-01", "storageAccounts@2023-05-02", /api-version 2023-05-02 does not exist/],
      ["a resource type that does not exist", "modules/durable-task-scheduler.bicep", "resource taskHub 'taskHubs'", "resource taskHub 'taskHub'", /schedulers\/taskHub@2026-02-01 is not among the fixtures/],
      ["a typo deep in the Flex Consumption config", "modules/functionapp.bicep", "version: '22'", "versoin: '22'", /functionAppConfig\.runtime\.versoin/],
      ["a wrong casing", "modules/monitoring.bicep", "DisableLocalAuth", "disableLocalAuth", /did you mean 'DisableLocalAuth'/],
      ["an unknown discriminator value", "modules/eventgrid-blob.bicep", "endpointType: 'AzureFunction'", "endpointType: 'AzureFuntion'", /'AzureFuntion' is not one of/],
      ["a typo inside an array item", "modules/eventgrid-blob.bicep", "operatorType: 'StringIn'", "operatorTyp: 'StringIn'", /advancedFilters\[0\]\.operatorTyp/],
      ["a read-only property", "modules/identity.bicep", "tags: tags", "tags: tags\n  id: 'x'", /identity\.id is read-only/],
      ["a module parameter typo", "main.bicep", "storageAccountName: storage.outputs.name", "storageAccountNme: storage.outputs.name", /params\.storageAccountNme: modules\/functionapp\.bicep declares no such parameter/],
    ])("%s", (_what, name, from, to, expected) => {
      const problems = problemsAfter(name, from, to);
      expect(problems.some((p) => expected.test(p)), problems.join("\n")).toBe(true);
    });

    it("on a string written here, not taken from infra/", () => {
      const source = [
        "resource st 'Microsoft.Storage/storageAccounts@2023-05-01' = {",
        "  name: 'x'",
        "  location: 'westeurope'",
        "  kind: 'StorageV2'",
        "  sku: { name: 'Standard_LRS' }",
        "  properties: {",
        "    minimumTlsVersoin: 'TLS1_2'",
        "  }",
        "}",
      ].join("\n");
      expect(checkBicepSource(source, file("inline.bicep"), index).map((p) => p.message)).toEqual([
        expect.stringMatching(/^st\.properties\.minimumTlsVersoin is not a property of this type/),
      ]);
      expect(checkBicepSource(source.replace("minimumTlsVersoin", "minimumTlsVersion"), file("inline.bicep"), index)).toEqual([]);
    });
  });
});
