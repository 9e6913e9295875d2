/**
 * How a run's carried state changes: one pure function per thing that happens, each returning
 * the next state (and adding to the run's bounded timeline what a reader of the run should see).
 */
import type { BatchErrorInfo, BatchWarning, EnsuredJob, JobSnapshot } from "../batch/types";
import { appendTimeline, type TimelineEvent } from "../observability/timeline";
import { markPoll } from "../observability/pollMarks";
import { preflightVerdict } from "../preflight/verdict";
import { isQueuedJobStatus } from "./jobStatus";
import type { PreflightReport, RunWarning } from "../runs/preflightReport";
import { startingValues } from "../runs/carriedState";
import type { RunState } from "../runs/runInput";
import { canceledErrorCodes } from "../runs/runtimeStatus";
import type { RunError, ScoringRunRequest } from "../runs/types";

export function initialRunState(request: ScoringRunRequest, now: Date, invokeId: string, startWarnings: RunWarning[] = []): RunState {
  const started: RunState = {
    startedAt: now.toISOString(),
    deadlineAt: new Date(now.getTime() + request.timeoutSeconds * 1000).toISOString(),
    invokeId,
    ...startingValues,
    warnings: [...startWarnings],
    timeline: [],
  };
  return noted(started, now, "started", `endpoint ${request.endpointUri}${request.deployment ? `, deployment ${request.deployment}` : ""}`);
}

/** One step of the run's story, kept in its bounded timeline. */
export function noted(state: RunState, at: Date, event: TimelineEvent, detail: string | null = null): RunState {
  return { ...state, timeline: appendTimeline(state.timeline, { at: at.toISOString(), event, detail }) };
}

export function withWarning(state: RunState, warning: RunWarning | BatchWarning | null): RunState {
  return warning ? { ...state, warnings: [...state.warnings, warning] } : state;
}

/** The pre-flight checks came back: their report, their warnings; the error that ends a strict run, if any. */
export function preflightDone(state: RunState, report: PreflightReport, at: Date): { state: RunState; error: RunError | null } {
  const verdict = preflightVerdict(report);
  const next = noted({ ...state, preflight: report, warnings: [...state.warnings, ...verdict.warnings] }, at, "preflight", preflightSummary(report));
  return { state: next, error: verdict.error };
}

/** "strict: 2 passed, 1 warning, 1 skipped": the pre-flight report in one line. */
export function preflightSummary(report: PreflightReport): string {
  if (report.mode === "off") return "off";
  const counts = new Map<string, number>();
  for (const c of report.checks) counts.set(c.result, (counts.get(c.result) ?? 0) + 1);
  const parts = ["passed", "warning", "failed", "skipped"].filter((r) => counts.has(r)).map((r) => `${counts.get(r)} ${r}`);
  return `${report.mode}: ${parts.length > 0 ? parts.join(", ") : "nothing to check"}`;
}

/** The invoke created (or found) the job the run now follows; the queue deadline starts. */
export function jobInvoked(state: RunState, request: ScoringRunRequest, ensured: EnsuredJob, at: Date): RunState {
  const { warning, reconciled, ...job } = ensured;
  const next: RunState = {
    ...withWarning(state, warning ?? null),
    job,
    invokedAt: at.toISOString(),
    queueDeadlineAt: request.queueTimeoutSeconds ? new Date(at.getTime() + request.queueTimeoutSeconds * 1000).toISOString() : null,
  };
  return noted(next, at, "invoked", `job ${job.name} (${job.status})${reconciled ? `, ${reconciled}` : ""}`);
}

/** An invoke failed: one attempt more is counted (the decision what to do next reads the count). */
export function invokeFailed(state: RunState): RunState {
  return { ...state, invokeAttempts: state.invokeAttempts + 1 };
}

/** The failed invoke will be sent again at `retryAt`. */
export function invokeRetryAt(state: RunState, error: BatchErrorInfo, at: Date, retryAt: Date): RunState {
  return noted(state, at, "invokeRetry", `${error.code}; attempt ${state.invokeAttempts + 1} at ${retryAt.toISOString()}`);
}

/** A lost answer's job was not found, and the workspace shows the request was not accepted: it is sent again. */
export function invokeResent(state: RunState, error: BatchErrorInfo, at: Date): RunState {
  return noted(
    { ...state, invokeAttempts: state.invokeAttempts + 1 },
    at,
    "invokeRetry",
    `${error.code}; no job found and this workspace keeps invoke markers: not accepted, sending again`,
  );
}

/** A status read answered. */
export function jobPolled(state: RunState, snapshot: JobSnapshot, at: Date, byEvent: boolean): RunState {
  const job = state.job;
  if (!job) return state;
  const next: RunState = {
    ...state,
    polls: state.polls + 1,
    lastPolledAt: at.toISOString(),
    pollMarks: markPoll(state.pollMarks, state.startedAt, at),
    consecutivePollErrors: 0,
    hardPollErrors: 0,
    lastPollError: null,
    job: { ...job, status: snapshot.status, studioUrl: snapshot.studioUrl ?? job.studioUrl },
    runningAt: state.runningAt ?? (isQueuedJobStatus(snapshot.status) ? null : at.toISOString()),
  };
  return snapshot.status === job.status ? next : noted(next, at, "status", `${job.status} → ${snapshot.status}${byEvent ? " (event)" : ""}`);
}

/** A status read failed; only non-retryable failures in a row count toward giving up (a throttle in between resets them). */
export function pollFailed(state: RunState, error: BatchErrorInfo, at: Date): RunState {
  const next: RunState = {
    ...state,
    polls: state.polls + 1,
    lastPolledAt: at.toISOString(),
    pollMarks: markPoll(state.pollMarks, state.startedAt, at),
    consecutivePollErrors: state.consecutivePollErrors + 1,
    hardPollErrors: error.retryable ? 0 : state.hardPollErrors + 1,
    lastPollError: error,
  };
  return next.consecutivePollErrors === 1 ? noted(next, at, "statusReadFailed", `${error.code}${error.httpStatus ? ` (HTTP ${error.httpStatus})` : ""}`) : next;
}

export function cancelRequested(state: RunState, reason: string | undefined, at: Date): RunState {
  if (state.cancel) return state;
  const shortReason = (reason ?? "").slice(0, 200);
  return noted({ ...state, cancel: { requestedAt: at.toISOString(), reason: shortReason } }, at, "cancelRequested", shortReason || null);
}

export function cancelSent(state: RunState, at: Date): RunState {
  const next = { ...state, cancelAttempts: state.cancelAttempts + 1, cancelSentAt: at.toISOString(), lastCancelError: null };
  return noted(next, at, "cancelSent", state.job ? `job ${state.job.name}` : null);
}

export function cancelFailed(state: RunState, error: BatchErrorInfo, at: Date): RunState {
  return noted({ ...state, cancelAttempts: state.cancelAttempts + 1, lastCancelError: error }, at, "cancelFailed", `${error.code}: ${error.message}`);
}

/** The run ended with this error: a cancel's codes end it Canceled, any other Failed. */
export function runFailed(state: RunState, error: RunError, at: Date): RunState {
  return noted(state, at, canceledErrorCodes.includes(error.code) ? "canceled" : "failed", `${error.code}: ${error.message}`);
}

export function runSucceeded(state: RunState, at: Date, detail: string | null): RunState {
  return noted(state, at, "succeeded", detail);
}
