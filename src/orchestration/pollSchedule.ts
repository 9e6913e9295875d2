/** When to poll next. Pure: the orchestrator passes the current orchestration time. */
import type { ScoringRunRequest } from "../runs/types";
import type { PollPolicy } from "../config";
import { isQueuedJobStatus } from "./jobStatus";
import type { RunState } from "../runs/runInput";

/** While a cancel is on its way, look more often than the interval: the caller is waiting on it. */
export const cancelPollSeconds = 10;
/** First wait after a failed status read; doubles per consecutive failure, capped by the interval. */
export const errorBackoffSeconds = 5;

const seconds = (n: number) => n * 1000;

/** Adaptive mode: the first look comes this soon (jobs that fail at start fail within minutes). */
export const fastStartSeconds = 10;
/** Adaptive mode: between looks, at most this fraction of the job's age (a 3-minute-old job is looked at every 60 s). */
export const ageFraction = 1 / 3;
/** Adaptive mode: while Finalizing, look this often (completion is near). */
export const finalizingSeconds = 10;

const fixedPolicy: PollPolicy = { mode: "fixed", eventSafetySeconds: 900 };

/**
 * The wait before the next status read when all is well, by policy. Never above the request's
 * interval except in events mode, where events carry completion and polls are a safety net.
 */
export function baseIntervalSeconds(state: RunState, request: ScoringRunRequest, now: Date, policy: PollPolicy = fixedPolicy): number {
  const cap = request.pollIntervalSeconds;
  if (policy.mode === "events") return Math.max(cap, policy.eventSafetySeconds);
  if (policy.mode === "fixed") return cap;
  if (state.job?.status === "Finalizing") return Math.min(cap, finalizingSeconds);
  const since = Date.parse(state.invokedAt ?? state.startedAt);
  const ageSeconds = Math.max(0, (now.getTime() - since) / 1000);
  return Math.min(cap, Math.max(fastStartSeconds, Math.round(ageSeconds * ageFraction)));
}

/** Backoff for the n-th consecutive failure (n ≥ 1), never above `capSeconds`. */
export function backoffSeconds(n: number, capSeconds: number): number {
  return Math.min(capSeconds, errorBackoffSeconds * 2 ** Math.min(n - 1, 20));
}

export function nextPollAt(state: RunState, request: ScoringRunRequest, now: Date, policy?: PollPolicy): Date {
  let waitMs = seconds(baseIntervalSeconds(state, request, now, policy));
  if (state.cancelSentAt) waitMs = Math.min(waitMs, seconds(cancelPollSeconds));
  if (state.consecutivePollErrors > 0) {
    waitMs = Math.min(waitMs, seconds(backoffSeconds(state.consecutivePollErrors, request.pollIntervalSeconds)));
    // A server's Retry-After is a floor: never ask again sooner than it said.
    const retryAfter = state.lastPollError?.retryAfterSeconds;
    if (retryAfter) waitMs = Math.max(waitMs, seconds(retryAfter));
  }
  // A cancel still to be delivered is retried soon, but never sooner than its Retry-After.
  if (state.cancel && !state.cancelSentAt && state.lastCancelError) {
    waitMs = Math.min(waitMs, seconds(backoffSeconds(state.cancelAttempts, request.pollIntervalSeconds)));
    if (state.lastCancelError.retryAfterSeconds) waitMs = Math.max(waitMs, seconds(state.lastCancelError.retryAfterSeconds));
  }
  let at = now.getTime() + waitMs;
  // Never sleep past a deadline: wake at it, look once more, then act.
  at = Math.min(at, Date.parse(state.deadlineAt));
  if (state.queueDeadlineAt && (!state.job || isQueuedJobStatus(state.job.status))) {
    at = Math.min(at, Date.parse(state.queueDeadlineAt));
  }
  return new Date(Math.max(at, now.getTime() + 1000));
}
