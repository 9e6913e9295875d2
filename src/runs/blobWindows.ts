/**
 * Batched blob events (docs/api.md#batched-events): the shapes the event handler, the per-folder
 * entity, its closer orchestration and the run-starting activity pass each other, and the ids
 * they derive. Pure, no I/O and no crypto: the closer (an orchestrator) imports it.
 */
import type { RunTrigger } from "./types";

/** Names a window's view shows at most (the entity keeps every key, for dedupe). */
export const WINDOW_FILES_SHOWN = 50;

export interface BlobWindowFolder {
  /** `https://<account>/<container>/<path>/`, ending in `/`. */
  url: string;
  container: string;
  /** The folder's path inside the container, no trailing `/` ("" for the container's root). */
  path: string;
}

export interface BlobWindowFile {
  /** One blob version: the id a run per blob would have (url + eTag), so redeliveries dedupe. */
  fileKey: string;
  /** The blob's name inside the folder. */
  name: string;
  eventTime: string;
}

/** The entity's `add` operation. */
export interface BlobWindowAdd {
  folder: BlobWindowFolder;
  file: BlobWindowFile;
  /** BLOB_TRIGGER_BATCH_MAX_FILES when the event came: a window that reaches it is closed to new files. */
  maxFiles: number;
}

/** The entity's `closeIfDue` operation: `now` is the closer's replay-safe time. */
export interface CloseIfDueRequest {
  now: string;
  windowSeconds: number;
  maxFiles: number;
  /** The closer ends if the folder is idle: the entity then knows no closer is live. */
  mayEnd?: boolean;
}

/** A window the entity closed: the closer starts one run for it. Bounded (at most 50 names). */
export interface ClosedBlobWindow {
  folderKey: string;
  folder: BlobWindowFolder;
  windowId: number;
  openedAt: string;
  closedAt: string;
  files: BlobWindowFile[];
  count: number;
  closedBy: "time" | "count";
}

export type CloseAnswer = { kind: "closed"; window: ClosedBlobWindow } | { kind: "wait"; dueAt: string } | { kind: "idle" };

/** The closer orchestration's input: the folder and the settings, fixed when it starts. */
export interface BlobWindowCloserInput {
  folderKey: string;
  windowSeconds: number;
  maxFiles: number;
  /** Executions so far (continueAsNew keeps its history bounded). */
  executions?: number;
}

/** The watch entity's `watch` operation: a folder took a file while it knew of no live closer. */
export interface BlobWindowWatchRequest {
  folderKey: string;
}

/** The watch entity's `forget` operation: drop the folder unless it was watched again after `seq`. */
export interface BlobWindowForgetRequest {
  folderKey: string;
  seq: number;
}

/** What the sweep reads of a folder's window entity (its state holds more). */
export interface StoredBlobWindows {
  open: object | null;
  full: object[];
  /** "live" after a closer's look, "ended" after its last (idle) answer; absent before any closer looked. */
  closer?: "live" | "ended";
}

/** Whether the folder holds files no run has started for yet. */
export const hasPendingFiles = (state: StoredBlobWindows): boolean => state.open !== null || state.full.length > 0;

/** What the run-starting activity answers. */
export interface WindowRunOutcome {
  runId: string;
  outcome: "started" | "exists" | "ignored";
  reason?: string;
}

export const blobWindowRunPrefix = "blobwindow-";

/** The one run of a window: the same folder and window sequence number always name it. */
export function blobWindowRunId(folderKey: string, windowId: number): string {
  return `${blobWindowRunPrefix}${folderKey}-${windowId}`;
}

/** The closer of a folder: one id per folder, so a second start while one runs is refused. */
export function blobWindowCloserId(folderKey: string): string {
  return `blobwindowcloser-${folderKey}`;
}

/** The window as the run's view shows it. */
export function runTriggerOf(window: ClosedBlobWindow): RunTrigger {
  const files = window.files.slice(0, WINDOW_FILES_SHOWN).map((f) => f.name);
  return {
    kind: "blobWindow",
    windowId: `${window.folderKey}-${window.windowId}`,
    folder: window.folder.url,
    openedAt: window.openedAt,
    closedAt: window.closedAt,
    files,
    count: window.count,
    truncated: files.length < window.count,
    closedBy: window.closedBy,
  };
}
