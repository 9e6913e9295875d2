import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config";
import { concurrentBlobStarts, startRunsForBlobEvents } from "../../../src/events/startRunsForBlobEvents";
import { blobRunId } from "../../../src/runs/runIds";
import { durableStatus, fakeRuns } from "../../fixtures/runsClient";

/** The published BlobCreated example (test/fixtures/azure/SOURCES.md). */
const egBlob: Record<string, any> = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../fixtures/azure/eventgrid-blob-created.json"), "utf8"))[0];
const config = parseConfig({
  BLOB_TRIGGER_ENDPOINT_URI: "https://ep.westeurope.inference.ml.azure.com/jobs",
  BLOB_TRIGGER_CONTAINER: "test-container",
  BLOB_TRIGGER_DATASTORE: "landingstore",
});

/** The example event for blob `name`, version `eTag`, under event id `id`. */
const blobEvent = (id: string, name: string, eTag = "0x8D4BCC2E4835CD0") => ({
  ...egBlob,
  id,
  subject: `/blobServices/default/containers/test-container/blobs/${name}`,
  data: { ...egBlob.data, eTag, url: `https://my-storage-account.blob.core.windows.net/test-container/${name}` },
});
const runOf = (name: string, eTag = "0x8D4BCC2E4835CD0") => blobRunId(`https://my-storage-account.blob.core.windows.net/test-container/${name}`, eTag);
const noLog = () => undefined;

describe("startRunsForBlobEvents: a batch", () => {
  it("a blob version repeated in the batch (the same event, or another event for it) is started once; the others find it", async () => {
    const runs = fakeRuns();
    const batch = [blobEvent("e1", "a.csv"), blobEvent("e1", "a.csv"), blobEvent("e2", "a.csv"), blobEvent("e3", "b.csv")];
    const outcomes = await startRunsForBlobEvents(batch, runs, config, noLog);
    expect(outcomes).toEqual([
      { eventId: "e1", outcome: "started", runId: runOf("a.csv") },
      { eventId: "e1", outcome: "exists", runId: runOf("a.csv"), reason: "a run for this blob version exists; left alone" },
      { eventId: "e2", outcome: "exists", runId: runOf("a.csv"), reason: "a run for this blob version exists; left alone" },
      { eventId: "e3", outcome: "started", runId: runOf("b.csv") },
    ]);
    expect(runs.calls.starts.map((s) => s.instanceId)).toEqual([runOf("a.csv"), runOf("b.csv")]);
    // Read before the start and read back after it: two reads per version, none for the repeats.
    expect(runs.calls.gets).toHaveLength(4);
    expect(runs.calls.starts[0]!.input.correlationId).toBe("eventgrid:e1");
  });

  it("distinct versions start a few at once, never more than the limit, and answer in the events' order", async () => {
    let live = 0;
    let most = 0;
    const runs = fakeRuns([], {
      onStart: async (id, input, stored) => {
        most = Math.max(most, ++live);
        // Later events' starts finish first, so the order of the answer is the batch's, not the starts'.
        await new Promise((resolve) => setTimeout(resolve, 40 - (parseInt(id.slice(-2), 16) % 20)));
        live--;
        stored.set(id, durableStatus({ instanceId: id, runtimeStatus: "Pending", input }));
      },
    });
    const batch = Array.from({ length: 40 }, (_, i) => blobEvent(`e${i}`, `part-${i}.csv`));
    const outcomes = await startRunsForBlobEvents(batch, runs, config, noLog);
    expect(outcomes.map((o) => o.eventId)).toEqual(batch.map((e) => e.id));
    expect(outcomes.every((o) => o.outcome === "started")).toBe(true);
    expect(most).toBe(concurrentBlobStarts);
  });

  it("a version that exists answers exists, an ended one too: nothing is started for either", async () => {
    const runs = fakeRuns([
      durableStatus({ instanceId: runOf("old.csv"), runtimeStatus: "Failed" }),
      durableStatus({ instanceId: runOf("live.csv"), runtimeStatus: "Running" }),
    ]);
    const outcomes = await startRunsForBlobEvents([blobEvent("e1", "old.csv"), blobEvent("e2", "live.csv")], runs, config, noLog);
    expect(outcomes.map((o) => o.outcome)).toEqual(["exists", "exists"]);
    expect(runs.calls.starts).toEqual([]);
  });

  it("a start that fails fails the batch (Event Grid delivers it again), after every other version was tried", async () => {
    const runs = fakeRuns([], {
      onStart: (id, input, stored) => {
        if (id === runOf("b.csv")) throw new Error("task hub unavailable");
        stored.set(id, durableStatus({ instanceId: id, runtimeStatus: "Pending", input }));
      },
    });
    const logs: string[] = [];
    const batch = [blobEvent("e1", "a.csv"), blobEvent("e2", "b.csv"), blobEvent("e3", "c.csv")];
    await expect(startRunsForBlobEvents(batch, runs, config, (m) => logs.push(m))).rejects.toThrow("task hub unavailable");
    expect(runs.calls.starts.map((s) => s.instanceId)).toEqual([runOf("a.csv"), runOf("b.csv"), runOf("c.csv")]);
    expect(logs).toEqual([`BlobCreated event e1: started run ${runOf("a.csv")}`, `BlobCreated event e3: started run ${runOf("c.csv")}`]);
  });

  it("ignored and malformed events are answered in their places without any I/O", async () => {
    const runs = fakeRuns();
    const outcomes = await startRunsForBlobEvents(
      [{ id: "m1" }, blobEvent("e1", "a.csv"), { ...blobEvent("e2", "b.csv"), subject: "/blobServices/default/containers/other/blobs/b.csv" }],
      runs,
      config,
      noLog,
    );
    expect(outcomes.map((o) => [o.eventId, o.outcome])).toEqual([
      [null, "malformed"],
      ["e1", "started"],
      ["e2", "ignored"],
    ]);
    expect(runs.calls.gets).toHaveLength(2);
  });
});
