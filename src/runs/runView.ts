/**
 * The public run view (docs/api.md#the-run-view) built from a durable orchestration status.
 * Defensive: custom status, input and output are whatever the task hub stored.
 */
import type { TimelineEntry } from "../observability/timeline";
import { pollTimes } from "../observability/pollMarks";
import { BATCH_SCORING_STEP, MAX_ERROR_LINE_LENGTH, MAX_ERROR_LINES, type MiniBatchCounts, type RunDiagnostics } from "./diagnostics";
import type { OutputManifest, PreflightReport, RunOutput, RunWarning } from "./preflightReport";
import { isPlainObject, type JsonObject, parseJson } from "../json";
import { publicRequest } from "./publicRequest";
import { failureRecord } from "./runRecord";
import { runStatusOf } from "./runtimeStatus";
import {
  type RunError,
  type RunView,
  type ScoringRunRequest,
  type RunDetection,
  type RunJobInfo,
  type RunTrigger,
  type SlotWait,
  type PollPacing,
} from "./types";

/** The parts of a durable `DurableOrchestrationStatus` the view needs. */
export interface DurableStatusLike {
  instanceId: string;
  name: string;
  /** Pending | Running | Completed | Failed | Terminated | ContinuedAsNew | Canceled | Suspended */
  runtimeStatus: string;
  createdTime: string | Date;
  lastUpdatedTime: string | Date;
  input: unknown;
  output: unknown;
  customStatus: unknown;
}

export const MAX_ERROR_MESSAGE_LENGTH = 2000;

/** Error names of JavaScript built-ins: a failure text starting with one is a bug, not one of our codes. */
const BUILTIN_ERROR_NAMES = new Set(["Error", "TypeError", "RangeError", "ReferenceError", "SyntaxError", "EvalError", "URIError", "AggregateError"]);

type Obj = JsonObject;

