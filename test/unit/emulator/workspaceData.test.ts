import { describe, expect, it } from "vitest";
import type { BatchEmulator } from "../../../dev/batch-emulator";
import { createBatchEndpointClient } from "../../../src/batch";
import { parseConfig } from "../../../src/config";
import { getJob, invoke, pascalBody, useEmulator } from "./helpers";

const DATA_API = "2023-10-01";

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; json: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, json: text === "" ? null : JSON.parse(text) };
}

const dataUrl = (emu: BatchEmulator, tail: string, api: string | null = DATA_API): string =>
  `${emu.armEndpoint}${emu.workspaceId}/${tail}${api === null ? "" : `?api-version=${api}`}`;

const blobStore = {
  datastoreType: "AzureBlob" as const,
  accountName: "devstoreaccount1",
  containerName: "scoring",
  endpoint: "http://127.0.0.1:10000",
  protocol: "http",
};
const lakeStore = {
  datastoreType: "AzureDataLakeGen2" as const,
  accountName: "devstoreaccount1",
  filesystem: "lake",
  endpoint: "http://127.0.0.1:10000",
  protocol: "http",
};

describe("batch emulator: Datastores Get", () => {
  const ctx = useEmulator({ datastores: { workspaceblobstore: blobStore, lake: lakeStore } });

  it("answers a configured datastore, without credentials", async () => {
    const res = await getJson(dataUrl(ctx.emu, "datastores/workspaceblobstore"));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: `${ctx.emu.workspaceId}/datastores/workspaceblobstore`,
      name: "workspaceblobstore",
      properties: { ...blobStore, isDefault: true, credentials: { credentialsType: "None" } },
    });
    expect(JSON.stringify(res.json)).not.toMatch(/accountKey|sasToken|secrets/i);
  });

  it("matches the name case-insensitively", async () => {
    const res = await getJson(dataUrl(ctx.emu, "datastores/WorkspaceBlobStore"));
    expect(res.status).toBe(200);
    expect(res.json.properties.containerName).toBe("scoring");
    expect(ctx.emu.datastore("LAKE")).toEqual(lakeStore);
  });

  it("404s an unknown datastore", async () => {
    const res = await getJson(dataUrl(ctx.emu, "datastores/nosuch"));
    expect(res.status).toBe(404);
    expect(res.json.error.message).toContain("nosuch");
  });

  it("404s a wrong workspace", async () => {
    const other = ctx.emu.workspaceId.replace(/ws-scoring$/, "ws-other");
    const res = await getJson(`${ctx.emu.armEndpoint}${other}/datastores/workspaceblobstore?api-version=${DATA_API}`);
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("ResourceNotFound");
  });

  it("400s a missing api-version", async () => {
    const res = await getJson(dataUrl(ctx.emu, "datastores/workspaceblobstore", null));
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("MissingApiVersionParameter");
  });

  it("only GET: other methods are not routed", async () => {
    expect((await getJson(dataUrl(ctx.emu, "datastores/workspaceblobstore"), { method: "PUT", body: "{}" })).status).toBe(404);
    expect((await getJson(dataUrl(ctx.emu, "datastores/workspaceblobstore/listSecrets"), { method: "POST" })).status).toBe(404);
  });

  it("setDatastore adds a datastore Datastores Get answers from then on", async () => {
    expect((await getJson(dataUrl(ctx.emu, "datastores/extra"))).status).toBe(404);
    ctx.emu.setDatastore("extra", { ...blobStore, containerName: "extra-c" });
    const res = await getJson(dataUrl(ctx.emu, "datastores/extra"));
    expect(res.status).toBe(200);
    expect(res.json.properties.containerName).toBe("extra-c");
  });

  // Found by this test: setDatastore keyed its map by the exact name while lookups ignore case, so a
  // replacement spelled differently was stored next to the old entry and never answered.
  it("setDatastore replaces a datastore named with different case", async () => {
    ctx.emu.setDatastore("WorkspaceBlobStore", { ...blobStore, containerName: "replaced" });
    expect(ctx.emu.datastore("workspaceblobstore")).toMatchObject({ containerName: "replaced" });
    expect((await getJson(dataUrl(ctx.emu, "datastores/workspaceblobstore"))).json.properties.containerName).toBe("replaced");
  });
});

