import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config";
import { addFile, type BlobWindowState, closeIfDue, closerStep, emptyBlobWindowState, RECENT_KEYS } from "../../../src/orchestration/blobWindowState";
import type { BlobWindowAdd } from "../../../src/runs/blobWindows";
import { emptyBlobWindowWatch, forgetFolder, WATCHED_FOLDERS_MAX, watchFolder } from "../../../src/runs/blobWindowWatch";

const folder = { url: "https://acct.blob.core.windows.net/landing/day1/", container: "landing", path: "day1" };
const add = (n: number, maxFiles = 100): BlobWindowAdd => ({
  folder,
  file: { fileKey: `blob-${n}`, name: `part-${n}.csv`, eventTime: "2026-11-25T08:00:00Z" },
  maxFiles,
});
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const close = (state: BlobWindowState, s: number, maxFiles = 100) => closeIfDue(state, { now: at(s), windowSeconds: 60, maxFiles });

describe("blob window entity (pure)", () => {
  it("dedupes a file against the open window, full windows and recently closed keys", () => {
    let state = emptyBlobWindowState("f");
    for (const n of [1, 2, 1, 2, 1]) state = addFile(state, add(n)).state;
    expect(state.open?.keys).toEqual(["blob-1", "blob-2"]);
    const first = close(state, 0);
    expect(first.answer).toEqual({ kind: "wait", dueAt: at(60) });
    const closed = close(first.state, 60);
    expect(closed.answer).toMatchObject({ kind: "closed", window: { windowId: 1, count: 2, openedAt: at(0), closedAt: at(60), closedBy: "time" } });
    expect(addFile(closed.state, add(1)).outcome).toBe("duplicate");
    const next = addFile(closed.state, add(3));
    expect(next).toMatchObject({ outcome: "added", windowId: 2 });
  });

  it("a window that reaches maxFiles is closed to new files and handed over first", () => {
    let state = emptyBlobWindowState("f");
    for (const n of [1, 2, 3, 4, 5]) state = addFile(state, add(n, 3)).state;
    expect(state.full.map((w) => w.keys.length)).toEqual([3]);
    expect(state.open?.keys).toEqual(["blob-4", "blob-5"]);
    const a = close(state, 0, 3);
    expect(a.answer).toMatchObject({ kind: "closed", window: { windowId: 1, count: 3, closedBy: "count" } });
    expect(close(a.state, 1, 3).answer).toEqual({ kind: "wait", dueAt: at(61) });
    expect(close(close(a.state, 1, 3).state, 61, 3).answer).toMatchObject({ kind: "closed", window: { windowId: 2, count: 2 } });
  });

  it("an empty folder is idle; recent keys stay bounded", () => {
    expect(close(emptyBlobWindowState("f"), 0).answer).toEqual({ kind: "idle" });
    let state = emptyBlobWindowState("f");
    for (let n = 0; n < RECENT_KEYS + 10; n++) state = addFile(state, add(n, 1)).state;
    while (state.full.length > 0) state = close(state, 0, 1).state;
    expect(state.recentKeys).toHaveLength(RECENT_KEYS);
  });

  it("the closer starts a closed window, sleeps until due, lingers once when idle, then ends", () => {
    expect(closerStep({ kind: "wait", dueAt: at(60) }, at(0), false, 30)).toEqual({ kind: "sleep", until: at(60), idle: false });
    expect(closerStep({ kind: "idle" }, at(0), false, 30)).toEqual({ kind: "sleep", until: at(30), idle: true });
    expect(closerStep({ kind: "idle" }, at(30), true, 30)).toEqual({ kind: "end" });
  });
});

