import { describe, expect, it } from "vitest";
import { backoffSeconds, nextPollAt } from "../../../src/orchestration/pollSchedule";
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
