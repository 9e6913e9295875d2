/**
 * The client reads the payloads Azure publishes, and the emulator answers in their shape: if the
 * emulator invents a field (an error where the job resource has none) or drifts in a name, a test
 * here fails.
 */
import { createHttpHeaders, type HttpClient } from "@azure/core-rest-pipeline";
import { EventGridDeserializer } from "@azure/eventgrid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchEmulator, lifecycles } from "../../dev/batch-emulator";
import { createBatchEndpointClient, parseErrorResponse } from "../../src/batch";
import { readJobResource } from "../../src/batch/jobResource";
import { toListedJob } from "../../src/batch/listJobs";
import { parseConfig } from "../../src/config";
import { decideBlobCreated } from "../../src/events/blobCreated";
import { decideJobEvent } from "../../src/events/jobStatusEvents";
import { toIncomingEvent } from "../../src/events/toIncomingEvent";
import { exampleBody, fixture, shapeProblems } from "./fixtures";

const WS = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws";

/** An HttpClient that answers every request with one body. */
function answering(body: unknown): HttpClient {
  return {
    sendRequest: async (request) => ({
      request,
      status: 200,
      headers: createHttpHeaders({ "content-type": "application/json" }),
      bodyAsText: JSON.stringify(body),
    }),
  };
}

function clientAnswering(body: unknown) {
  const config = { ...parseConfig({ AML_ARM_ENDPOINT: "https://management.azure.com" }) };
  return createBatchEndpointClient({
    config,
    httpClient: answering(body),
    credential: { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3600_000 }) },
  });
}

describe("the client reads Azure's published payloads", () => {
  it("Jobs Get (2022-10-01 and 2024-04-01): status, services, outputs", () => {
    for (const name of ["jobs-get.json", "jobs-get-2024-04-01.json"]) {
      const fields = readJobResource(exampleBody(name));
      expect(fields, name).toMatchObject({ id: "string", name: "string", status: expect.any(String) });
      expect(Object.values(fields!.outputs).every((o) => typeof o.uri === "string")).toBe(true);
    }
    // The only documented text on a job resource: a service's errorMessage ("Any error in the service").
    const failed = structuredClone(exampleBody("jobs-get.json"));
    failed.properties.status = "Failed";
    expect(readJobResource(failed)!.errorMessage).toBe("string");
  });

  it("Jobs List: every item reads as a listed job (the examples' placeholder ids are no ARM ids, so none is adopted)", () => {
    for (const name of ["jobs-list.json", "jobs-list-2024-04-01.json"]) {
      const items = exampleBody(name).value as unknown[];
      expect(items.length).toBeGreaterThan(0);
      expect(items.map(toListedJob)).toEqual(items.map(() => null));
      const withArmId = { ...(items[0] as object), id: `${WS}/jobs/j1`, name: "j1" };
      expect(toListedJob(withArmId)).toMatchObject({ name: "j1", jobPath: `${WS}/jobs/j1`, createdAt: expect.any(String) });
    }
  });

  it("the recorded batch invoke answer: a nested id read as the workspace-level job path", async () => {
    const recorded = fixture("batch-invoke-response.json");
    expect(recorded.response.status).toBe(201);
    const fields = readJobResource(recorded.response.body);
    expect(fields).toMatchObject({ name: expect.stringMatching(/^batchjob-/), status: "Preparing" });
    const listed = toListedJob(recorded.response.body);
    expect(listed!.jobPath).toMatch(/\/workspaces\/00000\/jobs\/batchjob-/);
    expect(listed!.tags["azureml.deploymentname"]).toBe("batch-dpm-8c7fa87f5ded4e0");
  });

  it("Datastores Get, Data Versions Get, Data Containers Get", async () => {
    expect(await clientAnswering(exampleBody("datastores-get.json")).getDatastore(WS, "ds")).toEqual({
      name: "ds",
      datastoreType: "AzureBlob",
      accountName: "string",
      container: "string",
      endpoint: "core.windows.net",
      protocol: "https",
    });
    expect(await clientAnswering(exampleBody("data-versions-get.json")).getDataVersion(WS, "d", "1")).toEqual({
      name: "d",
      version: "1",
      dataType: "uri_file",
      dataUri: "string",
    });
    // The published container has no latestVersion: the newest version is then asked for by creation time.
    const version = exampleBody("data-versions-get.json");
    const answers = [exampleBody("data-containers-get.json"), { value: [{ ...version, name: "7" }] }, version];
    const urls: string[] = [];
    const latest = createBatchEndpointClient({
      config: parseConfig({}),
      credential: { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3600_000 }) },
      httpClient: {
        sendRequest: async (request) => (
          urls.push(request.url),
          { request, status: 200, headers: createHttpHeaders(), bodyAsText: JSON.stringify(answers.shift()) }
        ),
      },
    });
    expect(await latest.getDataVersion(WS, "d", null)).toMatchObject({ version: "7", dataUri: "string" });
    expect(decodeURIComponent(urls[1]!)).toContain("/data/d/versions?api-version=2023-10-01&$orderBy=createdtime desc&$top=1");
  });

  it("the ARM error body", () => {
    const body = fixture("error-response.json");
    const error = parseErrorResponse(400, {}, JSON.stringify(body));
    expect(error.httpStatus).toBe(400);
    expect(error.code).toBe("BadRequest"); // the example's code is an empty string
  });

  it("BlobCreated in both schemas, through @azure/eventgrid, decides the same run", async () => {
    const settings = {
      endpointUri: "https://ep.westeurope.inference.ml.azure.com/jobs",
      deployment: null,
      container: "test-container",
      prefix: "",
      suffix: "",
      inputMode: "file" as const,
      marker: "_SUCCESS",
      outputTemplate: null,
      pollSeconds: 60,
      datastore: null,
      batchWindowSeconds: 0,
      batchMaxFiles: 100,
    };
    const deserializer = new EventGridDeserializer();
    const [grid] = await deserializer.deserializeEventGridEvents(JSON.stringify(fixture("eventgrid-blob-created.json")));
    const [cloud] = await deserializer.deserializeCloudEvents(JSON.stringify(fixture("cloudevents-blob-created.json")));
    const fromGrid = toIncomingEvent(grid);
    const fromCloud = toIncomingEvent(cloud);
    expect("malformed" in fromGrid || "malformed" in fromCloud).toBe(false);
    const a = decideBlobCreated(fromGrid as never, settings);
    const b = decideBlobCreated(fromCloud as never, settings);
    expect(a).toMatchObject({ kind: "start", instanceId: expect.stringMatching(/^blob-/) });
    expect(b).toEqual(a);
  });

  it("RunStatusChanged in both schemas signals the job it names", async () => {
    const deserializer = new EventGridDeserializer();
    const [grid] = await deserializer.deserializeEventGridEvents(JSON.stringify(fixture("eventgrid-ml-run-status-changed.json")));
    const [cloud] = await deserializer.deserializeCloudEvents(JSON.stringify(fixture("cloudevents-ml-run-status-changed.json")));
    for (const event of [grid, cloud]) {
      expect(decideJobEvent(toIncomingEvent(event) as never)).toMatchObject({ kind: "signal", jobName: expect.stringMatching(/^AutoML_/), status: "failed" });
    }
  });
});