/** A stored value as an object: the task hub may hand back JSON objects as their text. */
function asObject(value: unknown): Obj | null {
  const parsed = typeof value === "string" && value.trim().startsWith("{") ? parseJson(value) : value;
  return isPlainObject(parsed) ? parsed : null;
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function iso(value: string | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

/** First line only (never a stack trace), trimmed and bounded. */
function safeMessage(text: string): string {
  const line = text.split(/\r?\n/, 1)[0]!.trim();
  return line.length > MAX_ERROR_MESSAGE_LENGTH ? `${line.slice(0, MAX_ERROR_MESSAGE_LENGTH - 3)}...` : line;
}

function readError(value: unknown): RunError | null {
  const o = asObject(value);
  if (!o) return null;
  const code = str(o.code);
  const message = str(o.message);
  if (!code || message === null) return null;
  const error: RunError = { code, message: safeMessage(message) };
  const jobStatus = str(o.jobStatus);
  if (jobStatus) error.jobStatus = jobStatus;
  return error;
}

function readJob(value: unknown): RunJobInfo | null {
  const o = asObject(value);
  const name = o ? str(o.name) : null;
  if (!o || !name) return null;
  return { name, id: str(o.id) ?? "", status: str(o.status) ?? "Unknown", studioUrl: str(o.studioUrl) };
}

function readCount(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : null;
}

/**
 * The error of a failed orchestration from its durable output, e.g.
 * `Orchestrator function 'x' failed: DeadlineExceeded: The run exceeded 604800 s` →
 * `{ code: "DeadlineExceeded", message: "The run exceeded 604800 s" }`. Unparseable → code
 * `OrchestrationFailed`. Only the first line is kept: stack traces never reach the view.
 */
export function errorFromFailureOutput(output: unknown): RunError {
  const structured = readError(output);
  if (structured) return structured;
  const o = asObject(output);
  const text = o ? str(o.message) : str(output);
  if (text === null || text.trim() === "") return { code: "OrchestrationFailed", message: "The run failed." };

  let line = safeMessage(text).replace(/^Orchestrator function '[^']*' failed:\s*/i, "");
  while (/^Error:\s*/.test(line)) line = line.replace(/^Error:\s*/, "");
  const json = readError(line);
  if (json) return json;
  const m = /^([A-Z][A-Za-z0-9]{1,63}):\s*(\S.*)$/.exec(line);
  if (m && !BUILTIN_ERROR_NAMES.has(m[1]!)) return { code: m[1]!, message: m[2]! };
  return { code: "OrchestrationFailed", message: line === "" ? "The run failed." : line };
}

/** Every field of the run view, in order: what a client keeps of an answer (checked against RunView below). */
export const runViewKeys = [
  "id",
  "status",
  "createdAt",
  "lastUpdatedAt",
  "request",
  "job",
  "progress",
  "output",
  "outputs",
  "error",
  "detection",
  "preflight",
  "warnings",
  "correlationId",
  "timeline",
  "diagnostics",
  "rerunOf",
  "reruns",
  "trigger",
] as const satisfies readonly (keyof RunView)[];
// A field added to RunView but not to runViewKeys fails to compile here.
const everyViewKeyListed: Exclude<keyof RunView, (typeof runViewKeys)[number]> extends never ? true : never = true;
void everyViewKeyListed;

export function toRunView(status: DurableStatusLike): RunView {
  const runtime = status.runtimeStatus;
  const progress = asObject(status.customStatus);
  const input = asObject(status.input);
  const request = input ? (asObject(input.request) as ScoringRunRequest | null) : null;

  let job = readJob(progress?.job);
  let polls = readCount(progress?.polls) ?? 0;
  let output: RunOutput | null = null;
  let outputs: OutputManifest[] = [];
  let error: RunError | null = null;
  let preflight = readPreflight(progress?.preflight);
  let warnings = readWarnings(progress?.warnings);
  let timeline = readTimeline(progress?.timeline);
  let diagnostics = readDiagnostics(progress?.diagnostics);

  switch (runtime) {
    case "Completed": {
      const result = asObject(status.output);
      job = readJob(result?.job) ?? job;
      polls = readCount(result?.polls) ?? polls;
      output = readOutput(result?.output);
      outputs = readManifests(result?.outputs);
      preflight = readPreflight(result?.preflight) ?? preflight;
      warnings = readWarnings(result?.warnings) ?? warnings;
      timeline = readTimeline(result?.timeline) ?? timeline;
      diagnostics = readDiagnostics(result?.diagnostics) ?? diagnostics;
      break;
    }
    case "Failed": {
      // The failure output carries the run's full record; the custom status only a summary.
      const record = failureRecord(status.output);
      job = readJob(record?.job) ?? job;
      polls = readCount(record?.polls) ?? polls;
      preflight = readPreflight(record?.preflight) ?? preflight;
      warnings = readWarnings(record?.warnings) ?? warnings;
      timeline = readTimeline(record?.timeline) ?? timeline;
      diagnostics = readDiagnostics(record?.diagnostics) ?? diagnostics;
      error = readError(record?.error) ?? readError(progress?.error) ?? errorFromFailureOutput(status.output);
      break;
    }
    case "Terminated": {
      const reason = str(status.output) ?? str(asObject(status.output)?.reason) ?? "";
      const message = safeMessage(reason);
      error = { code: "Terminated", message: message === "" ? "The run was terminated." : message };
      break;
    }
    case "Canceled":
      error = readError(progress?.error) ?? { code: "Canceled", message: "The run was canceled." };
      break;
    default:
      break;
  }

  const viewed = runStatusOf(runtime, error);
  const terminal = viewed === "Succeeded" || viewed === "Failed" || viewed === "Canceled";
  const phase = terminal ? viewed : runtime === "Suspended" || runtime === "Pending" ? runtime : (str(progress?.phase) ?? runtime);

  return {
    id: status.instanceId,
    status: viewed,
    // The run's own record: the task hub's createdTime moves at every continueAsNew.
    createdAt: iso(str(input?.createdAt) ?? status.createdTime),
    lastUpdatedAt: iso(status.lastUpdatedTime),
    request: request ? publicRequest(request) : null,
    job,
    progress: {
      phase,
      polls,
      lastPolledAt: str(progress?.lastPolledAt),
      nextPollAt: terminal ? null : str(progress?.nextPollAt),
      recentPolls: pollTimes(progress?.pollMarks),
      ...(!terminal && phase === "WaitingForSlot" && slotOf(progress?.slot) ? { slot: slotOf(progress?.slot)! } : {}),
      ...(!terminal && pacingOf(progress?.pacing) ? { pacing: pacingOf(progress?.pacing)! } : {}),
    },
    output,
    outputs,
    error,
    detection: (asObject(progress?.detection) as RunDetection | null) ?? null,
    preflight,
    warnings: warnings ?? [],
    correlationId: input ? str(input.correlationId) : null,
    timeline: timeline ?? [],
    diagnostics,
    rerunOf: input ? str(input.rerunOf) : null,
    reruns: null,
    trigger: readTrigger(input?.trigger),
  };
}

/** The blob window that started the run, as its input holds it (bounded again: the input is the task hub's). */
function readTrigger(value: unknown): RunTrigger | null {
  const o = asObject(value);
  if (!o || o.kind !== "blobWindow" || !str(o.windowId) || !Array.isArray(o.files)) return null;
  const files = o.files.filter((f): f is string => typeof f === "string").slice(0, 50);
  const count = readCount(o.count) ?? files.length;
  return {
    kind: "blobWindow",
    windowId: str(o.windowId)!,
    folder: str(o.folder) ?? "",
    openedAt: str(o.openedAt) ?? "",
    closedAt: str(o.closedAt) ?? "",
    files,
    count,
    truncated: files.length < count,
    closedBy: o.closedBy === "count" ? "count" : "time",
  };
}

/** A waiting run's place, as its custom status holds it (whole numbers only). */
function slotOf(value: unknown): SlotWait | null {
  const o = asObject(value);
  const whole = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : null);
  if (!o || whole(o.position) === null || whole(o.holders) === null || whole(o.limit) === null) return null;
  return { position: whole(o.position)!, holders: whole(o.holders)!, limit: whole(o.limit)! };
}

/** A paced run's budget, as its custom status holds it. */
function pacingOf(value: unknown): PollPacing | null {
  const o = asObject(value);
  const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null);
  if (!o || o.slowedByReadBudget !== true || count(o.liveRuns) === null || count(o.readsPerSecond) === null) return null;
  return { slowedByReadBudget: true, liveRuns: count(o.liveRuns)!, readsPerSecond: count(o.readsPerSecond)!, lowered: o.lowered === true };
}

