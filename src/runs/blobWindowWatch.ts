/**
 * The watch list of batched blob events (docs/api.md#batched-events), pure: folders that took a
 * file while no closer was known live. The sweep reads it, starts a closer where one is needed and
 * forgets a folder only up to the sequence number it read, so a folder watched again meanwhile stays.
 */
import type { BlobWindowForgetRequest, BlobWindowWatchRequest } from "./blobWindows";

/** Folders listed at most; past it the oldest are dropped (and counted): each is a whole burst of files in a new folder at once. */
export const WATCHED_FOLDERS_MAX = 5000;

export interface BlobWindowWatchState {
  folders: Array<{ folderKey: string; seq: number }>;
  nextSeq: number;
  /** Folders dropped because the list was full. */
  dropped: number;
}

export const emptyBlobWindowWatch = (): BlobWindowWatchState => ({ folders: [], nextSeq: 1, dropped: 0 });

export function watchFolder(state: BlobWindowWatchState, request: BlobWindowWatchRequest): BlobWindowWatchState {
  const others = state.folders.filter((f) => f.folderKey !== request.folderKey);
  const folders = [...others, { folderKey: request.folderKey, seq: state.nextSeq }];
  const excess = Math.max(0, folders.length - WATCHED_FOLDERS_MAX);
  return { folders: folders.slice(excess), nextSeq: state.nextSeq + 1, dropped: state.dropped + excess };
}

export function forgetFolder(state: BlobWindowWatchState, request: BlobWindowForgetRequest): BlobWindowWatchState {
  const folders = state.folders.filter((f) => f.folderKey !== request.folderKey || f.seq > request.seq);
  return folders.length === state.folders.length ? state : { ...state, folders };
}
