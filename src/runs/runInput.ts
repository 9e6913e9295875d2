/**
 * A run's orchestration input: the request, the settings the orchestrator needs (fixed at start),
 * and the state it carries from poll to poll and across continueAsNew. Plain JSON.
 */
import type { BatchErrorInfo, JobRef } from "../batch/types";
import type { PollPolicy } from "../config";
import type { TimelineEntry } from "../observability/timeline";
import type { PollMarks } from "../observability/pollMarks";
import type { FleetPace } from "./fleet";
import type { ExpectedDuration } from "./jobDurations";
import type { PreflightReport, RunWarning } from "./preflightReport";
import type { RunTrigger, ScoringRunRequest } from "./types";

export interface RunState {
  /** When the run (its first execution) started; deadlines count from here. */
  startedAt: string;
  deadlineAt: string;
  /** Deterministic id of this run's invoke, sent with the request so the job can be recognised. */
  invokeId: string;
  invokeAttempts: number;
  job: JobRef | null;
  invokedAt: string | null;
  /** When a read first saw the job past the queued states (running, or ended); null before. */
  runningAt: string | null;
  queueDeadlineAt: string | null;
  /** Status GETs over the whole run (all executions). */
  polls: number;
  lastPolledAt: string | null;
  consecutivePollErrors: number;
  /** Non-retryable read failures in a row (401/403/404). */
  hardPollErrors: number;
  lastPollError: BatchErrorInfo | null;
  cancel: { requestedAt: string; reason: string } | null;
  cancelSentAt: string | null;
  cancelAttempts: number;
  /** The last cancel POST's failure, so the next attempt honours its Retry-After. */
  lastCancelError: BatchErrorInfo | null;
  /** The pre-flight checks' report, once made. */
  preflight: PreflightReport | null;
  /** Things the caller should know that did not fail the run. */
  warnings: RunWarning[];
  /** The run's story, bounded. */
  timeline: TimelineEntry[];
  /** When the latest status reads happened, for the console's timeline; absent in runs started before it was kept. */
  pollMarks?: PollMarks;
  /** The fleet's read budget as the last status read saw it (docs/operations.md#fleet-read-budget); absent before. */
  pace?: FleetPace;
  /** Learned polling: how long this endpoint's recent jobs took, read at the invoke; absent without enough history. */
  expected?: ExpectedDuration;
}

/** The orchestration input: the normalised request, the settings the orchestrator needs, and carried state. */
export interface ScoringRunInput {
  request: ScoringRunRequest;
  /** Polls per execution before continueAsNew (settings are passed in: orchestrators must not read them). */
  maxPollsPerExecution: number;
  /** How to schedule status reads. */
  pollPolicy: PollPolicy;
  /** A job still queued this long after its invoke gets a warning naming quota or compute. */
  queuedWarningSeconds: number;
  /** The caller's correlation id (x-correlation-id or traceparent's trace id); on every log line. */
  correlationId: string | null;
  /**
   * When the run was asked for. The run's own record: the task hub's createdTime moves at every
   * continueAsNew on the Azure Storage backend, so list order and paging key on this instead.
   */
  createdAt: string;
  /** What validation noticed that did not refuse the start (a service principal's fields, ignored): the run's first warnings. */
  startWarnings: RunWarning[];
  /** The run this one reruns (POST /api/scoring-runs/{id}/rerun). */
  rerunOf?: string;
  /** SCORING_MAX_JOBS_PER_ENDPOINT when the run started (0 or absent: no limit); the run takes a slot before its invoke. */
  maxJobsPerEndpoint?: number;
  /** SCORING_ARM_READS_PER_SECOND when the run started: set, the fleet entity admits the run at its start (absent in runs started before admission). */
  armReadsPerSecond?: number;
  /** The batched blob window that started the run (docs/api.md#batched-events). */
  trigger?: RunTrigger;
  /** Whole in inputs written before runs/carriedState; carried (its defaults left out) since. */
  state?: CarriedRunState;
}

/**
 * The state as continueAsNew carries it (runs/carriedState): what is still at its starting value
 * may be left out, and the job's path when its id gives it again.
 */
export type CarriedRunState = Pick<RunState, "startedAt" | "deadlineAt" | "invokeId" | "timeline"> &
  Partial<Omit<RunState, "startedAt" | "deadlineAt" | "invokeId" | "timeline" | "job">> & { job?: (Omit<JobRef, "jobPath"> & { jobPath?: string }) | null };

/** The input of a new run: the request and the settings the orchestrator needs, fixed at start. */
export function newRunInput(
  request: ScoringRunRequest,
  settings: { maxPollsPerExecution: number; pollPolicy: PollPolicy; queuedWarningSeconds: number; maxJobsPerEndpoint?: number; armReadsPerSecond?: number },
  createdAt: Date,
  correlationId: string | null = null,
  startWarnings: RunWarning[] = [],
): ScoringRunInput {
  return {
    request,
    maxPollsPerExecution: settings.maxPollsPerExecution,
    pollPolicy: settings.pollPolicy,
    queuedWarningSeconds: settings.queuedWarningSeconds,
    correlationId,
    createdAt: createdAt.toISOString(),
    startWarnings,
    ...(settings.maxJobsPerEndpoint ? { maxJobsPerEndpoint: settings.maxJobsPerEndpoint } : {}),
    ...(settings.armReadsPerSecond ? { armReadsPerSecond: settings.armReadsPerSecond } : {}),
  };
}
