import { describe, expect, it } from "vitest";
import type { BlobTriggerSettings } from "../../../src/config";
import { type BlobCreatedEvent, decideBlobCreated } from "../../../src/events/blobCreated";
import { blobRunId } from "../../../src/runs/runIds";

const settings = (over: Partial<BlobTriggerSettings> = {}): BlobTriggerSettings => ({
  endpointUri: "https://ep.westeurope.inference.ml.azure.com/jobs",
  deployment: null,
  container: "landing",
  prefix: "",
  suffix: "",
  inputMode: "file",
  marker: "_SUCCESS",
  outputTemplate: null,
  pollSeconds: 60,
  datastore: null,
  batchWindowSeconds: 0,
  batchMaxFiles: 100,
  ...over,
});

const event = (path: string, over: Partial<BlobCreatedEvent> & { data?: Record<string, unknown> } = {}): BlobCreatedEvent => ({
  id: "evt-1",
  eventType: "Microsoft.Storage.BlobCreated",
  subject: `/blobServices/default/containers/${over.subject ?? "landing"}/blobs/${path}`,
  eventTime: "2026-11-25T08:15:00.000Z",
  ...over,
  ...(over.subject ? { subject: `/blobServices/default/containers/${over.subject}/blobs/${path}` } : {}),
  data: { api: "PutBlob", url: `https://acct.blob.core.windows.net/landing/${path}`, eTag: "0x8DC0000000000A1", contentLength: 10, ...over.data },
});

describe("decideBlobCreated", () => {
  it("file mode: the new blob is a uri_file input, its https URL as is", () => {
    const d = decideBlobCreated(event("2026/11/customers.csv"), settings());
    expect(d).toMatchObject({ kind: "start", instanceId: blobRunId("https://acct.blob.core.windows.net/landing/2026/11/customers.csv", "0x8DC0000000000A1") });
    const body = (d as { body: Record<string, any> }).body;
    expect(body.inputs).toEqual({ input_data: { type: "uri_file", uri: "https://acct.blob.core.windows.net/landing/2026/11/customers.csv" } });
    expect(body.pollIntervalSeconds).toBe(60);
    expect(body.tags).toMatchObject({ trigger: "BlobCreated", blob: "landing/2026/11/customers.csv" });
    expect(body).not.toHaveProperty("output");
  });

  it("with a datastore, inputs are datastore paths (file and folder)", () => {
    const file = decideBlobCreated(event("in/a.csv"), settings({ datastore: "landingstore" }));
    expect((file as any).body.inputs.input_data).toEqual({ type: "uri_file", uri: "azureml://datastores/landingstore/paths/in/a.csv" });
    const folder = decideBlobCreated(event("in/day1/_SUCCESS"), settings({ datastore: "landingstore", inputMode: "folder" }));
    expect((folder as any).body.inputs.input_data).toEqual({ type: "uri_folder", uri: "azureml://datastores/landingstore/paths/in/day1/" });
  });

  it("folder mode starts on the marker only, on its folder", () => {
    expect(decideBlobCreated(event("in/day1/part-0.csv"), settings({ inputMode: "folder" }))).toMatchObject({
      kind: "ignore",
      reason: expect.stringContaining("not the marker _SUCCESS"),
    });
    const d = decideBlobCreated(event("in/day1/_SUCCESS"), settings({ inputMode: "folder" }));
    expect((d as any).body.inputs.input_data).toEqual({ type: "uri_folder", uri: "https://acct.blob.core.windows.net/landing/in/day1/" });
  });

  it("fills the output template from the blob, the run id and the event's date", () => {
    const d = decideBlobCreated(
      event("in/customers.csv"),
      settings({ outputTemplate: "azureml://datastores/workspaceblobstore/paths/predictions/{date}/{blobName}-{runId}.csv" }),
    ) as any;
    expect(d.body.output.uri).toBe(`azureml://datastores/workspaceblobstore/paths/predictions/2026-11-25/customers-${d.instanceId}.csv`);
    const p = decideBlobCreated(event("in/x/customers.csv"), settings({ outputTemplate: "azureml://datastores/ws/paths/scored/{blobPath}.csv" })) as any;
    expect(p.body.output.uri).toBe("azureml://datastores/ws/paths/scored/in/x/customers.csv");
  });

  const ignored: Array<[string, BlobCreatedEvent, Partial<BlobTriggerSettings>, string]> = [
    ["another event type", event("a.csv", { eventType: "Microsoft.Storage.BlobDeleted" }), {}, "is not Microsoft.Storage.BlobCreated"],
    ["another container", event("a.csv", { subject: "other" }), {}, "container other is not landing"],
    ["outside the prefix", event("archive/a.csv"), { prefix: "in/" }, "does not start with in/"],
    ["another suffix", event("in/a.json"), { suffix: ".csv" }, "does not end with .csv"],
    ["ADLS CreateFile (0 bytes, not complete)", event("in/a.csv", { data: { api: "CreateFile", contentLength: 0 } }), {}, "does not complete a write"],
    ["under the output prefix", event("predictions/a.csv"), { outputTemplate: "azureml://datastores/ws/paths/predictions/{blobName}.csv" }, "no feedback loop"],
    [
      "matching the output pattern next to inputs",
      event("in/a-scored.csv"),
      { outputTemplate: "azureml://datastores/ws/paths/{blobPath}-scored.csv" },
      "no feedback loop",
    ],
    ["no eTag", event("a.csv", { data: { eTag: "" } }), {}, "eTag is missing"],
    ["no URL", event("a.csv", { data: { url: 5 } }), {}, "data.url is missing"],
    ["a subject that is not a blob", event("a.csv", { subject: undefined }), {}, "container"],
  ];
  for (const [name, e, over, reason] of ignored) {
    it(`ignores ${name}, saying why`, () => {
      const d = decideBlobCreated(name === "a subject that is not a blob" ? { ...e, subject: "/blobServices/default/containers/landing" } : e, settings(over));
      expect(d.kind).toBe("ignore");
      expect((d as { reason: string }).reason).toContain(name === "a subject that is not a blob" ? "is not a blob subject" : reason);
    });
  }

  it("CopyBlob, PutBlockList and FlushWithClose complete a write", () => {
    for (const api of ["CopyBlob", "PutBlockList", "FlushWithClose"])
      expect(decideBlobCreated(event("a.csv", { data: { api } }), settings()).kind).toBe("start");
  });
});

describe("decideBlobCreated: what Azure sends", () => {
  it("an SFTP upload completes with SftpCommit and starts a run", () => {
    expect(decideBlobCreated(event("a.csv", { data: { api: "SftpCommit" } }), settings())).toMatchObject({ kind: "start" });
  });

  it("a CloudEvents subject with or without its leading '/' starts the same run", () => {
    const withSlash = decideBlobCreated(event("in/a.csv"), settings());
    const withoutSlash = decideBlobCreated({ ...event("in/a.csv"), subject: "blobServices/default/containers/landing/blobs/in/a.csv" }, settings());
    expect(withSlash).toMatchObject({ kind: "start" });
    expect(withoutSlash).toEqual(withSlash);
  });
});
