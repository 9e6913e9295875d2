/**
 * Per-job settings, display name, description, experiment name and input modes travel from
 * either body form to the invoke in the data-plane batch job model's keys, show in the run view,
 * and change the request's fingerprint; a bad one is a 400 naming it, and nothing starts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineDeployment } from "../../dev/stack";
import { type Stack, startStack } from "./stack";

const FOLDER = "azureml://datastores/workspaceblobstore/paths/scoring/output/settings";

describe("per-job settings", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ azurite: true });
  });
  afterAll(async () => stack?.stop());

  const lastInvoke = () => stack.emulator.requestsFor("invoke").at(-1)!;

  it("every setting reaches the invoke in the batch job model's shape, and the emulator runs the job with it", async () => {
    const body = stack.startBody({
      deployment: pipelineDeployment.name,
      output: { uri: `${FOLDER}-camel/` },
      inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/", mode: "download" } },
      settings: {
        instanceCount: 4,
        miniBatchSize: "20",
        maxConcurrencyPerInstance: 2,
        outputFileName: "scores.csv",
        errorThreshold: -1,
        loggingLevel: "debug",
        maxRetries: 5,
        retryTimeoutSeconds: 330,
      },
      displayName: "Nightly scoring",
      description: "All customers",
      experimentName: "nightly-scoring",
    });
    const start = await stack.api("/api/scoring-runs", { json: body });
    expect(start.status).toBe(202);
    await stack.host.engine.idle();
    const sent = (lastInvoke().body as { properties: Record<string, unknown> }).properties;
    expect(sent).toMatchObject({
      InputData: { input_data: { JobInputType: "UriFolder", Mode: "Download" } },
      OutputData: { score: { JobOutputType: "UriFolder", Uri: `${FOLDER}-camel/` } },
      compute: { instanceCount: 4 },
      miniBatchSize: 20,
      maxConcurrencyPerInstance: 2,
      outputFileName: "scores.csv",
      errorThreshold: -1,
      loggingLevel: "Debug",
      retrySettings: { maxRetries: 5, timeout: "PT5M30S" },
      description: "All customers",
      tags: { displayName: "Nightly scoring" },
      properties: { experimentName: "nightly-scoring" },
    });
    const job = stack.emulator.jobs.at(-1)!;
    expect(job.settings).toEqual({
      instanceCount: 4,
      miniBatchSize: 20,
      maxConcurrencyPerInstance: 2,
      outputFileName: "scores.csv",
      errorThreshold: -1,
      loggingLevel: "Debug",
      maxRetries: 5,
      retryTimeout: "PT5M30S",
    });
    expect(job.inputs.input_data).toMatchObject({ mode: "Download" });
    expect(job.properties.experimentName).toBe("nightly-scoring");

    const view = await stack.api(`/api/scoring-runs/${start.body.id}`);
    expect(view.body.request).toMatchObject({
      settings: { instanceCount: 4, miniBatchSize: 20, loggingLevel: "Debug", retryTimeoutSeconds: 330 },
      displayName: "Nightly scoring",
      description: "All customers",
      experimentName: "nightly-scoring",
    });
  });

  it("the seed form's snake_case parameters, as ADF sends them (strings), give the same invoke", async () => {
    const start = await stack.api("/api/scoring-runs", {
      json: {
        endpoint_uri: stack.emulator.scoringUri,
        endpoint_input_uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/",
        endpoint_output_uri: `${FOLDER}-seed/`,
        instance_count: "3",
        mini_batch_size: "7",
        error_threshold: "10",
        output_file_name: "out.csv",
        logging_level: "Warning",
        max_retries: "0",
        retry_timeout: "60",
      },
    });
    expect(start.status).toBe(202);
    await stack.host.engine.idle();
    expect((lastInvoke().body as { properties: Record<string, unknown> }).properties).toMatchObject({
      compute: { instanceCount: 3 },
      miniBatchSize: 7,
      errorThreshold: 10,
      outputFileName: "out.csv",
      loggingLevel: "Warning",
      retrySettings: { maxRetries: 0, timeout: "PT1M" },
    });
  });

  it("a run without settings sends none of their keys", async () => {
    await stack.api("/api/scoring-runs", { json: stack.startBody() });
    await stack.host.engine.idle();
    const sent = (lastInvoke().body as { properties: Record<string, unknown> }).properties;
    for (const key of [
      "compute",
      "miniBatchSize",
      "maxConcurrencyPerInstance",
      "outputFileName",
      "errorThreshold",
      "loggingLevel",
      "retrySettings",
      "description",
    ]) {
      expect(sent, key).not.toHaveProperty(key);
    }
  });

  it("the same request with other settings is another request: its Idempotency-Key conflicts (409)", async () => {
    const headers = { "idempotency-key": "settings-key-1" };
    const body = stack.startBody({ settings: { instanceCount: 2 } });
    expect((await stack.api("/api/scoring-runs", { json: body, headers })).status).toBe(202);
    expect((await stack.api("/api/scoring-runs", { json: { ...body, settings: { instanceCount: "2" } }, headers })).status).toBeLessThan(300);
    expect((await stack.api("/api/scoring-runs", { json: { ...body, settings: { instanceCount: 3 } }, headers })).status).toBe(409);
  });

  it("a bad setting is a 400 naming it, and nothing starts", async () => {
    const invokes = stack.emulator.requestsFor("invoke").length;
    const runs = stack.host.engine.all().length;
    const res = await stack.api("/api/scoring-runs", { json: stack.startBody({ settings: { miniBatchSize: 0, loggingLevel: "Loud" } }) });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(["settings.loggingLevel", "settings.miniBatchSize"]);
    await stack.host.engine.idle();
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(invokes);
    expect(stack.host.engine.all()).toHaveLength(runs);
  });
});