const seconds = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null);

function readMiniBatches(value: unknown): MiniBatchCounts | null {
  const o = asObject(value);
  if (!o) return null;
  const counts = { total: readCount(o.total), processed: readCount(o.processed), failed: readCount(o.failed) };
  return counts.total === null && counts.processed === null && counts.failed === null ? null : counts;
}

/** The job's diagnostics as the run stored them; what they lack reads as empty, never a whole log. */
function readDiagnostics(value: unknown): RunDiagnostics | null {
  const o = asObject(value);
  if (!o) return null;
  const logs = asObject(o.logs);
  const errorLines = Array.isArray(o.errorLines) ? o.errorLines.filter((l): l is string => typeof l === "string") : [];
  return {
    queuedSeconds: seconds(o.queuedSeconds),
    runningSeconds: seconds(o.runningSeconds),
    miniBatches: readMiniBatches(o.miniBatches),
    errorLines: errorLines.slice(0, MAX_ERROR_LINES).map((l) => safeMessage(l).slice(0, MAX_ERROR_LINE_LENGTH)),
    logs: {
      studioUrl: str(logs?.studioUrl),
      step: BATCH_SCORING_STEP,
      files: Array.isArray(logs?.files) ? logs.files.filter((f): f is string => typeof f === "string") : [],
      folder: str(logs?.folder),
    },
    source: o.source === "logs" ? "logs" : "none",
  };
}

