import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config";
import { receiveEvents } from "../../../src/http/receiveEvents";
import { blobRunId } from "../../../src/runs/runIds";
import { durableStatus, fakeRuns } from "../../fixtures/runsClient";
import { apiRequest } from "./apiRequest";

/** The published examples (test/fixtures/azure/SOURCES.md): one-element arrays. */
const example = (name: string): Record<string, any> => JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../fixtures/azure", name), "utf8"))[0];
const egBlob = example("eventgrid-blob-created.json");
const ceBlob = example("cloudevents-blob-created.json");
const egJob = example("eventgrid-ml-run-status-changed.json");

const config = parseConfig({
  BLOB_TRIGGER_ENDPOINT_URI: "https://ep.westeurope.inference.ml.azure.com/jobs",
  BLOB_TRIGGER_CONTAINER: "test-container",
  BLOB_TRIGGER_DATASTORE: "landingstore",
});
const blobRun = blobRunId(egBlob.data.url, egBlob.data.eTag);

const events = (body: unknown, contentType = "application/json") =>
  apiRequest({ method: "POST", url: "/api/scoring-runs/events", headers: { "content-type": contentType }, body });

async function receive(req: ReturnType<typeof events>, runs = fakeRuns(), cfg = config) {
  const logs: string[] = [];
  const response = await receiveEvents(req, runs, cfg, (m) => logs.push(m));
  return { response, runs, logs, results: (response.body as { results?: Array<Record<string, unknown>> } | undefined)?.results };
}

describe("receiveEvents: handshakes", () => {
  it("CloudEvents OPTIONS: allows the origin Event Grid names", async () => {
    const { response, runs } = await receive(
      apiRequest({ method: "OPTIONS", url: "/api/scoring-runs/events", headers: { "WebHook-Request-Origin": "eventgrid.azure.net" } }),
    );
    expect(response).toEqual({ status: 200, headers: { "WebHook-Allowed-Origin": "eventgrid.azure.net", "WebHook-Allowed-Rate": "*" } });
    expect(runs.calls).toMatchObject({ gets: [], starts: [], lists: [] });
  });

  it("CloudEvents OPTIONS without WebHook-Request-Origin is a 400", async () => {
    const { response } = await receive(apiRequest({ method: "OPTIONS", url: "/api/scoring-runs/events" }));
    expect(response).toMatchObject({ status: 400, body: { error: { code: "InvalidRequest", message: expect.stringContaining("WebHook-Request-Origin") } } });
  });

  it("Event Grid subscription validation: answers the validation code and starts nothing", async () => {
    const validation = {
      id: "v1",
      topic: "/subscriptions/s",
      subject: "",
      eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
      eventTime: "2026-03-01T10:00:00Z",
      data: { validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" },
      dataVersion: "1",
      metadataVersion: "1",
    };
    const { response, runs } = await receive(events([validation]));
    expect(response).toEqual({ status: 200, body: { validationResponse: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" } });
    expect(runs.calls.starts).toEqual([]);
  });
});

describe("receiveEvents: BlobCreated", () => {
  it("an Event Grid BlobCreated starts the blob version's run, correlated with the event", async () => {
    const { response, runs, results } = await receive(events([egBlob]));
    expect(response).toMatchObject({ status: 200, headers: { "Content-Type": "application/json" } });
    expect(results).toEqual([{ eventId: egBlob.id, outcome: "started", runId: blobRun }]);
    expect(runs.calls.starts).toHaveLength(1);
    expect(runs.calls.starts[0]).toMatchObject({
      instanceId: blobRun,
      input: {
        correlationId: `eventgrid:${egBlob.id}`,
        request: { inputs: { input_data: { type: "uri_file", uri: "azureml://datastores/landingstore/paths/new-file.txt" } } },
      },
    });
  });

  it("the same event delivered again starts nothing more: the run exists", async () => {
    const runs = fakeRuns();
    await receive(events([egBlob]), runs);
    const again = await receive(events([egBlob]), runs);
    expect(again.response.status).toBe(200);
    expect(again.results).toEqual([{ eventId: egBlob.id, outcome: "exists", runId: blobRun, reason: expect.any(String) }]);
    expect(runs.calls.starts).toHaveLength(1);
  });

  it("CloudEvents: one event, or a batch, or an event recognised by its specversion alone, start the same run", async () => {
    for (const [body, type] of [
      [ceBlob, "application/cloudevents+json; charset=utf-8"],
      [[ceBlob], "application/cloudevents-batch+json"],
      [ceBlob, "application/json"],
    ] as const) {
      const { results } = await receive(events(body, type));
      expect(results, type).toEqual([{ eventId: ceBlob.id, outcome: "started", runId: blobRun }]);
    }
  });

  it("with no blob trigger configured, the event is ignored with the reason (still a 200: no redelivery)", async () => {
    const { response, results, runs } = await receive(events([egBlob]), fakeRuns(), parseConfig({}));
    expect(response.status).toBe(200);
    expect(results).toEqual([{ eventId: egBlob.id, outcome: "ignored", reason: expect.stringContaining("BLOB_TRIGGER_ENDPOINT_URI") }]);
    expect(runs.calls.starts).toEqual([]);
  });

  it("a run that cannot be started fails the request (a 500 upstream), so Event Grid redelivers", async () => {
    const runs = fakeRuns([], {
      onStart: () => {
        throw new Error("task hub unavailable");
      },
    });
    await expect(receiveEvents(events([egBlob]), runs, config, () => undefined)).rejects.toThrow("task hub unavailable");
  });
});

describe("receiveEvents: malformed events and bodies", () => {
  it("a malformed event is skipped and reported in its place; the rest of its batch is handled", async () => {
    const { id: _drop, ...noId } = egBlob;
    const { eventTime: _time, ...noTime } = { ...egBlob, id: "bad-1" } as Record<string, unknown>;
    const { response, results, runs, logs } = await receive(events([noTime, egBlob, noId]));
    expect(response.status).toBe(200);
    expect(results).toEqual([
      { eventId: "bad-1", outcome: "malformed", reason: expect.stringContaining("eventTime") },
      { eventId: egBlob.id, outcome: "started", runId: blobRun },
      { eventId: null, outcome: "malformed", reason: expect.stringContaining("id") },
    ]);
    expect(runs.calls.starts).toHaveLength(1);
    expect(logs.some((l) => l.startsWith("events: rejected malformed event bad-1"))).toBe(true);
  });

  it("a batch with no valid event is a 400 giving each reason", async () => {
    const { eventTime: _time, ...noTime } = egBlob;
    const { response, runs } = await receive(events([noTime, { id: "e2" }]));
    expect(response).toMatchObject({
      status: 400,
      body: { error: { code: "InvalidRequest", message: expect.stringMatching(/^No valid event: .*eventTime.*; /) } },
    });
    expect(runs.calls.starts).toEqual([]);
  });

  it("an empty batch is a 400", async () => {
    const { response } = await receive(events([]));
    expect(response).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining("non-empty JSON array") } } });
  });

  it("an Event Grid event that is not in an array is a 400", async () => {
    expect((await receive(events(egBlob))).response.status).toBe(400);
  });

  it("a body that is not JSON is a 400", async () => {
    const { response, logs } = await receive(events("[{"));
    expect(response).toMatchObject({ status: 400, body: { error: { message: "The body is not JSON." } } });
    expect(logs).toEqual(["events: rejected a body that is not JSON"]);
  });
});

