import { describe, expect, it } from "vitest";
import { detectionOf, queuedTooLong } from "../../../src/orchestration/decisions";
import {
  cancelFailed,
  cancelRequested,
  cancelSent,
  initialRunState,
  invokeFailed,
  invokeResent,
  invokeRetryAt,
  jobInvoked,
  jobPolled,
  pollFailed,
  preflightDone,
  runFailed,
  runSucceeded,
  withWarning,
} from "../../../src/orchestration/runState";
import { maxTimelineEntries } from "../../../src/observability/timeline";
import type { RunState } from "../../../src/runs/runInput";
import { at, batchError, request, runningState, t0 } from "./fixtures";

const events = (state: RunState) => state.timeline.map((e) => e.event);
const ensured = { name: "batchjob-7", id: "/x/jobs/batchjob-7", jobPath: "/x/jobs/batchjob-7", status: "Queued", studioUrl: null };

describe("run state reducers", () => {
  it("a new run starts its story and its deadline from the request", () => {
    const state = initialRunState(request({ timeoutSeconds: 60, deployment: "blue" }), t0, "id-1");
    expect(state).toMatchObject({ startedAt: t0.toISOString(), deadlineAt: at(60).toISOString(), invokeId: "id-1", job: null, warnings: [], preflight: null });
    expect(state.timeline).toEqual([{ at: t0.toISOString(), event: "started", detail: expect.stringContaining("deployment blue") }]);
  });

  it("never changes the state it is given", () => {
    const before = runningState(request());
    const frozen = JSON.stringify(before);
    jobPolled(before, { name: "batchjob-1", status: "Completed", studioUrl: "https://studio", errorMessage: null }, at(5), false);
    pollFailed(before, batchError(), at(5));
    cancelRequested(before, "stop", at(5));
    expect(JSON.stringify(before)).toBe(frozen);
  });

  it("the invoke: its job, the queue deadline, a reconciling note and its warning", () => {
    const req = request({ queueTimeoutSeconds: 120 });
    const state = jobInvoked(
      initialRunState(req, t0, "id"),
      req,
      { ...ensured, reconciled: "found by output path", warning: { code: "JobSearchIncomplete", message: "partial" } },
      at(3),
    );
    expect(state.job).toEqual(ensured);
    expect(state).toMatchObject({ invokedAt: at(3).toISOString(), queueDeadlineAt: at(123).toISOString() });
    expect(state.warnings).toEqual([{ code: "JobSearchIncomplete", message: "partial" }]);
    expect(state.timeline.at(-1)).toMatchObject({ event: "invoked", detail: "job batchjob-7 (Queued), found by output path" });
    expect(jobInvoked(initialRunState(request(), t0, "id"), request(), ensured, at(3)).queueDeadlineAt).toBeNull();
  });

  it("a failed invoke is counted; only a scheduled retry enters the story, naming the next attempt", () => {
    const failed = invokeFailed(initialRunState(request(), t0, "id"));
    expect(failed.invokeAttempts).toBe(1);
    expect(events(failed)).toEqual(["started"]);
    const retrying = invokeRetryAt(failed, batchError({ code: "Throttled" }), at(1), at(31));
    expect(retrying.timeline.at(-1)).toEqual({ at: at(1).toISOString(), event: "invokeRetry", detail: `Throttled; attempt 2 at ${at(31).toISOString()}` });
    expect(invokeResent(failed, batchError(), at(9)).invokeAttempts).toBe(2);
  });

  it("a status read: counted, errors cleared, the change of status told once", () => {
    const erring = pollFailed(
      pollFailed(runningState(request()), batchError({ retryable: false, code: "Forbidden" }), at(1)),
      batchError({ retryable: false, code: "Forbidden" }),
      at(2),
    );
    expect(erring).toMatchObject({ polls: 2, consecutivePollErrors: 2, hardPollErrors: 2 });
    expect(events(erring).filter((e) => e === "statusReadFailed")).toHaveLength(1);
    const polled = jobPolled(erring, { name: "batchjob-1", status: "Running", studioUrl: "https://studio", errorMessage: null }, at(3), false);
    expect(polled).toMatchObject({ polls: 3, lastPolledAt: at(3).toISOString(), consecutivePollErrors: 0, hardPollErrors: 0, lastPollError: null });
    expect(polled.job?.studioUrl).toBe("https://studio");
    expect(events(polled)).toEqual(events(erring));
    const ended = jobPolled(polled, { name: "batchjob-1", status: "Completed", studioUrl: null, errorMessage: null }, at(4), true);
    expect(ended.job).toMatchObject({ status: "Completed", studioUrl: "https://studio" });
    expect(ended.timeline.at(-1)).toMatchObject({ event: "status", detail: "Running → Completed (event)" });
  });

  it("a throttle between hard failures resets their count", () => {
    const hard = pollFailed(runningState(request()), batchError({ retryable: false }), at(1));
    expect(pollFailed(hard, batchError({ retryable: true }), at(2)).hardPollErrors).toBe(0);
  });

  it("a cancel is recorded once, its reason bounded; sending it is counted whether it worked or not", () => {
    const asked = cancelRequested(runningState(request()), "x".repeat(500), at(1));
    expect(asked.cancel).toEqual({ requestedAt: at(1).toISOString(), reason: "x".repeat(200) });
    expect(cancelRequested(asked, "again", at(2))).toBe(asked);
    const refused = cancelFailed(asked, batchError({ code: "Throttled", message: "slow down" }), at(3));
    expect(refused).toMatchObject({ cancelAttempts: 1, cancelSentAt: null, lastCancelError: { code: "Throttled" } });
    const sent = cancelSent(refused, at(4));
    expect(sent).toMatchObject({ cancelAttempts: 2, cancelSentAt: at(4).toISOString(), lastCancelError: null });
    expect(events(sent).slice(-3)).toEqual(["cancelRequested", "cancelFailed", "cancelSent"]);
  });

  it("pre-flight: its report and warnings kept, a strict failure returned as the run's error", () => {
    const report = {
      mode: "strict" as const,
      checks: [
        { target: "output", uri: "azureml://x", blobUrl: null, result: "failed" as const, code: "OutputExists", message: "taken" },
        { target: "input", uri: "azureml://y", blobUrl: null, result: "warning" as const, code: "InputEmpty", message: "empty" },
      ],
    };
    const { state, error } = preflightDone(initialRunState(request(), t0, "id"), report, at(1));
    expect(state.preflight).toBe(report);
    expect(state.warnings).toEqual([{ code: "InputEmpty", message: "input: empty" }]);
    expect(state.timeline.at(-1)).toMatchObject({ event: "preflight", detail: "strict: 1 warning, 1 failed" });
    expect(error).toMatchObject({ code: "OutputExists" });
  });

  it("the end: canceled codes end the story canceled, others failed; success carries its detail", () => {
    const state = runningState(request());
    expect(runFailed(state, { code: "JobCanceled", message: "elsewhere" }, at(1)).timeline.at(-1)?.event).toBe("canceled");
    expect(runFailed(state, { code: "RunCanceled", message: "asked" }, at(1)).timeline.at(-1)?.event).toBe("canceled");
    expect(runFailed(state, { code: "JobFailed", message: "boom" }, at(1)).timeline.at(-1)).toMatchObject({ event: "failed", detail: "JobFailed: boom" });
    expect(runSucceeded(state, at(1), "predictions x").timeline.at(-1)).toMatchObject({ event: "succeeded", detail: "predictions x" });
    expect(withWarning(state, null)).toBe(state);
  });

  it("the story stays bounded however long the run", () => {
    let state = runningState(request());
    for (let i = 0; i < 500; i++) state = pollFailed({ ...state, consecutivePollErrors: 0 }, batchError(), at(i));
    expect(state.timeline.length).toBeLessThanOrEqual(maxTimelineEntries);
  });
});

