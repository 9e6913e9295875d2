import { describe, expect, it } from "vitest";
import type { BatchEmulator } from "../../../dev/batch-emulator";
import { createBatchEndpointClient } from "../../../src/batch";
import { parseConfig } from "../../../src/config";
import { useEmulator } from "./helpers";

const API = "2024-04-01";

async function getJson(url: string): Promise<{ status: number; json: any }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, json: text === "" ? null : JSON.parse(text) };
}

const armUrl = (emu: BatchEmulator, tail: string, api: string | null = API): string =>
  `${emu.armEndpoint}${emu.workspaceId}/${tail}${api === null ? "" : `?api-version=${api}`}`;

const declared = {
  name: "pipeline-declared",
  type: "pipelineComponent" as const,
  component: {
    name: "batch_scoring",
    version: "3",
    inputs: { input_data: { type: "uri_folder" }, threshold: { type: "number", default: 0.5 } },
    outputs: { scores: { type: "uri_folder" } },
  },
};

describe("batch emulator: BatchEndpoints Get", () => {
  const ctx = useEmulator({ deployments: ["green", { name: "pipe", type: "pipelineComponent" }, declared] });

  it("answers the endpoint as the spec example shapes it: its id, scoringUri and default deployment", async () => {
    const res = await getJson(armUrl(ctx.emu, `batchEndpoints/${ctx.emu.endpointName}`));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: `${ctx.emu.workspaceId}/batchEndpoints/${ctx.emu.endpointName}`,
      name: ctx.emu.endpointName,
      type: "Microsoft.MachineLearningServices/workspaces/batchEndpoints",
      properties: { scoringUri: ctx.emu.scoringUri, defaults: { deploymentName: "blue" }, provisioningState: "Succeeded" },
    });
    expect(JSON.stringify(res.json)).not.toMatch(/primaryKey|secondaryKey/i);
  });

  it("finds the endpoint in any case; 404 ResourceNotFound for another name", async () => {
    expect((await getJson(armUrl(ctx.emu, `batchEndpoints/${ctx.emu.endpointName.toUpperCase()}`))).status).toBe(200);
    const res = await getJson(armUrl(ctx.emu, "batchEndpoints/other"));
    expect(res.status).toBe(404);
    expect(res.json.error).toMatchObject({ code: "ResourceNotFound", message: expect.stringContaining("other") });
  });

  it("needs an api-version and the emulator's workspace", async () => {
    expect((await getJson(armUrl(ctx.emu, `batchEndpoints/${ctx.emu.endpointName}`, null))).json.error.code).toBe("MissingApiVersionParameter");
    const elsewhere = `${ctx.emu.armEndpoint}${ctx.emu.workspaceId.replace(/ws-scoring$/, "ws-other")}/batchEndpoints/${ctx.emu.endpointName}?api-version=${API}`;
    expect((await getJson(elsewhere)).status).toBe(404);
  });

  it("records the requests under their route", async () => {
    await getJson(armUrl(ctx.emu, `batchEndpoints/${ctx.emu.endpointName}`));
    await getJson(armUrl(ctx.emu, `batchEndpoints/${ctx.emu.endpointName}/deployments/blue`));
    await getJson(armUrl(ctx.emu, "components/batch_scoring/versions/3"));
    expect(ctx.emu.requests.map((r) => r.route)).toEqual(["getBatchEndpoint", "getBatchDeployment", "getComponentVersion"]);
  });
});

describe("batch emulator: an endpoint without a default deployment", () => {
  const ctx = useEmulator({ defaultDeployment: null, deployments: ["green"] });

  it("answers defaults.deploymentName null", async () => {
    const res = await getJson(armUrl(ctx.emu, `batchEndpoints/${ctx.emu.endpointName}`));
    expect(res.json.properties.defaults).toEqual({ deploymentName: null });
  });
});

