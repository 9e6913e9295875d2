import { describe, expect, it } from "vitest";
import { backoffSeconds, baseIntervalSeconds, nextPollAt } from "../../../src/orchestration/pollSchedule";
import { at, batchError, request, runningState } from "./fixtures";

describe("nextPollAt", () => {
  it("waits the poll interval", () => {
    const req = request({ pollIntervalSeconds: 120 });
    expect(nextPollAt(runningState(req), req, at(0))).toEqual(at(120));
  });

  it("never sleeps past the overall deadline", () => {
    const req = request({ pollIntervalSeconds: 600, timeoutSeconds: 1000 });
    expect(nextPollAt(runningState(req), req, at(900))).toEqual(at(1000));
  });

  it("wakes at the queue deadline only while the job is queued", () => {
    const req = request({ pollIntervalSeconds: 600, queueTimeoutSeconds: 300 });
    const queued = runningState(req, { queueDeadlineAt: at(300).toISOString() });
    queued.job!.status = "Queued";
    expect(nextPollAt(queued, req, at(0))).toEqual(at(300));
    const running = runningState(req, { queueDeadlineAt: at(300).toISOString() });
    expect(nextPollAt(running, req, at(0))).toEqual(at(600));
  });

  it("polls every 10 s at most once a cancel was sent", () => {
    const req = request({ pollIntervalSeconds: 120 });
    expect(nextPollAt(runningState(req, { cancelSentAt: at(0).toISOString() }), req, at(0))).toEqual(at(10));
  });

  it("backs off after failed reads, capped by the interval", () => {
    const req = request({ pollIntervalSeconds: 60 });
    const state = (n: number) => runningState(req, { consecutivePollErrors: n, lastPollError: batchError() });
    expect(nextPollAt(state(1), req, at(0))).toEqual(at(5));
    expect(nextPollAt(state(2), req, at(0))).toEqual(at(10));
    expect(nextPollAt(state(4), req, at(0))).toEqual(at(40));
    expect(nextPollAt(state(9), req, at(0))).toEqual(at(60));
  });

  it("treats Retry-After as a floor, even above the interval", () => {
    const req = request({ pollIntervalSeconds: 60 });
    const state = runningState(req, { consecutivePollErrors: 1, lastPollError: batchError({ httpStatus: 429, retryAfterSeconds: 300 }) });
    expect(nextPollAt(state, req, at(0))).toEqual(at(300));
  });

  it("never returns a time in the past, even after the deadline", () => {
    const req = request({ timeoutSeconds: 100 });
    expect(nextPollAt(runningState(req), req, at(500))).toEqual(at(501));
  });
});

describe("backoffSeconds", () => {
  it("doubles from 5 s and stops at the cap", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffSeconds(n, 120))).toEqual([5, 10, 20, 40, 80, 120]);
    expect(backoffSeconds(1000, 120)).toBe(120);
  });
});

describe("poll policies", () => {
  const req = request({ pollIntervalSeconds: 120 });
  const adaptive = { mode: "adaptive" as const, eventSafetySeconds: 900 };
  const atAge = (s: number) => at(s);

  it("adaptive: 10 s at first, then a third of the job's age, never above the interval", () => {
    const state = runningState(req);
    expect([0, 30, 60, 180, 300, 360, 3600].map((age) => baseIntervalSeconds(state, req, atAge(age), adaptive))).toEqual([10, 10, 20, 60, 100, 120, 120]);
  });
  it("adaptive: every 10 s while the job is Finalizing", () => {
    const state = runningState(req);
    state.job!.status = "Finalizing";
    expect(baseIntervalSeconds(state, req, atAge(3600), adaptive)).toBe(10);
  });
  it("fixed: the interval; events: the safety interval, never below the request's interval", () => {
    const state = runningState(req);
    expect(baseIntervalSeconds(state, req, atAge(5), { mode: "fixed", eventSafetySeconds: 900 })).toBe(120);
    expect(baseIntervalSeconds(state, req, atAge(5), { mode: "events", eventSafetySeconds: 900 })).toBe(900);
    expect(baseIntervalSeconds(state, request({ pollIntervalSeconds: 1800 }), atAge(5), { mode: "events", eventSafetySeconds: 900 })).toBe(1800);
  });
  it("adaptive still honours deadlines and Retry-After", () => {
    const state = runningState(req, { consecutivePollErrors: 1, lastPollError: batchError({ retryAfterSeconds: 60 }) });
    expect(nextPollAt(state, req, atAge(0), adaptive)).toEqual(atAge(60));
    expect(nextPollAt(runningState(request({ timeoutSeconds: 100 })), request({ timeoutSeconds: 100 }), atAge(95), adaptive)).toEqual(atAge(100));
  });
});
