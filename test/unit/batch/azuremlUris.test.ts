import { describe, expect, it } from "vitest";
import { checkOutputUri, classifyInputUri, parseDatastoreUri } from "../../../src/batch/azuremlUris";

describe("parseDatastoreUri", () => {
  it("splits the short form", () => {
    expect(parseDatastoreUri("azureml://datastores/workspaceblobstore/paths/data/in/")).toEqual({
      datastore: "workspaceblobstore",
      path: "data/in/",
      workspace: null,
    });
  });

  it("splits the long, workspace-qualified form", () => {
    expect(parseDatastoreUri("azureml://subscriptions/sub-1/resourcegroups/rg-1/workspaces/ws-1/datastores/blob_store/paths/a/b.csv")).toEqual({
      datastore: "blob_store",
      path: "a/b.csv",
      workspace: { subscriptionId: "sub-1", resourceGroup: "rg-1", workspace: "ws-1" },
    });
  });

  it.each([
    "azureml://datastores/ds/paths",
    "azureml://datastores//paths/x",
    "azureml://datastores/bad.name/paths/x",
    "azureml://datastores/ds/paths/a b",
    "azureml:model:1",
    "https://acc.blob.core.windows.net/c/x",
    "",
  ])("returns null for %j", (uri) => {
    expect(parseDatastoreUri(uri)).toBeNull();
  });
});

describe("classifyInputUri", () => {
  it.each([
    ["azureml://datastores/workspaceblobstore/paths/data/in/", "datastore"],
    ["azureml://datastores/workspaceblobstore/paths/data/file.csv", "datastore"],
    ["azureml://subscriptions/s/resourcegroups/rg/workspaces/ws/datastores/ds/paths/p/", "datastore"],
    ["azureml:heart-data:3", "data_asset"],
    ["azureml:heart_data@latest", "data_asset"],
    ["https://acc.blob.core.windows.net/container/folder/", "https"],
    ["https://example.com/public/data.csv?download=1", "https"],
    ["abfss://fs@acc.dfs.core.windows.net/folder/file.parquet", "abfss"],
  ] as const)("accepts %s as %s", (uri, kind) => {
    expect(classifyInputUri(uri)).toEqual({ ok: true, kind });
  });

  it.each([
    ["http://acc.blob.core.windows.net/c/x", /must use https/],
    ["s3://bucket/key", /unsupported scheme 's3:'/],
    ["wasbs://c@acc.blob.core.windows.net/x", /wasb\(s\):\/\/ URIs are not accepted/],
    ["adl://store.azuredatalakestore.net/x", /unsupported scheme 'adl:'/],
    ["/local/path/data.csv", /is not a URI/],
    ["azureml://datastores/ds/paths/a b/c", /whitespace/],
    [" azureml://datastores/ds/paths/a", /whitespace/],
    ["azureml://datastores/ds/paths/a\tb", /whitespace/],
    ["https://acc.blob.core.windows.net/c/x?sv=2022-11-02&sig=abc%3D", /must not carry a SAS token/],
    ["https://acc.blob.core.windows.net/c/x?SIG=abc", /must not carry a SAS token/],
    ["https://user:pw@acc.blob.core.windows.net/c/x", /credentials/],
    ["azureml:heart-data", /data asset/],
    ["azureml:heart-data:", /data asset/],
    ["azureml://locations/westeurope/workspaces/x/data/y/versions/1", /not a supported azureml:\/\/ URI/],
    ["azureml://datastores/ds/paths/a//b", /empty path segments/],
    ["azureml://datastores/ds/paths/a/../b", /'\.\.' path segments/],
    ["abfss://acc.dfs.core.windows.net/x", /not a valid abfss URI/],
    ["", /must not be empty/],
  ] as const)("rejects %j", (uri, reason) => {
    const result = classifyInputUri(uri);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it("never echoes a SAS token in the reason", () => {
    const result = classifyInputUri("https://acc.blob.core.windows.net/c/x?sig=SECRETSECRET");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).not.toContain("SECRETSECRET");
  });
});

describe("checkOutputUri", () => {
  it("accepts a datastore file path, with or without an extension", () => {
    expect(checkOutputUri("azureml://datastores/workspaceblobstore/paths/out/predictions.csv")).toEqual({
      ok: true,
      datastore: "workspaceblobstore",
      path: "out/predictions.csv",
    });
    expect(checkOutputUri("azureml://datastores/ds/paths/predictions")).toMatchObject({ ok: true, path: "predictions" });
  });

  it.each([
    ["azureml://datastores/ds/paths/out/", /names a folder/],
    ["azureml://datastores/ds/paths/", /must name a file/],
    ["azureml://datastores/ds/paths", /must be an Azure ML datastore path/],
    ["https://acc.blob.core.windows.net/c/predictions.csv", /must be an Azure ML datastore path/],
    ["azureml:predictions:1", /must be an Azure ML datastore path/],
    ["azureml://subscriptions/s/resourcegroups/rg/workspaces/ws/datastores/ds/paths/p.csv", /short datastore form/],
    ["azureml://datastores/ds/paths/out//p.csv", /empty path segments/],
    ["azureml://datastores/ds/paths/out/../p.csv", /'\.\.' path segments/],
    ["azureml://datastores/ds/paths/out file.csv", /whitespace/],
    ["", /must not be empty/],
  ] as const)("rejects %j", (uri, reason) => {
    const result = checkOutputUri(uri);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe("SAS tokens in any disguise", () => {
  it("are refused in the query, after ';', in the fragment and percent-encoded", () => {
    for (const uri of [
      "https://a.blob.core.windows.net/c/f.csv?sv=1&sig=x",
      "https://a.blob.core.windows.net/c/f.csv?sv=1;sig=x",
      "https://a.blob.core.windows.net/c/f.csv#sig=x",
      "https://a.blob.core.windows.net/c/f.csv?%73ig=x",
      "https://a.blob.core.windows.net/c/f.csv?SIG=x",
    ]) {
      const r = classifyInputUri(uri);
      expect(r.ok, uri).toBe(false);
      expect((r as { reason: string }).reason).toContain("SAS token");
    }
    expect(classifyInputUri("https://a.blob.core.windows.net/c/design.csv?versionid=1").ok).toBe(true);
  });
});
