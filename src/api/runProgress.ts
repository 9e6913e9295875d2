/**
 * What the orchestrator publishes (custom status) and returns (output). Types only: the
 * orchestrator imports them, the HTTP API reads them back through `toRunView`.
 */
import type { PreflightReport, RunOutput, RunWarning } from "../preflight/types";
import type { TimelineEntry } from "../observability/timeline";
import type { RunError } from "./types";

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
}

/** The orchestration's output when the job completed. */
export interface ScoringRunResult {
  job: RunJobInfo;
  /** The predictions file (older versions: only `{ uri }`). */
  output: RunOutput | { uri: string } | null;
  polls: number;
  completedAt: string;
  detection?: RunDetection;
  preflight?: PreflightReport | null;
  warnings?: RunWarning[];
  timeline?: TimelineEntry[];
}

/** What a run that failed or was canceled leaves as its full record (its custom status is a summary). */
export type RunRecord = Pick<RunProgress, "job" | "polls" | "error" | "detection" | "preflight" | "warnings" | "timeline">;

export function runRecord(progress: RunProgress): RunRecord {
  const { job, polls, error, detection, preflight, warnings, timeline } = progress;
  return { job, polls, error, detection, preflight, warnings, timeline };
}