function readTimeline(value: unknown): TimelineEntry[] | null {
  if (!Array.isArray(value)) return null;
  return value
    .map(asObject)
    .filter((e): e is Obj => e !== null && str(e.at) !== null && str(e.event) !== null)
    .map((e) => ({
      at: str(e.at) as string,
      event: str(e.event) as TimelineEntry["event"],
      detail: e.detail === null ? null : safeMessage(str(e.detail) ?? ""),
    }));
}

const count = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** What each output holds, as the result stored it; what it lacks reads as empty. */
function readManifests(value: unknown): OutputManifest[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v): OutputManifest[] => {
    const o = asObject(v);
    const name = o ? str(o.name) : null;
    const uri = o ? str(o.uri) : null;
    if (!o || !name || !uri) return [];
    const files = Array.isArray(o.files) ? o.files.map(asObject).filter((f): f is Obj => f !== null && str(f.name) !== null) : [];
    return [
      {
        name,
        type: o.type === "uri_folder" ? "uri_folder" : "uri_file",
        uri,
        blobUrl: str(o.blobUrl),
        fileCount: count(o.fileCount),
        totalBytes: count(o.totalBytes),
        files: files.map((f) => ({ name: str(f.name) as string, sizeBytes: count(f.sizeBytes) })),
        truncated: o.truncated === true,
      },
    ];
  });
}

/** The predictions file; a field the stored output lacks reads as null. */
function readOutput(value: unknown): RunOutput | null {
  const o = asObject(value);
  const uri = o ? str(o.uri) : null;
  if (!o || !uri) return null;
  const size = o.sizeBytes;
  return {
    uri,
    blobUrl: str(o.blobUrl),
    sizeBytes: typeof size === "number" && Number.isFinite(size) ? size : null,
    lastModified: str(o.lastModified),
    contentType: str(o.contentType),
  };
}

function readPreflight(value: unknown): PreflightReport | null {
  const o = asObject(value);
  return o && typeof o.mode === "string" && Array.isArray(o.checks) ? (o as unknown as PreflightReport) : null;
}

function readWarnings(value: unknown): RunWarning[] | null {
  if (!Array.isArray(value)) return null;
  return value
    .map(asObject)
    .filter((w): w is Obj => w !== null && str(w.code) !== null)
    .map((w) => ({ code: str(w.code) as string, message: safeMessage(str(w.message) ?? "") }));
}

export function isTerminalView(view: RunView): boolean {
  return view.status === "Succeeded" || view.status === "Failed" || view.status === "Canceled";
}

/**
 * HTTP status for a run view: 202 while Pending/Running, 200 when Succeeded, and for
 * Failed/Canceled 200, or 500 when the caller asked `failOnError` (ADF Web activity).
 */
export function httpStatusForView(view: RunView, failOnError: boolean): 200 | 202 | 500 {
  if (view.status === "Pending" || view.status === "Running") return 202;
  if (view.status === "Succeeded") return 200;
  return failOnError ? 500 : 200;
}

/**
 * `Retry-After` (seconds) for a run still in progress: until the next poll when known, else the
 * poll interval; clamped to 1…300. Null for a finished run.
 */
export function retryAfterSeconds(view: RunView, now: Date, fallbackSeconds = 10): number | null {
  if (isTerminalView(view)) return null;
  const next = view.progress.nextPollAt ? Date.parse(view.progress.nextPollAt) : Number.NaN;
  const seconds = Number.isNaN(next) ? (view.request?.pollIntervalSeconds ?? fallbackSeconds) : Math.ceil((next - now.getTime()) / 1000);
  return Math.min(300, Math.max(1, seconds));
}
