import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config";
import { sweepBlobWindows } from "../../../src/events/sweepBlobWindows";
import type { BlobWindowClient } from "../../../src/runs/blobWindowClient";
import type { StoredBlobWindows } from "../../../src/runs/blobWindows";

const config = parseConfig({
  BLOB_TRIGGER_ENDPOINT_URI: "https://ep.westeurope.inference.ml.azure.com/jobs",
  BLOB_TRIGGER_CONTAINER: "landing",
  BLOB_TRIGGER_BATCH_WINDOW_SECONDS: "60",
});
const pending: StoredBlobWindows = { open: {}, full: [] };

/** The client's four calls over in-memory folders; `closerLive` answers ensureCloser. */
function folders(states: Record<string, StoredBlobWindows | undefined>, closerLive: Record<string, boolean>) {
  const calls: string[] = [];
  const client: BlobWindowClient = {
    add: async () => undefined,
    ensureCloser: async ({ folderKey }) => {
      calls.push(`ensure ${folderKey}`);
      if (folderKey === "broken") throw new Error("HTTP 503");
      return closerLive[folderKey] ? "running" : "started";
    },
    readWatch: async () => Object.keys(states).map((folderKey, i) => ({ folderKey, seq: i + 1 })),
    readFolder: async (folderKey) => states[folderKey],
    forget: async ({ folderKey }) => void calls.push(`forget ${folderKey}`),
  };
  return { client, calls };
}

describe("the blob window sweep", () => {
  it("starts a closer where files wait with none live, forgets served folders, keeps a folder whose closer is still ending", async () => {
    const { client, calls } = folders(
      {
        orphan: { ...pending, closer: "ended" },
        served: { open: null, full: [] },
        gone: undefined,
        lookedAfter: { ...pending, closer: "live" },
        ending: { ...pending, closer: "ended" },
        broken: pending,
      },
      { lookedAfter: true, ending: true },
    );
    const logs: string[] = [];
    expect(await sweepBlobWindows(client, config, (m) => logs.push(m))).toEqual({ started: 1, forgotten: 4, kept: 2 });
    expect(calls).toEqual([
      "ensure orphan",
      "forget orphan",
      "forget served",
      "forget gone",
      "ensure lookedAfter",
      "forget lookedAfter",
      "ensure ending",
      "ensure broken",
    ]);
    expect(logs.join("\n")).toContain("folder broken is kept for the next sweep: HTTP 503");
  });

  it("does nothing, and reads nothing, when events are not batched", async () => {
    const { client, calls } = folders({ orphan: pending }, {});
    const unbatched = parseConfig({ BLOB_TRIGGER_ENDPOINT_URI: "https://ep.westeurope.inference.ml.azure.com/jobs", BLOB_TRIGGER_CONTAINER: "landing" });
    expect(await sweepBlobWindows({ ...client, readWatch: () => Promise.reject(new Error("read")) }, unbatched, () => undefined)).toEqual({
      started: 0,
      forgotten: 0,
      kept: 0,
    });
    expect(calls).toEqual([]);
  });
});