describe("detectionOf", () => {
  it("an event's delay is measured from its time; a poll's worst case from the look before", () => {
    expect(detectionOf({ jobName: "j", eventTime: at(8).toISOString() }, at(10), at(0).toISOString())).toEqual({
      by: "event",
      at: at(10).toISOString(),
      delaySeconds: 2,
      maxDelaySeconds: 10,
    });
    expect(detectionOf(undefined, at(10), at(4).toISOString())).toEqual({ by: "poll", at: at(10).toISOString(), delaySeconds: null, maxDelaySeconds: 6 });
    expect(detectionOf({ jobName: "j", eventTime: "not a time" }, at(10), at(4).toISOString()).delaySeconds).toBeNull();
    expect(detectionOf({ jobName: "j", eventTime: at(20).toISOString() }, at(10), at(4).toISOString()).delaySeconds).toBe(0);
  });
});

describe("time in the queue", () => {
  const queued = (over: Partial<RunState> = {}) =>
    runningState(request(), { job: { ...runningState(request()).job!, status: "Queued" }, runningAt: null, ...over });

  it("a read that sees the job past the queued states records when, once", () => {
    const seen = jobPolled(queued(), { name: "batchjob-1", status: "Queued", studioUrl: null, errorMessage: null }, at(60), false);
    expect(seen.runningAt).toBeNull();
    const running = jobPolled(seen, { name: "batchjob-1", status: "Running", studioUrl: null, errorMessage: null }, at(120), false);
    expect(running.runningAt).toBe(at(120).toISOString());
    const later = jobPolled(running, { name: "batchjob-1", status: "Completed", studioUrl: null, errorMessage: null }, at(300), false);
    expect(later.runningAt).toBe(at(120).toISOString());
  });

  it("a job queued past the threshold gets one warning naming quota and compute; not before, not twice, not once running", () => {
    expect(queuedTooLong(queued(), at(1799), 1800)).toBeNull();
    const warning = queuedTooLong(queued(), at(1800), 1800);
    expect(warning).toMatchObject({ code: "JobQueuedLong", message: expect.stringMatching(/Queued for 30 min.*quota.*maximum node count/) });
    expect(queuedTooLong(withWarning(queued(), warning), at(4000), 1800)).toBeNull();
    expect(queuedTooLong(queued({ runningAt: at(100).toISOString() }), at(4000), 1800)).toBeNull();
    expect(queuedTooLong(runningState(request()), at(4000), 1800)).toBeNull();
  });
});
