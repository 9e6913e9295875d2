import { describe, expect, it } from "vitest";
import { describeOutput } from "../../../src/preflight/describeOutput";
import type { DescribeOutputRequest } from "../../../src/preflight/types";
import { CSV_BYTES, WS, expectNoSecrets, upload, useAzurite } from "../../fixtures/azurite";

const az = useAzurite();

/** A container on Azurite behind datastore `ws` (the job's default output datastore). */
async function workspaceWith(names: string[] = []) {
  const container = await az.container();
  await upload(container, names);
  const deps = az.deps([az.datastore("ws", container.containerName)]);
  const blobUrl = (path: string) => `${az.azurite.blobEndpoint}/${container.containerName}/${path}`;
  /** What Azurite itself says about the blob, in RunOutput's terms. */
  const azuriteProps = async (path: string) => {
    const p = await container.getBlobClient(path).getProperties();
    return { sizeBytes: p.contentLength, lastModified: p.lastModified!.toISOString(), contentType: p.contentType };
  };
  return { deps, blobUrl, azuriteProps };
}

const request = (overrides: Partial<DescribeOutputRequest>): DescribeOutputRequest => ({ output: null, jobOutputs: null, workspace: WS, ...overrides });
const scoreFolder = { score: { type: "uri_folder", uri: "azureml://datastores/ws/paths/azureml/job1/score/" } };

describe("describeOutput (Azurite)", () => {
  it("the request's named output, when present: its URL, size, time and type as Azurite reports them", async () => {
    const { deps, blobUrl, azuriteProps } = await workspaceWith(["out/predictions.csv"]);
    const uri = "azureml://datastores/ws/paths/out/predictions.csv";
    const result = await describeOutput(request({ output: { name: "score", uri }, jobOutputs: scoreFolder }), deps);
    expect(result).toEqual({ output: { uri, blobUrl: blobUrl("out/predictions.csv"), ...(await azuriteProps("out/predictions.csv")) }, warning: null });
    expect(result.output!.contentType).toBe("text/csv");
    expectNoSecrets(result);
  });

  it("the named output missing: PredictionsNotFound, with where it was looked for", async () => {
    const { deps, blobUrl } = await workspaceWith([]);
    const uri = "azureml://datastores/ws/paths/out/predictions.csv";
    const result = await describeOutput(request({ output: { name: "score", uri } }), deps);
    expect(result.output).toEqual({ uri, blobUrl: blobUrl("out/predictions.csv"), sizeBytes: null, lastModified: null, contentType: null });
    expect(result.warning).toMatchObject({ code: "PredictionsNotFound", message: expect.stringContaining(blobUrl("out/predictions.csv")) });
    expectNoSecrets(result);
  });

  it("no named output: the job's score folder's predictions.csv", async () => {
    const { deps, blobUrl, azuriteProps } = await workspaceWith(["azureml/job1/score/predictions.csv", "azureml/job1/score/other.txt"]);
    const result = await describeOutput(request({ jobOutputs: scoreFolder }), deps);
    expect(result).toEqual({
      output: {
        uri: "azureml://datastores/ws/paths/azureml/job1/score/predictions.csv",
        blobUrl: blobUrl("azureml/job1/score/predictions.csv"),
        ...(await azuriteProps("azureml/job1/score/predictions.csv")),
      },
      warning: null,
    });
  });

  it("a folder with one other file (another output_file_name): that file", async () => {
    const { deps, blobUrl } = await workspaceWith(["azureml/job1/score/scores.parquet"]);
    const result = await describeOutput(request({ jobOutputs: scoreFolder }), deps);
    expect(result.warning).toBeNull();
    expect(result.output).toMatchObject({
      uri: "azureml://datastores/ws/paths/azureml/job1/score/scores.parquet",
      blobUrl: blobUrl("azureml/job1/score/scores.parquet"),
      sizeBytes: CSV_BYTES,
    });
  });

  it("a folder with several other files: PredictionsNotFound (which one is not guessed)", async () => {
    const { deps } = await workspaceWith(["azureml/job1/score/a.csv", "azureml/job1/score/b.csv"]);
    const result = await describeOutput(request({ jobOutputs: scoreFolder }), deps);
    expect(result.warning).toMatchObject({ code: "PredictionsNotFound", message: expect.stringContaining("(2 file(s))") });
  });

  it("an empty folder: PredictionsNotFound", async () => {
    const { deps, blobUrl } = await workspaceWith(["azureml/job2/score/predictions.csv"]);
    const result = await describeOutput(request({ jobOutputs: scoreFolder }), deps);
    expect(result.output).toEqual({
      uri: scoreFolder.score.uri,
      blobUrl: blobUrl("azureml/job1/score/"),
      sizeBytes: null,
      lastModified: null,
      contentType: null,
    });
    expect(result.warning).toMatchObject({ code: "PredictionsNotFound", message: expect.stringContaining("holds no predictions.csv") });
  });

  it("a single job output not called score is used", async () => {
    const { deps } = await workspaceWith(["azureml/job1/out/predictions.csv"]);
    const result = await describeOutput(
      request({ jobOutputs: { results: { type: "uri_folder", uri: "azureml://datastores/ws/paths/azureml/job1/out/" } } }),
      deps,
    );
    expect(result.output?.uri).toBe("azureml://datastores/ws/paths/azureml/job1/out/predictions.csv");
  });

  it.each([
    ["null", null],
    ["empty", {}],
    [
      "several, none called score",
      { a: { type: "uri_folder", uri: "azureml://datastores/ws/paths/a/" }, b: { type: "uri_folder", uri: "azureml://datastores/ws/paths/b/" } },
    ],
  ])("no output location (job outputs %s): OutputLocationUnknown", async (_what, jobOutputs) => {
    const result = await describeOutput(request({ jobOutputs }), az.deps([]));
    expect(result).toEqual({ output: null, warning: { code: "OutputLocationUnknown", message: expect.any(String) } });
  });

  it("an unresolvable datastore: OutputNotChecked, the URI kept", async () => {
    const uri = "azureml://datastores/nosuch/paths/out/predictions.csv";
    const result = await describeOutput(request({ output: { name: "score", uri } }), az.deps([]));
    expect(result).toEqual({
      output: { uri, blobUrl: null, sizeBytes: null, lastModified: null, contentType: null },
      warning: { code: "OutputNotChecked", message: expect.stringContaining("not found") },
    });
  });

  it("a missing container: OutputNotChecked, no secrets in the message", async () => {
    const deps = az.deps([az.datastore("ws", "no-such-container")]);
    const result = await describeOutput(request({ jobOutputs: scoreFolder }), deps);
    expect(result.warning).toMatchObject({ code: "OutputNotChecked", message: expect.stringContaining("does not exist") });
    expectNoSecrets(result);
  });
});
