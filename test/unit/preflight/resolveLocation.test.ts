import { describe, expect, it } from "vitest";
import { BatchEndpointError } from "../../../src/batch/errors";
import type { DataVersionInfo, DatastoreInfo, WorkspaceDataClient } from "../../../src/batch/types";
import { resolveLocation } from "../../../src/preflight/resolveLocation";

const WS = "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-main";

const blobStore: DatastoreInfo = {
  name: "workspaceblobstore",
  datastoreType: "AzureBlob",
  accountName: "acct1",
  container: "data",
  endpoint: "core.windows.net",
  protocol: "https",
};
const lakeStore: DatastoreInfo = {
  name: "lake",
  datastoreType: "AzureDataLakeGen2",
  accountName: "acct2",
  container: "fs",
  endpoint: "core.windows.net",
  protocol: "https",
};
const fileStore: DatastoreInfo = {
  name: "files",
  datastoreType: "AzureFile",
  accountName: "acct3",
  container: "share",
  endpoint: "core.windows.net",
  protocol: "https",
};

type Answer<T> = T | BatchEndpointError;

/** A WorkspaceDataClient answering from tables (an error is thrown), recording each call. */
function fakeClient(datastores: Record<string, Answer<DatastoreInfo>>, versions: Record<string, Answer<DataVersionInfo>> = {}) {
  const calls: { op: string; workspace: string; name: string; version?: string | null }[] = [];
  const answer = <T>(table: Record<string, Answer<T>>, key: string): T => {
    const found = table[key];
    if (found === undefined) throw new BatchEndpointError("UserError", `${key} not found`, { httpStatus: 404 });
    if (found instanceof BatchEndpointError) throw found;
    return found;
  };
  const client: WorkspaceDataClient = {
    async getDatastore(workspace, name) {
      calls.push({ op: "datastore", workspace, name });
      return answer(datastores, name);
    },
    async getDataVersion(workspace, name, version) {
      calls.push({ op: "data", workspace, name, version });
      return answer(versions, `${name}:${version ?? "latest"}`);
    },
  };
  return { deps: { client, allowLoopback: false }, calls };
}

const forbidden = new BatchEndpointError("AuthorizationFailed", "HTTP 403 AuthorizationFailed", { httpStatus: 403 });

