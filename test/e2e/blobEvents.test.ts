import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { scoreOf } from "../../dev/batch-emulator/predictions";
import { blobRunId } from "../../src/runs/runIds";
import { type Stack, startStack } from "./stack";

/** New data starts a run: real blobs in Azurite, events delivered as Event Grid would. */
describe("BlobCreated events (Azurite + dev host + emulator)", () => {
  let stack: Stack;
  const logs = () => stack.logs.join("\n");

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
      BLOB_TRIGGER_PREFIX: "incoming/",
      BLOB_TRIGGER_SUFFIX: "",
      BLOB_TRIGGER_INPUT_MODE: "file",
      BLOB_TRIGGER_MARKER: "_SUCCESS",
      BLOB_TRIGGER_OUTPUT_TEMPLATE: "azureml://datastores/workspaceblobstore/paths/incoming/predictions/{blobName}-{runId}.csv",
      BLOB_TRIGGER_POLL_SECONDS: "30",
    });
  });

  /** Uploads a blob and returns the BlobCreated event Azure Storage would publish for it. */
  async function upload(path: string, text: string, api = "PutBlob") {
    const blob = stack.datastore!.getBlockBlobClient(path);
    const res = await blob.upload(text, Buffer.byteLength(text));
    return blobCreated(path, blob.url, res.etag!, Buffer.byteLength(text), api);
  }

  function blobCreated(path: string, url: string, eTag: string, length: number, api = "PutBlob", container = "azureml-blobstore") {
    return {
      id: randomUUID(),
      topic: "/subscriptions/sub-0000/resourceGroups/rg-scoring/providers/Microsoft.Storage/storageAccounts/devstoreaccount1",
      subject: `/blobServices/default/containers/${container}/blobs/${path}`,
      eventType: "Microsoft.Storage.BlobCreated",
      eventTime: "2026-11-25T08:00:00.000Z",
      dataVersion: "",
      metadataVersion: "1",
      data: {
        api,
        clientRequestId: randomUUID(),
        requestId: randomUUID(),
        eTag,
        contentType: "text/csv",
        contentLength: length,
        blobType: "BlockBlob",
        url,
        sequencer: "0000000000000000000000000001",
        storageDiagnostics: { batchId: randomUUID() },
      },
    };
  }

  /** Delivers events to the Event Grid trigger the way the Functions host's webhook receives them. */
  async function deliver(events: unknown[]) {
    const res = await fetch(`${stack.host.baseUrl}/runtime/webhooks/eventgrid?functionName=blobCreatedTrigger`, {
      method: "POST",
      headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
      body: JSON.stringify(events),
    });
    await stack.host.engine.idle();
    return res;
  }

  const runCount = () => stack.host.engine.all().filter((r) => r.instanceId.startsWith("blob-")).length;
  const ended = (id: string) => () => ["Completed", "Failed"].includes(stack.host.engine.get(id)?.runtimeStatus ?? "");

  it("a new blob starts exactly one run, which completes and writes its predictions", async () => {
    const event = await upload("incoming/customers.csv", "age,income\n34,52000\n51,87000\n");
    const res = await deliver([event]);
    expect(res.status).toBeLessThan(300);
    const id = blobRunId(event.data.url, event.data.eTag);
    await stack.host.engine.runUntil(ended(id));
    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.body).toMatchObject({
      status: "Succeeded",
      request: {
        inputs: { input_data: { type: "uri_file", uri: "azureml://datastores/workspaceblobstore/paths/incoming/customers.csv" } },
        pollIntervalSeconds: 30,
      },
    });
    expect(view.body.output.uri).toBe(`azureml://datastores/workspaceblobstore/paths/incoming/predictions/customers-${id}.csv`);
    await stack.emulator.whenHooksSettled();
    const predictions = (await stack.datastore!.getBlobClient(`incoming/predictions/customers-${id}.csv`).downloadToBuffer()).toString();
    expect(predictions).toBe(`file,row,score\ncustomers.csv,0,${scoreOf("34,52000")}\ncustomers.csv,1,${scoreOf("51,87000")}\n`);
    expect(stack.emulator.createdJobCount).toBe(1);
  });

  it("the predictions it writes under the input prefix start nothing (no feedback loop)", async () => {
    const before = runCount();
    const predictions = await upload("incoming/predictions/customers-blob-123.csv", "file,row,score\n");
    await deliver([predictions]);
    expect(runCount()).toBe(before);
    expect(logs()).toContain("no feedback loop");
  });

  it("the same event delivered 5 times, and two events for the same version, give one run and one job", async () => {
    const event = await upload("incoming/dup.csv", "x\n1\n");
    for (let i = 0; i < 5; i++) expect((await deliver([event])).status).toBeLessThan(300);
    await deliver([{ ...event, id: randomUUID(), data: { ...event.data, clientRequestId: randomUUID() } }]);
    await deliver([event, event]);
    const id = blobRunId(event.data.url, event.data.eTag);
    await stack.host.engine.runUntil(ended(id));
    expect(stack.emulator.createdJobCount).toBe(1);
    expect(stack.host.engine.all().filter((r) => r.instanceId === id)).toHaveLength(1);
    expect(logs()).toContain(`exists run ${id}`);
  });

  it("a new version of the blob (new eTag) starts a second run", async () => {
    const v1 = await upload("incoming/versioned.csv", "x\n1\n");
    await deliver([v1]);
    const v2 = await upload("incoming/versioned.csv", "x\n1\n2\n");
    expect(v2.data.eTag).not.toBe(v1.data.eTag);
    await deliver([v2]);
    const ids = [blobRunId(v1.data.url, v1.data.eTag), blobRunId(v2.data.url, v2.data.eTag)];
    await stack.host.engine.runUntil(() => ids.every((id) => ended(id)()));
    expect(stack.emulator.createdJobCount).toBe(2);
  });

  it("a failed run for a blob version is left alone by a redelivered event", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.failsWith("bad rows", 1));
    const event = await upload("incoming/fails.csv", "x\n1\n");
    await deliver([event]);
    const id = blobRunId(event.data.url, event.data.eTag);
    await stack.host.engine.runUntil(ended(id));
    expect(stack.host.engine.get(id)?.runtimeStatus).toBe("Failed");
    await deliver([event]);
    expect(stack.host.engine.get(id)?.runtimeStatus).toBe("Failed");
    expect(stack.emulator.createdJobCount).toBe(1);
  });

  it("filtered events start nothing, and each is logged with its reason", async () => {
    process.env.BLOB_TRIGGER_SUFFIX = ".csv";
    const before = runCount();
    const good = await upload("incoming/ok.csv", "x\n");
    const cases: Array<[unknown, string]> = [
      [blobCreated("incoming/a.csv", good.data.url, good.data.eTag, 2, "PutBlob", "other-container"), "container other-container is not azureml-blobstore"],
      [await upload("archive/a.csv", "x\n"), "does not start with incoming/"],
      [await upload("incoming/a.json", "{}"), "does not end with .csv"],
      [blobCreated("incoming/lake.csv", good.data.url.replace("ok.csv", "lake.csv"), "0x1", 0, "CreateFile"), "does not complete a write"],
      [{ ...good, eventType: "Microsoft.Storage.BlobDeleted" }, "is not Microsoft.Storage.BlobCreated"],
    ];
    for (const [event, reason] of cases) {
      await deliver([event]);
      expect(logs()).toContain(reason);
    }
    expect(runCount()).toBe(before);
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(0);
  });

  it("folder mode starts on the marker only, on its whole folder", async () => {
    process.env.BLOB_TRIGGER_INPUT_MODE = "folder";
    process.env.BLOB_TRIGGER_OUTPUT_TEMPLATE = "azureml://datastores/workspaceblobstore/paths/scored/{blobName}-{date}.csv";
    const before = runCount();
    const parts = [await upload("incoming/day7/part-0.csv", "x\n1\n"), await upload("incoming/day7/part-1.csv", "x\n2\n3\n")];
    await deliver(parts);
    expect(runCount()).toBe(before);
    const marker = await upload("incoming/day7/_SUCCESS", "");
    await deliver([marker]);
    const id = blobRunId(marker.data.url, marker.data.eTag);
    await stack.host.engine.runUntil(ended(id));
    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.body.request.inputs.input_data).toEqual({ type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/incoming/day7/" });
    await stack.emulator.whenHooksSettled();
    const predictions = (await stack.datastore!.getBlobClient("scored/day7-2026-11-25.csv").downloadToBuffer()).toString();
    expect(predictions.trim().split("\n")).toHaveLength(1 + 3);
  });

  it("malformed events start nothing and are logged", async () => {
    const before = runCount();
    const res = await deliver([{ id: "bad-1", subject: "/blobServices/default/containers/azureml-blobstore/blobs/incoming/x.csv" }]);
    expect(res.status).toBeLessThan(300); // logged and dropped: a redelivery could not fix it
    expect(logs()).toContain("BlobCreated event (no id): malformed: the event has no eventType (or type), data (an object)");
    expect(runCount()).toBe(before);
  });

  it("without BLOB_TRIGGER_ENDPOINT_URI, events start nothing, and the log says why", async () => {
    delete process.env.BLOB_TRIGGER_ENDPOINT_URI;
    const event = await upload("incoming/unconfigured.csv", "x\n");
    await deliver([event]);
    expect(logs()).toContain("BLOB_TRIGGER_ENDPOINT_URI is not set");
    expect(stack.host.engine.get(blobRunId(event.data.url, event.data.eTag))).toBeUndefined();
  });

  describe("POST /api/scoring-runs/events (webhook subscription)", () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      stack.api("/api/scoring-runs/events", {
        method: "POST",
        body: typeof body === "string" ? body : JSON.stringify(body),
        headers: { "content-type": "application/json", ...headers },
      });

    it("answers the Event Grid subscription validation handshake", async () => {
      const res = await post([
        {
          id: "v1",
          topic: "t",
          subject: "",
          eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
          eventTime: "2026-11-25T08:00:00Z",
          dataVersion: "1",
          metadataVersion: "1",
          data: { validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6", validationUrl: "https://example.invalid" },
        },
      ]);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ validationResponse: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" });
    });

    it("answers the CloudEvents OPTIONS handshake", async () => {
      const res = await stack.api("/api/scoring-runs/events", { method: "OPTIONS", headers: { "WebHook-Request-Origin": "eventgrid.azure.net" } });
      expect(res.status).toBe(200);
      expect(res.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net");
    });

    it("Event Grid schema: starts one run per blob version, however often posted", async () => {
      const event = await upload("incoming/viahttp.csv", "x\n1\n");
      const first = await post([event]);
      expect(first.status).toBe(200);
      const id = blobRunId(event.data.url, event.data.eTag);
      expect(first.body.results).toEqual([{ eventId: event.id, outcome: "started", runId: id }]);
      const again = await post([event, event]);
      expect(again.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(["exists", "exists"]);
      await stack.host.engine.runUntil(ended(id));
      expect(stack.emulator.createdJobCount).toBe(1);
    });

    it("CloudEvents 1.0 schema: one event or a batch", async () => {
      const event = await upload("incoming/cloud.csv", "x\n1\n");
      const cloud = {
        specversion: "1.0",
        id: event.id,
        source: event.topic,
        type: event.eventType,
        subject: event.subject,
        time: event.eventTime,
        datacontenttype: "application/json",
        data: event.data,
      };
      const res = await post(cloud, { "content-type": "application/cloudevents+json; charset=utf-8" });
      expect(res.status).toBe(200);
      expect(res.body.results[0]).toMatchObject({ outcome: "started", runId: blobRunId(event.data.url, event.data.eTag) });
      const batch = await post([cloud], { "content-type": "application/cloudevents-batch+json" });
      expect(batch.body.results[0]).toMatchObject({ outcome: "exists" });
    });

    it("rejects malformed bodies with a 400 and a log line, and keeps the good events of a mixed batch", async () => {
      const before = runCount();
      expect((await post("not json")).status).toBe(400);
      expect((await post({ id: "x" })).status).toBe(400);
      const none = await post([{ id: "m1", subject: "s" }]);
      expect(none.status).toBe(400);
      expect(none.body.error.message).toContain("missing required property");
      expect(logs()).toContain("events: rejected malformed event m1");
      expect(runCount()).toBe(before);
      const good = await upload("incoming/mixed.csv", "x\n1\n");
      const mixed = await post([{ id: "m2", subject: "s" }, good]);
      expect(mixed.status).toBe(200);
      expect(mixed.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(["malformed", "started"]);
    });
  });
});
