import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BatchEndpointError, createBatchEndpointClient } from "../../../src/batch";
import { ENDPOINT_READS_API_VERSION } from "../../../src/batch/endpointReads";
import { batchEndpointNameOf } from "../../../src/batch/endpointNames";
import { FakeCredential, WS, rejectionOf, startServer, testConfig, type TestServer } from "./helpers";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function armClient(script: Parameters<typeof startServer>[0]) {
  server = await startServer(script);
  const credential = new FakeCredential();
  // Each read here is a new scripted answer: nothing kept between them (the cache has its own tests).
  const client = createBatchEndpointClient({
    config: testConfig({ armEndpoint: server.origin, definitionCacheSeconds: 0 }),
    credential,
    armRetry: { maxRetries: 0 },
  });
  return { client, credential, server };
}

/** The specs' own examples (test/fixtures/azure/SOURCES.md): the 200 body. */
const example = (file: string): any => JSON.parse(fs.readFileSync(path.join(__dirname, "../../fixtures/azure", file), "utf8")).responses["200"].body;

const API = `api-version=${ENDPOINT_READS_API_VERSION}`;
const COMPONENT = `${WS}/components/batch_scoring/versions/2`;
const pipelineDeployment = {
  id: `${WS}/batchEndpoints/ep-1/deployments/pipe`,
  name: "pipe",
  properties: {
    deploymentConfiguration: {
      deploymentConfigurationType: "PipelineComponent",
      componentId: { referenceType: "Id", assetId: COMPONENT },
      settings: { default_compute: "batch-cluster", continue_on_step_failure: "False" },
    },
    provisioningState: "Succeeded",
  },
};

describe("batchEndpointNameOf", () => {
  it.each([
    ["https://ep-1.westeurope.inference.ml.azure.com/jobs", "ep-1"],
    // hosts are lower-cased by URL parsing; ARM finds names in any case
    ["https://EP-1.westeurope.inference.ml.azure.com/jobs/", "ep-1"],
    ["https://ep.chinaeast2.inference.ml.azure.cn/jobs", "ep"],
    // loopback (dev and tests only): the path segment before /jobs
    ["http://127.0.0.1:8080/endpoints/ep-scoring/jobs", "ep-scoring"],
    ["http://localhost:1/ep/jobs", "ep"],
  ])("%s → %s", (uri, name) => expect(batchEndpointNameOf(uri)).toBe(name));

  it.each(["not a url", "https://intranet/jobs", "http://127.0.0.1:8080/jobs", "https://%2e%2e.example.com/jobs"])("%s → null", (uri) =>
    expect(batchEndpointNameOf(uri)).toBeNull(),
  );
});

describe("getBatchEndpoint", () => {
  it("GETs {arm}{workspace}/batchEndpoints/<name>?api-version=2024-04-01 and reads the spec example's scoringUri and default", async () => {
    const { client, server, credential } = await armClient([{ status: 200, body: example("batch-endpoints-get.json") }]);
    expect(ENDPOINT_READS_API_VERSION).toBe("2024-04-01");
    const endpoint = await client.getBatchEndpoint(WS, "ep-1");
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`GET ${WS}/batchEndpoints/ep-1?${API}`]);
    expect(credential.calls).toHaveLength(0); // loopback ARM: no token
    expect(endpoint).toEqual({ name: "string", scoringUri: "https://www.contoso.com/example", defaultDeployment: "string" });
  });

  it("no default deployment: null (a null deploymentName, or no defaults at all)", async () => {
    const { client } = await armClient([
      { status: 200, body: { name: "ep-1", properties: { scoringUri: "https://ep-1.x/jobs", defaults: { deploymentName: null } } } },
      { status: 200, body: { name: "ep-1", properties: {} } },
    ]);
    expect(await client.getBatchEndpoint(WS, "ep-1")).toEqual({ name: "ep-1", scoringUri: "https://ep-1.x/jobs", defaultDeployment: null });
    expect(await client.getBatchEndpoint(WS, "ep-1")).toEqual({ name: "ep-1", scoringUri: null, defaultDeployment: null });
  });

  it("403 and 404 are BatchEndpointErrors naming the read, after one request", async () => {
    const { client, server } = await armClient([
      { status: 403, body: { error: { code: "AuthorizationFailed", message: "no batchEndpoints/read" } } },
      { status: 404, body: { error: { code: "ResourceNotFound", message: "not found" } } },
    ]);
    const denied = await rejectionOf(client.getBatchEndpoint(WS, "ep-1"));
    expect(denied).toBeInstanceOf(BatchEndpointError);
    expect(denied).toMatchObject({ httpStatus: 403, code: "AuthorizationFailed" });
    expect(denied.message).toContain("Get batch endpoint ep-1");
    expect((await rejectionOf(client.getBatchEndpoint(WS, "ep-1"))).httpStatus).toBe(404);
    expect(server.requests).toHaveLength(2);
  });

  it.each(["../x", "a/b", "x?api-version=1", ""])("refuses the endpoint name %j before any request", async (name) => {
    const { client, server } = await armClient([{ status: 200, body: {} }]);
    expect((await rejectionOf(client.getBatchEndpoint(WS, name))).code).toBe("InvalidRequest");
    expect(server.requests).toHaveLength(0);
  });

  it("a 200 that is not a JSON object is UnexpectedResponse", async () => {
    const { client } = await armClient([{ status: 200, body: "<html>" }]);
    expect((await rejectionOf(client.getBatchEndpoint(WS, "ep-1"))).code).toBe("UnexpectedResponse");
  });
});

