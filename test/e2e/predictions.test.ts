import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { scoreOf } from "../../dev/batch-emulator/predictions";
import { type Stack, startStack } from "./stack";

describe("a completed run leaves its predictions file in Blob storage (Azurite)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ clock: "virtual", autoAdvance: true, azurite: true });
  });
  afterAll(async () => stack?.stop());

  it("scores every row of every file in the input folder, and nothing in nested folders", async () => {
    const ds = stack.datastore!;
    const put = (name: string, text: string) => ds.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
    await put("batch/in/a.csv", "x,y\n1,2\n3,4\n");
    await put("batch/in/b.csv", "x,y\n5,6\n");
    await put("batch/in/nested/c.csv", "x,y\n7,8\n");
    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const res = await stack.api("/api/scoring-runs?wait=30", {
      json: stack.startBody({
        inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/batch/in/" } },
        output: { uri: "azureml://datastores/workspaceblobstore/paths/batch/out/predictions.csv" },
      }),
    });
    expect(res.status).toBe(200);
    await stack.emulator.whenHooksSettled();
    // The run's result is the file Azurite holds: its URL (no SAS), size, time and type.
    const held = await ds.getBlobClient("batch/out/predictions.csv").getProperties();
    expect(res.body.output).toEqual({
      uri: "azureml://datastores/workspaceblobstore/paths/batch/out/predictions.csv",
      blobUrl: `${ds.url}/batch/out/predictions.csv`,
      sizeBytes: held.contentLength,
      lastModified: held.lastModified!.toISOString(),
      contentType: "text/csv",
    });
    expect(res.body.warnings).toEqual([expect.objectContaining({ code: "NestedFoldersIgnored" })]);
    const text = (await ds.getBlobClient("batch/out/predictions.csv").downloadToBuffer()).toString("utf8");
    expect(text).toBe(["file,row,score", `a.csv,0,${scoreOf("1,2")}`, `a.csv,1,${scoreOf("3,4")}`, `b.csv,0,${scoreOf("5,6")}`, ""].join("\n"));
  });
});
