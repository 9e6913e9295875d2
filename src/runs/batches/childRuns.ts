/** Pure helpers about a batch's children: their ids and their requests. No I/O. */
import type { ScoringRunRequest } from "../types";
import type { BatchItem, ScoringBatchRequest } from "./types";

/** Batch ids start with this (the batch routes accept nothing else, and runs may not take it). */
export const BATCH_INSTANCE_PREFIX = "batch-";

/** Item `index` of batch `batchId` runs as `<batchId>-<index, 4+ digits>`: deterministic, so a replay or a restart names the same run. */
export function childRunId(batchId: string, index: number): string {
  return `${batchId}-${String(index).padStart(4, "0")}`;
}

/** The batch's items, given or listed. */
export function batchItems(request: ScoringBatchRequest, listed: BatchItem[] | null): BatchItem[] {
  return request.items ?? listed ?? [];
}

/** The run request of one item: the template with the item's inputs and outputs. */
export function childRequest(template: ScoringRunRequest, item: BatchItem): ScoringRunRequest {
  return { ...template, inputs: item.inputs, outputs: item.outputs };
}

/** The items of a listing: one per folder name, input `<prefix><name>/`, output `<output><name>/`. */
export function itemsFromFolders(template: ScoringRunRequest, from: { prefix: string; output: string; inputName: string }, folders: string[]): BatchItem[] {
  const outputName = Object.keys(template.outputs)[0] ?? "score";
  return folders.map((name) => ({
    inputs: { ...template.inputs, [from.inputName]: { type: "uri_folder", uri: `${from.prefix}${name}/` } },
    outputs: { [outputName]: { type: "uri_folder", uri: `${from.output}${name}/` } },
  }));
}
