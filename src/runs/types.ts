/** The run as a concept: its request, its progress and result, its error, its public view. Plain JSON. */
import type { JobInput, JobOutput, JobSettings } from "../batch/types";
import type { TimelineEntry } from "../observability/timeline";
import type { PollMarks } from "../observability/pollMarks";
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
  /** Who hears of the run's end (absent when nobody asked; docs/api.md#completion-callbacks). */
  notify?: RunNotify;
}

/** Where the run's end is announced: each once, from an activity after the run's outcome is known. */
export interface RunNotify {
  /** Data Factory WebHook activity's callBackUri (its query is a capability: never shown in a view). */
  callBackUri: string | null;
  /** A webhook signed with HMAC-SHA256; `secretSetting` names the app setting holding the key. */
  webhook: { url: string; secretSetting: string } | null;
  /** An Event Grid topic endpoint, published to with the app's identity. */
  eventGridTopic: string | null;
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
  progress: {
    phase: string;
    polls: number;
    lastPolledAt: string | null;
    nextPollAt: string | null;
    /** When the latest status reads happened (at most 60), oldest first: `polls` minus their count were earlier. */
    recentPolls: string[];
    /** Phase WaitingForSlot: the run's place in its endpoint's queue (SCORING_MAX_JOBS_PER_ENDPOINT). */
    slot?: SlotWait;
    pacing?: PollPacing;
  };
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
  /** The run this one reruns (docs/api.md#rerun-a-run); null when it is not a rerun. */
  rerunOf: string | null;
  /** Its reruns, oldest first; null where they are not read (lists). */
  reruns: string[] | null;
  /** The batched blob window that started the run (docs/api.md#batched-events); null for any other run. */
  trigger: RunTrigger | null;
}

/** A batched blob window, as the run it started shows it (bounded: at most 50 file names). */
export interface RunTrigger {
  kind: "blobWindow";
  /** `<folder key>-<window sequence number>`: the same window always names the same run. */
  windowId: string;
  /** The folder's URL; the run's input is this folder. */
  folder: string;
  openedAt: string;
  closedAt: string;
  /** Files the window holds (names inside the folder), in arrival order; at most 50. */
  files: string[];
  count: number;
  /** True when `files` lists fewer than `count`. */
  truncated: boolean;
  /** Why the window closed: its time was up, or it reached BLOB_TRIGGER_BATCH_MAX_FILES. */
  closedBy: "time" | "count";
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
  /** While the run waits for a slot on its endpoint (phase WaitingForSlot): its place in the queue. */
  slot?: SlotWait | null;
  /** When the latest status reads happened (observability/pollMarks). */
  pollMarks?: PollMarks;
  /** While the fleet's read budget, not the poll policy, sets the wait before the next poll. */
  pacing?: PollPacing | null;
}

/** A run whose polls the fleet's read budget slows (SCORING_ARM_READS_PER_SECOND). */
export interface PollPacing {
  slowedByReadBudget: true;
  /** Live runs sharing the budget, as last counted. */
  liveRuns: number;
  /** The fleet's ARM reads per second now (lowered for a while after a 429 from ARM). */
  readsPerSecond: number;
  lowered: boolean;
}

/** Where a run waiting for a slot on its endpoint stands (SCORING_MAX_JOBS_PER_ENDPOINT). */
export interface SlotWait {
  /** 1: next to get a slot. */
  position: number;
  /** Runs holding a slot now. */
  holders: number;
  limit: number;
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
