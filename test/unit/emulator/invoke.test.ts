import { describe, expect, it } from "vitest";
import { createJob, invoke, pascalBody, useEmulator } from "./helpers";

const NAME = /^batchjob-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const WS = "/subscriptions/sub-0000/resourceGroups/rg-scoring/providers/Microsoft.MachineLearningServices/workspaces/ws-scoring";

describe("batch emulator: invoke", () => {
  const ctx = useEmulator({
    deployments: ["blue", "green", { name: "scorer-pipeline", type: "pipelineComponent" }],
    clock: () => Date.UTC(2024, 0, 2, 3, 4, 5),
  });

  it("exposes loopback URLs", () => {
    expect(ctx.emu.scoringUri).toBe(`http://127.0.0.1:${ctx.emu.port}/endpoints/ep-scoring/jobs`);
    expect(ctx.emu.armEndpoint).toBe(`http://127.0.0.1:${ctx.emu.port}/arm`);
    expect(ctx.emu.port).toBeGreaterThan(0);
  });

  it("accepts the PascalCase body and answers 201 with the nested id, name and Preparing", async () => {
    const res = await invoke(ctx.emu, pascalBody);
    expect(res.status).toBe(201);
    const name = res.json.name as string;
    expect(name).toMatch(NAME);
    expect(res.json.id).toBe(`${WS}/batchEndpoints/ep-scoring/deployments/blue/jobs/${name}`);
    expect(res.json.type).toBe("Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/jobs");
    expect(res.json.properties.status).toBe("Preparing");
    expect(res.json.properties.inputData).toEqual({
      input_data: { jobInputType: "UriFolder", uri: "azureml://datastores/workspaceblobstore/paths/in/2024-01-01/" },
    });
    expect(res.json.properties.outputData).toEqual({
      score: { jobOutputType: "UriFile", uri: "azureml://datastores/workspaceblobstore/paths/out/predictions.csv" },
    });
    expect(res.json.systemData.createdAt).toBe("2024-01-02T03:04:05.000Z");
    expect(res.json.properties.interactionEndpoints.Studio.endpoint).toMatch(/^https:\/\/ml\.azure\.com\/runs\//);
    expect(res.headers.get("location")).toBe(`${ctx.emu.armEndpoint}${WS}/batchEndpoints/ep-scoring/deployments/blue`);

    expect(ctx.emu.createdJobCount).toBe(1);
    const job = ctx.emu.jobs[0]!;
    expect(job.name).toBe(name);
    expect(job.deployment).toBe("blue");
    expect(job.inputs).toEqual({ input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/in/2024-01-01/" } });
    expect(job.createdAt).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
  });

  it("accepts the camelCase body; a pipeline-component deployment takes literals and keeps the properties", async () => {
    const res = await invoke(
      ctx.emu,
      {
        properties: {
          inputData: {
            input_data: { jobInputType: "UriFile", uri: "https://acct.blob.core.windows.net/c/in.csv" },
            threshold: { jobInputType: "Literal", value: "0.5" },
          },
          outputData: { score: { jobOutputType: "UriFile", uri: "azureml://datastores/ds/paths/p.csv" } },
          tags: { clientInvokeId: "inv-1" },
          properties: { clientInvokeId: "inv-1", experimentName: "exp" },
        },
      },
      { "azureml-model-deployment": "scorer-pipeline" },
    );
    expect(res.status).toBe(201);
    expect(res.json.properties.inputData.threshold).toEqual({ jobInputType: "Literal", value: "0.5" });
    expect(res.json.properties.tags).toEqual({
      "azureml.batchrun": "true",
      "azureml.deploymentname": "scorer-pipeline",
      "azureml.jobtype": "azureml.batchjob",
    });
    expect(res.json.properties.properties).toMatchObject({ clientInvokeId: "inv-1", experimentName: "exp" });
    const job = ctx.emu.jobs[0]!;
    expect(job.inputs.input_data).toEqual({ type: "uri_file", uri: "https://acct.blob.core.windows.net/c/in.csv" });
    expect(job.inputs.threshold).toEqual({ type: "literal", value: "0.5" });
  });

  it("a model deployment refuses a literal, two inputs or two outputs with a 400", async () => {
    const literal = await invoke(ctx.emu, { properties: { InputData: { t: { JobInputType: "Literal", Value: "1" } } } });
    expect(literal.status).toBe(400);
    expect(literal.json.error.message).toContain("'LiteralJobInput' is not supported");
    const two = await invoke(ctx.emu, {
      properties: { InputData: { a: pascalBody.properties.InputData.input_data, b: pascalBody.properties.InputData.input_data } },
    });
    expect(two.status).toBe(400);
    expect(two.json.error.message).toContain("exactly one data input");
    const outputs = { a: pascalBody.properties.OutputData.score, b: pascalBody.properties.OutputData.score };
    const twoOut = await invoke(ctx.emu, { properties: { InputData: pascalBody.properties.InputData, OutputData: outputs } });
    expect(twoOut.status).toBe(400);
    expect(ctx.emu.createdJobCount).toBe(0);
  });

  it("takes a data asset only as an ARM id of a version it has; the azureml: short form is the SDK's and is refused", async () => {
    ctx.emu.setDataVersion("customers", "3", { dataType: "uri_folder", dataUri: "azureml://datastores/ds/paths/c/" });
    const input = (uri: string) => ({ properties: { InputData: { d: { JobInputType: "UriFolder", Uri: uri } } } });
    expect((await invoke(ctx.emu, input("azureml:customers:3"))).status).toBe(400);
    expect((await invoke(ctx.emu, input(`${WS}/data/customers/versions/4`))).status).toBe(400);
    expect((await invoke(ctx.emu, input(`${WS}/data/customers/versions/3`))).status).toBe(201);
  });

  it("keeps the repeatability id and creates a second job for a repeated id by default", async () => {
    const a = await createJob(ctx.emu, { "repeatability_request-id": "rid-1" });
    const b = await createJob(ctx.emu, { "Repeatability-Request-ID": "rid-1" });
    expect(a).not.toBe(b);
    expect(ctx.emu.jobs.map((j) => j.repeatabilityId)).toEqual(["rid-1", "rid-1"]);
  });

  it("leniencies by name: dedupe by repeatability id, keep the invoke's markers", async () => {
    ctx.emu.configure({ dedupeRepeatability: true, keepInvokeMarkers: true });
    const body = { properties: { ...pascalBody.properties, tags: { k: "v" }, properties: { p: "q" } } };
    const first = await invoke(ctx.emu, body, { "repeatability_request-id": "rid-2" });
    const again = await invoke(ctx.emu, body, { "repeatability_request-id": "rid-2" });
    expect(again.json.name).toBe(first.json.name);
    expect(ctx.emu.createdJobCount).toBe(1);
    expect(first.json.properties.tags).toMatchObject({ k: "v" });
    expect(ctx.emu.jobs[0]!.properties).toEqual({ p: "q" });
  });

  it("an endpoint without a default deployment refuses an invoke that names none", async () => {
    const { BatchEmulator } = await import("../../../dev/batch-emulator");
    const emu = new BatchEmulator({ defaultDeployment: null, deployments: ["blue"] });
    await emu.start();
    try {
      const res = await invoke(emu);
      expect(res.status).toBe(404);
      expect(res.json.error.message).toMatch(/^No valid deployments to route to/);
      expect((await invoke(emu, pascalBody, { "azureml-model-deployment": "blue" })).status).toBe(201);
    } finally {
      await emu.stop();
    }
  });

  it("404s an invoke on another endpoint name", async () => {
    const res = await fetch(`${ctx.emu.baseUrl}/endpoints/other-ep/jobs`, { method: "POST", body: JSON.stringify(pascalBody) });
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.code).toBe("EndpointNotFound");
  });
});
