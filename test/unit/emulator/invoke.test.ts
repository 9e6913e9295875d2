import { describe, expect, it } from "vitest";
import { createJob, invoke, pascalBody, useEmulator } from "./helpers";

const NAME = /^batchjob-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const WS = "/subscriptions/sub-0000/resourceGroups/rg-scoring/providers/Microsoft.MachineLearningServices/workspaces/ws-scoring";

describe("batch emulator: invoke", () => {
  const ctx = useEmulator({ deployments: ["blue", "green"], clock: () => Date.UTC(2024, 0, 2, 3, 4, 5) });

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
    expect(res.json.properties.creationContext.createdAt).toBe("2024-01-02T03:04:05.000Z");
    expect(res.headers.get("location")).toBe(`${ctx.emu.armEndpoint}${WS}/batchEndpoints/ep-scoring/deployments/blue`);

    expect(ctx.emu.createdJobCount).toBe(1);
    const job = ctx.emu.jobs[0]!;
    expect(job.name).toBe(name);
    expect(job.deployment).toBe("blue");
    expect(job.inputs).toEqual({ input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/in/2024-01-01/" } });
    expect(job.createdAt).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
  });

  it("accepts the camelCase body, literals, tags and properties", async () => {
    const res = await invoke(ctx.emu, {
      properties: {
        inputData: {
          input_data: { jobInputType: "UriFile", uri: "https://acct.blob.core.windows.net/c/in.csv" },
          threshold: { jobInputType: "Literal", value: "0.5" },
        },
        outputData: { score: { jobOutputType: "UriFile", uri: "azureml://datastores/ds/paths/p.csv" } },
        tags: { clientInvokeId: "inv-1" },
        properties: { clientInvokeId: "inv-1", experimentName: "exp" },
      },
    });
    expect(res.status).toBe(201);
    expect(res.json.properties.inputData.threshold).toEqual({ jobInputType: "Literal", value: "0.5" });
    expect(res.json.properties.tags).toEqual({ clientInvokeId: "inv-1" });
    expect(res.json.properties.properties).toEqual({ clientInvokeId: "inv-1", experimentName: "exp" });
    const job = ctx.emu.jobs[0]!;
    expect(job.inputs.input_data).toEqual({ type: "uri_file", uri: "https://acct.blob.core.windows.net/c/in.csv" });
    expect(job.inputs.threshold).toEqual({ type: "literal", value: "0.5" });
    expect(job.tags).toEqual({ clientInvokeId: "inv-1" });
  });

  it.each([
    ["not JSON", "{nope"],
    ["no properties", { InputData: {} }],
    ["no inputs", { properties: { InputData: {} } }],
    ["unknown JobInputType", { properties: { InputData: { a: { JobInputType: "MLTable", Uri: "x" } } } }],
    ["uri input without Uri", { properties: { InputData: { a: { JobInputType: "UriFolder" } } } }],
    ["non-string tag", { properties: { InputData: { a: { JobInputType: "Literal", Value: "1" } }, tags: { n: 1 } } }],
  ])("answers 400 UserError for a bad body (%s) and creates nothing", async (_label, body) => {
    const res = await invoke(ctx.emu, body);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("UserError");
    expect(typeof res.json.error.message).toBe("string");
    expect(ctx.emu.createdJobCount).toBe(0);
  });

  it("selects the deployment from azureml-model-deployment, 404 for an unknown one", async () => {
    const green = await invoke(ctx.emu, pascalBody, { "azureml-model-deployment": "green" });
    expect(green.status).toBe(201);
    expect(green.json.id).toContain("/deployments/green/jobs/");
    expect(ctx.emu.job(green.json.name)!.deployment).toBe("green");

    const missing = await invoke(ctx.emu, pascalBody, { "azureml-model-deployment": "purple" });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("DeploymentNotFound");
    expect(ctx.emu.createdJobCount).toBe(1);
  });

  it("keeps the repeatability id and creates a second job for a repeated id by default", async () => {
    const a = await createJob(ctx.emu, { "repeatability_request-id": "rid-1" });
    const b = await createJob(ctx.emu, { "Repeatability-Request-ID": "rid-1" });
    expect(a).not.toBe(b);
    expect(ctx.emu.jobs.map((j) => j.repeatabilityId)).toEqual(["rid-1", "rid-1"]);
  });

  it("can dedupe by repeatability id and drop invoke markers when configured", async () => {
    ctx.emu.configure({ dedupeRepeatability: true, dropInvokeMarkers: true });
    const body = { properties: { ...pascalBody.properties, tags: { k: "v" }, properties: { p: "q" } } };
    const first = await invoke(ctx.emu, body, { "repeatability_request-id": "rid-2" });
    const again = await invoke(ctx.emu, body, { "repeatability_request-id": "rid-2" });
    expect(again.json.name).toBe(first.json.name);
    expect(ctx.emu.createdJobCount).toBe(1);
    expect(first.json.properties.tags).toEqual({});
    expect(ctx.emu.jobs[0]!.properties).toEqual({});
  });

  it("404s an invoke on another endpoint name", async () => {
    const res = await fetch(`${ctx.emu.baseUrl}/endpoints/other-ep/jobs`, { method: "POST", body: JSON.stringify(pascalBody) });
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.code).toBe("EndpointNotFound");
  });
});
