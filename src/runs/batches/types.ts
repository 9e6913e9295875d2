/**
 * A scoring batch: one request, many scoring runs (its items), run as child orchestrations of
 * `scoringBatchOrchestrator` under a concurrency limit and a failure tolerance. Plain JSON types
 * shared by the HTTP routes, the orchestrator and the batch view.
 */
import type { JobInput } from "../../batch/types";
import type { PollPolicy } from "../../config";
import type { OutputTarget, ScoringRunRequest } from "../types";

/** One item: the template's inputs and outputs replaced by these. */
export interface BatchItem {
  inputs: Record<string, JobInput>;
  outputs: Record<string, OutputTarget>;
}

/** Items listed by the app: one per sub-folder directly under `prefix` (docs/api.md#batches). */
export interface ItemsFrom {
  /** `azureml://datastores/<ds>/paths/<folder>/`, ends with '/'. */
  prefix: string;
  /** `azureml://datastores/<ds>/paths/<folder>/`: item `<name>` writes to `<output><name>/`. */
  output: string;
  maxItems: number;
  /** The template's input the listed folder replaces. */
  inputName: string;
}

export interface ScoringBatchRequest {
  /** The start body every item shares, normalised as `POST /api/scoring-runs` does. */
  template: ScoringRunRequest;
  /** Given items, or null when `itemsFrom` lists them. */
  items: BatchItem[] | null;
  itemsFrom: ItemsFrom | null;
  maxConcurrentJobs: number;
  toleratedFailurePercent: number;
}

/** The settings a child run's input carries (fixed when the batch starts: orchestrators read no settings). */
export interface ChildRunSettings {
  maxPollsPerExecution: number;
  pollPolicy: PollPolicy;
  queuedWarningSeconds: number;
  maxJobsPerEndpoint: number;
  /** Absent in batches started before runs were admitted by the fleet. */
  armReadsPerSecond?: number;
}

/** `NotStarted`: the batch stopped (tolerance crossed, or canceled) before this item's run began; no run exists for it. */
export type ItemStatus = "NotStarted" | "Running" | "Succeeded" | "Failed" | "Canceled";
export type BatchStatus = "Pending" | "Running" | "Succeeded" | "Failed" | "Canceled";

/** One item's outcome, compact (it travels in the batch's state across continueAsNew). */
export interface ItemOutcome {
  status: Exclude<ItemStatus, "NotStarted" | "Running">;
  /** The output URI the run wrote (or was asked to write), when it succeeded. */
  output: string | null;
  blobUrl: string | null;
  errorCode: string | null;
}

/** What the batch carries from execution to execution. */
export interface BatchState {
  startedAt: string;
  /** Listed items (itemsFrom), or null when the request gave them. */
  listed: BatchItem[] | null;
  /** What the listing found: how many folders, and whether maxItems cut it. */
  listing: { found: number; truncated: boolean; error: string | null } | null;
  /** Items [0, nextIndex) were started (or are live); the rest were not. */
  nextIndex: number;
  /** Outcome per item index; absent: not ended yet (or never started). */
  outcomes: Record<string, ItemOutcome>;
  cancel: { requestedAt: string; reason: string } | null;
  /** Why the batch stopped starting items, once it did. */
  stop: "ToleranceExceeded" | "Canceled" | "NoItems" | null;
  /** Orchestrator executions so far (1 + continueAsNew count). */
  executions: number;
  /** Children ended in the batch's latest items, newest last (for the custom status). */
  latest: number[];
}

export interface ScoringBatchInput {
  batchId: string;
  request: ScoringBatchRequest;
  runSettings: ChildRunSettings;
  createdAt: string;
  correlationId: string | null;
  /** Children that may end in one execution before the batch drains and continues as new. */
  maxChildrenPerExecution: number;
  state?: BatchState;
}

/** The batch's output when it ends: its manifest, one entry per item. */
export interface BatchResult {
  status: Exclude<BatchStatus, "Pending" | "Running">;
  counts: Record<ItemStatus, number>;
  listing: BatchState["listing"];
  manifest: ManifestEntry[];
  endedAt: string;
  executions: number;
}

export interface ManifestEntry {
  index: number;
  /** The item's run id; null for an item never started. */
  runId: string | null;
  status: ItemStatus;
  output: string | null;
  blobUrl: string | null;
  errorCode: string | null;
}

/** The batch's custom status: small whatever the batch's size (≤ 8 KB). */
export interface BatchProgress {
  phase: "Listing" | "Running" | "Draining" | "Canceling" | "Succeeded" | "Failed" | "Canceled";
  total: number;
  counts: Record<ItemStatus, number>;
  live: number;
  executions: number;
  listing: BatchState["listing"];
  stop: BatchState["stop"];
  latest: ManifestEntry[];
}

/** The listing activity's request and answer: folder names directly under the prefix, sorted, at most maxItems. */
export interface ListItemsRequest {
  prefix: string;
  maxItems: number;
  workspace: string | null;
}

export interface ListedFolders {
  folders: string[];
  found: number;
  truncated: boolean;
}

/** The cancel-cascade activity's request. */
export interface CancelChildrenRequest {
  runIds: string[];
  reason: string;
}
