import { describe, expect, it } from "vitest";
import {
  batchCanceled,
  batchDone,
  batchProgress,
  batchResult,
  batchStatusOf,
  failedOutcome,
  failureBudget,
  initialBatchState,
  itemEnded,
  itemsStarted,
  itemsToStart,
  succeededOutcome,
} from "../../../src/orchestration/batchState";
import { utf16Bytes } from "../../../src/orchestration/customStatus";
import type { ScoringBatchRequest } from "../../../src/runs/batches/types";
import { scoringRequest } from "../../fixtures/scoringRequest";

const t0 = new Date("2026-12-01T00:00:00Z");
const request = (over: Partial<ScoringBatchRequest> = {}): ScoringBatchRequest => ({
  template: scoringRequest(),
  items: null,
  itemsFrom: null,
  maxConcurrentJobs: 3,
  toleratedFailurePercent: 0,
  ...over,
});
const ok = succeededOutcome({ output: { uri: "azureml://datastores/ds/paths/o.csv", blobUrl: "http://b/o.csv" } } as never);
const failed = failedOutcome(new Error("Orchestrator function 'scoringRunOrchestrator' failed: JobFailed: The job failed.\n{}"));

describe("batch state", () => {
  it("starts up to the limit, then only as children end", () => {
    let s = initialBatchState(t0);
    expect(itemsToStart(s, 12, 0, 3, false)).toBe(3);
    s = itemsStarted(s, 3);
    expect(itemsToStart(s, 12, 3, 3, false)).toBe(0);
    s = itemEnded(s, 0, ok, 12, request());
    expect(itemsToStart(s, 12, 2, 3, false)).toBe(1);
    expect(itemsToStart(s, 12, 2, 3, true)).toBe(0);
    expect(itemsToStart({ ...s, nextIndex: 11 }, 12, 0, 3, false)).toBe(1);
  });

  it("stops starting once failures pass the tolerance, and ends Failed with the rest NotStarted", () => {
    expect(failureBudget(12, 0)).toBe(0);
    expect(failureBudget(12, 10)).toBe(1);
    let s = itemsStarted(initialBatchState(t0), 3);
    s = itemEnded(s, 0, failed, 12, request({ toleratedFailurePercent: 10 }));
    expect(s.stop).toBeNull();
    s = itemEnded(s, 1, failed, 12, request({ toleratedFailurePercent: 10 }));
    expect(s.stop).toBe("ToleranceExceeded");
    expect(itemsToStart(s, 12, 1, 3, false)).toBe(0);
    expect(batchDone(s, 12, 1)).toBe(false);
    s = itemEnded(s, 2, ok, 12, request({ toleratedFailurePercent: 10 }));
    expect(batchDone(s, 12, 0)).toBe(true);
    const result = batchResult("batch-x", s, 12, request({ toleratedFailurePercent: 10 }), t0);
    expect(result.status).toBe("Failed");
    expect(result.counts).toEqual({ NotStarted: 9, Running: 0, Succeeded: 1, Failed: 2, Canceled: 0 });
    expect(result.manifest[1]).toEqual({ index: 1, runId: "batch-x-0001", status: "Failed", output: null, blobUrl: null, errorCode: "JobFailed" });
    expect(result.manifest[5]).toEqual({ index: 5, runId: null, status: "NotStarted", output: null, blobUrl: null, errorCode: null });
  });

  it("reads a canceled child from its error code, and a cancel stops the batch", () => {
    expect(failedOutcome(new Error("Orchestrator function 'x' failed: RunCanceled: Canceled on request.")).status).toBe("Canceled");
    expect(failedOutcome("garbage").errorCode).toBe("RunFailed");
    let s = itemsStarted(initialBatchState(t0), 2);
    s = batchCanceled(s, "stop", t0);
    expect(itemsToStart(s, 12, 2, 3, false)).toBe(0);
    expect(batchStatusOf(s, 12, request())).toBe("Canceled");
  });

  it("succeeds with every item done, and keeps its custom status small at 1,000 items", () => {
    let s = itemsStarted(initialBatchState(t0), 1000);
    for (let i = 0; i < 1000; i++) s = itemEnded(s, i, ok, 1000, request());
    expect(batchDone(s, 1000, 0)).toBe(true);
    expect(batchStatusOf(s, 1000, request())).toBe("Succeeded");
    const long = succeededOutcome({ output: { uri: `azureml://datastores/ds/paths/${"x".repeat(2000)}`, blobUrl: null } } as never);
    for (let i = 995; i < 1000; i++) s = itemEnded(s, i, long, 1000, request());
    expect(utf16Bytes(batchProgress("batch-x", s, 1000, 50, "Running"))).toBeLessThan(8 * 1024);
  });
});
