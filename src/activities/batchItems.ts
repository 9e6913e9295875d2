/**
 * The activities of a scoring batch: list the folders under an itemsFrom prefix (one item per
 * sub-folder), and carry a batch's cancel to its live children. Each returns a value, never throws
 * for an expected failure.
 */
import type { ActivityResult } from "../batch/types";
import { type ResolveDeps, resolveLocation } from "../preflight/resolveLocation";
import type { CancelChildrenRequest, ListedFolders, ListItemsRequest } from "../runs/batches/types";
import type { RunsClient } from "../runs/durableRuns";
import type { BlobInspector } from "../storage/blobInspector";

export interface BatchItemsDeps extends ResolveDeps {
  blobs: BlobInspector;
}

const failure = (message: string): ActivityResult<never> => ({
  ok: false,
  error: { code: "ListingFailed", message, httpStatus: null, retryable: false, retryAfterSeconds: null, outcomeUnknown: false },
});

/** The sub-folders directly under the prefix (files directly under it are not items), sorted by name, at most maxItems. */
export async function listBatchItems(request: ListItemsRequest, deps: BatchItemsDeps): Promise<ActivityResult<ListedFolders>> {
  const resolved = await resolveLocation(request.prefix, request.workspace, deps);
  if (resolved.kind !== "blob") return failure(`itemsFrom.prefix could not be listed: ${resolved.reason}`);
  if (!deps.blobs.listSubfolders) return failure("itemsFrom.prefix could not be listed: this blob reader cannot list folders");
  try {
    const { names, truncated } = await deps.blobs.listSubfolders(resolved.location, request.maxItems);
    return { ok: true, value: { folders: names, found: names.length, truncated } };
  } catch (err) {
    return failure(`itemsFrom.prefix could not be listed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Raises the run's cancel event on each child (as POST /api/scoring-runs/{id}/cancel does);
 * answers the ids it could not reach (a child not created yet), for the batch to try again.
 */
export async function cancelBatchChildren(request: CancelChildrenRequest, runs: RunsClient): Promise<{ notReached: string[] }> {
  const notReached: string[] = [];
  await Promise.all(
    request.runIds.map(async (id) => {
      try {
        const status = await runs.get(id);
        if (!status) {
          notReached.push(id);
          return;
        }
        await runs.raiseCancel(id, request.reason.slice(0, 200));
      } catch {
        notReached.push(id);
      }
    }),
  );
  return { notReached: notReached.sort() };
}
