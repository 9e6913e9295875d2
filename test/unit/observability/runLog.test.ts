import { describe, expect, it } from "vitest";
import { runLogPrefix } from "../../../src/observability/runLog";

describe("runLogPrefix", () => {
  it("names the run, then the job and correlation id once known", () => {
    expect(runLogPrefix({ runId: "r1" })).toBe("[run=r1]");
    expect(runLogPrefix({ runId: "r1", jobName: "batchjob-1", correlationId: "c-9" })).toBe("[run=r1 job=batchjob-1 correlationId=c-9]");
  });
});
