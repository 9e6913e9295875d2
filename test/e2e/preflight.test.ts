/**
 * Pre-flight and the run's result, through the dev host against the batch emulator (Datastores
 * Get, Data Versions Get) and Azurite (the blobs): each failure ends the run before any invoke,
 * `warn` and `off` go on, an unreadable place is `skipped`, and a completed run reports the
 * predictions file Azurite holds. Nothing in any of it carries a SAS, key or token.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { devAccount } from "../../dev/azurite";
import { lakeDatastore, pipelineDeployment } from "../../dev/stack";
import { runDirect, runToEnd, useStack } from "./stack";

// A second Azurite account with its own key: the app (holding only the development key) gets a
// real 403 there, as an identity without a data role does on Azure.
process.env.AZURITE_ACCOUNTS = `${devAccount.name}:${devAccount.key};otheraccount:${Buffer.from("a key the app does not hold, 32b").toString("base64")}`;

const ds = (path: string, store = "workspaceblobstore") => `azureml://datastores/${store}/paths/${path}`;

describe("pre-flight and the predictions file (dev host, emulator, Azurite)", () => {
  // Each check's reads are counted here, so no definition is kept between runs.
  const ctx = useStack({ azurite: true, autoAdvance: true, env: { SCORING_DEFINITION_CACHE_SECONDS: "0" } });
  const put = (path: string, text = "x,y\n1,2\n") => ctx.stack.datastore!.getBlockBlobClient(path).upload(text, Buffer.byteLength(text));
  const folder = () => `pf/${randomUUID()}`;

  /** Starts through the HTTP API; returns the response. */
  const start = (body: Record<string, unknown>) => ctx.stack.api("/api/scoring-runs", { json: ctx.stack.startBody(body) });

  /** Starts without the HTTP route's quick look (as a blob event's run does), then runs it to the end. */
  const startDirect = (body: Record<string, unknown>) => runDirect(ctx.stack, ctx.stack.startBody(body));

  const startAndEnd = (body: Record<string, unknown>) => runToEnd(ctx.stack, ctx.stack.startBody(body));

  const check = (view: any, target: string) => view.preflight.checks.find((c: any) => c.target === target);
  const invokes = () => ctx.stack.emulator.requestsFor("invoke").length;

  it("an output file already there: the start answers 409 naming it, nothing starts, no invoke", async () => {
    const out = `${folder()}/predictions.csv`;
    await put(out, "old");
    const res = await start({ output: { uri: ds(out) } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("OutputAlreadyExists");
    expect(res.body.error.message).toContain(`${ctx.stack.datastore!.url}/${out}`);
    expect(res.body.error.details).toEqual([{ field: "output.uri", message: res.body.error.message }]);
    expect(invokes()).toBe(0);
    expect(ctx.stack.host.engine.all().filter((r) => r.input && JSON.stringify(r.input).includes(out))).toHaveLength(0);

    // The seed form names its own field.
    const seed = await ctx.stack.api("/api/scoring-runs", {
      json: { endpoint_uri: ctx.stack.emulator.scoringUri, endpoint_input_uri: ds("scoring/input/"), endpoint_output_uri: ds(out) },
    });
    expect(seed.status).toBe(409);
    expect(seed.body.error.details[0].field).toBe("endpoint_output_uri");
  });

  it("an output file that appears after the start: the run fails OutputAlreadyExists before any invoke", async () => {
    const out = `${folder()}/predictions.csv`;
    await put(out, "old");
    const view = await startDirect({ output: { uri: ds(out) } });
    expect(view.status).toBe("Failed");
    expect(view.error.code).toBe("OutputAlreadyExists");
    expect(view.job).toBeNull();
    expect(check(view, "output")).toMatchObject({ result: "failed", code: "OutputAlreadyExists", blobUrl: `${ctx.stack.datastore!.url}/${out}` });
    expect(invokes()).toBe(0);
  });

  it("an output folder (blobs under the path): 400 at start, OutputIsFolder in a run", async () => {
    const out = folder();
    await put(`${out}/part-0.csv`);
    const res = await start({ output: { uri: ds(out) } });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: "output.uri", message: expect.stringContaining("OutputIsFolder") }]);
    const view = await startDirect({ output: { uri: ds(out) } });
    expect(view.error.code).toBe("OutputIsFolder");
    expect(invokes()).toBe(0);
  });

  it("an ADLS Gen2 output datastore: 400 at start, OutputDatastoreNotSupported in a run, no invoke", async () => {
    const output = { uri: ds(`${folder()}/predictions.csv`, lakeDatastore.name) };
    const res = await start({ output });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].message).toContain("OutputDatastoreNotSupported");
    expect(res.body.error.details[0].message).toContain("AzureDataLakeGen2");
    const view = await startDirect({ output });
    expect(view.status).toBe("Failed");
    expect(view.error.code).toBe("OutputDatastoreNotSupported");
    expect(invokes()).toBe(0);
  });

  it("an empty input folder: InputEmpty before any invoke", async () => {
    const view = await startAndEnd({ inputs: { input_data: { type: "uri_folder", uri: ds(`${folder()}/`) } } });
    expect(view.status).toBe("Failed");
    expect(view.error.code).toBe("InputEmpty");
    expect(view.error.message).toContain("holds no files");
    expect(check(view, "inputs.input_data")).toMatchObject({ result: "failed", code: "InputEmpty", listed: 0, truncated: false });
    expect(invokes()).toBe(0);
  });

  it("a folder with only nested folders is empty to a batch job: InputEmpty naming them", async () => {
    const input = folder();
    await put(`${input}/2024/01/a.csv`);
    const view = await startAndEnd({ inputs: { input_data: { type: "uri_folder", uri: ds(`${input}/`) } } });
    expect(view.error.code).toBe("InputEmpty");
    expect(view.error.message).toContain("only nested folders");
    expect(invokes()).toBe(0);
  });

  it("a missing UriFile input: InputNotFound; a folder given as UriFile says so", async () => {
    const missing = await startAndEnd({ inputs: { input_data: { type: "uri_file", uri: ds(`${folder()}/nope.csv`) } } });
    expect(missing.error.code).toBe("InputNotFound");
    const dir = folder();
    await put(`${dir}/a.csv`);
    const asFile = await startAndEnd({ inputs: { input_data: { type: "uri_file", uri: ds(dir) } } });
    expect(asFile.error.code).toBe("InputNotFound");
    expect(asFile.error.message).toContain("declare the input as UriFolder");
    expect(invokes()).toBe(0);
  });

  it("nested folders beside files: a warning in the run view, and the job runs", async () => {
    const input = folder();
    await put(`${input}/a.csv`);
    await put(`${input}/old/b.csv`);
    ctx.stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const view = await startAndEnd({ inputs: { input_data: { type: "uri_folder", uri: ds(`${input}/`) } } });
    expect(view.status).toBe("Succeeded");
    expect(view.warnings).toEqual([{ code: "NestedFoldersIgnored", message: expect.stringContaining("1 nested folder(s)") }]);
    expect(check(view, "inputs.input_data")).toMatchObject({ result: "warning", listed: 2 });
    expect(invokes()).toBe(1);
  });

  it("warn: failures become warnings and the job is invoked; off: no checks at all", async () => {
    const out = `${folder()}/predictions.csv`;
    await put(out, "old");
    const empty = ds(`${folder()}/`);
    ctx.stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const warned = await startAndEnd({ preflight: "warn", inputs: { input_data: { type: "uri_folder", uri: empty } }, output: { uri: ds(out) } });
    expect(warned.preflight.mode).toBe("warn");
    expect(warned.warnings.map((w: any) => w.code).sort()).toEqual(["InputEmpty", "OutputAlreadyExists"]);
    expect(invokes()).toBe(1);
    // Invoked anyway, as asked; Azure ML then fails the job, since it never overwrites an output.
    expect(warned).toMatchObject({ status: "Failed", error: { code: "JobFailed", jobStatus: "Failed" } });

    const datastoreReads = ctx.stack.emulator.requestsFor("getDatastore").length;
    ctx.stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const off = await startAndEnd({
      preflight: "off",
      inputs: { input_data: { type: "uri_folder", uri: empty } },
      output: { uri: ds(`${folder()}/predictions.csv`) },
    });
    expect(off.status).toBe("Succeeded");
    expect(off.preflight).toEqual({ mode: "off", checks: [] });
    expect(invokes()).toBe(2);
    // The only datastore reads after the start are the result's: the output file's, and the artifact store's (the job's logs).
    expect(ctx.stack.emulator.requestsFor("getDatastore").length - datastoreReads).toBe(2);
  });

  it("places the app cannot read are skipped with the reason, and the job runs", async () => {
    // A datastore on another storage account (the dev key is refused there: 403), one on a
    // missing container, and one the workspace does not have (404 from Datastores Get).
    const endpoint = new URL(ctx.stack.datastore!.url).origin;
    ctx.stack.emulator.setDatastore("foreign", { datastoreType: "AzureBlob", accountName: "otheraccount", containerName: "data", endpoint, protocol: "http" });
    ctx.stack.emulator.setDatastore("gone", {
      datastoreType: "AzureBlob",
      accountName: devAccount.name,
      containerName: "no-such-container",
      endpoint,
      protocol: "http",
    });
    ctx.stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const view = await startAndEnd({
      deployment: pipelineDeployment.name, // several inputs: a pipeline-component deployment
      inputs: {
        a: { type: "uri_folder", uri: ds("in/", "foreign") },
        b: { type: "uri_folder", uri: ds("in/", "gone") },
        c: { type: "uri_file", uri: ds("in/x.csv", "unknownstore") },
      },
    });
    expect(view.status).toBe("Succeeded");
    expect(check(view, "inputs.a")).toMatchObject({ result: "skipped", message: expect.stringMatching(/may not read .*HTTP 403/) });
    expect(check(view, "inputs.b")).toMatchObject({ result: "skipped", message: expect.stringContaining("does not exist") });
    expect(check(view, "inputs.c")).toMatchObject({
      result: "skipped",
      blobUrl: null,
      message: expect.stringContaining("datastore unknownstore was not found"),
    });
    expect(invokes()).toBe(1);
  });

  it("a data asset is resolved through its version's dataUri", async () => {
    const input = folder();
    ctx.stack.emulator.setDataVersion("customers", "1", { dataType: "uri_folder", dataUri: ds(`${input}/`) });
    ctx.stack.emulator.setDataVersion("customers", "2", { dataType: "uri_folder", dataUri: ds(`${folder()}/`) });
    await put(`${input}/a.csv`);
    ctx.stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const v1 = await startAndEnd({ inputs: { input_data: { type: "uri_folder", uri: "azureml:customers:1" } } });
    expect(check(v1, "inputs.input_data")).toMatchObject({ result: "passed", blobUrl: `${ctx.stack.datastore!.url}/${input}/` });
    // Azure ML takes a data asset only as its ARM id: the short form is resolved before the invoke.
    const posted = ctx.stack.emulator.requestsFor("invoke").at(-1)!.body as any;
    expect(posted.properties.InputData.input_data.Uri).toBe(`${ctx.stack.emulator.workspaceId}/data/customers/versions/1`);
    // @latest is version 2, an empty folder.
    const latest = await startAndEnd({ inputs: { input_data: { type: "uri_folder", uri: "azureml:customers@latest" } } });
    expect(latest.error.code).toBe("InputEmpty");
  });

  it("a completed run's output is the predictions file Azurite holds; with no output named, the job's own location", async () => {
    const out = `${folder()}/predictions.csv`;
    ctx.stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const named = await startAndEnd({ output: { uri: ds(out) } });
    const held = await ctx.stack.datastore!.getBlobClient(out).getProperties();
    expect(named.output).toEqual({
      uri: ds(out),
      blobUrl: `${ctx.stack.datastore!.url}/${out}`,
      sizeBytes: held.contentLength,
      lastModified: held.lastModified!.toISOString(),
      contentType: held.contentType,
    });

    ctx.stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const unnamed = await startAndEnd({ output: null });
    const job = unnamed.job.name;
    const file = `azureml/${job}/score/predictions.csv`;
    const own = await ctx.stack.datastore!.getBlobClient(file).getProperties();
    expect(unnamed.output).toEqual({
      uri: ds(file),
      blobUrl: `${ctx.stack.datastore!.url}/${file}`,
      sizeBytes: own.contentLength,
      lastModified: own.lastModified!.toISOString(),
      contentType: own.contentType,
    });
    expect(unnamed.warnings).toEqual([]);
  });

  it("a completed job whose predictions file is missing is reported as a warning", async () => {
    ctx.stack.emulator.configure({ writeOutputs: false });
    const out = `${folder()}/predictions.csv`;
    ctx.stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const view = await startAndEnd({ output: { uri: ds(out) } });
    expect(view.status).toBe("Succeeded");
    expect(view.output).toEqual({ uri: ds(out), blobUrl: `${ctx.stack.datastore!.url}/${out}`, sizeBytes: null, lastModified: null, contentType: null });
    expect(view.warnings).toEqual([{ code: "PredictionsNotFound", message: expect.stringContaining("does not exist") }]);
  });

  it("no SAS, account key or token anywhere in views, logs or the task hub", async () => {
    const views = (await ctx.stack.api("/api/scoring-runs?top=100")).body;
    const hub = JSON.stringify(ctx.stack.host.engine.all());
    for (const text of [JSON.stringify(views), ctx.stack.logs.join("\n"), hub]) {
      expect(text).not.toContain(devAccount.key);
      expect(text).not.toMatch(/AccountKey=|sig=|Bearer\s|SharedKey\s/i);
    }
    expect(JSON.stringify(views)).toContain("blobUrl");
  });
});
