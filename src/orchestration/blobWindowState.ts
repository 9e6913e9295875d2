/**
 * Batched blob events (docs/api.md#batched-events), the pure parts: the per-folder entity's state
 * and its two operations, and the closer's next step. The entity serialises operations, so
 * `add` and `closeIfDue` never interleave: a window closes once, and a file (url + eTag) joins
 * at most one window however often Event Grid delivers it.
 *
 * The entity also knows whether a closer is live: a closer ends only through an idle answer to
 * `closeIfDue` with `mayEnd`. A file added while no closer is known live may have lost its
 * wake (the closer ended between the event handler's status read and its wake), so `add` says
 * so and the entity puts the folder on the watch list that the sweep serves.
 */
import {
  type BlobWindowAdd,
  type BlobWindowFile,
  type BlobWindowFolder,
  type CloseAnswer,
  type CloseIfDueRequest,
  type ClosedBlobWindow,
  type StoredBlobWindows,
  WINDOW_FILES_SHOWN,
} from "../runs/blobWindows";

/** File keys of closed windows remembered for dedupe: a redelivery older than this many files starts a new window. */
export const RECENT_KEYS = 2000;

interface DraftWindow {
  windowId: number;
  /** Stamped by the closer's first look (its clock, replay-safe); null before. */
  openedAt: string | null;
  /** Every file key of the window (at most BLOB_TRIGGER_BATCH_MAX_FILES, so at most 1000). */
  keys: string[];
  /** The first files, for the run's view. */
  files: BlobWindowFile[];
}

export interface BlobWindowState {
  folderKey: string;
  folder: BlobWindowFolder | null;
  /** The next window's sequence number. */
  nextWindowId: number;
  open: DraftWindow | null;
  /** Windows closed to new files (full) that the closer has not picked up yet, oldest first. */
  full: DraftWindow[];
  recentKeys: string[];
  closer?: StoredBlobWindows["closer"];
}

export const emptyBlobWindowState = (folderKey: string): BlobWindowState => ({
  folderKey,
  folder: null,
  nextWindowId: 1,
  open: null,
  full: [],
  recentKeys: [],
});

export function addFile(
  state: BlobWindowState,
  add: BlobWindowAdd,
): { state: BlobWindowState; outcome: "added" | "duplicate"; windowId: number | null; closerMayBeGone: boolean } {
  const result = addToWindow(state, add);
  return { ...result, closerMayBeGone: result.outcome === "added" && state.closer !== "live" };
}

function addToWindow(state: BlobWindowState, add: BlobWindowAdd): { state: BlobWindowState; outcome: "added" | "duplicate"; windowId: number | null } {
  const key = add.file.fileKey;
  const seen = [state.open, ...state.full].find((w) => w?.keys.includes(key));
  if (seen) return { state, outcome: "duplicate", windowId: seen.windowId };
  if (state.recentKeys.includes(key)) return { state, outcome: "duplicate", windowId: null };
  const open: DraftWindow = state.open ?? { windowId: state.nextWindowId, openedAt: null, keys: [], files: [] };
  const grown: DraftWindow = {
    ...open,
    keys: [...open.keys, key],
    files: open.files.length < WINDOW_FILES_SHOWN ? [...open.files, add.file] : open.files,
  };
  const isFull = grown.keys.length >= Math.max(1, add.maxFiles);
  return {
    state: {
      ...state,
      folder: add.folder,
      nextWindowId: state.open ? state.nextWindowId : state.nextWindowId + 1,
      open: isFull ? null : grown,
      full: isFull ? [...state.full, grown] : state.full,
    },
    outcome: "added",
    windowId: grown.windowId,
  };
}

/**
 * Closes the oldest window that is due (full, or open for windowSeconds by `now`) and hands it
 * over; else says when to look again. An idle answer to a closer that may end marks the closer ended.
 */
export function closeIfDue(state: BlobWindowState, request: CloseIfDueRequest): { state: BlobWindowState; answer: CloseAnswer } {
  const looked = closeOrWait(state, request);
  const closer = looked.answer.kind === "idle" && request.mayEnd ? "ended" : "live";
  return { state: { ...looked.state, closer }, answer: looked.answer };
}

function closeOrWait(state: BlobWindowState, request: CloseIfDueRequest): { state: BlobWindowState; answer: CloseAnswer } {
  const now = Date.parse(request.now);
  const close = (draft: DraftWindow, rest: Pick<BlobWindowState, "open" | "full">, closedBy: "time" | "count") => {
    const window: ClosedBlobWindow = {
      folderKey: state.folderKey,
      folder: state.folder ?? { url: "", container: "", path: "" },
      windowId: draft.windowId,
      openedAt: draft.openedAt ?? request.now,
      closedAt: request.now,
      files: draft.files,
      count: draft.keys.length,
      closedBy,
    };
    const recentKeys = [...state.recentKeys, ...draft.keys].slice(-RECENT_KEYS);
    return { state: { ...state, ...rest, recentKeys }, answer: { kind: "closed", window } as CloseAnswer };
  };
  const [first, ...others] = state.full;
  if (first) return close(first, { open: state.open, full: others }, "count");
  const open = state.open;
  if (!open) return { state, answer: { kind: "idle" } };
  const openedAt = open.openedAt ?? request.now;
  if (open.keys.length >= request.maxFiles) return close({ ...open, openedAt }, { open: null, full: [] }, "count");
  const dueAt = Date.parse(openedAt) + request.windowSeconds * 1000;
  if (now >= dueAt) return close({ ...open, openedAt }, { open: null, full: [] }, "time");
  const stamped = open.openedAt ? state : { ...state, open: { ...open, openedAt } };
  return { state: stamped, answer: { kind: "wait", dueAt: new Date(dueAt).toISOString() } };
}

export type CloserStep = { kind: "start"; window: ClosedBlobWindow } | { kind: "sleep"; until: string; idle: boolean } | { kind: "end" };

/**
 * The closer's next step after the entity's answer. An idle closer lingers once (for
 * `lingerSeconds`, or until woken) before it ends: it narrows the race with a file that
 * arrives just as it ends.
 */
export function closerStep(answer: CloseAnswer, now: string, wasIdle: boolean, lingerSeconds: number): CloserStep {
  if (answer.kind === "closed") return { kind: "start", window: answer.window };
  if (answer.kind === "wait") return { kind: "sleep", until: answer.dueAt, idle: false };
  if (wasIdle) return { kind: "end" };
  return { kind: "sleep", until: new Date(Date.parse(now) + lingerSeconds * 1000).toISOString(), idle: true };
}

/** How long an idle closer lingers: one window, at least 30 s and at most 5 min. */
export const lingerSecondsFor = (windowSeconds: number): number => Math.min(300, Math.max(30, windowSeconds));
