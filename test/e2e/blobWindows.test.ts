import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { blobFolderKey } from "../../src/events/blobWindowEvents";
import { type BlobWindowAdd, blobWindowCloserId, blobWindowRunId } from "../../src/runs/blobWindows";
import { names } from "../../src/runs/names";
import { blobRunId } from "../../src/runs/runIds";
import { type Stack, startStack } from "./stack";

/** Batched blob events (docs/api.md#batched-events): real blobs in Azurite, events delivered as Event Grid would, redelivered and shuffled. */
describe("batched BlobCreated events (BLOB_TRIGGER_BATCH_WINDOW_SECONDS)", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ clock: "virtual", autoAdvance: true, azurite: true });
  });
  afterAll(async () => stack?.stop());
  beforeEach(() => {
    stack.emulator.reset();
    stack.emulator.setDefaultLifecycle(lifecycles.completesAfter(1));
    Object.assign(process.env, {
      BLOB_TRIGGER_ENDPOINT_URI: stack.emulator.scoringUri,
      BLOB_TRIGGER_CONTAINER: "azureml-blobstore",
      BLOB_TRIGGER_DATASTORE: "workspaceblobstore",
      BLOB_TRIGGER_PREFIX: "landing/",
      BLOB_TRIGGER_SUFFIX: ".csv",
      BLOB_TRIGGER_INPUT_MODE: "file",
      BLOB_TRIGGER_POLL_SECONDS: "30",
      BLOB_TRIGGER_BATCH_WINDOW_SECONDS: "60",
    });
    delete process.env.BLOB_TRIGGER_OUTPUT_TEMPLATE;
    delete process.env.BLOB_TRIGGER_BATCH_MAX_FILES;
  });
  afterEach(() => {
    delete process.env.BLOB_TRIGGER_BATCH_WINDOW_SECONDS;
    delete process.env.BLOB_TRIGGER_BATCH_MAX_FILES;
  });

  async function upload(path: string, text: string) {
    const blob = stack.datastore!.getBlockBlobClient(path);
    const res = await blob.upload(text, Buffer.byteLength(text));
    return {
      id: randomUUID(),
      topic: "/subscriptions/sub-0000/resourceGroups/rg-scoring/providers/Microsoft.Storage/storageAccounts/devstoreaccount1",
      subject: `/blobServices/default/containers/azureml-blobstore/blobs/${path}`,
      eventType: "Microsoft.Storage.BlobCreated",
      eventTime: "2026-11-25T08:00:00.000Z",
      dataVersion: "",
      metadataVersion: "1",
      data: { api: "PutBlob", eTag: res.etag!, contentType: "text/csv", contentLength: text.length, blobType: "BlockBlob", url: blob.url },
    };
  }

  /** One webhook delivery of all the events (so the virtual clock does not move between them). */
  async function deliver(events: unknown[]) {
    // Time stands still while the events arrive: the window's timing is what is under test.
    stack.host.engine.autoAdvance = false;
    const res = await fetch(`${stack.host.baseUrl}/runtime/webhooks/eventgrid?functionName=blobCreatedTrigger`, {
      method: "POST",
      headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
      body: JSON.stringify(events),
    });
    expect(res.status).toBeLessThan(300);
    await stack.host.engine.idle();
    stack.host.engine.autoAdvance = true;
  }

  /** Each event 3 times, in a shuffled (seeded) order. */
  function redelivered<T>(events: T[]): T[] {
    const all = events.flatMap((e) => [e, e, e]);
    let seed = 7;
    for (let i = all.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const j = seed % (i + 1);
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    return all;
  }

  /** The entity's `add` that the event handler would queue for this event. */
  const blobWindowAddOf = (event: Awaited<ReturnType<typeof upload>>, folderKey: string): BlobWindowAdd => {
    const folderUrl = event.data.url.slice(0, event.data.url.lastIndexOf("/") + 1);
    const path = event.subject.replace(/^.*\/blobs\//, "");
    expect(blobFolderKey(folderUrl)).toBe(folderKey);
    return {
      folder: { url: folderUrl, container: "azureml-blobstore", path: path.slice(0, path.lastIndexOf("/")) },
      file: { fileKey: blobRunId(event.data.url, event.data.eTag), name: path.slice(path.lastIndexOf("/") + 1), eventTime: event.eventTime },
      maxFiles: 100,
    };
  };
  const windowRuns = (folderKey: string) => stack.host.engine.all().filter((r) => r.instanceId.startsWith(`blobwindow-${folderKey}-`));
  const ended = (id: string) => ["Completed", "Failed"].includes(stack.host.engine.get(id)?.runtimeStatus ?? "");
  const folderKeyOf = (event: { data: { url: string } }) => blobFolderKey(event.data.url.slice(0, event.data.url.lastIndexOf("/") + 1));

  it("5 files delivered 3 times each, shuffled, start exactly one run over the 5 files (one job); files after the window start a second", async () => {
    const files = await Promise.all([0, 1, 2, 3, 4].map((i) => upload(`landing/day1/part-${i}.csv`, `x\n${i}\n`)));
    await deliver(redelivered(files));
    const folderKey = folderKeyOf(files[0]!);
    const first = blobWindowRunId(folderKey, 1);
    await stack.host.engine.runUntil(() => ended(first));
    expect(windowRuns(folderKey).map((r) => r.instanceId)).toEqual([first]);
    expect(stack.emulator.createdJobCount).toBe(1);
    const view = await stack.api(`/api/scoring-runs/${first}`);
    expect(view.body.status).toBe("Succeeded");
    expect(view.body.request.inputs.input_data).toEqual({ type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/landing/day1/" });
    expect(view.body.trigger).toMatchObject({ kind: "blobWindow", windowId: `${folderKey}-1`, count: 5, truncated: false, closedBy: "time" });
    expect([...view.body.trigger.files].sort()).toEqual(["part-0.csv", "part-1.csv", "part-2.csv", "part-3.csv", "part-4.csv"]);
    // The folder holds only the window's files: nothing to say.
    expect(view.body.warnings).toEqual([]);
    expect(Date.parse(view.body.trigger.closedAt) - Date.parse(view.body.trigger.openedAt)).toBeGreaterThanOrEqual(60_000);

    // A late redelivery of the first window's files starts nothing; new files open the second window.
    await deliver(files.slice(0, 2));
    const later = [await upload("landing/day1/part-5.csv", "x\n5\n"), await upload("landing/day1/part-6.csv", "x\n6\n")];
    await deliver(redelivered(later));
    const second = blobWindowRunId(folderKey, 2);
    await stack.host.engine.runUntil(() => ended(second));
    expect(
      windowRuns(folderKey)
        .map((r) => r.instanceId)
        .sort(),
    ).toEqual([first, second].sort());
    const view2 = await stack.api(`/api/scoring-runs/${second}`);
    expect(view2.body.trigger).toMatchObject({ count: 2, files: ["part-5.csv", "part-6.csv"] });
    // Azure ML has no input naming several files: the job scores the whole folder, and the run says so.
    expect(view2.body.warnings).toEqual([expect.objectContaining({ code: "FolderHoldsOtherFiles", message: expect.stringContaining("holds 7 entries") })]);
    expect(stack.emulator.createdJobCount).toBe(2);
  });

  it("BLOB_TRIGGER_BATCH_MAX_FILES=3 with 5 files gives two runs, of 3 and 2 files", async () => {
    process.env.BLOB_TRIGGER_BATCH_MAX_FILES = "3";
    const files = await Promise.all([0, 1, 2, 3, 4].map((i) => upload(`landing/day2/part-${i}.csv`, `x\n${i}\n`)));
    await deliver([...files, ...files.slice().reverse()]);
    const folderKey = folderKeyOf(files[0]!);
    const ids = [blobWindowRunId(folderKey, 1), blobWindowRunId(folderKey, 2)];
    await stack.host.engine.runUntil(() => ids.every(ended));
    expect(windowRuns(folderKey)).toHaveLength(2);
    const views = await Promise.all(ids.map((id) => stack.api(`/api/scoring-runs/${id}`)));
    expect(views.map((v) => v.body.trigger.count)).toEqual([3, 2]);
    expect(views[0]!.body.trigger.closedBy).toBe("count");
    expect(views[0]!.body.trigger.files).toEqual(["part-0.csv", "part-1.csv", "part-2.csv"]);
    expect(stack.emulator.createdJobCount).toBe(2);
  });

  it("a file that reaches its folder just as the closer ends (its wake lost) still gets its run: the sweep starts a closer", async () => {
    const first = await upload("landing/day4/a.csv", "x\n1\n");
    await deliver([first]);
    const folderKey = folderKeyOf(first);
    const closerId = blobWindowCloserId(folderKey);
    await stack.host.engine.runUntil(() => ended(blobWindowRunId(folderKey, 1)) && stack.host.engine.get(closerId)?.runtimeStatus === "Completed");

    // The race, as Azure can interleave it: the event handler queued the file on the folder's entity and
    // read the closer as Running, but the closer had already had its last (idle) answer and ended
    // before the wake arrived, so the wake is dropped (an event to an ended instance is discarded).
    const late = await upload("landing/day4/b.csv", "x\n2\n");
    stack.host.engine.signalEntity(names.blobWindows.entity, folderKey, "add", JSON.stringify(blobWindowAddOf(late, folderKey)));
    expect(stack.host.engine.raiseEvent(closerId, names.blobWindows.wake, null)).toBe("gone");
    await stack.host.engine.idle();
    const second = blobWindowRunId(folderKey, 2);
    expect(stack.host.engine.get(second)).toBeUndefined();

    // The folder's entity saw the file come with no closer live and told the sweep, which starts one.
    expect((await stack.host.invokeTimer(names.timers.sweepBlobWindows)).status).toBe("Succeeded");
    expect(await stack.host.engine.runUntil(() => ended(second), 3600_000)).toBe(true);
    const view = await stack.api(`/api/scoring-runs/${second}`);
    expect(view.body.trigger).toMatchObject({ count: 1, files: ["b.csv"] });
    expect(stack.emulator.createdJobCount).toBe(2);

    // Nothing is left to sweep: a second sweep starts no closer.
    expect((await stack.host.invokeTimer(names.timers.sweepBlobWindows)).status).toBe("Succeeded");
    await stack.host.engine.idle();
    expect(stack.host.engine.entityState<{ folders: unknown[] }>(names.blobWindows.watch, "all")?.folders).toEqual([]);
  });

  it("a bad setting stops blob events, and the log says why", async () => {
    process.env.BLOB_TRIGGER_BATCH_WINDOW_SECONDS = "soon";
    const event = await upload("landing/day3/a.csv", "x\n1\n");
    await deliver([event]);
    expect(stack.logs.join("\n")).toContain("BLOB_TRIGGER_BATCH_WINDOW_SECONDS must be a whole number");
    expect(windowRuns(folderKeyOf(event))).toHaveLength(0);
  });
});
