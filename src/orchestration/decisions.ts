/** What a scoring run does after each step. Pure functions of state, result and time. */
import type { PreflightReport, RunWarning } from "../runs/preflightReport";
import type { JobStatusSignal, RunDetection, RunError, RunTrigger, ScoringRunRequest } from "../runs/types";
import type { BatchErrorInfo, JobSearch, JobSnapshot } from "../batch/types";
import { isQueuedJobStatus } from "./jobStatus";
import { backoffSeconds } from "./pollSchedule";
import type { RunState } from "../runs/runInput";

export type PollDecision =
  | { kind: "succeed" }
  | { kind: "fail"; error: RunError }
  /** A deadline passed: cancel the job, then fail with the error. */
  | { kind: "deadline"; error: RunError }
  | { kind: "continue" };

export type RetryDecision = { kind: "retry"; at: Date } | { kind: "fail"; error: RunError };

/** Attempts for an invoke that provably never reached the service (connection refused, DNS). */
export const maxInvokeAttempts = 5;
/** Consecutive non-retryable status-read failures (401/403/404) tolerated: role assignments take minutes to propagate. */
export const maxHardPollErrors = 3;
export const maxCancelAttempts = 5;

/** The ARM job resource often carries no error text (the reason lives in the job's logs): say where to look. */
function failedWithoutMessage(job: JobSnapshot): string {
  return (
    `The Azure ML job ${job.name} failed; Azure ML returned no error message with its status. ` +
    (job.studioUrl ? `Its logs are in Azure ML studio: ${job.studioUrl}` : "Its logs are in Azure ML studio, under the endpoint's jobs.")
  );
}

export function decideAfterPoll(state: RunState, request: ScoringRunRequest, job: JobSnapshot, now: Date): PollDecision {
  switch (job.status) {
    case "Completed":
      return { kind: "succeed" };
    case "Failed":
      return {
        kind: "fail",
        error: { code: "JobFailed", message: job.errorMessage ?? failedWithoutMessage(job), jobStatus: "Failed" },
      };
    case "Canceled":
      return {
        kind: "fail",
        error: state.cancel
          ? {
              code: "RunCanceled",
              message: `The run was canceled on request${state.cancel.reason ? ` (${state.cancel.reason})` : ""}; the Azure ML job ${job.name} is Canceled.`,
              jobStatus: "Canceled",
            }
          : {
              code: "JobCanceled",
              message: `The Azure ML job ${job.name} was canceled outside this run (Azure ML studio, CLI or another client).`,
              jobStatus: "Canceled",
            },
      };
  }
  return deadlineDecision(state, request, job.status, now) ?? { kind: "continue" };
}

/** A passed deadline, if any: the overall `timeoutSeconds`, or `queueTimeoutSeconds` while the job is still queued. */
export function deadlineDecision(state: RunState, request: ScoringRunRequest, jobStatus: string | null, now: Date): PollDecision | undefined {
  if (now.getTime() >= Date.parse(state.deadlineAt)) {
    return {
      kind: "deadline",
      error: {
        code: "DeadlineExceeded",
        message: `The job did not finish within timeoutSeconds=${request.timeoutSeconds}.`,
        ...(jobStatus ? { jobStatus } : {}),
      },
    };
  }
  if (state.queueDeadlineAt && jobStatus && isQueuedJobStatus(jobStatus) && now.getTime() >= Date.parse(state.queueDeadlineAt)) {
    return {
      kind: "deadline",
      error: { code: "DeadlineExceeded", message: `The job was still ${jobStatus} after queueTimeoutSeconds=${request.queueTimeoutSeconds}.`, jobStatus },
    };
  }
  return undefined;
}

/** After a status read failed (state.hardPollErrors already counts it if it was not retryable). */
export function decideAfterPollError(state: RunState, error: BatchErrorInfo): { kind: "continue" } | { kind: "fail"; error: RunError } {
  const hard = state.hardPollErrors;
  if (!error.retryable && hard >= maxHardPollErrors) {
    return {
      kind: "fail",
      error: {
        code: error.code === "AuthenticationFailed" ? "AuthenticationFailed" : "JobStatusUnavailable",
        message: `Could not read the status of job ${state.job?.name ?? "(unknown)"} ${hard} times in a row: ${error.message}`,
        ...(state.job ? { jobStatus: state.job.status } : {}),
      },
    };
  }
  return { kind: "continue" };
}

