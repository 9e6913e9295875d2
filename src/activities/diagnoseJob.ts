/**
 * The diagnostics activity: what a batch job's logs say about how it went — mini-batch counts and
 * the first error lines — and where those logs are (docs/azure-behaviour.md#batch-job-logs).
 *
 * No customer-documented REST API reads these logs. As azure-ai-ml does, the job's `batchscoring`
 * step is found through Run History (the job's children), and its logs are read from the
 * workspace's artifact store, datastore `workspaceartifactstore`, under
 * `ExperimentRun/dcid.<step run id>/` (the SDK's fallback location of a run's artifacts):
 * `logs/job_progress_overview.txt` and `logs/user/error.txt`, at most 64 KiB of each.
 *
 * Every read is auxiliary: whatever cannot be read (no permission, no step, no file, a timeout, an
 * odd answer) leaves the counts empty and adds one `DiagnosticsUnavailable` warning saying why,
 * and the pointer to the logs (Studio link, step, files) is always there. Nothing here throws.
 */
import { isBatchEndpointError } from "../batch/errors";
import type { RunHistoryClient, ChildRun } from "../batch/runHistory";
import { parseJobPath, workspaceIdOf } from "../batch/resourceIds";
import { sanitizeText } from "../batch/sanitize";
import type { WorkspaceDataClient } from "../batch/types";
import {
  BATCH_SCORING_STEP,
  JOB_LOG_FILES,
  type DiagnoseJobRequest,
  diagnosticsUnavailable,
  type JobDiagnostics,
  type JobLogsPointer,
  type MiniBatchCounts,
} from "../runs/diagnostics";
import { type BlobInspector, BlobReadError } from "../storage/blobInspector";
import { type BlobLocation, locationFromDatastore } from "../storage/blobLocation";
import { firstErrorLines, parseProgressOverview } from "./jobLogs";

/** The workspace's artifact store, where a run's logs live (azure-ai-ml's fallback for a run's default artifacts). */
export const ARTIFACT_DATASTORE = "workspaceartifactstore";
/** How much of a log file is read, at most (twice for the progress log: its head and its tail). */
export const MAX_LOG_BYTES = 64 * 1024;

export interface DiagnoseJobDeps {
  runHistory: RunHistoryClient;
  /** Datastores Get. */
  client: Pick<WorkspaceDataClient, "getDatastore">;
  blobs: BlobInspector;
  allowLoopback: boolean;
}

/** Why a read failed, in a few words: a permission, a missing thing, or the failure itself. */
function why(what: string, err: unknown): string {
  if (err instanceof BlobReadError) return `${what}: ${err.message}`;
  if (isBatchEndpointError(err)) {
    if (err.httpStatus === 401 || err.httpStatus === 403) return `the app's identity may not read ${what} (HTTP ${err.httpStatus})`;
    if (err.httpStatus === 404) return `${what} was not found (HTTP 404)`;
    return `reading ${what} failed: ${err.message}`;
  }
  return `reading ${what} failed: ${err instanceof Error ? err.message : String(err)}`;
}

/** The job's `batchscoring` step: by name, else the only child (a batch job has one step). */
export function scoringStep(children: readonly ChildRun[]): ChildRun | null {
  const named = children.find((c) => [c.displayName, c.name].some((n) => n?.toLowerCase() === BATCH_SCORING_STEP));
  return named ?? (children.length === 1 ? children[0]! : null);
}

function unavailable(reasons: string[]): JobDiagnostics["warnings"] {
  return reasons.length === 0 ? [] : [diagnosticsUnavailable(sanitizeText(reasons.join("; "), 700))];
}

type LogRead = { text: string } | { missing: true } | { failed: string };

