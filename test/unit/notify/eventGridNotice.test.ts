import { describe, expect, it } from "vitest";
import { runEndEvent } from "../../../src/notify/eventGridNotice";
import type { RunEndSummary } from "../../../src/runs/runEndNotice";

const summary: RunEndSummary = {
  id: "r1",
  status: "Canceled",
  endedAt: "2026-01-01T00:00:00.000Z",
  job: null,
  output: null,
  error: { code: "RunCanceled", message: "x" },
  warnings: [],
};

describe("runEndEvent", () => {
  it("an Event Grid schema event: ScoringRun.<status>, one id per run end, the end's time, the summary as data", () => {
    expect(runEndEvent(summary)).toEqual({
      id: "scoring-run-end-r1",
      eventType: "ScoringRun.Canceled",
      subject: "scoringRuns/r1",
      dataVersion: "1.0",
      eventTime: new Date("2026-01-01T00:00:00.000Z"),
      data: summary,
    });
    expect(runEndEvent({ ...summary, status: "Succeeded" }).eventType).toBe("ScoringRun.Succeeded");
    expect(runEndEvent({ ...summary, status: "Failed" }).eventType).toBe("ScoringRun.Failed");
  });
});
