import { describe, expect, it } from "vitest";
import { backoffSeconds, baseIntervalSeconds, nextPollAt, budgetFloorSeconds, nextPoll, pollJitter } from "../../../src/orchestration/pollSchedule";
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
  it("fixed: the interval; events: the adaptive curve (failed and canceled jobs raise no event), without Finalizing's dense polls, never above the safety setting", () => {
    const state = runningState(req);
    const events = { mode: "events" as const, eventSafetySeconds: 900 };
    expect(baseIntervalSeconds(state, req, atAge(5), { mode: "fixed", eventSafetySeconds: 900 })).toBe(120);
    expect([0, 60, 300, 3600].map((age) => baseIntervalSeconds(state, req, atAge(age), events))).toEqual(
      [0, 60, 300, 3600].map((age) => baseIntervalSeconds(state, req, atAge(age), adaptive)),
    );
    // A completing job says so by event: no 10 s polls while it finalizes.
    const finalizing = runningState(req);
    finalizing.job!.status = "Finalizing";
    expect(baseIntervalSeconds(finalizing, req, atAge(3600), events)).toBe(120);
    expect(baseIntervalSeconds(state, request({ pollIntervalSeconds: 1800 }), atAge(3600), { mode: "events", eventSafetySeconds: 900 })).toBe(900);
  });

  it("the fleet's read budget: a floor of live × headroom / budget seconds (half of it near the end), spread by a replay-safe jitter", () => {
    const state = runningState(req);
    const pace = { live: 3000, readsPerSecond: 15, lowered: false };
    expect(budgetFloorSeconds(state, undefined)).toBe(0);
    expect(budgetFloorSeconds(state, pace)).toBe(300);
    const finalizing = runningState(req);
    finalizing.job!.status = "Finalizing";
    expect(budgetFloorSeconds(finalizing, pace)).toBe(150);
    // Few live runs: the policy's own wait stands.
    expect(nextPoll(state, req, atAge(3600), adaptive, { pace: { ...pace, live: 100 }, runId: "r" })).toEqual({ at: atAge(3720), slowed: false });
    const slowed = nextPoll(state, req, atAge(3600), adaptive, { pace, runId: "r" });
    expect(slowed.slowed).toBe(true);
    const wait = (slowed.at.getTime() - atAge(3600).getTime()) / 1000;
    expect(wait).toBeGreaterThanOrEqual(150);
    expect(wait).toBeLessThan(450);
    // Replay-safe: the same run and poll give the same wait; 1,000 runs spread over the whole range.
    expect(nextPoll(state, req, atAge(3600), adaptive, { pace, runId: "r" })).toEqual(slowed);
    const jitters = Array.from({ length: 1000 }, (_, i) => pollJitter(`run-${i}`, 7));
    expect(Math.min(...jitters)).toBeLessThan(0.01);
    expect(Math.max(...jitters)).toBeGreaterThan(0.99);
    expect(jitters.reduce((a, b) => a + b, 0) / 1000).toBeCloseTo(0.5, 1);
    // A pace from a worker carries its spread, which places the poll instead of the run's hash.
    const waitWith = (spread: number) =>
      (nextPoll(state, req, atAge(3600), adaptive, { pace: { ...pace, spread }, runId: "r" }).at.getTime() - atAge(3600).getTime()) / 1000;
    expect(waitWith(0)).toBe(150);
    expect(waitWith(0.5)).toBe(300);
    expect(waitWith(0.9)).toBe(420);
  });
  it("adaptive still honours deadlines and Retry-After", () => {
    const state = runningState(req, { consecutivePollErrors: 1, lastPollError: batchError({ retryAfterSeconds: 60 }) });
    expect(nextPollAt(state, req, atAge(0), adaptive)).toEqual(atAge(60));
    expect(nextPollAt(runningState(request({ timeoutSeconds: 100 })), request({ timeoutSeconds: 100 }), atAge(95), adaptive)).toEqual(atAge(100));
  });
});
