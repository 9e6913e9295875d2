import { describe, expect, it } from "vitest";
import { ensureJob } from "../../../src/activities/ensureJob";
import { BatchEndpointError } from "../../../src/batch/errors";
import type { BatchEndpointClient, EnsureJobRequest, InvokeJobRequest, JobListing, ListedJob } from "../../../src/batch/types";

const WS = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws";
const OUT = "azureml://datastores/ds/paths/out/p.csv";
const startedAt = "2026-01-01T00:00:00.000Z";

const request = (over: Partial<EnsureJobRequest> = {}): EnsureJobRequest => ({
  endpointUri: "https://ep.westeurope.inference.ml.azure.com/jobs",
  inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/ds/paths/in/" } },
  outputs: [{ name: "score", type: "uri_file", uri: OUT }],
  invokeId: "inv-1",
  workspace: WS,
  apiVersion: "2022-10-01",
  notBefore: startedAt,
  ...over,
});

const listed = (name: string, over: Partial<ListedJob> = {}): ListedJob => ({
  name,
  id: `${WS}/jobs/${name}`,
  jobPath: `${WS}/jobs/${name}`,
  status: "Running",
  studioUrl: null,
  createdAt: "2026-01-01T00:00:05.000Z",
  outputs: { score: { type: "uri_file", uri: OUT } },
  tags: {},
  properties: {},
  ...over,
});

/** A fake client: scripted listings, an invoke that answers or throws, and a record of calls. */
function fakeClient(script: { listings?: Array<JobListing | Error>; invoke?: () => Promise<unknown> | unknown; latest?: string }) {
  const calls = { lists: 0, invokes: [] as InvokeJobRequest[], cancels: [] as string[] };
  const listings = [...(script.listings ?? [])];
  const client: BatchEndpointClient = {
    async listJobs() {
      calls.lists++;
      const next = listings.length > 1 ? listings.shift()! : (listings[0] ?? { jobs: [], complete: true, pages: 1 });
      if (next instanceof Error) throw next;
      return next;
    },
    async invokeJob(req) {
      calls.invokes.push(req);
      return ((await script.invoke?.()) as never) ?? { name: "new", id: `${WS}/jobs/new`, jobPath: `${WS}/jobs/new`, status: "Preparing", studioUrl: null };
    },
    async cancelJob(locator) {
      calls.cancels.push(locator.jobPath);
    },
    async getJob() {
      throw new Error("not used");
    },
    async getDatastore() {
      throw new Error("not used");
    },
    async getDataVersion(_ws, name, version) {
      return { name, version: version ?? script.latest ?? "1", dataType: "uri_folder", dataUri: "azureml://datastores/ds/paths/x/" };
    },
    async getBatchEndpoint() {
      throw new Error("not used");
    },
    async getBatchDeployment() {
      throw new Error("not used");
    },
    async getComponentVersion() {
      throw new Error("not used");
    },
  };
  return { client, calls };
}

const lost = () => new BatchEndpointError("NetworkError", "socket hang up", { retryable: true, outcomeUnknown: true });

describe("ensureJob", () => {
  it("posts once when nothing of this run exists", async () => {
    const { client, calls } = fakeClient({
      listings: [
        { jobs: [listed("other", { outputs: { score: { type: "uri_file", uri: "azureml://datastores/ds/paths/elsewhere.csv" } } })], complete: true, pages: 1 },
      ],
    });
    expect(await ensureJob(request(), { client })).toMatchObject({ name: "new" });
    expect(calls).toMatchObject({ lists: 1, invokes: [expect.anything()] });
  });

  it("adopts a job an earlier attempt created (found by its output path) and posts nothing", async () => {
    const { client, calls } = fakeClient({ listings: [{ jobs: [listed("earlier")], complete: true, pages: 1 }] });
    expect(await ensureJob(request(), { client })).toMatchObject({ name: "earlier", reconciled: expect.stringContaining("before posting") });
    expect(calls.invokes).toHaveLength(0);
  });

  it("keeps the earliest of several and cancels the others", async () => {
    const jobs = [listed("second", { createdAt: "2026-01-01T00:00:09.000Z" }), listed("first")];
    const { client, calls } = fakeClient({ listings: [{ jobs, complete: true, pages: 1 }] });
    expect(await ensureJob(request(), { client })).toMatchObject({ name: "first", reconciled: expect.stringContaining("1 duplicate(s) canceled") });
    expect(calls.cancels).toEqual([`${WS}/jobs/second`]);
  });

  it("a search that fails, or stops at its bound, never blocks the POST: a warning", async () => {
    const failing = fakeClient({ listings: [new BatchEndpointError("NotFound", "HTTP 404", { httpStatus: 404 })] });
    expect(await ensureJob(request(), { client: failing.client })).toMatchObject({
      name: "new",
      warning: { code: "JobSearchIncomplete", message: expect.stringContaining("HTTP 404") },
    });
    const bounded = fakeClient({ listings: [{ jobs: [], complete: false, pages: 10 }] });
    expect(await ensureJob(request(), { client: bounded.client })).toMatchObject({ name: "new", warning: { code: "JobSearchIncomplete" } });
  });

  it("a lost answer: the job found at once is adopted; else the error goes back, still outcome unknown", async () => {
    const found = fakeClient({
      listings: [
        { jobs: [], complete: true, pages: 1 },
        { jobs: [listed("made")], complete: true, pages: 1 },
      ],
      invoke: () => {
        throw lost();
      },
    });
    expect(await ensureJob(request(), { client: found.client })).toMatchObject({ name: "made", reconciled: expect.stringContaining("answer was lost") });
    const missing = fakeClient({
      listings: [{ jobs: [], complete: true, pages: 1 }],
      invoke: () => {
        throw lost();
      },
    });
    await expect(ensureJob(request(), { client: missing.client })).rejects.toMatchObject({ outcomeUnknown: true, code: "NetworkError" });
    expect(missing.calls.invokes).toHaveLength(1);
  });

  it("without a workspace: no search at all", async () => {
    const { client, calls } = fakeClient({
      invoke: () => {
        throw lost();
      },
    });
    await expect(ensureJob(request({ workspace: null }), { client })).rejects.toMatchObject({ outcomeUnknown: true });
    expect(calls.lists).toBe(0);
  });

  it("a job of unknown age, or older than the run, writing the same path is not this run's", async () => {
    const jobs = [listed("undated", { createdAt: null }), listed("old", { createdAt: "2025-12-31T23:00:00.000Z" })];
    const { client, calls } = fakeClient({ listings: [{ jobs, complete: true, pages: 1 }] });
    expect(await ensureJob(request(), { client })).toMatchObject({ name: "new" });
    expect(calls.invokes).toHaveLength(1);
  });

  it("data assets go to the invoke as ARM ids, @latest resolved first", async () => {
    const { client, calls } = fakeClient({ latest: "7" });
    await ensureJob(request({ workspace: WS, inputs: { a: { type: "uri_folder", uri: "azureml:heart:3" } } }), { client });
    await ensureJob(request({ workspace: WS, inputs: { a: { type: "uri_folder", uri: "azureml:heart@latest" } } }), { client });
    expect(calls.invokes.map((r) => (r.inputs.a as { uri: string }).uri)).toEqual([`${WS}/data/heart/versions/3`, `${WS}/data/heart/versions/7`]);
  });
});
