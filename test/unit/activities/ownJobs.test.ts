import { describe, expect, it } from "vitest";
import { clockSkewMs, deploymentTag, invokeMarker, keepsMarkers, type OwnJobQuery, ownJobs } from "../../../src/activities/ownJobs";
import type { ListedJob } from "../../../src/batch/types";

const WS = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws";
const OUT = "azureml://datastores/ds/paths/out/p.csv";
const startedAt = "2026-01-01T00:00:00.000Z";
const at = (offsetMs: number) => new Date(Date.parse(startedAt) + offsetMs).toISOString();

const query = (over: Partial<OwnJobQuery> = {}): OwnJobQuery => ({
  invokeId: "inv-1",
  outputs: [{ name: "score", type: "uri_file", uri: OUT }],
  notBefore: startedAt,
  ...over,
});

const job = (name: string, over: Partial<ListedJob> = {}): ListedJob => ({
  name,
  id: `${WS}/jobs/${name}`,
  jobPath: `${WS}/jobs/${name}`,
  status: "Running",
  studioUrl: null,
  createdAt: at(5_000),
  outputs: { score: { type: "uri_file", uri: OUT } },
  tags: {},
  properties: {},
  ...over,
});
const elsewhere = { score: { type: "uri_file", uri: "azureml://datastores/ds/paths/other.csv" } };
const names = (jobs: ListedJob[]) => jobs.map((j) => j.name);

describe("ownJobs: the invoke marker", () => {
  it("a job carrying this invoke's marker (property or tag) is this invoke's, whatever its output, age or deployment", () => {
    const jobs = [
      job("by-property", { properties: { [invokeMarker]: "inv-1" }, outputs: elsewhere, createdAt: null }),
      job("by-tag", { tags: { [invokeMarker]: "inv-1", [deploymentTag]: "green" }, outputs: {}, createdAt: "2020-01-01T00:00:00.000Z" }),
    ];
    expect(names(ownJobs(jobs, query({ deployment: "blue" })))).toEqual(["by-property", "by-tag"]);
  });

  it("another invoke's marker does not make a job this invoke's", () => {
    expect(ownJobs([job("other", { properties: { [invokeMarker]: "inv-2" }, outputs: elsewhere })], query())).toEqual([]);
  });

  it("without an output, only the marker recognises a job", () => {
    expect(names(ownJobs([job("same-path"), job("marked", { tags: { [invokeMarker]: "inv-1" } })], query({ outputs: [] })))).toEqual(["marked"]);
  });
});

describe("ownJobs: the output path", () => {
  it("a job writing this run's exact output path, created after the run started, is this invoke's", () => {
    expect(names(ownJobs([job("same-path"), job("other-path", { outputs: elsewhere })], query()))).toEqual(["same-path"]);
  });

  it("the same place spelled differently (datastore name case, escapes) matches", () => {
    const spelled = { score: { type: "uri_file", uri: "azureml://datastores/DS/paths/out/p%2Ecsv" } };
    expect(names(ownJobs([job("spelled", { outputs: spelled })], query()))).toEqual(["spelled"]);
  });

  it("a job of unknown age (no or an unreadable createdAt) is not this run's: it cannot be told apart from an old one", () => {
    expect(ownJobs([job("undated", { createdAt: null }), job("garbled", { createdAt: "yesterday" })], query())).toEqual([]);
  });

  it("a job older than the window (the run's start less the clock skew allowance) is not this run's", () => {
    expect(ownJobs([job("old", { createdAt: at(-clockSkewMs - 1) })], query())).toEqual([]);
    expect(names(ownJobs([job("skewed", { createdAt: at(-clockSkewMs) })], query()))).toEqual(["skewed"]);
  });

  it("a job that ran on another deployment is not this run's; the same one (any case), or an unnamed one either side, is", () => {
    const on = (name: string, deployment?: string) => job(name, { tags: deployment ? { [deploymentTag]: deployment } : {} });
    const jobs = [on("green", "green"), on("blue", "Blue"), on("untagged")];
    expect(names(ownJobs(jobs, query({ deployment: "blue" })))).toEqual(["blue", "untagged"]);
    expect(names(ownJobs(jobs, query({ deployment: undefined })))).toEqual(["blue", "green", "untagged"]);
  });
});

describe("ownJobs: order", () => {
  it("oldest first (the one to keep comes first), ties by name", () => {
    const jobs = [job("c", { createdAt: at(9_000) }), job("b", { createdAt: at(1_000) }), job("a", { createdAt: at(9_000) })];
    expect(names(ownJobs(jobs, query()))).toEqual(["b", "a", "c"]);
  });
});

describe("keepsMarkers", () => {
  it("is true when any job of the workspace carries an invoke marker, in tags or properties", () => {
    expect(keepsMarkers([job("a"), job("b", { tags: { [invokeMarker]: "other" } })])).toBe(true);
    expect(keepsMarkers([job("a", { properties: { [invokeMarker]: "x" } })])).toBe(true);
  });

  it("is false when none does, or there are no jobs", () => {
    expect(keepsMarkers([job("a", { tags: { [deploymentTag]: "blue" } })])).toBe(false);
    expect(keepsMarkers([])).toBe(false);
  });
});