/** After an invoke's answer was lost: seconds before each further look for the job (the job list can lag). */
export const lostAnswerSearchWaits = [2, 5];

export type LostAnswerDecision = { kind: "search"; at: Date } | { kind: "resend" } | { kind: "fail"; error: RunError };

/**
 * An invoke's answer was lost and `searches` looks after it found no job. Look again while the
 * waits last; then, if the last look read the whole window and the workspace keeps invoke markers
 * (so a job of this invoke would carry one), the request was not accepted and may be sent again
 * with the same id; otherwise the outcome stays unknown.
 */
export function decideAfterLostAnswer(
  state: RunState,
  request: ScoringRunRequest,
  error: BatchErrorInfo,
  searches: number,
  last: Omit<JobSearch, "job"> | null,
  now: Date,
): LostAnswerDecision {
  const wait = lostAnswerSearchWaits[searches];
  if (wait !== undefined) return { kind: "search", at: new Date(now.getTime() + wait * 1000) };
  if (last?.complete && last.keepsMarkers && state.invokeAttempts < maxInvokeAttempts) return { kind: "resend" };
  const decision = decideAfterInvokeFailure(state, request, { ...error, outcomeUnknown: true }, now);
  return decision.kind === "fail" ? decision : { kind: "fail", error: { code: "InvokeOutcomeUnknown", message: error.message } };
}

/** After the invoke failed (state.invokeAttempts already counts this attempt). */
export function decideAfterInvokeFailure(state: RunState, request: ScoringRunRequest, error: BatchErrorInfo, now: Date): RetryDecision {
  if (error.outcomeUnknown) {
    const uris = Object.values(request.outputs).map((o) => o.uri);
    const writing = uris.length > 0 ? `writing ${uris.join(" and ")}` : "";
    return {
      kind: "fail",
      error: {
        code: "InvokeOutcomeUnknown",
        message:
          `The invoke of ${request.endpointUri} may have created a job, but no answer arrived (${error.message}). ` +
          (request.workspace
            ? `No job ${writing ? `${writing} ` : ""}was found in the workspace, and one created without a marker cannot be ruled out. `
            : "") +
          `It was not retried, so no second job can start. Look in the endpoint's jobs for one created between ${state.startedAt} and ${now.toISOString()}` +
          `${writing ? ` ${writing}` : ""}, and cancel it or start a new run.`,
      },
    };
  }
  if (error.retryable && state.invokeAttempts < maxInvokeAttempts) {
    const waitSeconds = Math.max(backoffSeconds(state.invokeAttempts, 300), error.retryAfterSeconds ?? 0);
    const retryAt = new Date(now.getTime() + waitSeconds * 1000);
    // No wait outlives the run: a retry past the deadline is a deadline now.
    if (retryAt.getTime() >= Date.parse(state.deadlineAt)) {
      return {
        kind: "fail",
        error: {
          code: "DeadlineExceeded",
          message:
            `The invoke of ${request.endpointUri} failed (${error.message}) and the service asked to retry after ${waitSeconds} s, ` +
            `past the run's deadline (timeoutSeconds=${request.timeoutSeconds}). No job was created.`,
        },
      };
    }
    return { kind: "retry", at: retryAt };
  }
  const passThrough = error.code === "AuthenticationFailed" || error.code === "EndpointNotAllowed";
  return {
    kind: "fail",
    error: {
      code: passThrough ? error.code : "InvokeRejected",
      message: passThrough
        ? error.message
        : `The batch endpoint rejected the invoke${error.httpStatus ? ` (HTTP ${error.httpStatus} ${error.code})` : ` (${error.code})`}: ${error.message}`,
    },
  };
}

/** How long past its deadline a run keeps trying to cancel its job: a cancel is owed, a week's wait is not. */
export const cancelGraceSeconds = 600;

/**
 * When to send the cancel again after attempt `attempt` failed at the deadline, or null to stop:
 * the failure is not retryable, or its Retry-After (or backoff) would end past the grace.
 */
