import { describe, expect, it } from "vitest";
import type { JobSnapshot } from "../../../src/batch/types";
import { jobNameOfPath, statusRead, statusRequest, withKnownJob } from "../../../src/runs/statusRead";

const jobPath = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/jobs/batchjob-1";
const studioUrl = "https://ml.azure.com/runs/batchjob-1";
const snapshot = (status: string): JobSnapshot => ({
  name: "batchjob-1",
  status,
  studioUrl,
  errorMessage: status === "Failed" ? "boom" : null,
  outputs: { score: { type: "uri_file", uri: "azureml://datastores/ws/paths/out.csv" } },
});

describe("status reads as the history keeps them", () => {
  it("asks with the path and the run, no job name and no empty field; the status alone once the run holds the Studio link", () => {
    expect(statusRequest({ jobPath, studioUrl }, "2022-10-01", { runId: "r1", jobName: "batchjob-1", correlationId: null })).toEqual({
      jobPath,
      apiVersion: "2022-10-01",
      log: { runId: "r1" },
      statusOnly: true,
    });
    expect(statusRequest({ jobPath, studioUrl: null }, "2022-10-01", { runId: "r1", correlationId: "c1" })).toEqual({
      jobPath,
      apiVersion: "2022-10-01",
      log: { runId: "r1", correlationId: "c1" },
    });
    expect(jobNameOfPath(jobPath)).toBe("batchjob-1");
    // While the fleet's budget paces the run: the orchestration's time of the read, for the worker's calendar.
    expect(statusRequest({ jobPath, studioUrl }, "2022-10-01", { runId: "r1" }, new Date("2026-01-01T00:00:00Z")).pacedAt).toBe("2026-01-01T00:00:00.000Z");
  });

  it("answers the status alone while the job goes on, the whole snapshot once it ended or when asked", () => {
    expect(statusRead(snapshot("Running"), { statusOnly: true })).toEqual({ status: "Running" });
    expect(statusRead(snapshot("Finalizing"), { statusOnly: true })).toEqual({ status: "Finalizing" });
    for (const ended of ["Completed", "Failed", "Canceled"]) expect(statusRead(snapshot(ended), { statusOnly: true })).toEqual(snapshot(ended));
    expect(statusRead(snapshot("Running"), {})).toEqual(snapshot("Running"));
  });

  it("reads both shapes as a whole snapshot: the short one from what the run knows, an older whole one as it is", () => {
    const job = { name: "batchjob-1", studioUrl };
    expect(withKnownJob({ status: "Running" }, job)).toEqual({ name: "batchjob-1", status: "Running", studioUrl, errorMessage: null });
    expect(withKnownJob(snapshot("Failed"), job)).toEqual(snapshot("Failed"));
    // An older answer without a Studio link keeps its null: jobPolled keeps the run's link then.
    expect(withKnownJob({ ...snapshot("Running"), studioUrl: null }, job).studioUrl).toBeNull();
  });
});
