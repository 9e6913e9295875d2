/**
 * The public view of a scoring batch (docs/api.md#batches), from its durable status: status and
 * counts from the custom status (or the output once ended), the items from the input's carried
 * state and the output's manifest. Pure; the live status of running children is looked up by
 * the HTTP route and passed in.
 */
import { isPlainObject } from "../../json";
import type { DurableStatusLike } from "../runView";
import type { BatchProgress, BatchResult, BatchStatus, ItemStatus, ManifestEntry, ScoringBatchInput } from "./types";
import { childRunId } from "./childRuns";

export interface BatchView {
  id: string;
  status: Exclude<BatchStatus, "Pending">;
  createdAt: string;
  lastUpdatedAt: string;
  phase: string;
  total: number;
  maxConcurrentJobs: number;
  toleratedFailurePercent: number;
  counts: Record<ItemStatus, number>;
  /** itemsFrom: how many folders were found, and whether maxItems cut the list. */
  listing: BatchProgress["listing"];
  /** Why the batch stopped starting items: ToleranceExceeded, Canceled, NoItems; null while it goes on. */
  stoppedBecause: BatchProgress["stop"];
  executions: number;
  children: { items: ManifestEntry[]; continuationToken: string | null };
}

const emptyCounts = (): Record<ItemStatus, number> => ({ NotStarted: 0, Running: 0, Succeeded: 0, Failed: 0, Canceled: 0 });

function iso(value: unknown): string {
  const d = value instanceof Date ? value : typeof value === "string" ? new Date(value) : null;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : new Date(0).toISOString();
}

export function batchResultOf(status: DurableStatusLike): BatchResult | null {
  const output = typeof status.output === "string" ? safeParse(status.output) : status.output;
  return isPlainObject(output) && Array.isArray(output.manifest) ? (output as unknown as BatchResult) : null;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function batchStatusOf(status: DurableStatusLike, result: BatchResult | null): BatchView["status"] {
  if (result) return result.status;
  if (status.runtimeStatus === "Failed" || status.runtimeStatus === "Terminated") return "Failed";
  if (status.runtimeStatus === "Canceled") return "Canceled";
  return "Running";
}

/** The page of items [start, start+top): ended ones from the result or the carried state, the rest from `live` (the children's own status). */
export function toBatchView(
  status: DurableStatusLike,
  page: { start: number; top: number },
  live: (index: number) => ManifestEntry | null = () => null,
): BatchView {
  const input = (isPlainObject(status.input) ? status.input : {}) as Partial<ScoringBatchInput>;
  const progress = (isPlainObject(status.customStatus) ? status.customStatus : null) as BatchProgress | null;
  const result = batchResultOf(status);
  const request = input.request;
  const total = result?.manifest.length ?? progress?.total ?? request?.items?.length ?? input.state?.listed?.length ?? 0;
  const counts = result?.counts ?? progress?.counts ?? { ...emptyCounts(), NotStarted: total };
  const viewStatus = batchStatusOf(status, result);
  const started = total - counts.NotStarted;
  const end = Math.min(total, page.start + page.top);
  const items: ManifestEntry[] = [];
  for (let i = page.start; i < end; i++) {
    const ended = result?.manifest[i] ?? carried(input, i);
    items.push(ended ?? live(i) ?? placeholder(input.batchId ?? status.instanceId, i, i < started));
  }
  return {
    id: status.instanceId,
    status: viewStatus,
    createdAt: iso(input.createdAt ?? status.createdTime),
    lastUpdatedAt: iso(status.lastUpdatedTime),
    phase: result ? result.status : (progress?.phase ?? (status.runtimeStatus === "Pending" ? "Pending" : "Running")),
    total,
    maxConcurrentJobs: request?.maxConcurrentJobs ?? 0,
    toleratedFailurePercent: request?.toleratedFailurePercent ?? 0,
    counts,
    listing: result?.listing ?? progress?.listing ?? null,
    stoppedBecause: progress?.stop ?? null,
    executions: result?.executions ?? progress?.executions ?? 1,
    children: { items, continuationToken: end < total ? pageToken(end) : null },
  };
}

/** An item the carried state (previous executions) already knows ended. */
function carried(input: Partial<ScoringBatchInput>, index: number): ManifestEntry | null {
  const outcome = input.state?.outcomes[String(index)];
  if (!outcome || !input.batchId) return null;
  return { index, runId: childRunId(input.batchId, index), ...outcome };
}

function placeholder(batchId: string, index: number, started: boolean): ManifestEntry {
  return {
    index,
    runId: started ? childRunId(batchId, index) : null,
    status: started ? "Running" : "NotStarted",
    output: null,
    blobUrl: null,
    errorCode: null,
  };
}

/** Whether an item may have a run whose status is worth reading (started, not known ended). */
export function needsLiveLook(status: DurableStatusLike, index: number): boolean {
  const input = (isPlainObject(status.input) ? status.input : {}) as Partial<ScoringBatchInput>;
  return batchResultOf(status) === null && !input.state?.outcomes[String(index)];
}

export const pageToken = (index: number): string => Buffer.from(`i:${index}`, "utf8").toString("base64url");

export function pageStart(token: string | null): number | null {
  if (token === null || token === "") return 0;
  const text = Buffer.from(token, "base64url").toString("utf8");
  const m = /^i:(\d{1,7})$/.exec(text);
  return m ? Number(m[1]) : null;
}