export function cancelRetryAt(attempt: number, error: BatchErrorInfo, now: Date, deadline: Date): Date | null {
  if (!error.retryable || attempt >= maxCancelAttempts) return null;
  const waitSeconds = Math.max(backoffSeconds(attempt, 300), error.retryAfterSeconds ?? 0);
  const at = now.getTime() + waitSeconds * 1000;
  return at > deadline.getTime() + cancelGraceSeconds * 1000 ? null : new Date(at);
}

export const queuedLongCode = "JobQueuedLong";

/**
 * A job still in the queued states `thresholdSeconds` after its invoke: once, a warning naming the
 * likely causes (docs/azure-behaviour.md#long-queues). Null when not due or already given.
 */
export function queuedTooLong(state: RunState, now: Date, thresholdSeconds: number): RunWarning | null {
  const job = state.job;
  if (!job || !state.invokedAt || state.runningAt || !isQueuedJobStatus(job.status)) return null;
  if (state.warnings.some((w) => w.code === queuedLongCode)) return null;
  const waited = (now.getTime() - Date.parse(state.invokedAt)) / 1000;
  if (waited < thresholdSeconds) return null;
  return {
    code: queuedLongCode,
    message:
      `Job ${job.name} has been ${job.status} for ${Math.round(waited / 60)} min. A batch job waits there until its compute cluster has the nodes ` +
      "it asked for: check the cluster's quota (vCPUs of its VM family, low-priority quota), its maximum node count, and other jobs holding its nodes.",
  };
}

/**
 * A batched-events run scores its whole folder: Azure ML has no input that names several files
 * (a data input is one folder or one file; docs/api.md#batched-events). When pre-flight listed
 * more entries there than the window brought, the run says so: the job scores them all.
 */
export function folderHoldsOtherFiles(trigger: RunTrigger | undefined, report: PreflightReport): RunWarning | null {
  if (!trigger) return null;
  const listing = report.checks.find((c) => c.target.startsWith("inputs.") && typeof c.listed === "number");
  if (!listing || listing.listed === undefined || listing.listed <= trigger.count) return null;
  const others = listing.listed - trigger.count;
  return {
    code: "FolderHoldsOtherFiles",
    message:
      `The window brought ${trigger.count} file(s), but its folder holds ${listing.truncated ? "at least " : ""}${listing.listed} entries: ` +
      `the job scores all of them (${others}${listing.truncated ? "+" : ""} besides the window's). Give each drop its own folder to score only its files.`,
  };
}

/** A cancel request that arrived before any job existed. */
export const canceledBeforeJob: RunError = { code: "RunCanceled", message: "The run was canceled on request before a job was created." };

/** The deadline's error when its cancel could not be delivered: the job may still run, and the reader is told so. */
export function undeliveredCancel(error: RunError, jobName: string, lastError: BatchErrorInfo | null): RunError {
  return {
    ...error,
    message: `${error.message} Canceling job ${jobName} failed (${lastError?.message ?? "no answer"}): it may still be running; cancel it in Azure ML studio.`,
  };
}

/** How the read that saw the job end came about (an event, or a poll), and how late it can be. */
export function detectionOf(signal: JobStatusSignal | undefined, now: Date, previousLook: string): RunDetection {
  const eventTime = signal?.eventTime ? Date.parse(signal.eventTime) : Number.NaN;
  return {
    by: signal ? "event" : "poll",
    at: now.toISOString(),
    delaySeconds: Number.isNaN(eventTime) ? null : Math.max(0, (now.getTime() - eventTime) / 1000),
    maxDelaySeconds: Math.max(0, (now.getTime() - Date.parse(previousLook)) / 1000),
  };
}

/** The run waited for a slot on its endpoint (SCORING_MAX_JOBS_PER_ENDPOINT) until its deadline: no job was started. */
export function noSlotBeforeDeadline(request: ScoringRunRequest): RunError {
  return {
    code: "DeadlineExceeded",
    message: `No slot on the endpoint became free within timeoutSeconds=${request.timeoutSeconds} (SCORING_MAX_JOBS_PER_ENDPOINT): no job was started.`,
  };
}