describe("the emulator answers in the published shapes", () => {
  const emulator = new BatchEmulator({ deployments: [{ name: "pipe", type: "pipelineComponent" }], failureText: "services" });
  const get = async (path: string) => (await fetch(`${emulator.armEndpoint}${path}`)).json();
  beforeAll(async () => {
    await emulator.start();
    emulator.setDatastore("ds", { datastoreType: "AzureBlob", accountName: "acct", containerName: "c", endpoint: "core.windows.net", protocol: "https" });
    emulator.setDataVersion("d", "1", { dataType: "uri_folder", dataUri: "azureml://datastores/ds/paths/in/" });
  });
  afterAll(() => emulator.stop());

  async function invoke(): Promise<any> {
    const res = await fetch(emulator.scoringUri, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ properties: { InputData: { input1: { JobInputType: "UriFolder", Uri: "https://a.blob.core.windows.net/c/in" } } } }),
    });
    return res.json();
  }

  it("the invoke answer has the recorded answer's fields", async () => {
    expect(shapeProblems(await invoke(), fixture("batch-invoke-response.json").response.body)).toEqual([]);
  });

  it("Jobs Get and Jobs List, a Failed job included, have the example's fields and no others", async () => {
    emulator.enqueueLifecycle(lifecycles.failsWith("boom", 0));
    const job = await invoke();
    const path = `${emulator.workspaceId}/jobs/${job.name}?api-version=2022-10-01`;
    const resource: any = await get(path);
    expect(resource.properties.status).toBe("Failed");
    // In the JobBase schema (2022-10-01 mfe.json) but not in this example: isArchived, and the uri of a
    // UriFolder/UriFile input (the example's only input is a literal).
    const schemaFields = new Set([
      "$.properties.isArchived",
      "$.properties.inputs.*.uri",
      "$.value[].properties.isArchived",
      "$.value[].properties.inputs.*.uri",
    ]);
    expect(shapeProblems(resource, exampleBody("jobs-get.json"), "$", schemaFields)).toEqual([]);
    const list = await get(`${emulator.workspaceId}/jobs?api-version=2022-10-01`);
    expect(shapeProblems(list, exampleBody("jobs-list.json"), "$", schemaFields)).toEqual([]);
  });

  it("Datastores Get and Data Versions Get", async () => {
    expect(shapeProblems(await get(`${emulator.workspaceId}/datastores/ds?api-version=2023-10-01`), exampleBody("datastores-get.json"))).toEqual([]);
    expect(shapeProblems(await get(`${emulator.workspaceId}/data/d/versions/1?api-version=2023-10-01`), exampleBody("data-versions-get.json"))).toEqual([]);
  });

  it("the shape check itself finds an invented field", () => {
    const invented = structuredClone(exampleBody("jobs-get.json"));
    invented.properties.error = { error: { code: "UserError", message: "x" } };
    expect(shapeProblems(invented, exampleBody("jobs-get.json"))).toEqual(["$.properties.error: not in the published example"]);
  });
});