describe("a folder's closer, as its entity knows it", () => {
  it("a file added before any closer looked, or after the closer's last idle answer, may have lost its wake; one added while a closer lives has not", () => {
    const fresh = addFile(emptyBlobWindowState("f"), add(1));
    expect(fresh.closerMayBeGone).toBe(true);
    const looked = close(fresh.state, 0);
    expect(looked.state.closer).toBe("live");
    expect(addFile(looked.state, add(2)).closerMayBeGone).toBe(false);
    // A duplicate adds nothing to watch for.
    expect(addFile({ ...looked.state, closer: "ended" }, add(1)).closerMayBeGone).toBe(false);

    const drained = close(looked.state, 60).state;
    // Idle, but the closer does not end yet (it lingers): still live.
    expect(closeIfDue(drained, { now: at(61), windowSeconds: 60, maxFiles: 100 }).state.closer).toBe("live");
    const ended = closeIfDue(drained, { now: at(120), windowSeconds: 60, maxFiles: 100, mayEnd: true });
    expect(ended).toMatchObject({ answer: { kind: "idle" }, state: { closer: "ended" } });
    expect(addFile(ended.state, add(3)).closerMayBeGone).toBe(true);
    // A closer that may end but finds files stays live.
    expect(closeIfDue(addFile(ended.state, add(3)).state, { now: at(121), windowSeconds: 60, maxFiles: 100, mayEnd: true }).state.closer).toBe("live");
  });
});

describe("the watch list (pure)", () => {
  it("forgets a folder only up to the sequence the sweep read, and stays bounded", () => {
    let state = watchFolder(emptyBlobWindowWatch(), { folderKey: "a" });
    const read = state.folders[0]!;
    state = watchFolder(state, { folderKey: "a" });
    expect(state.folders).toEqual([{ folderKey: "a", seq: 2 }]);
    expect(forgetFolder(state, read).folders).toEqual([{ folderKey: "a", seq: 2 }]);
    expect(forgetFolder(state, { folderKey: "a", seq: 2 }).folders).toEqual([]);
    for (let n = 0; n < WATCHED_FOLDERS_MAX + 3; n++) state = watchFolder(state, { folderKey: `f${n}` });
    expect(state.folders).toHaveLength(WATCHED_FOLDERS_MAX);
    expect(state.dropped).toBe(4);
    expect(state.folders[0]!.folderKey).toBe("f3");
  });
});

describe("BLOB_TRIGGER_BATCH_* settings", () => {
  const base = { BLOB_TRIGGER_ENDPOINT_URI: "https://ep.westeurope.inference.ml.azure.com/jobs", BLOB_TRIGGER_CONTAINER: "landing" };
  const trigger = (env: Record<string, string>) => parseConfig({ ...base, ...env }).blobTrigger;
  it("default to one run per blob (window 0) and 100 files", () => {
    expect(trigger({})).toMatchObject({ settings: { batchWindowSeconds: 0, batchMaxFiles: 100 } });
    expect(trigger({ BLOB_TRIGGER_BATCH_WINDOW_SECONDS: "300", BLOB_TRIGGER_BATCH_MAX_FILES: "1000" })).toMatchObject({
      settings: { batchWindowSeconds: 300, batchMaxFiles: 1000 },
    });
  });
  it("a bad value is reported like the other BLOB_TRIGGER_* settings", () => {
    for (const [name, value] of [
      ["BLOB_TRIGGER_BATCH_WINDOW_SECONDS", "-1"],
      ["BLOB_TRIGGER_BATCH_WINDOW_SECONDS", "1e2"],
      ["BLOB_TRIGGER_BATCH_MAX_FILES", "0"],
      ["BLOB_TRIGGER_BATCH_MAX_FILES", "1001"],
    ] as const) {
      expect(trigger({ [name]: value })).toEqual({ problem: expect.stringContaining(name) });
    }
    expect(trigger({ BLOB_TRIGGER_BATCH_WINDOW_SECONDS: "60", BLOB_TRIGGER_INPUT_MODE: "folder" })).toEqual({
      problem: expect.stringContaining("BLOB_TRIGGER_BATCH_WINDOW_SECONDS"),
    });
  });
});