describe("getBatchDeployment", () => {
  it("the spec example (a model reference, no configuration) is a model deployment with its settings", async () => {
    const { client, server } = await armClient([{ status: 200, body: example("batch-deployments-get.json") }]);
    const deployment = await client.getBatchDeployment(WS, "ep-1", "blue");
    expect(server.requests.map((r) => r.url)).toEqual([`${WS}/batchEndpoints/ep-1/deployments/blue?${API}`]);
    expect(deployment).toEqual({
      name: "string",
      kind: "model",
      componentId: null,
      settings: {
        compute: "string",
        instanceCount: 1,
        miniBatchSize: 1,
        maxConcurrencyPerInstance: 1,
        errorThreshold: 1,
        loggingLevel: "Info",
        outputAction: "SummaryOnly",
        outputFileName: "string",
        maxRetries: 1,
        retryTimeout: "PT5M",
      },
      pipelineSettings: {},
    });
  });

  it("deploymentConfigurationType PipelineComponent: the component's ARM id and the run-time settings", async () => {
    const { client } = await armClient([{ status: 200, body: pipelineDeployment }]);
    expect(await client.getBatchDeployment(WS, "ep-1", "pipe")).toMatchObject({
      name: "pipe",
      kind: "pipelineComponent",
      componentId: COMPONENT,
      pipelineSettings: { default_compute: "batch-cluster", continue_on_step_failure: "False" },
    });
  });

  it("type Model without a model reference is a model deployment; neither a type nor a model is unknown", async () => {
    const { client } = await armClient([
      { status: 200, body: { name: "m", properties: { deploymentConfiguration: { deploymentConfigurationType: "Model" } } } },
      { status: 200, body: { name: "x", properties: { compute: "c" } } },
    ]);
    expect((await client.getBatchDeployment(WS, "ep-1", "m")).kind).toBe("model");
    expect(await client.getBatchDeployment(WS, "ep-1", "x")).toMatchObject({ kind: "unknown", componentId: null });
  });

  it("refuses a bad deployment name before any request", async () => {
    const { client, server } = await armClient([{ status: 200, body: {} }]);
    expect((await rejectionOf(client.getBatchDeployment(WS, "ep-1", "../../listKeys"))).code).toBe("InvalidRequest");
    expect(server.requests).toHaveLength(0);
  });
});

describe("getComponentVersion", () => {
  const component = {
    id: COMPONENT,
    name: "2",
    properties: {
      componentSpec: {
        name: "batch_scoring",
        type: "pipeline",
        inputs: {
          input_data: { type: "uri_folder" },
          threshold: { type: "Number", default: 0.5 },
          mode: { type: "string", optional: true },
          tag: { type: "string", default: null },
        },
        outputs: { scores: { type: "uri_folder", mode: "upload" } },
      },
    },
  };

  it("GETs the component id's path and reads the declared inputs and outputs by name", async () => {
    const { client, server } = await armClient([{ status: 200, body: component }]);
    const read = await client.getComponentVersion(COMPONENT);
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`GET ${COMPONENT}?${API}`]);
    expect(read).toEqual({
      name: "batch_scoring",
      version: "2",
      inputs: {
        input_data: { type: "uri_folder", optional: false, hasDefault: false },
        threshold: { type: "number", optional: false, hasDefault: true },
        mode: { type: "string", optional: true, hasDefault: false },
        tag: { type: "string", optional: false, hasDefault: false },
      },
      outputs: { scores: { type: "uri_folder", optional: false, hasDefault: false } },
    });
  });

  it("a spec without inputs or outputs: null for each (not 'none declared')", async () => {
    const { client } = await armClient([{ status: 200, body: { properties: { componentSpec: { name: "c" } } } }]);
    expect(await client.getComponentVersion(COMPONENT)).toMatchObject({ inputs: null, outputs: null });
  });

  it.each([
    "azureml://registries/azureml/components/batch_scoring/versions/2",
    `${WS}/components/batch_scoring`,
    `${WS}/data/x/versions/1`,
    `${WS}/components/a/versions/..`,
  ])("refuses %s (not a workspace component version id) before any request", async (id) => {
    const { client, server } = await armClient([{ status: 200, body: component }]);
    expect((await rejectionOf(client.getComponentVersion(id))).code).toBe("InvalidRequest");
    expect(server.requests).toHaveLength(0);
  });
});

describe("the reads never ask for secrets", () => {
  it("every request is a GET, none names listKeys or listSecrets", async () => {
    const { client, server } = await armClient((req) =>
      req.url.includes("/components/")
        ? { status: 200, body: { properties: { componentSpec: {} } } }
        : req.url.includes("/deployments/")
          ? { status: 200, body: pipelineDeployment }
          : { status: 200, body: example("batch-endpoints-get.json") },
    );
    await client.getBatchEndpoint(WS, "ep-1");
    await client.getBatchDeployment(WS, "ep-1", "pipe");
    await client.getComponentVersion(COMPONENT);
    expect(server.requests).toHaveLength(3);
    for (const r of server.requests) {
      expect(r.method).toBe("GET");
      expect(r.url).not.toMatch(/listkeys|listsecrets/i);
    }
  });
});
