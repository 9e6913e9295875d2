/**
 * What the orchestrator publishes (custom status) and returns (output). Types only: the
 * orchestrator imports them, the HTTP API reads them back through `toRunView`.
 */
import type { RunError } from "./types";

export interface RunJobInfo {
  name: string;
  id: string;
  status: string;
  studioUrl: string | null;
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
}

/** The orchestration's output when the job completed. */
export interface ScoringRunResult {
  job: RunJobInfo;
  output: { uri: string } | null;
  polls: number;
  completedAt: string;
}
