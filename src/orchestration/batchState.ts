/**
 * What a scoring batch does, as pure functions of its state: which items start now, what an
 * ended child means, when the batch stops and how it ends, and the small view it shows while
 * running. No I/O, no clock (times are passed in).
 */
import { canceledErrorCodes } from "../runs/runtimeStatus";
import { childRunId } from "../runs/batches/childRuns";
import type { BatchProgress, BatchResult, BatchState, BatchStatus, ItemOutcome, ItemStatus, ManifestEntry, ScoringBatchRequest } from "../runs/batches/types";
import type { ScoringRunResult } from "../runs/types";

/** Items shown in the custom status: the latest ended ones. */
export const latestShown = 5;

export function initialBatchState(now: Date): BatchState {
  return { startedAt: now.toISOString(), listed: null, listing: null, nextIndex: 0, outcomes: {}, cancel: null, stop: null, executions: 1, latest: [] };
}

/** Failures tolerated: `toleratedFailurePercent` of the items, rounded down (0 % → none). */
export function failureBudget(total: number, percent: number): number {
  return Math.floor((total * percent) / 100);
}

export function failures(state: BatchState): number {
  return Object.values(state.outcomes).filter((o) => o.status !== "Succeeded").length;
}

/**
 * How many items to start now: none once the batch stopped or is draining for continueAsNew,
 * else up to the concurrency limit.
 */
export function itemsToStart(state: BatchState, total: number, live: number, maxConcurrentJobs: number, draining: boolean): number {
  if (state.stop !== null || state.cancel !== null || draining) return 0;
  return Math.max(0, Math.min(maxConcurrentJobs - live, total - state.nextIndex));
}

export function itemsStarted(state: BatchState, count: number): BatchState {
  return count === 0 ? state : { ...state, nextIndex: state.nextIndex + count };
}

/** A child ended: record its outcome; stop starting items once failures pass the tolerance. */
export function itemEnded(state: BatchState, index: number, outcome: ItemOutcome, total: number, request: ScoringBatchRequest): BatchState {
  const next: BatchState = {
    ...state,
    outcomes: { ...state.outcomes, [String(index)]: outcome },
    latest: [...state.latest, index].slice(-latestShown),
  };
  if (next.stop === null && failures(next) > failureBudget(total, request.toleratedFailurePercent)) return { ...next, stop: "ToleranceExceeded" };
  return next;
}

export function batchCanceled(state: BatchState, reason: string, now: Date): BatchState {
  if (state.cancel) return state;
  return { ...state, cancel: { requestedAt: now.toISOString(), reason }, stop: state.stop ?? "Canceled" };
}

/** Whether nothing is left to do: no child live, and every item started or the batch stopped. */
export function batchDone(state: BatchState, total: number, live: number): boolean {
  return live === 0 && (state.nextIndex >= total || state.stop !== null);
}

/** How an ended batch ends: canceled on request, failed past the tolerance (or on an empty/failed listing), else succeeded. */
export function batchStatusOf(state: BatchState, total: number, request: ScoringBatchRequest): Exclude<BatchStatus, "Pending" | "Running"> {
  if (state.cancel) return "Canceled";
  if (state.listing?.error || total === 0) return "Failed";
  return failures(state) > failureBudget(total, request.toleratedFailurePercent) ? "Failed" : "Succeeded";
}

/** A child's completion as the batch records it. */
export function succeededOutcome(result: ScoringRunResult | null | undefined): ItemOutcome {
  const output = result?.output ?? null;
  return { status: "Succeeded", output: output?.uri ?? null, blobUrl: output?.blobUrl ?? null, errorCode: null };
}

/**
 * A child's failure as the batch records it. Durable hands the parent the child's failure text:
 * "Orchestrator function '<name>' failed: <code>: <message>\n<record>" (ScoringRunError); the code
 * says whether the run was canceled.
 */
export function failedOutcome(error: unknown): ItemOutcome {
  const text = error instanceof Error ? error.message : typeof error === "string" ? error : "";
  const code = /failed: ([A-Z][A-Za-z]+): /.exec(text)?.[1] ?? /^([A-Z][A-Za-z]+): /m.exec(text)?.[1] ?? "RunFailed";
  return { status: canceledErrorCodes.includes(code) ? "Canceled" : "Failed", output: null, blobUrl: null, errorCode: code };
}

export function itemStatus(state: BatchState, index: number, total: number, liveIndexes: ReadonlySet<number>): ItemStatus {
  const outcome = state.outcomes[String(index)];
  if (outcome) return outcome.status;
  if (liveIndexes.has(index)) return "Running";
  if (index < state.nextIndex && index < total) return "Running";
  return "NotStarted";
}

export function countsOf(state: BatchState, total: number): Record<ItemStatus, number> {
  const counts: Record<ItemStatus, number> = { NotStarted: 0, Running: 0, Succeeded: 0, Failed: 0, Canceled: 0 };
  for (const o of Object.values(state.outcomes)) counts[o.status]++;
  const ended = counts.Succeeded + counts.Failed + counts.Canceled;
  counts.Running = Math.max(0, Math.min(state.nextIndex, total) - ended);
  counts.NotStarted = Math.max(0, total - Math.min(state.nextIndex, total));
  return counts;
}

export function manifestEntry(batchId: string, state: BatchState, index: number): ManifestEntry {
  const started = index < state.nextIndex;
  const outcome = state.outcomes[String(index)];
  return {
    index,
    runId: started ? childRunId(batchId, index) : null,
    status: outcome?.status ?? (started ? "Running" : "NotStarted"),
    output: outcome?.output ?? null,
    blobUrl: outcome?.blobUrl ?? null,
    errorCode: outcome?.errorCode ?? null,
  };
}

export function batchResult(batchId: string, state: BatchState, total: number, request: ScoringBatchRequest, now: Date): BatchResult {
  return {
    status: batchStatusOf(state, total, request),
    counts: countsOf(state, total),
    listing: state.listing,
    manifest: Array.from({ length: total }, (_, i) => manifestEntry(batchId, state, i)),
    endedAt: now.toISOString(),
    executions: state.executions,
  };
}

/** The custom status: counts, phase and the latest few items; a few hundred bytes whatever the size. */
export function batchProgress(batchId: string, state: BatchState, total: number, live: number, phase: BatchProgress["phase"]): BatchProgress {
  return {
    phase,
    total,
    counts: countsOf(state, total),
    live,
    executions: state.executions,
    listing: state.listing,
    stop: state.stop,
    latest: state.latest.map((i) => shortEntry(manifestEntry(batchId, state, i))),
  };
}

const cut = (text: string | null, max: number): string | null => (text !== null && text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** An entry for the custom status: URIs shortened (the result has them whole). */
function shortEntry(entry: ManifestEntry): ManifestEntry {
  return { ...entry, output: cut(entry.output, 300), blobUrl: cut(entry.blobUrl, 300) };
}
