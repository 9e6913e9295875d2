import { describe, expect, it } from "vitest";
import type { StartConfig } from "../../../../src/runs/request/validateStartRequest";
import { validateBatchRequest } from "../../../../src/runs/batches/validateBatchRequest";
import { childRequest, childRunId, itemsFromFolders } from "../../../../src/runs/batches/childRuns";

const config: StartConfig = { allowedHosts: ["*.inference.ml.azure.com"], allowLoopback: false, defaultPollSeconds: 120 };
const template = { endpointUri: "https://ep.westeurope.inference.ml.azure.com/jobs", pollIntervalSeconds: 60, preflight: "off" };
const item = (i: number) => ({
  inputs: { input_data: { type: "uri_folder", uri: `azureml://datastores/ds/paths/in/${i}/` } },
  output: { uri: `azureml://datastores/ds/paths/out/${i}.csv` },
});
const fields = (v: ReturnType<typeof validateBatchRequest>) => (v.ok ? [] : v.details.map((d) => d.field));

describe("validateBatchRequest", () => {
  it("normalises the template once and each item's inputs and outputs, with the defaults", () => {
    const v = validateBatchRequest({ template, items: [item(0), item(1)] }, config);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.request.maxConcurrentJobs).toBe(5);
    expect(v.request.toleratedFailurePercent).toBe(0);
    expect(v.request.template.endpointUri).toBe(template.endpointUri);
    expect(v.request.template.inputs).toEqual({});
    expect(v.request.items?.[1]).toEqual({
      inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/ds/paths/in/1/" } },
      outputs: { score: { type: "uri_file", uri: "azureml://datastores/ds/paths/out/1.csv" } },
    });
    const child = childRequest(v.request.template, v.request.items![1]!);
    expect(child.pollIntervalSeconds).toBe(60);
    expect(child.outputs.score?.uri).toBe("azureml://datastores/ds/paths/out/1.csv");
  });

  it("names a bad item's field in the batch body", () => {
    const items = [item(0), item(1), item(2), { ...item(3), inputs: { input_data: { type: "uri_folder", uri: "ftp://nowhere/x/" } } }];
    expect(fields(validateBatchRequest({ template, items }, config))).toEqual(["items[3].inputs.input_data.uri"]);
  });

  it("names a bad template field once, however many items", () => {
    const v = validateBatchRequest({ template: { ...template, pollIntervalSeconds: 0 }, items: [item(0), item(1), item(2)] }, config);
    expect(fields(v)).toEqual(["template.pollIntervalSeconds"]);
  });

  it("refuses two items writing one output, and a template output every item would write", () => {
    expect(fields(validateBatchRequest({ template, items: [item(0), { ...item(1), output: item(0).output }] }, config))).toEqual(["items[1].output.uri"]);
    const shared = { ...template, output: { uri: "azureml://datastores/ds/paths/out/all.csv" } };
    expect(fields(validateBatchRequest({ template: shared, items: [{ inputs: item(0).inputs }, { inputs: item(1).inputs }] }, config))).toEqual([
      "template.output",
    ]);
  });

  it("checks the limits and the fields a batch owns", () => {
    expect(fields(validateBatchRequest({ template, items: [item(0)], maxConcurrentJobs: 51 }, config))).toEqual(["maxConcurrentJobs"]);
    expect(fields(validateBatchRequest({ template, items: [item(0)], toleratedFailurePercent: 101 }, config))).toEqual(["toleratedFailurePercent"]);
    expect(fields(validateBatchRequest({ template, items: [] }, config))).toEqual(["items"]);
    expect(fields(validateBatchRequest({ template, items: Array.from({ length: 1001 }, (_, i) => item(i)) }, config))).toEqual(["items"]);
    expect(fields(validateBatchRequest({ template: { ...template, instanceId: "x" }, items: [item(0)] }, config))).toEqual(["template.instanceId"]);
    expect(fields(validateBatchRequest({ template: { ...template, endpoint_uri: "x" }, items: [item(0)] }, config))).toEqual(["template.endpoint_uri"]);
    expect(fields(validateBatchRequest({ template }, config))).toEqual(["items"]);
    expect(fields(validateBatchRequest({ template, items: [item(0)], extra: 1 }, config))).toEqual(["extra"]);
    expect(fields(validateBatchRequest({ template, items: [{ ...item(0), displayName: "x" }] }, config))).toEqual(["items[0].displayName"]);
  });

  it("takes itemsFrom: a datastore folder to list and a folder for the outputs", () => {
    const v = validateBatchRequest(
      { template, itemsFrom: { prefix: "azureml://datastores/ds/paths/incoming", output: "azureml://datastores/ds/paths/scored/", maxItems: 10 } },
      config,
    );
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.request.itemsFrom).toEqual({
      prefix: "azureml://datastores/ds/paths/incoming/",
      output: "azureml://datastores/ds/paths/scored/",
      maxItems: 10,
      inputName: "input_data",
    });
    const [first] = itemsFromFolders(v.request.template, v.request.itemsFrom!, ["2026-12-01"]);
    expect(first).toEqual({
      inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/ds/paths/incoming/2026-12-01/" } },
      outputs: { score: { type: "uri_folder", uri: "azureml://datastores/ds/paths/scored/2026-12-01/" } },
    });
    const bad = validateBatchRequest(
      { template, itemsFrom: { prefix: "https://x/y/", output: "https://acct.blob.core.windows.net/c/out/", maxItems: 2000 } },
      config,
    );
    expect(fields(bad).sort()).toEqual(["itemsFrom.maxItems", "itemsFrom.output", "itemsFrom.prefix"]);
  });

  it("gives children deterministic ids", () => {
    expect(childRunId("batch-abc", 7)).toBe("batch-abc-0007");
    expect(childRunId("batch-abc", 12345)).toBe("batch-abc-12345");
  });
});
