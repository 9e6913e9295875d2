/**
 * Folder outputs and several named outputs, end to end through the dev host, the emulator and
 * Azurite: the result lists what each output holds, and it is what Azurite holds; a folder
 * that already holds files is refused before anything starts, as an existing file is.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineDeployment } from "../../dev/stack";
import { runToEnd, type Stack, startStack } from "./stack";

const ROOT = "azureml://datastores/workspaceblobstore/paths/scoring/output";

/** What Azurite holds under a folder: names relative to it, with sizes. */
async function azuriteFolder(stack: Stack, folder: string): Promise<{ name: string; sizeBytes: number }[]> {
  const files: { name: string; sizeBytes: number }[] = [];
  for await (const blob of stack.datastore!.listBlobsFlat({ prefix: folder }))
    files.push({ name: blob.name.slice(folder.length), sizeBytes: blob.properties.contentLength! });
  return files.sort((a, b) => a.name.localeCompare(b.name));
}

describe("outputs", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ azurite: true });
  });
  afterAll(async () => stack?.stop());

  it("a folder output: the manifest is what Azurite holds, and the predictions file is the job's outputFileName", async () => {
    const view = await runToEnd(stack, stack.startBody({ output: { uri: `${ROOT}/folder-run/` }, settings: { outputFileName: "scores.csv" } }));
    expect(view.status).toBe("Succeeded");
    const held = await azuriteFolder(stack, "scoring/output/folder-run/");
    expect(held.map((f) => f.name)).toEqual(["scores.csv"]);
    expect(view.outputs).toEqual([
      {
        name: "score",
        type: "uri_folder",
        uri: `${ROOT}/folder-run/`,
        blobUrl: expect.stringMatching(/\/scoring\/output\/folder-run\/$/),
        fileCount: held.length,
        totalBytes: held.reduce((n, f) => n + f.sizeBytes, 0),
        files: held,
        truncated: false,
      },
    ]);
    expect(view.output).toMatchObject({ uri: `${ROOT}/folder-run/scores.csv`, sizeBytes: held[0]!.sizeBytes, contentType: "text/csv" });
    expect(JSON.stringify(view)).not.toMatch(/sig=|se=20/);
  });

  it("several named outputs on a pipeline-component deployment: one manifest each, every one what Azurite holds", async () => {
    const view = await runToEnd(
      stack,
      stack.startBody({
        deployment: pipelineDeployment.name,
        output: undefined,
        outputs: { scores: { uri: `${ROOT}/multi/scores/` }, summary: { type: "uri_file", uri: `${ROOT}/multi/summary.csv` } },
      }),
    );
    expect(view.status).toBe("Succeeded");
    expect(Object.keys(stack.emulator.jobs.at(-1)!.outputs).sort()).toEqual(["scores", "summary"]);
    const scores = await azuriteFolder(stack, "scoring/output/multi/scores/");
    const [summary] = (await azuriteFolder(stack, "scoring/output/multi/")).filter((f) => f.name === "summary.csv");
    expect(view.outputs.map((o: { name: string }) => o.name)).toEqual(["scores", "summary"]);
    expect(view.outputs[0]).toMatchObject({
      type: "uri_folder",
      fileCount: scores.length,
      totalBytes: scores.reduce((n, f) => n + f.sizeBytes, 0),
      files: scores,
    });
    expect(view.outputs[1]).toMatchObject({
      type: "uri_file",
      fileCount: 1,
      totalBytes: summary!.sizeBytes,
      files: [{ name: "summary.csv", sizeBytes: summary!.sizeBytes }],
    });
    expect(view.output).toBeNull();
    expect(view.warnings.filter((w: { code: string }) => w.code.startsWith("Predictions"))).toEqual([]);
  });

  it("a folder output that already holds files is a 409 naming the field; nothing starts", async () => {
    await stack.datastore!.getBlockBlobClient("scoring/output/taken/old.csv").upload("a,b\n", 4);
    const invokes = stack.emulator.requestsFor("invoke").length;
    const res = await stack.api("/api/scoring-runs", { json: stack.startBody({ output: { uri: `${ROOT}/taken/` } }) });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "OutputFolderNotEmpty", details: [{ field: "output.uri", message: expect.stringContaining("old.csv") }] });
    const several = await stack.api("/api/scoring-runs", {
      json: stack.startBody({ output: undefined, outputs: { fresh: { uri: `${ROOT}/fresh/` }, old: { uri: `${ROOT}/taken/` } } }),
    });
    expect(several.status).toBe(409);
    expect(several.body.error.details).toEqual([{ field: "outputs.old.uri", message: expect.stringContaining("already holds 1 file(s)") }]);
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(invokes);
  });
});
