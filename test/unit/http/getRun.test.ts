import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getScoringRun, runNotFound } from "../../../src/http/getRun";
import { durableStatus, fakeRuns } from "../../fixtures/runsClient";
import { ORIGIN, apiRequest } from "./apiRequest";

const now = new Date("2026-03-01T10:10:00.000Z");
const running = durableStatus({
  instanceId: "run-1",
  runtimeStatus: "Running",
  customStatus: { phase: "Polling", polls: 2, nextPollAt: "2026-03-01T10:10:30.000Z" },
});
const succeeded = durableStatus({ instanceId: "run-ok", runtimeStatus: "Completed", output: { job: { name: "batchjob-1" }, polls: 3, output: null } });
const failed = durableStatus({
  instanceId: "run-bad",
  runtimeStatus: "Failed",
  output: "Orchestrator function 'scoringRunOrchestrator' failed: DeadlineExceeded: The run exceeded 604800 s",
});

const get = (id: string, query = "") => apiRequest({ url: `/api/scoring-runs/${id}${query}`, params: { id } });

describe("getScoringRun", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(now);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("an unknown id is a 404 RunNotFound naming the id", async () => {
    const response = await getScoringRun(get("nope"), fakeRuns([running]));
    expect(response).toEqual(runNotFound("nope"));
    expect(response).toEqual({ status: 404, body: { error: { code: "RunNotFound", message: "No scoring run with id 'nope'." } } });
  });

  it("a running run is a 202 with the view, its own Location and Retry-After until the next poll", async () => {
    const response = await getScoringRun(get("run-1"), fakeRuns([running]));
    expect(response.status).toBe(202);
    expect(response.headers).toEqual({
      "Content-Type": "application/json",
      Location: `${ORIGIN}/api/scoring-runs/run-1?failOnError=true`,
      "Retry-After": "30",
    });
    expect(response.body).toMatchObject({ id: "run-1", status: "Running", progress: { phase: "Polling", polls: 2 } });
  });

  it("a succeeded run is a 200 with the view and no Location", async () => {
    const response = await getScoringRun(get("run-ok"), fakeRuns([succeeded]));
    expect(response).toMatchObject({
      status: 200,
      headers: { "Content-Type": "application/json" },
      body: { id: "run-ok", status: "Succeeded", job: { name: "batchjob-1" } },
    });
    expect(response.headers).not.toHaveProperty("Location");
  });

  it("a failed run is a 200 by default and a 500 with failOnError=true (ADF's Web activity then fails)", async () => {
    const runs = fakeRuns([failed]);
    const plain = await getScoringRun(get("run-bad"), runs);
    expect(plain).toMatchObject({ status: 200, body: { status: "Failed", error: { code: "DeadlineExceeded", message: "The run exceeded 604800 s" } } });
    expect((await getScoringRun(get("run-bad", "?failOnError=true"), runs)).status).toBe(500);
    expect((await getScoringRun(get("run-bad", "?failOnError=1"), runs)).status).toBe(200);
  });

  it("reads the run by the route's id only", async () => {
    const runs = fakeRuns([running]);
    await getScoringRun(get("run-1", "?id=other"), runs);
    expect(runs.calls.gets).toEqual(["run-1"]);
  });

  it("a run's reruns are read for its view; a read that fails leaves them null, never the view", async () => {
    const runs = fakeRuns([succeeded]);
    await runs.linkRerun("run-ok", "rerun-1");
    expect((await getScoringRun(get("run-ok"), runs)).body).toMatchObject({ status: "Succeeded", rerunOf: null, reruns: ["rerun-1"] });
    runs.readReruns = () => Promise.reject(new Error("task hub unreachable"));
    expect((await getScoringRun(get("run-ok"), runs)).body).toMatchObject({ status: "Succeeded", reruns: null });
  });

  it("a run still going has no reruns and costs no entity read (status polls stay one read)", async () => {
    const runs = fakeRuns([running]);
    runs.readReruns = () => Promise.reject(new Error("must not be read"));
    expect((await getScoringRun(get("run-1"), runs)).body).toMatchObject({ status: "Running", reruns: [] });
  });
});
