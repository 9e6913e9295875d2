import { describe, expect, it } from "vitest";
import {
  cancelGraceSeconds,
  cancelRetryAt,
  decideAfterInvokeFailure,
  decideAfterLostAnswer,
  decideAfterPoll,
  decideAfterPollError,
  folderHoldsOtherFiles,
  maxHardPollErrors,
  maxInvokeAttempts,
} from "../../../src/orchestration/decisions";
import { isQueuedJobStatus, isTerminalJobStatus } from "../../../src/orchestration/jobStatus";
import { at, batchError, request, runningState } from "./fixtures";
import type { PreflightReport } from "../../../src/runs/preflightReport";
import type { RunTrigger } from "../../../src/runs/types";

const snapshot = (status: string, errorMessage: string | null = null) => ({ name: "batchjob-1", status, studioUrl: null, errorMessage });

describe("decideAfterPoll", () => {
  const req = request({ timeoutSeconds: 3600, queueTimeoutSeconds: 600 });

  it("succeeds on Completed", () => {
    expect(decideAfterPoll(runningState(req), req, snapshot("Completed"), at(10))).toEqual({ kind: "succeed" });
  });

  it("fails on Failed with Azure ML's message, or a clear one when there is none", () => {
    expect(decideAfterPoll(runningState(req), req, snapshot("Failed", "disk full"), at(10))).toEqual({
      kind: "fail",
      error: { code: "JobFailed", message: "disk full", jobStatus: "Failed" },
    });
    const none = decideAfterPoll(runningState(req), req, snapshot("Failed"), at(10));
    expect(none).toMatchObject({ kind: "fail", error: { code: "JobFailed" } });
    expect((none as { error: { message: string } }).error.message).toContain("batchjob-1");
    const withStudio = decideAfterPoll(runningState(req), req, { ...snapshot("Failed"), studioUrl: "https://ml.azure.com/runs/batchjob-1" }, at(10));
    expect((withStudio as { error: { message: string } }).error.message).toContain("logs are in Azure ML studio: https://ml.azure.com/runs/batchjob-1");
  });

  it("tells a cancel we asked for from one done elsewhere", () => {
    const asked = runningState(req, { cancel: { requestedAt: at(5).toISOString(), reason: "wrong data" } });
    expect(decideAfterPoll(asked, req, snapshot("Canceled"), at(10))).toMatchObject({ kind: "fail", error: { code: "RunCanceled", jobStatus: "Canceled" } });
    expect(decideAfterPoll(runningState(req), req, snapshot("Canceled"), at(10))).toMatchObject({
      kind: "fail",
      error: { code: "JobCanceled", jobStatus: "Canceled" },
    });
  });

  it("keeps going on every non-terminal status before a deadline", () => {
    for (const status of [
      "NotStarted",
      "Starting",
      "Provisioning",
      "Preparing",
      "Queued",
      "Running",
      "Finalizing",
      "CancelRequested",
      "NotResponding",
      "Paused",
      "Unknown",
    ]) {
      expect(decideAfterPoll(runningState(req), req, snapshot(status), at(10))).toEqual({ kind: "continue" });
    }
  });

  it("hits the overall deadline at exactly timeoutSeconds", () => {
    expect(decideAfterPoll(runningState(req), req, snapshot("Running"), at(3599))).toEqual({ kind: "continue" });
    expect(decideAfterPoll(runningState(req), req, snapshot("Running"), at(3600))).toMatchObject({
      kind: "deadline",
      error: { code: "DeadlineExceeded", jobStatus: "Running" },
    });
  });

  it("hits the queue deadline only while queued", () => {
    const state = runningState(req, { queueDeadlineAt: at(600).toISOString() });
    expect(decideAfterPoll(state, req, snapshot("Queued"), at(600))).toMatchObject({
      kind: "deadline",
      error: { code: "DeadlineExceeded", jobStatus: "Queued" },
    });
    expect(decideAfterPoll(state, req, snapshot("Running"), at(600))).toEqual({ kind: "continue" });
    expect(decideAfterPoll(state, req, snapshot("Completed"), at(4000))).toEqual({ kind: "succeed" });
  });
});

