/**
 * What a scoring run can say about why its job failed or what it left out: mini-batch counts and
 * the first error lines from the batch job's logs, and where those logs are
 * (docs/azure-behaviour.md#batch-job-logs). Plain JSON: the diagnostics activity's input and
 * result, and the run view's `diagnostics`.
 */
import type { ActivityLogFields } from "../batch/types";
import type { RunWarning } from "./preflightReport";

/** The step of a batch job that holds its logs, as the studio shows it. */
export const BATCH_SCORING_STEP = "batchscoring";

/** The two log files read, by their documented paths under the step's outputs and logs. */
export const JOB_LOG_FILES = { progress: "logs/job_progress_overview.txt", errors: "logs/user/error.txt" } as const;

/** Mini-batches (the job's tasks) as the progress log counts them; a count it does not give is null. */
export interface MiniBatchCounts {
  total: number | null;
  processed: number | null;
  failed: number | null;
}

/** Where a job's logs are: no Studio URL opens a file, so the job link, the step and the files. */
export interface JobLogsPointer {
  studioUrl: string | null;
  step: typeof BATCH_SCORING_STEP;
  files: string[];
  /** The folder the app read them from (`azureml://datastores/workspaceartifactstore/paths/ExperimentRun/dcid.<step run>/`), when found. */
  folder: string | null;
}

/** The run view's `diagnostics`: the activity's findings plus the run's own time in the queued and running states. */
export interface RunDiagnostics {
  /** Seconds the run saw the job in a queued state (NotStarted … Queued); null when not known. */
  queuedSeconds: number | null;
  /** Seconds the run saw the job Running (or Finalizing); null when not known. */
  runningSeconds: number | null;
  miniBatches: MiniBatchCounts | null;
  /** The first lines of the job's error summary: at most 10, each at most 300 characters, secrets scrubbed. */
  errorLines: string[];
  logs: JobLogsPointer;
  /** `logs` when at least one log file was read, else `none`. */
  source: "logs" | "none";
}

/** What the diagnostics activity reads for: the job (its workspace-level path names the workspace) and how it ended. */
export interface DiagnoseJobRequest {
  /** For log lines only. */
  log?: ActivityLogFields;
  /** Workspace-level ARM job path `/subscriptions/…/workspaces/<ws>/jobs/<name>`. */
  jobPath: string;
  /** The job's last status (Completed, Failed, Canceled): a Completed job's error summary is read only when mini-batches failed. */
  jobStatus: string;
  /** The job's Studio link (JobSnapshot.studioUrl). */
  studioUrl: string | null;
}

/** The activity's result: the diagnostics but the run's own times, and why some could not be read. */
export interface JobDiagnostics extends Omit<RunDiagnostics, "queuedSeconds" | "runningSeconds"> {
  /** `DiagnosticsUnavailable` naming what could not be read and why; empty when everything was. */
  warnings: RunWarning[];
}

export const MAX_ERROR_LINES = 10;
export const MAX_ERROR_LINE_LENGTH = 300;

/** The warning for logs that could not be read: why, and where to look instead. */
export function diagnosticsUnavailable(because: string): RunWarning {
  return {
    code: "DiagnosticsUnavailable",
    message:
      `The job's logs could not be read (${because}). Open the job's Studio link (diagnostics.logs.studioUrl), ` +
      `select the ${BATCH_SCORING_STEP} step, then Outputs + logs: ${JOB_LOG_FILES.progress} and ${JOB_LOG_FILES.errors}.`,
  };
}
