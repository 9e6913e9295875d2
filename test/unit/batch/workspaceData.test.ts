import { afterEach, describe, expect, it } from "vitest";
import { BatchEndpointError, createBatchEndpointClient } from "../../../src/batch";
import { WORKSPACE_DATA_API_VERSION } from "../../../src/batch/workspaceData";
import { FakeCredential, WS, capturingHttpClient, rejectionOf, startServer, testConfig, type TestServer } from "./helpers";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function armClient(script: Parameters<typeof startServer>[0]) {
  server = await startServer(script);
  const credential = new FakeCredential();
  const client = createBatchEndpointClient({ config: testConfig({ armEndpoint: server.origin }), credential });
  return { client, credential, server };
}

const API = `api-version=${WORKSPACE_DATA_API_VERSION}`;

const blobDatastore = {
  id: `${WS}/datastores/workspaceblobstore`,
  name: "workspaceblobstore",
  properties: {
    datastoreType: "AzureBlob",
    accountName: "acct1",
    containerName: "azureml-blobstore-1",
    endpoint: "core.windows.net",
    protocol: "https",
    credentials: { credentialsType: "AccountKey" },
    isDefault: true,
  },
};

const dataVersion = (dataUri: string, dataType = "uri_folder") => ({ id: `${WS}/data/scores-in/versions/3`, properties: { dataType, dataUri } });

describe("getDatastore", () => {
  it("GETs {arm}{workspace}/datastores/<name>?api-version=2023-10-01 and reads an AzureBlob answer", async () => {
    const { client, server, credential } = await armClient([{ status: 200, body: blobDatastore }]);
    const ds = await client.getDatastore(WS, "workspaceblobstore");
    expect(WORKSPACE_DATA_API_VERSION).toBe("2023-10-01");
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.method).toBe("GET");
    expect(server.requests[0]!.url).toBe(`${WS}/datastores/workspaceblobstore?${API}`);
    expect(credential.calls).toHaveLength(0);
    expect(ds).toEqual({
      name: "workspaceblobstore",
      datastoreType: "AzureBlob",
      accountName: "acct1",
      container: "azureml-blobstore-1",
      endpoint: "core.windows.net",
      protocol: "https",
    });
  });

  it("reads an ADLS Gen2 answer's filesystem as the container", async () => {
    const { client } = await armClient([
      {
        status: 200,
        body: {
          name: "lake",
          properties: { datastoreType: "AzureDataLakeGen2", accountName: "acct2", filesystem: "raw", endpoint: "core.chinacloudapi.cn", protocol: "https" },
        },
      },
    ]);
    expect(await client.getDatastore(WS, "lake")).toEqual({
      name: "lake",
      datastoreType: "AzureDataLakeGen2",
      accountName: "acct2",
      container: "raw",
      endpoint: "core.chinacloudapi.cn",
      protocol: "https",
    });
  });

  it("defaults endpoint and protocol to the public cloud over https", async () => {
    const { client } = await armClient([{ status: 200, body: { properties: { datastoreType: "AzureBlob", accountName: "acct1", containerName: "c" } } }]);
    expect(await client.getDatastore(WS, "ds")).toMatchObject({ endpoint: "core.windows.net", protocol: "https" });
  });

  it("never returns the credentials the answer carries", async () => {
    const { client } = await armClient([{ status: 200, body: blobDatastore }]);
    expect(JSON.stringify(await client.getDatastore(WS, "workspaceblobstore"))).not.toContain("credentials");
  });

  it("403 → BatchEndpointError with httpStatus 403, after one request", async () => {
    const { client, server } = await armClient([
      { status: 403, body: { error: { code: "AuthorizationFailed", message: "The client does not have authorization to perform action 'datastores/read'." } } },
    ]);
    const err = await rejectionOf(client.getDatastore(WS, "workspaceblobstore"));
    expect(err).toBeInstanceOf(BatchEndpointError);
    expect(err.httpStatus).toBe(403);
    expect(err.code).toBe("AuthorizationFailed");
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("Get datastore workspaceblobstore");
    expect(server.requests).toHaveLength(1);
  });

  it("404 → BatchEndpointError with httpStatus 404", async () => {
    const { client } = await armClient([{ status: 404, body: { error: { code: "UserError", message: "DatastoreNotFound" } } }]);
    expect((await rejectionOf(client.getDatastore(WS, "nosuch"))).httpStatus).toBe(404);
  });

  it.each(["../x", "a/b", "x?api-version=1", "", "-lead", "a b", "%2e%2e"])("refuses the datastore name %j before any request", async (name) => {
    const { client, server } = await armClient([{ status: 200, body: blobDatastore }]);
    const err = await rejectionOf(client.getDatastore(WS, name));
    expect(err).toBeInstanceOf(BatchEndpointError);
    expect(err.code).toBe("InvalidRequest");
    expect(server.requests).toHaveLength(0);
  });

  it("refuses a workspace that is not a workspace resource id, before any request", async () => {
    const { client, server } = await armClient([{ status: 200, body: blobDatastore }]);
    expect((await rejectionOf(client.getDatastore(`${WS}/jobs/x`, "ds"))).code).toBe("InvalidRequest");
    expect(server.requests).toHaveLength(0);
  });

  it("refuses a plain-http ARM endpoint that is not loopback", async () => {
    const httpClient = capturingHttpClient(() => ({ status: 200, body: blobDatastore }));
    const client = createBatchEndpointClient({ config: testConfig({ armEndpoint: "http://arm.example.com" }), credential: new FakeCredential(), httpClient });
    expect((await rejectionOf(client.getDatastore(WS, "ds"))).code).toBe("EndpointNotAllowed");
    expect(httpClient.requests).toHaveLength(0);
  });

  it("a 200 that is not JSON is UnexpectedResponse", async () => {
    const { client } = await armClient([{ status: 200, body: "<html>" }]);
    expect((await rejectionOf(client.getDatastore(WS, "ds"))).code).toBe("UnexpectedResponse");
  });
});