describe("resolveLocation: datastore paths", () => {
  it("short form: asks the given workspace for the datastore", async () => {
    const { deps, calls } = fakeClient({ workspaceblobstore: blobStore });
    const r = await resolveLocation("azureml://datastores/workspaceblobstore/paths/in/2024/", WS, deps);
    expect(r).toEqual({
      kind: "blob",
      location: { accountUrl: "https://acct1.blob.core.windows.net", accountName: "acct1", container: "data", path: "in/2024/", loopback: false },
      datastoreType: "AzureBlob",
      dataType: null,
    });
    expect(calls).toEqual([{ op: "datastore", workspace: WS, name: "workspaceblobstore" }]);
  });

  it("long form: asks the URI's own workspace, not the default one", async () => {
    const { deps, calls } = fakeClient({ workspaceblobstore: blobStore });
    const r = await resolveLocation(
      "azureml://subscriptions/sub-9/resourcegroups/rg-9/workspaces/ws-other/datastores/workspaceblobstore/paths/a.csv",
      WS,
      deps,
    );
    expect(r.kind).toBe("blob");
    expect(calls[0]!.workspace).toBe("/subscriptions/sub-9/resourceGroups/rg-9/providers/Microsoft.MachineLearningServices/workspaces/ws-other");
  });

  it("long form resolves even when no default workspace is set", async () => {
    const { deps } = fakeClient({ workspaceblobstore: blobStore });
    const r = await resolveLocation("azureml://subscriptions/s/resourcegroups/g/workspaces/w/datastores/workspaceblobstore/paths/a.csv", null, deps);
    expect(r.kind).toBe("blob");
  });

  it("decodes the datastore path", async () => {
    const { deps } = fakeClient({ workspaceblobstore: blobStore });
    const r = await resolveLocation("azureml://datastores/workspaceblobstore/paths/in/my%20file.csv", WS, deps);
    expect(r.kind === "blob" && r.location.path).toBe("in/my file.csv");
  });

  it("no workspace: unresolved, naming AML_WORKSPACE_ID, without any read", async () => {
    const { deps, calls } = fakeClient({ workspaceblobstore: blobStore });
    const r = await resolveLocation("azureml://datastores/workspaceblobstore/paths/x.csv", null, deps);
    expect(r).toEqual({ kind: "unresolved", reason: expect.stringContaining("AML_WORKSPACE_ID") });
    expect(calls).toEqual([]);
  });

  it("403: unresolved, naming the permission the app's identity lacks", async () => {
    const { deps } = fakeClient({ workspaceblobstore: forbidden });
    const r = await resolveLocation("azureml://datastores/workspaceblobstore/paths/x.csv", WS, deps);
    expect(r.kind).toBe("unresolved");
    const reason = r.kind === "unresolved" ? r.reason : "";
    expect(reason).toContain("HTTP 403");
    expect(reason).toContain("Microsoft.MachineLearningServices/workspaces/datastores/read");
    expect(reason).toContain("ws-main");
  });

  it("404: unresolved, the datastore was not found", async () => {
    const { deps } = fakeClient({});
    const r = await resolveLocation("azureml://datastores/nosuch/paths/x.csv", WS, deps);
    expect(r).toEqual({ kind: "unresolved", reason: "datastore nosuch was not found in workspace ws-main" });
  });

  it("any other failure: unresolved, with the error's message", async () => {
    const { deps } = fakeClient({ workspaceblobstore: new BatchEndpointError("ServiceUnavailable", "HTTP 503 busy", { httpStatus: 503 }) });
    const r = await resolveLocation("azureml://datastores/workspaceblobstore/paths/x.csv", WS, deps);
    expect(r).toEqual({ kind: "unresolved", reason: expect.stringMatching(/^reading datastore workspaceblobstore failed: .*HTTP 503 busy/) });
  });

  it("an ADLS Gen2 datastore is kind 'datastore', with its blob-endpoint location", async () => {
    const { deps } = fakeClient({ lake: lakeStore });
    const r = await resolveLocation("azureml://datastores/lake/paths/raw/", WS, deps);
    expect(r).toEqual({
      kind: "datastore",
      location: { accountUrl: "https://acct2.blob.core.windows.net", accountName: "acct2", container: "fs", path: "raw/", loopback: false },
      datastoreType: "AzureDataLakeGen2",
      datastore: "lake",
      reason: "",
    });
  });

  it("an Azure Files datastore is kind 'datastore' without a location, and says why", async () => {
    const { deps } = fakeClient({ files: fileStore });
    const r = await resolveLocation("azureml://datastores/files/paths/x.csv", WS, deps);
    expect(r).toMatchObject({ kind: "datastore", location: null, datastoreType: "AzureFile", reason: expect.stringContaining("AzureFile") });
  });

  it("a Blob datastore on a foreign host is unresolved (the token never goes there)", async () => {
    const { deps } = fakeClient({ workspaceblobstore: { ...blobStore, endpoint: "evil.com" } });
    const r = await resolveLocation("azureml://datastores/workspaceblobstore/paths/x.csv", WS, deps);
    expect(r).toMatchObject({ kind: "unresolved", reason: expect.stringContaining("not an Azure Storage endpoint") });
  });
});

