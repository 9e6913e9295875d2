import type { JobInput, JobOutput } from "../batch/types";
import type { PreflightMode, PreflightReport, RunOutput, RunWarning } from "../preflight/types";
import type { TimelineEntry } from "../observability/timeline";
import type { RunDetection } from "./runProgress";

/** A start request after validation and normalisation: the orchestration input's `request`. */
export interface ScoringRunRequest {
  endpointUri: string;
  deployment: string | null;
  /** api-version for ARM Jobs Get / cancel. */
  apiVersion: string;
  pollIntervalSeconds: number;
  inputs: Record<string, JobInput>;
  output: JobOutput | null;
  /** Overall deadline from the run's start. */
  timeoutSeconds: number;
  /** Deadline to leave the queued states (NotStarted..Queued), from the invoke. */
  queueTimeoutSeconds: number | null;
  tags: Record<string, string>;
  /** Workspace ARM id (request field `workspace`, else setting AML_WORKSPACE_ID): lets a lost invoke answer be reconciled. */
  workspace: string | null;
  /**
   * Pre-flight mode (`strict` by default). Optional only in inputs of runs started by older
   * versions: those skip pre-flight, so their replay sees the history they wrote.
   */
  preflight?: PreflightMode;
}

export type RunStatus = "Pending" | "Running" | "Succeeded" | "Failed" | "Canceled";

export interface RunError {
  code: string;
  message: string;
  jobStatus?: string;
}

/** The public view of a scoring run (ARCHITECTURE.md "Run view"). */
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
}
