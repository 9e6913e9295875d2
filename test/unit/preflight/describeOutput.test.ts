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

const request = (overrides: Partial<DescribeOutputRequest>): DescribeOutputRequest => ({
  outputs: [],
  outputFileName: null,
  jobOutputs: null,
  workspace: WS,
  ...overrides,
});
const fileOutput = (uri: string) => [{ name: "score", type: "uri_file" as const, uri }];
const scoreFolder = { score: { type: "uri_folder", uri: "azureml://datastores/ws/paths/azureml/job1/score/" } };

describe("describeOutput (Azurite)", () => {
  it("the request's named output, when present: its URL, size, time and type as Azurite reports them", async () => {
    const { deps, blobUrl, azuriteProps } = await workspaceWith(["out/predictions.csv"]);
    const uri = "azureml://datastores/ws/paths/out/predictions.csv";
    const result = await describeOutput(request({ outputs: fileOutput(uri), jobOutputs: scoreFolder }), deps);
    const props = await azuriteProps("out/predictions.csv");
    expect(result).toEqual({
      output: { uri, blobUrl: blobUrl("out/predictions.csv"), ...props },
      outputs: [
        {
          name: "score",
          type: "uri_file",
          uri,
          blobUrl: blobUrl("out/predictions.csv"),
          fileCount: 1,
          totalBytes: props.sizeBytes,
          files: [{ name: "predictions.csv", sizeBytes: props.sizeBytes }],
          truncated: false,
        },
      ],
      warnings: [],
    });
    expect(result.output!.contentType).toBe("text/csv");
    expectNoSecrets(result);
  });

  it("the named output missing: PredictionsNotFound, with where it was looked for", async () => {
    const { deps, blobUrl } = await workspaceWith([]);
    const uri = "azureml://datastores/ws/paths/out/predictions.csv";
    const result = await describeOutput(request({ outputs: fileOutput(uri) }), deps);
    expect(result.output).toEqual({ uri, blobUrl: blobUrl("out/predictions.csv"), sizeBytes: null, lastModified: null, contentType: null });
    expect(result.outputs[0]).toMatchObject({ fileCount: 0, totalBytes: 0, files: [] });
    expect(result.warnings[0]).toMatchObject({ code: "PredictionsNotFound", message: expect.stringContaining(blobUrl("out/predictions.csv")) });
    expectNoSecrets(result);
  });

  it("no named output: the job's score folder's predictions.csv", async () => {
    const { deps, blobUrl, azuriteProps } = await workspaceWith(["azureml/job1/score/predictions.csv", "azureml/job1/score/other.txt"]);
    const result = await describeOutput(request({ jobOutputs: scoreFolder }), deps);
    expect(result.output).toEqual({
      uri: "azureml://datastores/ws/paths/azureml/job1/score/predictions.csv",
      blobUrl: blobUrl("azureml/job1/score/predictions.csv"),
      ...(await azuriteProps("azureml/job1/score/predictions.csv")),
    });
    expect(result.outputs).toEqual([expect.objectContaining({ name: "score", type: "uri_folder", fileCount: 2, totalBytes: 2 * CSV_BYTES, truncated: false })]);
    expect(result.outputs[0]!.files.map((f) => f.name)).toEqual(["other.txt", "predictions.csv"]);
    expect(result.warnings).toEqual([]);
  });

  it("a folder with one other file (another output_file_name): that file", async () => {
    const { deps, blobUrl } = await workspaceWith(["azureml/job1/score/scores.parquet"]);
    const result = await describeOutput(request({ jobOutputs: scoreFolder }), deps);
    expect(result.warnings).toEqual([]);
    expect(result.output).toMatchObject({
      uri: "azureml://datastores/ws/paths/azureml/job1/score/scores.parquet",
      blobUrl: blobUrl("azureml/job1/score/scores.parquet"),
      sizeBytes: CSV_BYTES,
    });
  });

  it("a folder with several other files: PredictionsNotFound (which one is not guessed)", async () => {
    const { deps } = await workspaceWith(["azureml/job1/score/a.csv", "azureml/job1/score/b.csv"]);
    const result = await describeOutput(request({ jobOutputs: scoreFolder }), deps);
    expect(result.warnings[0]).toMatchObject({ code: "PredictionsNotFound", message: expect.stringContaining("(2 file(s))") });
    expect(result.output).toBeNull();
    expect(result.outputs[0]).toMatchObject({ fileCount: 2 });
  });

  it("an empty folder: PredictionsNotFound", async () => {
    const { deps, blobUrl } = await workspaceWith(["azureml/job2/score/predictions.csv"]);
    const result = await describeOutput(request({ jobOutputs: scoreFolder }), deps);
    expect(result.output).toBeNull();
    expect(result.outputs[0]).toMatchObject({ uri: scoreFolder.score.uri, blobUrl: blobUrl("azureml/job1/score/"), fileCount: 0, totalBytes: 0 });
    expect(result.warnings[0]).toMatchObject({ code: "PredictionsNotFound", message: expect.stringContaining("holds no predictions.csv") });
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
    expect(result).toEqual({ output: null, outputs: [], warnings: [{ code: "OutputLocationUnknown", message: expect.any(String) }] });
  });

  it("an unresolvable datastore: OutputNotChecked, the URI kept", async () => {
    const uri = "azureml://datastores/nosuch/paths/out/predictions.csv";
    const result = await describeOutput(request({ outputs: fileOutput(uri) }), az.deps([]));
    expect(result.output).toEqual({ uri, blobUrl: null, sizeBytes: null, lastModified: null, contentType: null });
    expect(result.outputs[0]).toMatchObject({ uri, blobUrl: null, fileCount: null, totalBytes: null });
    expect(result.warnings).toEqual([{ code: "OutputNotChecked", message: expect.stringContaining("not found") }]);
  });

  it("a missing container: OutputNotChecked, no secrets in the message", async () => {
    const deps = az.deps([az.datastore("ws", "no-such-container")]);
    const result = await describeOutput(request({ jobOutputs: scoreFolder }), deps);
    expect(result.warnings[0]).toMatchObject({ code: "OutputNotChecked", message: expect.stringContaining("does not exist") });
    expectNoSecrets(result);
  });

  it("a folder output: the manifest is what Azurite holds (nested files, count, total size); the predictions file is the outputFileName", async () => {
    const { deps, blobUrl } = await workspaceWith(["scores/run/results.csv", "scores/run/logs/a.txt", "scores/run/logs/b.txt", "scores/other/x.csv"]);
    const uri = "azureml://datastores/ws/paths/scores/run/";
    const result = await describeOutput(request({ outputs: [{ name: "score", type: "uri_folder", uri }], outputFileName: "results.csv" }), deps);
    expect(result.outputs).toEqual([
      {
        name: "score",
        type: "uri_folder",
        uri,
        blobUrl: blobUrl("scores/run/"),
        fileCount: 3,
        totalBytes: 3 * CSV_BYTES,
        files: [
          { name: "logs/a.txt", sizeBytes: CSV_BYTES },
          { name: "logs/b.txt", sizeBytes: CSV_BYTES },
          { name: "results.csv", sizeBytes: CSV_BYTES },
        ],
        truncated: false,
      },
    ]);
    expect(result.output).toMatchObject({ uri: `${uri}results.csv`, blobUrl: blobUrl("scores/run/results.csv"), sizeBytes: CSV_BYTES });
    expect(result.warnings).toEqual([]);
  });

  it("several outputs (a pipeline deployment): one manifest each, no single predictions file, no warning for a missing predictions.csv", async () => {
    const { deps, blobUrl } = await workspaceWith(["p/scores/part-0.csv", "p/scores/part-1.csv", "p/metrics.json"]);
    const outputs = [
      { name: "metrics", type: "uri_file" as const, uri: "azureml://datastores/ws/paths/p/metrics.json" },
      { name: "scores", type: "uri_folder" as const, uri: "azureml://datastores/ws/paths/p/scores/" },
    ];
    const result = await describeOutput(request({ outputs }), deps);
    expect(result.output).toBeNull();
    expect(result.warnings).toEqual([]);
    expect(result.outputs.map((o) => [o.name, o.blobUrl, o.fileCount, o.totalBytes])).toEqual([
      ["metrics", blobUrl("p/metrics.json"), 1, CSV_BYTES],
      ["scores", blobUrl("p/scores/"), 2, 2 * CSV_BYTES],
    ]);
    expectNoSecrets(result);
  });
});
