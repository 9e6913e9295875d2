/** The run as a concept: its request, its progress and result, its error, its public view. Plain JSON. */
import type { JobInput, JobOutput, JobSettings } from "../batch/types";
import type { TimelineEntry } from "../observability/timeline";
import type { RunDiagnostics } from "./diagnostics";
import type { OutputManifest, PreflightMode, PreflightReport, RunOutput, RunWarning } from "./preflightReport";

/** Where one output goes: a file or a folder. */
export type OutputTarget = Omit<JobOutput, "name">;

/** A start request after validation and normalisation: the orchestration input's `request`. */
export interface ScoringRunRequest {
  endpointUri: string;
  deployment: string | null;
  /** api-version for ARM Jobs Get / cancel. */
  apiVersion: string;
  pollIntervalSeconds: number;
  inputs: Record<string, JobInput>;
  /** Where the job writes, by output name ({}: the deployment's default location). */
  outputs: Record<string, OutputTarget>;
  /** Per-job overrides of the deployment's settings ({}: the deployment's own). */
  settings: JobSettings;
  /** Shown on the job (as the tag `displayName`). */
  displayName: string | null;
  description: string | null;
  /** Pipeline-component deployments only. */
  experimentName: string | null;
  /** Overall deadline from the run's start. */
  timeoutSeconds: number;
  /** Deadline to leave the queued states (NotStarted..Queued), from the invoke. */
  queueTimeoutSeconds: number | null;
  tags: Record<string, string>;
  /** Workspace ARM id (request field `workspace`, else setting AML_WORKSPACE_ID): lets a lost invoke answer be reconciled. */
  workspace: string | null;
  /** Pre-flight mode (`strict` by default). */
  preflight: PreflightMode;
}

export type RunStatus = "Pending" | "Running" | "Succeeded" | "Failed" | "Canceled";

export interface RunError {
  code: string;
  message: string;
  jobStatus?: string;
}

/** The public view of a scoring run (docs/api.md#the-run-view). */
export interface RunView {
  id: string;
  status: RunStatus;
  createdAt: string;
  lastUpdatedAt: string;
  request: ScoringRunRequest | null;
  job: { name: string; id: string; status: string; studioUrl: string | null } | null;
  progress: { phase: string; polls: number; lastPolledAt: string | null; nextPollAt: string | null };
  /** The predictions file of a Succeeded run: datastore URI, blob URL (no SAS), size, time, type. */
  output: RunOutput | null;
  /** What each output of a Succeeded run holds: a file, or a folder's files with count and total size. */
  outputs: OutputManifest[];
  error: RunError | null;
  /** How the job's end was noticed (poll or event) and how late; null until then. */
  detection: RunDetection | null;
  /** The pre-flight checks (null until made, or for runs that predate them). */
  preflight: PreflightReport | null;
  /** What the caller should know that did not fail the run (nested folders, a missing predictions file…). */
  warnings: RunWarning[];
  /** The caller's correlation id (`x-correlation-id`, or the trace id of `traceparent`), when one was sent. */
  correlationId: string | null;
  /** The run's story, bounded: started, pre-flight, invoked, status changes, cancel requests, outcome. */
  timeline: TimelineEntry[];
  /** Once the job ended Failed (or Completed with failed mini-batches): counts and first error lines from its logs, and where they are. */
  diagnostics: RunDiagnostics | null;
}

export interface RunJobInfo {
  name: string;
  id: string;
  status: string;
  studioUrl: string | null;
}

/** How the job's end was noticed: by a scheduled poll or by a job status event (then confirmed by GET). */
export interface RunDetection {
  by: "poll" | "event";
  at: string;
  /** From the event's time to the confirming read (events only; a poll cannot know when the job ended). */
  delaySeconds: number | null;
  /** The longest the end can have gone unnoticed: since the read before this one. */
  maxDelaySeconds: number;
}

/** The orchestration's custom status while it runs (and when it fails). */
export interface RunProgress {
  phase: string;
  job: RunJobInfo | null;
  polls: number;
  lastPolledAt: string | null;
  nextPollAt: string | null;
  /** Set before the orchestration fails, so the run view shows a structured error. */
  error?: RunError | null;
  /** Set when a read saw the job end. */
  detection?: RunDetection | null;
  /** The pre-flight report, once made. */
  preflight?: PreflightReport | null;
  warnings?: RunWarning[];
  timeline?: TimelineEntry[];
  /** What the job's logs say, once read (docs/azure-behaviour.md#batch-job-logs). */
  diagnostics?: RunDiagnostics | null;
}

/** The orchestration's output when the job completed. */
export interface ScoringRunResult {
  job: RunJobInfo;
  /** The predictions file; null when the job wrote to no known place, or wrote several outputs. */
  output: RunOutput | null;
  /** What each output holds: a file, or a folder's files with count and total size. */
  outputs: OutputManifest[];
  polls: number;
  completedAt: string;
  detection?: RunDetection;
  preflight?: PreflightReport | null;
  warnings?: RunWarning[];
  timeline?: TimelineEntry[];
  /** What the job's logs say, when they were read (a job that completed with failed mini-batches). */
  diagnostics?: RunDiagnostics | null;
}

/** The payload of a CancelRequested event. */
export interface CancelRequest {
  reason?: string;
}

/** The payload of a JobStatusChanged event: which job an Azure ML event spoke of, and what it said. */
export interface JobStatusSignal {
  jobName: string;
  status?: string;
  eventTime?: string;
}