async function readLog(blobs: BlobInspector, location: BlobLocation, file: string, tail: boolean): Promise<LogRead> {
  try {
    const head = await blobs.readText(location, MAX_LOG_BYTES);
    if (!head) return { missing: true };
    if (!tail || !head.truncated) return { text: head.text };
    // The progress log records the job's results at its end: read its last 64 KiB as well.
    const end = await blobs.readText(location, MAX_LOG_BYTES, Math.max(MAX_LOG_BYTES, head.totalBytes - MAX_LOG_BYTES));
    return { text: end ? `${head.text}\n${end.text}` : head.text };
  } catch (err) {
    return { failed: why(file, err) };
  }
}

export async function diagnoseJob(request: DiagnoseJobRequest, deps: DiagnoseJobDeps): Promise<JobDiagnostics> {
  const logs: JobLogsPointer = {
    studioUrl: typeof request.studioUrl === "string" && /^https?:\/\//i.test(request.studioUrl) ? request.studioUrl : null,
    step: BATCH_SCORING_STEP,
    files: [JOB_LOG_FILES.progress, JOB_LOG_FILES.errors],
    folder: null,
  };
  const none = (reason: string): JobDiagnostics => ({ miniBatches: null, errorLines: [], logs, source: "none", warnings: unavailable([reason]) });
  try {
    const job = parseJobPath(String(request.jobPath));
    if (!job) return none("the job path is not a workspace-level Azure ML job path");
    const workspace = workspaceIdOf(job);

    let children: ChildRun[];
    try {
      children = await deps.runHistory.childRuns(workspace, job.jobName);
    } catch (err) {
      return none(why(`the steps of job ${job.jobName} in run history`, err));
    }
    const step = scoringStep(children);
    if (!step) {
      return none(
        children.length === 0
          ? `job ${job.jobName} has no steps in run history (it may have ended before scoring started)`
          : `none of the ${children.length} steps of job ${job.jobName} is ${BATCH_SCORING_STEP}`,
      );
    }
    const folder = `ExperimentRun/dcid.${step.runId}/`;
    logs.folder = `azureml://datastores/${ARTIFACT_DATASTORE}/paths/${folder}`;

    let located: ReturnType<typeof locationFromDatastore>;
    try {
      located = locationFromDatastore(await deps.client.getDatastore(workspace, ARTIFACT_DATASTORE), folder, deps.allowLoopback);
    } catch (err) {
      return none(why(`datastore ${ARTIFACT_DATASTORE}`, err));
    }
    if (!located.ok) return none(located.reason);
    const at = (file: string): BlobLocation => ({ ...located.location, path: `${located.location.path}${file}` });

    const reasons: string[] = [];
    const progress = await readLog(deps.blobs, at(JOB_LOG_FILES.progress), JOB_LOG_FILES.progress, true);
    if ("missing" in progress) reasons.push(`${JOB_LOG_FILES.progress} was not found under ${logs.folder}`);
    if ("failed" in progress) reasons.push(progress.failed);
    const progressText = "text" in progress ? progress.text : null;
    const miniBatches: MiniBatchCounts | null = progressText === null ? null : parseProgressOverview(progressText);

    // A Completed job's error summary matters only when mini-batches failed (or the counts are unknown).
    const readErrors = request.jobStatus !== "Completed" || miniBatches?.failed !== 0;
    const errors: LogRead = readErrors ? await readLog(deps.blobs, at(JOB_LOG_FILES.errors), JOB_LOG_FILES.errors, false) : { missing: true };
    if ("failed" in errors) reasons.push(errors.failed);
    const errorText = "text" in errors ? errors.text : null;
    const errorLines = firstErrorLines(errorText, progressText);
    if (readErrors && "missing" in errors && request.jobStatus === "Failed" && errorLines.length === 0) {
      reasons.push(`${JOB_LOG_FILES.errors} was not found under ${logs.folder}`);
    }

    return {
      miniBatches,
      errorLines,
      logs,
      source: progressText !== null || errorText !== null ? "logs" : "none",
      warnings: unavailable(reasons),
    };
  } catch (err) {
    return none(why("the job's logs", err));
  }
}