describe("getDataVersion", () => {
  it("an explicit version GETs data/<name>/versions/<version>", async () => {
    const { client, server } = await armClient([{ status: 200, body: dataVersion("azureml://datastores/workspaceblobstore/paths/in/v3/") }]);
    const version = await client.getDataVersion(WS, "scores-in", "3");
    expect(server.requests.map((r) => r.url)).toEqual([`${WS}/data/scores-in/versions/3?${API}`]);
    expect(version).toEqual({ name: "scores-in", version: "3", dataType: "uri_folder", dataUri: "azureml://datastores/workspaceblobstore/paths/in/v3/" });
  });

  it("@latest (version null) first reads data/<name> for properties.latestVersion, then that version", async () => {
    const { client, server } = await armClient((req) =>
      req.url.includes("/versions/")
        ? { status: 200, body: dataVersion("azureml://datastores/workspaceblobstore/paths/in/v12.csv", "uri_file") }
        : { status: 200, body: { id: `${WS}/data/scores-in`, properties: { latestVersion: "12" } } },
    );
    const version = await client.getDataVersion(WS, "scores-in", null);
    expect(server.requests.map((r) => r.url)).toEqual([`${WS}/data/scores-in?${API}`, `${WS}/data/scores-in/versions/12?${API}`]);
    expect(version).toEqual({ name: "scores-in", version: "12", dataType: "uri_file", dataUri: "azureml://datastores/workspaceblobstore/paths/in/v12.csv" });
  });

  it("a container without latestVersion: the newest version by creation time; none at all is UnexpectedResponse", async () => {
    const found = await armClient([
      { status: 200, body: { properties: {} } },
      { status: 200, body: { value: [{ name: "4" }] } },
      { status: 200, body: dataVersion("azureml://datastores/ds/paths/x") },
    ]);
    expect(await found.client.getDataVersion(WS, "scores-in", null)).toMatchObject({ version: "4" });
    expect(decodeURIComponent(found.server.requests[1]!.url)).toContain("/data/scores-in/versions?api-version=2023-10-01&$orderBy=createdtime desc&$top=1");
    const none = await armClient([
      { status: 200, body: { properties: {} } },
      { status: 200, body: { value: [] } },
    ]);
    expect((await rejectionOf(none.client.getDataVersion(WS, "scores-in", null))).code).toBe("UnexpectedResponse");
    expect(none.server.requests).toHaveLength(2);
  });

  it("a latestVersion that would change the path is refused before the second request", async () => {
    const { client, server } = await armClient([{ status: 200, body: { properties: { latestVersion: "../../jobs/x" } } }]);
    expect((await rejectionOf(client.getDataVersion(WS, "scores-in", null))).code).toBe("InvalidRequest");
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    ["name", "../x", "1"],
    ["version", "scores-in", "1/../2"],
  ])("refuses a bad %s before any request", async (_what, name, version) => {
    const { client, server } = await armClient([{ status: 200, body: dataVersion("azureml://datastores/ds/paths/x") }]);
    expect((await rejectionOf(client.getDataVersion(WS, name, version))).code).toBe("InvalidRequest");
    expect(server.requests).toHaveLength(0);
  });

  it("a version without dataUri is UnexpectedResponse", async () => {
    const { client } = await armClient([{ status: 200, body: { properties: { dataType: "uri_folder" } } }]);
    expect((await rejectionOf(client.getDataVersion(WS, "scores-in", "1"))).code).toBe("UnexpectedResponse");
  });

  it("403 on the version → httpStatus 403", async () => {
    const { client } = await armClient([{ status: 403, body: { error: { code: "AuthorizationFailed", message: "no data/read" } } }]);
    expect((await rejectionOf(client.getDataVersion(WS, "scores-in", "1"))).httpStatus).toBe(403);
  });
});