describe("decideAfterPollError", () => {
  const req = request();
  it("counts only non-retryable failures in a row: many throttles and one 403 do not end the run", () => {
    const forbidden = batchError({ code: "AuthorizationFailed", httpStatus: 403, retryable: false });
    expect(decideAfterPollError(runningState(req, { consecutivePollErrors: 9, hardPollErrors: 1 }), forbidden)).toEqual({ kind: "continue" });
  });

  it("keeps retrying retryable errors however many", () => {
    expect(decideAfterPollError(runningState(req, { consecutivePollErrors: 50 }), batchError())).toEqual({ kind: "continue" });
  });
  it("gives up on non-retryable errors after a few in a row", () => {
    const forbidden = batchError({ code: "AuthorizationFailed", httpStatus: 403, retryable: false });
    expect(decideAfterPollError(runningState(req, { hardPollErrors: maxHardPollErrors - 1 }), forbidden)).toEqual({ kind: "continue" });
    expect(decideAfterPollError(runningState(req, { hardPollErrors: maxHardPollErrors }), forbidden)).toMatchObject({
      kind: "fail",
      error: { code: "JobStatusUnavailable", jobStatus: "Running" },
    });
    const auth = batchError({ code: "AuthenticationFailed", httpStatus: null, retryable: false });
    expect(decideAfterPollError(runningState(req, { hardPollErrors: maxHardPollErrors }), auth)).toMatchObject({
      kind: "fail",
      error: { code: "AuthenticationFailed" },
    });
  });
});

describe("decideAfterInvokeFailure", () => {
  const req = request();
  it("never retries when the job may exist", () => {
    const d = decideAfterInvokeFailure(runningState(req, { job: null, invokeAttempts: 1 }), req, batchError({ outcomeUnknown: true }), at(0));
    expect(d).toMatchObject({ kind: "fail", error: { code: "InvokeOutcomeUnknown" } });
    expect((d as { error: { message: string } }).error.message).toMatch(/created between \S+ and \S+ writing azureml:\/\/datastores\/ds\/paths\/out\/p\.csv/);
  });
  it("retries a request that never reached the service, with backoff and Retry-After, a bounded number of times", () => {
    const refused = batchError({ code: "ConnectionRefused", httpStatus: null, outcomeUnknown: false });
    expect(decideAfterInvokeFailure(runningState(req, { job: null, invokeAttempts: 1 }), req, refused, at(0))).toEqual({ kind: "retry", at: at(5) });
    expect(decideAfterInvokeFailure(runningState(req, { job: null, invokeAttempts: 2 }), req, { ...refused, retryAfterSeconds: 60 }, at(0))).toEqual({
      kind: "retry",
      at: at(60),
    });
    expect(decideAfterInvokeFailure(runningState(req, { job: null, invokeAttempts: maxInvokeAttempts }), req, refused, at(0))).toMatchObject({
      kind: "fail",
      error: { code: "InvokeRejected" },
    });
  });
  it("fails at once on a rejection, with the service's code and message", () => {
    const d = decideAfterInvokeFailure(
      runningState(req, { job: null, invokeAttempts: 1 }),
      req,
      batchError({ code: "UserError", httpStatus: 400, retryable: false, message: "bad input" }),
      at(0),
    );
    expect(d).toEqual({ kind: "fail", error: { code: "InvokeRejected", message: "The batch endpoint rejected the invoke (HTTP 400 UserError): bad input" } });
  });
  it("keeps AuthenticationFailed and EndpointNotAllowed as they are", () => {
    for (const code of ["AuthenticationFailed", "EndpointNotAllowed"]) {
      expect(
        decideAfterInvokeFailure(
          runningState(req, { job: null, invokeAttempts: 1 }),
          req,
          batchError({ code, httpStatus: null, retryable: false, message: "m" }),
          at(0),
        ),
      ).toEqual({ kind: "fail", error: { code, message: "m" } });
    }
  });
});

describe("job status classes", () => {
  it("knows terminal and queued statuses", () => {
    expect(["Completed", "Failed", "Canceled"].every(isTerminalJobStatus)).toBe(true);
    expect(["Running", "CancelRequested", "NotResponding", "Unknown"].some(isTerminalJobStatus)).toBe(false);
    expect(["NotStarted", "Starting", "Provisioning", "Preparing", "Queued"].every(isQueuedJobStatus)).toBe(true);
    expect(["Running", "Finalizing", "Paused"].some(isQueuedJobStatus)).toBe(false);
  });
});