describe("batch emulator: Data Containers / Versions Get", () => {
  const uri = (v: string) => `azureml://datastores/workspaceblobstore/paths/in/v${v}/`;
  const ctx = useEmulator({
    dataAssets: {
      "scores-in": {
        "2": { dataType: "uri_folder", dataUri: uri("2") },
        "10": { dataType: "uri_folder", dataUri: uri("10") },
        "9": { dataType: "uri_folder", dataUri: uri("9") },
      },
    },
  });

  it("the container's latestVersion is the highest version in numeric order (10 > 9)", async () => {
    const res = await getJson(dataUrl(ctx.emu, "data/scores-in"));
    expect(res.status).toBe(200);
    expect(res.json.properties).toMatchObject({ latestVersion: "10", dataType: "uri_folder" });
  });

  it("setDataVersion adds a version that becomes the latest", async () => {
    ctx.emu.setDataVersion("scores-in", "11", { dataType: "uri_folder", dataUri: uri("11") });
    expect((await getJson(dataUrl(ctx.emu, "data/scores-in"))).json.properties.latestVersion).toBe("11");
  });

  it("answers a version's dataType and dataUri", async () => {
    const res = await getJson(dataUrl(ctx.emu, "data/Scores-In/versions/9"));
    expect(res.status).toBe(200);
    expect(res.json.properties).toMatchObject({ dataType: "uri_folder", dataUri: uri("9") });
  });

  it("404s an unknown version and an unknown asset", async () => {
    expect((await getJson(dataUrl(ctx.emu, "data/scores-in/versions/3"))).status).toBe(404);
    expect((await getJson(dataUrl(ctx.emu, "data/nosuch"))).status).toBe(404);
    expect((await getJson(dataUrl(ctx.emu, "data/nosuch/versions/1"))).status).toBe(404);
  });

  it("400s a missing api-version", async () => {
    expect((await getJson(dataUrl(ctx.emu, "data/scores-in/versions/9", null))).status).toBe(400);
  });
});

describe("batch emulator: the app's client reads its workspace data", () => {
  const ctx = useEmulator({
    datastores: { workspaceblobstore: blobStore, lake: lakeStore },
    dataAssets: {
      "scores-in": {
        "1": { dataType: "uri_file", dataUri: "azureml://datastores/workspaceblobstore/paths/in/a.csv" },
        "2": { dataType: "uri_folder", dataUri: "azureml://datastores/lake/paths/raw/" },
      },
    },
  });
  const client = () => createBatchEndpointClient({ config: { ...parseConfig({}), allowLoopback: true, armEndpoint: ctx.emu.armEndpoint } });

  it("Datastores Get, both kinds", async () => {
    expect(await client().getDatastore(ctx.emu.workspaceId, "workspaceblobstore")).toEqual({
      name: "workspaceblobstore",
      datastoreType: "AzureBlob",
      accountName: "devstoreaccount1",
      container: "scoring",
      endpoint: "http://127.0.0.1:10000",
      protocol: "http",
    });
    expect(await client().getDatastore(ctx.emu.workspaceId, "lake")).toMatchObject({ datastoreType: "AzureDataLakeGen2", container: "lake" });
  });

  it("@latest through the container's latestVersion", async () => {
    expect(await client().getDataVersion(ctx.emu.workspaceId, "scores-in", null)).toEqual({
      name: "scores-in",
      version: "2",
      dataType: "uri_folder",
      dataUri: "azureml://datastores/lake/paths/raw/",
    });
    expect(ctx.emu.requestsFor("getData")).toHaveLength(2);
  });

  it("an unknown datastore is a 404 BatchEndpointError", async () => {
    await expect(client().getDatastore(ctx.emu.workspaceId, "nosuch")).rejects.toMatchObject({ name: "BatchEndpointError", httpStatus: 404 });
  });
});

describe("batch emulator: default output folder", () => {
  const ctx = useEmulator();
  const inputsOnly = { properties: { InputData: pascalBody.properties.InputData } };

  it("a job invoked with no outputs reports the default score folder in Jobs Get", async () => {
    const invoked = await invoke(ctx.emu, inputsOnly);
    expect(invoked.status).toBe(201);
    const name = invoked.json.name as string;
    const job = await getJob(ctx.emu, name);
    expect(job.json.properties.outputs).toEqual({
      score: { jobOutputType: "uri_folder", uri: `azureml://datastores/workspaceblobstore/paths/azureml/${name}/score/` },
    });
  });

  it("a job that names its output keeps it", async () => {
    const invoked = await invoke(ctx.emu);
    const job = await getJob(ctx.emu, invoked.json.name);
    expect(job.json.properties.outputs).toEqual({
      score: { jobOutputType: "uri_file", uri: "azureml://datastores/workspaceblobstore/paths/out/predictions.csv" },
    });
  });
});

describe("batch emulator: defaultOutputFolder option", () => {
  const ctx = useEmulator({ defaultOutputFolder: "azureml://datastores/other/paths/jobs/{job}/" });

  it("replaces {job} with the job name", async () => {
    const invoked = await invoke(ctx.emu, { properties: { InputData: pascalBody.properties.InputData } });
    const job = await getJob(ctx.emu, invoked.json.name);
    expect(job.json.properties.outputs.score.uri).toBe(`azureml://datastores/other/paths/jobs/${invoked.json.name}/`);
  });
});