describe("receiveEvents: Azure ML job events", () => {
  const jobName = egJob.data.runId as string;

  it("wake the running run waiting on that job, with the job's status and the event's time", async () => {
    const waiting = durableStatus({ instanceId: "run-7", runtimeStatus: "Running", customStatus: { job: { name: jobName } } });
    const other = durableStatus({ instanceId: "run-8", runtimeStatus: "Running", customStatus: { job: { name: "batchjob-other" } } });
    const { response, results, runs } = await receive(events([egJob]), fakeRuns([other, waiting]));
    expect(response.status).toBe(200);
    expect(results).toEqual([{ eventId: egJob.id, outcome: "signaled", runId: "run-7" }]);
    expect(runs.calls.signals).toEqual([{ instanceId: "run-7", signal: { jobName, status: "failed", eventTime: new Date(egJob.eventTime).toISOString() } }]);
  });

  it("a job no run waits on is ignored, saying so", async () => {
    const { results, runs } = await receive(events([egJob]));
    expect(results).toEqual([{ eventId: egJob.id, outcome: "ignored", reason: `no running scoring run is waiting on job ${jobName}` }]);
    expect(runs.calls.signals).toEqual([]);
  });

  it("one batch may carry blob and job events: each is handled, and answered in the batch's order", async () => {
    const waiting = durableStatus({ instanceId: "run-7", customStatus: { job: { name: jobName } } });
    const { results } = await receive(events([egJob, egBlob]), fakeRuns([waiting]));
    expect(results!.map((r) => r.outcome)).toEqual(["signaled", "started"]);
  });
});