describe("resolveLocation: data assets", () => {
  const asset = (name: string, version: string, dataUri: string, dataType = "uri_folder"): DataVersionInfo => ({ name, version, dataType, dataUri });

  it("azureml:<name>:<version> reads that version, then resolves its dataUri", async () => {
    const { deps, calls } = fakeClient(
      { workspaceblobstore: blobStore },
      { "scores-in:3": asset("scores-in", "3", "azureml://datastores/workspaceblobstore/paths/in/v3/") },
    );
    const r = await resolveLocation("azureml:scores-in:3", WS, deps);
    expect(r).toMatchObject({ kind: "blob", location: { container: "data", path: "in/v3/" }, datastoreType: "AzureBlob", dataType: "uri_folder" });
    expect(calls).toEqual([
      { op: "data", workspace: WS, name: "scores-in", version: "3" },
      { op: "datastore", workspace: WS, name: "workspaceblobstore" },
    ]);
  });

  it("azureml:<name>@latest asks for version null", async () => {
    const { deps, calls } = fakeClient(
      { workspaceblobstore: blobStore },
      { "scores-in:latest": asset("scores-in", "7", "azureml://datastores/workspaceblobstore/paths/in/v7.csv", "uri_file") },
    );
    const r = await resolveLocation("azureml:scores-in@latest", WS, deps);
    expect(calls[0]).toEqual({ op: "data", workspace: WS, name: "scores-in", version: null });
    expect(r).toMatchObject({ kind: "blob", location: { path: "in/v7.csv" }, dataType: "uri_file" });
  });

  it("keeps an mltable asset's dataType (the check skips it)", async () => {
    const { deps } = fakeClient({ workspaceblobstore: blobStore }, { "t:1": asset("t", "1", "azureml://datastores/workspaceblobstore/paths/t/", "mltable") });
    expect(await resolveLocation("azureml:t:1", WS, deps)).toMatchObject({ kind: "blob", dataType: "mltable" });
  });

  it("an asset pointing at an https blob URL resolves it directly", async () => {
    const { deps, calls } = fakeClient({}, { "web:1": asset("web", "1", "https://acct9.blob.core.windows.net/c/in/") });
    const r = await resolveLocation("azureml:web:1", WS, deps);
    expect(r).toMatchObject({ kind: "blob", location: { accountName: "acct9", container: "c", path: "in/" }, datastoreType: null, dataType: "uri_folder" });
    expect(calls).toHaveLength(1);
  });

  it("an asset pointing at an ADLS Gen2 datastore is kind 'datastore' with a location", async () => {
    const { deps } = fakeClient({ lake: lakeStore }, { "raw:2": asset("raw", "2", "azureml://datastores/lake/paths/raw/") });
    expect(await resolveLocation("azureml:raw:2", WS, deps)).toMatchObject({
      kind: "datastore",
      datastoreType: "AzureDataLakeGen2",
      location: { container: "fs", path: "raw/" },
    });
  });

  it("an asset pointing at another asset is not followed", async () => {
    const { deps, calls } = fakeClient(
      {},
      { "a:1": asset("a", "1", "azureml:b:1"), "b:1": asset("b", "1", "azureml://datastores/workspaceblobstore/paths/x") },
    );
    const r = await resolveLocation("azureml:a:1", WS, deps);
    expect(r).toMatchObject({ kind: "unresolved", reason: expect.stringContaining("another data asset") });
    expect(calls).toHaveLength(1);
  });

  it("no workspace: unresolved, naming AML_WORKSPACE_ID", async () => {
    const { deps, calls } = fakeClient({});
    expect(await resolveLocation("azureml:scores-in:1", null, deps)).toEqual({ kind: "unresolved", reason: expect.stringContaining("AML_WORKSPACE_ID") });
    expect(calls).toEqual([]);
  });

  it("403 names data/read; 404 says not found", async () => {
    const { deps } = fakeClient({}, { "secret:1": forbidden });
    const denied = await resolveLocation("azureml:secret:1", WS, deps);
    expect(denied).toMatchObject({ kind: "unresolved", reason: expect.stringContaining("data/read") });
    const missing = await resolveLocation("azureml:gone:1", WS, deps);
    expect(missing).toEqual({ kind: "unresolved", reason: "data asset gone was not found in workspace ws-main" });
  });
});

describe("resolveLocation: direct URIs", () => {
  it("an https blob URL needs no workspace read", async () => {
    const { deps, calls } = fakeClient({});
    const r = await resolveLocation("https://acct1.blob.core.windows.net/data/in/a.csv", null, deps);
    expect(r).toEqual({
      kind: "blob",
      location: { accountUrl: "https://acct1.blob.core.windows.net", accountName: "acct1", container: "data", path: "in/a.csv", loopback: false },
      datastoreType: null,
      dataType: null,
    });
    expect(calls).toEqual([]);
  });

  it("an https URL on another host is unresolved", async () => {
    const { deps } = fakeClient({});
    expect(await resolveLocation("https://evil.com/data/a.csv", WS, deps)).toMatchObject({ kind: "unresolved", reason: expect.stringContaining("evil.com") });
  });

  it("abfss is read through the blob endpoint, as ADLS Gen2", async () => {
    const { deps, calls } = fakeClient({});
    const r = await resolveLocation("abfss://fs@acct2.dfs.core.windows.net/raw/", null, deps);
    expect(r).toMatchObject({
      kind: "blob",
      location: { accountUrl: "https://acct2.blob.core.windows.net", container: "fs", path: "raw/" },
      datastoreType: "AzureDataLakeGen2",
    });
    expect(calls).toEqual([]);
  });

  it("anything else is unresolved", async () => {
    const { deps } = fakeClient({});
    expect(await resolveLocation("wasbs://c@acct1.blob.core.windows.net/x", WS, deps)).toEqual({
      kind: "unresolved",
      reason: "not a URI pre-flight can resolve",
    });
  });
});
