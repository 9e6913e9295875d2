/**
 * What a run makes of its job's logs once the job ended (docs/azure-behaviour.md#batch-job-logs):
 * its diagnostics (the activity's findings plus the time the run saw the job queued and running),
 * the first error line in a failed run's error, and a warning when a completed job left items out.
 * Pure.
 */
import type { RunState } from "../runs/runInput";
import { BATCH_SCORING_STEP, diagnosticsUnavailable, JOB_LOG_FILES, type JobDiagnostics, type JobLogsPointer, type RunDiagnostics } from "../runs/diagnostics";
import type { RunWarning } from "../runs/preflightReport";
import type { RunError } from "../runs/types";

/** The longest run error message a view shows (runs/runView.ts cuts there). */
const maxErrorMessageLength = 2000;

const secondsBetween = (from: string | null, to: string | null): number | null => {
  if (from === null || to === null) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, Math.round(ms / 1000)) : null;
};

/**
 * The run's diagnostics: what the logs said (or, when the activity itself could not run, only
 * where they are and why they were not read) and the seconds between the invoke, the first read
 * past the queue and the end, as the run saw them (its reads are minutes apart).
 */
export function runDiagnostics(state: RunState, found: JobDiagnostics | { notRead: string }, endedAt: Date): RunDiagnostics {
  const end = endedAt.toISOString();
  const times = {
    queuedSeconds: secondsBetween(state.invokedAt, state.runningAt ?? end),
    runningSeconds: secondsBetween(state.runningAt, state.runningAt === null ? null : end),
  };
  if ("notRead" in found) {
    const logs: JobLogsPointer = {
      studioUrl: state.job?.studioUrl ?? null,
      step: BATCH_SCORING_STEP,
      files: [JOB_LOG_FILES.progress, JOB_LOG_FILES.errors],
      folder: null,
    };
    return { ...times, miniBatches: null, errorLines: [], logs, source: "none" };
  }
  const { miniBatches, errorLines, logs, source } = found;
  return { ...times, miniBatches, errorLines, logs, source };
}

/** The warnings that go with diagnostics that could not be read. */
export function diagnosticsWarnings(found: JobDiagnostics | { notRead: string }): RunWarning[] {
  if (!("notRead" in found)) return found.warnings;
  return [diagnosticsUnavailable(found.notRead)];
}

const collapsed = (text: string): string => text.replace(/\s+/g, " ").trim();

/**
 * A failed job's error with the first line of its logs, unless Azure ML's message already says
 * it. The line goes last and the message is shortened first, so a view's cut never drops it.
 */
export function withFirstErrorLine(error: RunError, diagnostics: RunDiagnostics): RunError {
  const line = diagnostics.errorLines[0];
  if (line === undefined) return error;
  const said = collapsed(error.message);
  const shown = collapsed(line).replace(/…$/, "");
  if (said.includes(shown)) return error;
  const suffix = ` First error in the job's logs: ${line}`;
  const room = maxErrorMessageLength - suffix.length;
  const message = said.length > room ? `${said.slice(0, room - 1)}…` : said;
  return { ...error, message: `${message}${suffix}` };
}

/**
 * A completed job whose logs count failed mini-batches: diagnostics worth showing, and a warning
 * saying the predictions leave those items out. Anything else completed: no diagnostics (a log
 * that could not be read says nothing about failed items, so it is not a warning of a good run).
 */
export function completedWithFailures(diagnostics: RunDiagnostics): RunWarning | null {
  const failed = diagnostics.miniBatches?.failed ?? 0;
  if (failed <= 0) return null;
  const total = diagnostics.miniBatches?.total;
  const first = diagnostics.errorLines[0];
  return {
    code: "MiniBatchesFailed",
    message:
      `The job completed, but ${failed}${total !== null && total !== undefined ? ` of ${total}` : ""} mini-batch(es) failed and their items are not in the output ` +
      `(the error threshold allowed it).${first ? ` First error: ${first}` : ""} See diagnostics.`,
  };
}
