import { describe, expect, it } from "vitest";
import { decideJobEvent, isJobEvent } from "../../../src/events/jobStatusEvents";

const event = (eventType: string, data: Record<string, unknown>) => ({
  id: "e1",
  eventType,
  subject: "experiments/x/runs/j",
  eventTime: "2026-11-25T08:00:00Z",
  data,
});

describe("decideJobEvent", () => {
  it("reads the job, its status and the run marker from tags, else properties", () => {
    expect(
      decideJobEvent(
        event("Microsoft.MachineLearningServices.RunStatusChanged", { runId: "batchjob-1", runStatus: "Failed", runTags: { scoringRunId: "key-abc" } }),
      ),
    ).toEqual({ kind: "signal", jobName: "batchjob-1", status: "Failed", runId: "key-abc" });
    expect(decideJobEvent(event("Microsoft.MachineLearningServices.RunCompleted", { runId: "batchjob-1", runProperties: { scoringRunId: "req-1" } }))).toEqual({
      kind: "signal",
      jobName: "batchjob-1",
      status: "Completed",
      runId: "req-1",
    });
    expect(decideJobEvent(event("Microsoft.MachineLearningServices.RunStatusChanged", { runId: "batchjob-1", runStatus: "Running" }))).toEqual({
      kind: "signal",
      jobName: "batchjob-1",
      status: "Running",
      runId: null,
    });
  });
  it("ignores other events and events without a job", () => {
    expect(decideJobEvent(event("Microsoft.Storage.BlobCreated", {})).kind).toBe("ignore");
    expect(decideJobEvent(event("Microsoft.MachineLearningServices.RunStatusChanged", { runStatus: "Completed" }))).toEqual({
      kind: "ignore",
      reason: "data.runId is missing",
    });
  });
  it("tells job events apart in both schemas", () => {
    expect(isJobEvent({ eventType: "Microsoft.MachineLearningServices.RunCompleted" })).toBe(true);
    expect(isJobEvent({ type: "Microsoft.MachineLearningServices.RunStatusChanged", specversion: "1.0" })).toBe(true);
    expect(isJobEvent({ eventType: "Microsoft.Storage.BlobCreated" })).toBe(false);
  });
});