describe("batch emulator: BatchDeployments Get", () => {
  const ctx = useEmulator({ deployments: ["green", { name: "pipe", type: "pipelineComponent" }, declared] });
  const deploymentUrl = (name: string, api: string = API) => armUrl(ctx.emu, `batchEndpoints/${ctx.emu.endpointName}/deployments/${name}`, api);

  it("a model deployment: model reference and settings, no deploymentConfiguration", async () => {
    const res = await getJson(deploymentUrl("green"));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: `${ctx.emu.workspaceId}/batchEndpoints/${ctx.emu.endpointName}/deployments/green`,
      name: "green",
      type: "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments",
      properties: {
        model: { referenceType: "Id", assetId: expect.stringContaining(`${ctx.emu.workspaceId}/models/`) },
        miniBatchSize: 10,
        outputFileName: "predictions.csv",
        retrySettings: { maxRetries: 3, timeout: "PT30S" },
      },
    });
    expect(res.json.properties.deploymentConfiguration).toBeUndefined();
  });

  it("a pipeline-component deployment: deploymentConfiguration naming its component by ARM id", async () => {
    const res = await getJson(deploymentUrl("pipeline-declared"));
    expect(res.json.properties.deploymentConfiguration).toMatchObject({
      deploymentConfigurationType: "PipelineComponent",
      componentId: { referenceType: "Id", assetId: `${ctx.emu.workspaceId}/components/batch_scoring/versions/3` },
    });
    expect(res.json.properties.model).toBeUndefined();
    const undeclared = await getJson(deploymentUrl("pipe"));
    expect(undeclared.json.properties.deploymentConfiguration.componentId.assetId).toBe(`${ctx.emu.workspaceId}/components/pipe-component/versions/1`);
  });

  it("before 2024-04-01 there is no deploymentConfiguration (the spec has none)", async () => {
    const res = await getJson(deploymentUrl("pipeline-declared", "2023-10-01"));
    expect(res.status).toBe(200);
    expect(res.json.properties.deploymentConfiguration).toBeUndefined();
  });

  it("404 ResourceNotFound for an unknown deployment or endpoint", async () => {
    expect((await getJson(deploymentUrl("nosuch"))).json.error.code).toBe("ResourceNotFound");
    expect((await getJson(armUrl(ctx.emu, "batchEndpoints/other/deployments/blue"))).status).toBe(404);
  });
});

describe("batch emulator: ComponentVersions Get", () => {
  const ctx = useEmulator({ deployments: [{ name: "pipe", type: "pipelineComponent" }, declared] });

  it("answers a deployment's component with its declared inputs and outputs under componentSpec", async () => {
    const res = await getJson(armUrl(ctx.emu, "components/batch_scoring/versions/3"));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: `${ctx.emu.workspaceId}/components/batch_scoring/versions/3`,
      name: "3",
      properties: {
        componentSpec: { name: "batch_scoring", version: "3", type: "pipeline", inputs: declared.component.inputs, outputs: declared.component.outputs },
      },
    });
  });

  it("an undeclared deployment's component lists no inputs or outputs", async () => {
    const res = await getJson(armUrl(ctx.emu, "components/pipe-component/versions/1"));
    expect(res.status).toBe(200);
    expect(res.json.properties.componentSpec.inputs).toBeUndefined();
    expect(res.json.properties.componentSpec.outputs).toBeUndefined();
  });

  it("404 for another version or name", async () => {
    expect((await getJson(armUrl(ctx.emu, "components/batch_scoring/versions/2"))).status).toBe(404);
    expect((await getJson(armUrl(ctx.emu, "components/other/versions/3"))).json.error.code).toBe("ResourceNotFound");
  });
});

describe("batch emulator: the app's client against the endpoint reads", () => {
  const ctx = useEmulator({ deployments: ["green", declared] });
  const client = () =>
    createBatchEndpointClient({ config: { ...parseConfig({}), allowLoopback: true, armEndpoint: ctx.emu.armEndpoint }, armRetry: { maxRetries: 0 } });

  it("reads the endpoint, a model deployment, a pipeline deployment and its component", async () => {
    const ws = ctx.emu.workspaceId;
    expect(await client().getBatchEndpoint(ws, ctx.emu.endpointName)).toEqual({
      name: ctx.emu.endpointName,
      scoringUri: ctx.emu.scoringUri,
      defaultDeployment: "blue",
    });
    expect(await client().getBatchDeployment(ws, ctx.emu.endpointName, "green")).toMatchObject({ kind: "model", componentId: null });
    const pipe = await client().getBatchDeployment(ws, ctx.emu.endpointName, "pipeline-declared");
    expect(pipe).toMatchObject({ kind: "pipelineComponent", componentId: `${ws}/components/batch_scoring/versions/3` });
    expect(await client().getComponentVersion(pipe.componentId!)).toEqual({
      name: "batch_scoring",
      version: "3",
      inputs: { input_data: { type: "uri_folder", optional: false, hasDefault: false }, threshold: { type: "number", optional: false, hasDefault: true } },
      outputs: { scores: { type: "uri_folder", optional: false, hasDefault: false } },
    });
  });

  it("a fault on a read route answers that read", async () => {
    ctx.emu.injectFault({ match: { route: "getBatchEndpoint" }, times: 1, kind: { status: 403 } });
    await expect(client().getBatchEndpoint(ctx.emu.workspaceId, ctx.emu.endpointName)).rejects.toMatchObject({ httpStatus: 403 });
    expect(await client().getBatchEndpoint(ctx.emu.workspaceId, ctx.emu.endpointName)).toMatchObject({ defaultDeployment: "blue" });
    ctx.emu.injectFault({ match: { route: "getComponentVersion" }, times: 1, kind: { status: 404 } });
    await expect(client().getComponentVersion(`${ctx.emu.workspaceId}/components/batch_scoring/versions/3`)).rejects.toMatchObject({ httpStatus: 404 });
  });
});