describe("deadlines cap every wait", () => {
  it("an invoke whose Retry-After reaches past the run's deadline fails now with DeadlineExceeded, naming the wait", () => {
    const req = request({ timeoutSeconds: 3600 });
    const state = runningState(req, { job: null, invokeAttempts: 1 });
    expect(decideAfterInvokeFailure(state, req, batchError({ retryAfterSeconds: 600 }), at(2000))).toMatchObject({ kind: "retry" });
    const d = decideAfterInvokeFailure(state, req, batchError({ retryAfterSeconds: 86_400 }), at(2000));
    expect(d).toMatchObject({ kind: "fail", error: { code: "DeadlineExceeded" } });
    expect((d as { error: { message: string } }).error.message).toMatch(/asked to retry after 86400 s/);
  });

  it("a cancel at the deadline waits out a Retry-After only within its grace; past it, it stops and says so", () => {
    const deadline = at(3600);
    expect(cancelRetryAt(1, batchError({ retryAfterSeconds: 30 }), at(3600), deadline)).toEqual(at(3630));
    expect(cancelRetryAt(1, batchError({ retryAfterSeconds: null }), at(3600), deadline)).toEqual(at(3605));
    expect(cancelRetryAt(1, batchError({ retryAfterSeconds: 86_400 }), at(3600), deadline)).toBeNull();
    expect(cancelRetryAt(2, batchError({ retryAfterSeconds: 60 }), at(3600 + cancelGraceSeconds - 30), deadline)).toBeNull();
    expect(cancelRetryAt(1, batchError({ retryable: false }), at(3600), deadline)).toBeNull();
  });
});

describe("decideAfterLostAnswer", () => {
  const req = request({ workspace: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws" });
  const state = runningState(req, { job: null, invokeAttempts: 1 });
  const error = batchError({ outcomeUnknown: true, message: "socket hang up" });

  it("looks again after 2 s, then 5 s", () => {
    expect(decideAfterLostAnswer(state, req, error, 0, null, at(10))).toEqual({ kind: "search", at: at(12) });
    expect(decideAfterLostAnswer(state, req, error, 1, { complete: true, keepsMarkers: false }, at(12))).toEqual({ kind: "search", at: at(17) });
  });

  it("then resends only when the last look read the whole window of a workspace that keeps invoke markers", () => {
    expect(decideAfterLostAnswer(state, req, error, 2, { complete: true, keepsMarkers: true }, at(17))).toEqual({ kind: "resend" });
    for (const last of [{ complete: false, keepsMarkers: true }, { complete: true, keepsMarkers: false }, null]) {
      const d = decideAfterLostAnswer(state, req, error, 2, last, at(17));
      expect(d).toMatchObject({ kind: "fail", error: { code: "InvokeOutcomeUnknown" } });
      expect((d as { error: { message: string } }).error.message).toContain("cannot be ruled out");
    }
  });
});

describe("folderHoldsOtherFiles", () => {
  const trigger: RunTrigger = {
    kind: "blobWindow",
    windowId: "abc-2",
    folder: "https://acct.blob.core.windows.net/c/landing/day1/",
    openedAt: "2026-01-01T00:00:00.000Z",
    closedAt: "2026-01-01T00:01:00.000Z",
    files: ["a.csv", "b.csv"],
    count: 2,
    truncated: false,
    closedBy: "time",
  };
  const report = (listed: number, truncated = false): PreflightReport => ({
    mode: "strict",
    checks: [{ target: "inputs.input_data", uri: "u", blobUrl: null, result: "passed", code: null, listed, truncated, message: "" }],
  });

  it("says so when the folder holds more than the window brought", () => {
    const warning = folderHoldsOtherFiles(trigger, report(7));
    expect(warning?.code).toBe("FolderHoldsOtherFiles");
    expect(warning?.message).toContain("holds 7 entries");
    expect(folderHoldsOtherFiles(trigger, report(5000, true))?.message).toContain("at least 5000");
  });

  it("nothing for a window's own folder, a run not started by a window, or no listing", () => {
    expect(folderHoldsOtherFiles(trigger, report(2))).toBeNull();
    expect(folderHoldsOtherFiles(undefined, report(7))).toBeNull();
    expect(folderHoldsOtherFiles(trigger, { mode: "off", checks: [] })).toBeNull();
  });
});
