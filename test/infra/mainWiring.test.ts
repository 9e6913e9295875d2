/**
 * How infra/main.bicep wires the modules: Event Grid subscriptions named per environment, the
 * Function App created after its host storage roles, conditional modules and resources read only
 * through a null assertion, and the blob filter's completed-write APIs.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { allResources, moduleNamed, parseBicep, resourceNamed, stringItems, valueAt, withoutComments } from "./bicep/query";
import { bicepFiles, infraDir, read, rel } from "./infraFiles";

const mainPath = path.join(infraDir, "main.bicep");
const main = parseBicep(read(mainPath));
const moduleFile = (p: string) => parseBicep(read(path.join(infraDir, p)));

/** `sym.x` on a conditional module or resource `sym` (Bicep: `module | null`) without `!` or `.?`. */
function unassertedAccesses(source: string): string[] {
  const parsed = parseBicep(source);
  const conditional = [...parsed.modules, ...allResources(parsed)].filter((d) => d.condition !== null).map((d) => d.symbol);
  const code = withoutComments(source);
  return conditional.flatMap((sym) => [...code.matchAll(new RegExp(`\\b${sym}\\s*\\.(?!\\?)\\s*\\w+`, "g"))].map((m) => m[0]));
}

describe("infra/main.bicep wiring", () => {
  it("names each Event Grid subscription with the environment's resource token", () => {
    const eventModules = main.modules.filter((m) => /eventgrid-/.test(m.path));
    expect(eventModules.map((m) => m.symbol).sort()).toEqual(["blobCreatedSubscription", "jobStatusSubscription"]);
    for (const m of eventModules) {
      const name = valueAt(m.body, "params.subscriptionName");
      expect(name?.text, m.symbol).toMatch(/^'scoring-[a-z-]+-\$\{resourceToken\}'$/);
      // No default in the module: a caller cannot forget the token.
      const param = moduleFile(m.path).params.find((p) => p.name === "subscriptionName");
      expect(param?.hasDefault, `${m.path}: subscriptionName`).toBe(false);
    }
    expect(read(mainPath)).toMatch(/^var resourceToken = toLower\(uniqueString\(subscription\(\)\.id, environmentName, location\)\)$/m);
  });

  it("creates the Function App after its host storage role assignments", () => {
    const dependsOn = valueAt(moduleNamed(main, "functionApp").body, "dependsOn");
    expect(dependsOn?.kind).toBe("array");
    expect(dependsOn?.kind === "array" && dependsOn.items.map((i) => i.text)).toContain("hostRoles");
    // The roles must not wait for the app in turn.
    expect(moduleNamed(main, "hostRoles").body.text).not.toMatch(/\bfunctionApp\b/);
    const roles = moduleFile("modules/rbac-host.bicep");
    const assigned = allResources(roles).filter((r) => r.typeRef.startsWith("Microsoft.Authorization/roleAssignments@")).map((r) => r.symbol);
    expect(assigned).toEqual(expect.arrayContaining(["blobOwner", "queueContributor", "tableContributor"]));
  });

  it("reads conditional modules and resources only through `!` or `.?`", () => {
    for (const f of bicepFiles()) expect(unassertedAccesses(read(f)), rel(f)).toEqual([]);
    expect(withoutComments(read(mainPath))).toContain("durableTaskScheduler!.outputs.endpoint");
  });

  it("finds an unasserted access (positive control)", () => {
    const broken = read(mainPath).replace("durableTaskScheduler!.outputs.endpoint", "durableTaskScheduler.outputs.endpoint");
    expect(unassertedAccesses(broken)).toEqual(["durableTaskScheduler.outputs"]);
  });

  it("passes BlobCreated events of completed writes only, SFTP uploads included", () => {
    const blob = resourceNamed(moduleFile("modules/eventgrid-blob.bicep"), "blobCreated");
    const filters = valueAt(blob.body, "properties.filter.advancedFilters");
    expect(filters?.kind).toBe("array");
    const apiFilter = filters?.kind === "array" ? filters.items.find((f) => valueAt(f, "key")?.text === "'data.api'") : undefined;
    expect(valueAt(apiFilter, "operatorType")?.text).toBe("'StringIn'");
    expect(stringItems(valueAt(apiFilter, "values"))).toEqual(["PutBlob", "PutBlockList", "CopyBlob", "FlushWithClose", "SftpCommit"]);
  });
});
