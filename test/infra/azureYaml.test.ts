/**
 * azure.yaml points azd at infra/main.bicep and at this project, and the template's parameters
 * file matches the template's parameters.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { bicepFiles, read, repoRoot } from "./infraFiles";

interface AzureYaml {
  name: string;
  infra?: { provider?: string; path?: string; module?: string };
  services: Record<
    string,
    { project: string; language: string; host: string; dist?: string; remoteBuild?: boolean; hooks?: Record<string, Record<string, { run: string }>> }
  >;
}

const azureYaml = parseYaml(fs.readFileSync(path.join(repoRoot, "azure.yaml"), "utf8")) as AzureYaml;
const infraPath = path.join(repoRoot, azureYaml.infra?.path ?? "infra");
const moduleName = azureYaml.infra?.module ?? "main";
const mainBicep = read(path.join(infraPath, `${moduleName}.bicep`));

/** `param name type [= default]` declarations of main.bicep. */
const params = new Map(
  [...mainBicep.matchAll(/^param\s+(\w+)\s+(\w+)(\s*=.*)?$/gm)].map((m) => [m[1], { type: m[2], hasDefault: m[3] !== undefined }]),
);

describe("azure.yaml", () => {
  it("parses and names the project", () => {
    expect(azureYaml.name).toMatch(/^[a-z0-9-]+$/);
  });

  it("provisions infra/main.bicep", () => {
    expect(azureYaml.infra?.provider ?? "bicep").toBe("bicep");
    expect(fs.existsSync(path.join(infraPath, `${moduleName}.bicep`))).toBe(true);
    expect(fs.existsSync(path.join(infraPath, `${moduleName}.parameters.json`))).toBe(true);
    expect(path.relative(repoRoot, infraPath)).toBe("infra");
  });

  it("deploys this project as service api to a Function App", () => {
    const api = azureYaml.services.api;
    expect(api).toBeDefined();
    expect(api.host).toBe("function");
    expect(["ts", "js"]).toContain(api.language);
    const project = path.resolve(repoRoot, api.project);
    expect(project).toBe(repoRoot);
    for (const file of ["package.json", "host.json", ".funcignore"]) expect(fs.existsSync(path.join(project, file)), file).toBe(true);
    const pkg = JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8")) as { main: string; scripts: Record<string, string> };
    expect(pkg.scripts.build, "azd runs npm run build before packaging").toBeDefined();
    expect(pkg.main).toBe("dist/app/index.js");
    // The build happens here; Azure gets a package with nothing to install.
    expect(api.remoteBuild).toBe(false);
  });

  it("deploys the package npm run package builds, and nothing else", () => {
    const api = azureYaml.services.api;
    expect(api.dist).toBe("dist/package");
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.package).toMatch(/node dist\/dev\/package\/buildPackage\.js$/);
    // The service's prepackage hook builds it, on every shell azd may use.
    expect(Object.keys(api.hooks?.prepackage ?? {}).sort()).toEqual(["posix", "windows"]);
    for (const hook of Object.values(api.hooks?.prepackage ?? {})) expect(hook.run).toBe("npm run package");
  });

  it("tags the Function App with the service name azd deploys to", () => {
    const tagged = bicepFiles().filter((f) => /'azd-service-name':\s*serviceName/.test(read(f)));
    expect(tagged.length).toBe(1);
    expect(mainBicep).toMatch(/serviceName:\s*'api'/);
  });
});

describe("infra/main.parameters.json", () => {
  const parameters = (JSON.parse(fs.readFileSync(path.join(infraPath, `${moduleName}.parameters.json`), "utf8")) as { parameters: Record<string, { value: unknown }> }).parameters;

  it("passes only parameters main.bicep declares", () => {
    for (const name of Object.keys(parameters)) expect(params.has(name), name).toBe(true);
  });

  it("passes every parameter without a default", () => {
    const required = [...params].filter(([, p]) => !p.hasDefault).map(([name]) => name);
    expect(required).toEqual(expect.arrayContaining(["environmentName", "location", "amlWorkspaceName", "amlWorkspaceResourceGroup"]));
    for (const name of required) expect(parameters[name], name).toBeDefined();
  });

  it("takes each value from an azd environment variable", () => {
    for (const [name, { value }] of Object.entries(parameters)) expect(String(value), name).toMatch(/^\$\{[A-Z][A-Z0-9_]*(=[^}]*)?\}$/);
  });

  it("defaults the Event Grid subscriptions to off for the first azd up", () => {
    expect(parameters.deployEventSubscriptions.value).toBe("${DEPLOY_EVENT_SUBSCRIPTIONS=false}");
    expect(mainBicep).toMatch(/^param deployEventSubscriptions bool = false$/m);
  });

  it("runs Node 22 on the Flex Consumption plan", () => {
    const functionApp = read(bicepFiles().find((f) => f.endsWith("functionapp.bicep")) as string);
    expect(functionApp).toMatch(/name:\s*'FC1'/);
    expect(functionApp).toMatch(/tier:\s*'FlexConsumption'/);
    expect(functionApp).toMatch(/runtime:\s*\{\s*name:\s*'node'\s*version:\s*'22'\s*\}/);
  });
});
