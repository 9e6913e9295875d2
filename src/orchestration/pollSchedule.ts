/** When to poll next. Pure: the orchestrator passes the current orchestration time. */
import type { ScoringRunRequest } from "../runs/types";
import type { PollPolicy } from "../config";
import { isQueuedJobStatus } from "./jobStatus";
import type { RunState } from "../runs/runInput";
import { type FleetPace, pacedFloorSeconds } from "../runs/fleet";
import type { ExpectedDuration } from "../runs/jobDurations";

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
 * interval, except that events mode never waits longer than its safety setting either way.
 *
 * Events mode: Azure ML sends an event when a job completes, but none when it fails or is canceled
 * (docs/azure-behaviour.md#azure-ml-events), so safety polls follow the adaptive curve (a failure
 * is noticed as soon as adaptive polling alone would notice it) and skip only the dense polls of
 * Finalizing: a job that completes says so by event.
 */
export function baseIntervalSeconds(state: RunState, request: ScoringRunRequest, now: Date, policy: PollPolicy = fixedPolicy): number {
  const cap = request.pollIntervalSeconds;
  if (policy.mode === "fixed") return cap;
  const since = Date.parse(state.invokedAt ?? state.startedAt);
  const ageSeconds = Math.max(0, (now.getTime() - since) / 1000);
  const curve = Math.min(cap, Math.max(fastStartSeconds, Math.round(ageSeconds * ageFraction)));
  if (policy.mode === "events") return Math.min(curve, Math.max(fastStartSeconds, policy.eventSafetySeconds));
  if (state.job?.status === "Finalizing") return Math.min(cap, finalizingSeconds);
  if (policy.mode === "learned" && state.expected) return learnedIntervalSeconds(ageSeconds, state.expected, cap, curve);
  return curve;
}

/** Learned polling: the expected end's window opens this much before the recent jobs' 10th percentile duration and closes this much after the 90th. */
export const learnedWindowMargin = 0.1;
/** Learned polling: inside the window, a read at least this often (a Finalizing phase of a minute or more is then rarely missed). */
export const learnedWindowSeconds = 90;
/** Learned polling: before the window, at most this long between reads (a job that fails early is still seen). */
export const learnedSparseSeconds = 1800;

/**
 * Learned polling (docs/operations.md#learned-polling): sparse while the job is unlikely to end
 * (half the time left until the expected end's window, 1 to 30 minutes, never past the window's
 * opening), dense inside the window, and the adaptive curve once the window has passed.
 */
export function learnedIntervalSeconds(ageSeconds: number, expected: ExpectedDuration, cap: number, curve: number): number {
  const opens = expected.p10 * (1 - learnedWindowMargin);
  const closes = expected.p90 * (1 + learnedWindowMargin);
  if (ageSeconds >= closes) return curve;
  if (ageSeconds >= opens) return Math.min(cap, learnedWindowSeconds);
  const untilWindow = opens - ageSeconds;
  return Math.max(fastStartSeconds, Math.min(untilWindow, Math.max(60, Math.min(learnedSparseSeconds, untilWindow / 2))));
}

/**
 * The shortest mean wait the fleet's read budget allows one run: with `live` runs each polling at
 * most every `live × headroom / budget` seconds, the fleet stays under the budget. Runs that are
 * close to their end (Finalizing, a cancel on its way) get half of it: they are few.
 */
export function budgetFloorSeconds(state: RunState, pace: FleetPace | undefined): number {
  if (!pace) return 0;
  const floor = pacedFloorSeconds(pace);
  return state.job?.status === "Finalizing" || state.cancelSentAt ? floor / 2 : floor;
}

/**
 * A replay-safe number in [0, 1) for one poll of one run (FNV-1a of the run id and poll count):
 * paced polls are spread over [0.5, 1.5) of the floor, so runs started together do not poll together.
 * Used when the pace carries no spread from its worker.
 */
export function pollJitter(runId: string, polls: number): number {
  let h = 0x811c9dc5;
  for (const c of `${runId}#${polls}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h / 4294967296;
}

/** The fleet's pacing of one run's next poll: its pace, and the run's id (the jitter's seed). */
export interface FleetPacing {
  pace: FleetPace | undefined;
  runId: string;
}

/** Backoff for the n-th consecutive failure (n ≥ 1), never above `capSeconds`. */
export function backoffSeconds(n: number, capSeconds: number): number {
  return Math.min(capSeconds, errorBackoffSeconds * 2 ** Math.min(n - 1, 20));
}

/** When the next poll is due; `slowed` when the fleet's read budget, not the policy, set the wait. */
export function nextPoll(state: RunState, request: ScoringRunRequest, now: Date, policy?: PollPolicy, fleet?: FleetPacing): { at: Date; slowed: boolean } {
  const base = baseIntervalSeconds(state, request, now, policy);
  const floor = budgetFloorSeconds(state, fleet?.pace);
  const slowed = floor > base;
  const spread = fleet?.pace?.spread ?? pollJitter(fleet?.runId ?? "", state.polls);
  const at = nextPollAt(state, request, now, policy, slowed ? floor * (0.5 + spread) : base);
  return { at, slowed };
}

export function nextPollAt(state: RunState, request: ScoringRunRequest, now: Date, policy?: PollPolicy, intervalSeconds?: number): Date {
  let waitMs = seconds(intervalSeconds ?? baseIntervalSeconds(state, request, now, policy));
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
