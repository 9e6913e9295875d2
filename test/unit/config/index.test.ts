import { describe, expect, it } from "vitest";
import { type BlobTriggerSettings, parseConfig } from "../../../src/config";

describe("whole-number settings", () => {
  it("are read from digits only: 1e2, 0x10, 12.0 and signs are refused, not read as numbers", () => {
    expect(parseConfig({ SCORING_DEFAULT_POLL_SECONDS: " 60 " }).defaultPollSeconds).toBe(60);
    for (const bad of ["1e2", "0x10", "12.0", "+60", "-1", "60s"]) {
      expect(() => parseConfig({ SCORING_DEFAULT_POLL_SECONDS: bad }), bad).toThrow(
        `Setting SCORING_DEFAULT_POLL_SECONDS must be a whole number from 1 to 86400, got "${bad}".`,
      );
      expect(() => parseConfig({ SCORING_MAX_POLLS_PER_EXECUTION: bad }), bad).toThrow(/SCORING_MAX_POLLS_PER_EXECUTION must be a whole number/);
    }
  });
});

describe("token audiences and allowed hosts", () => {
  it("settings name both audiences and win over the derived ones; allowed hosts default per cloud", () => {
    const gov = parseConfig({ AML_ARM_ENDPOINT: "https://management.usgovcloudapi.net" });
    expect(gov).toMatchObject({
      armAudience: "https://management.usgovcloudapi.net",
      mlAudience: "https://ml.azure.us",
      allowedHosts: ["*.inference.ml.azure.us"],
    });
    const custom = parseConfig({
      AML_ARM_ENDPOINT: "https://arm.example.test",
      AML_ARM_AUDIENCE: "https://management.example.test/",
      AML_DATA_PLANE_AUDIENCE: "https://ml.example.test",
    });
    expect(custom).toMatchObject({ armAudience: "https://management.example.test", mlAudience: "https://ml.example.test", allowedHosts: [] });
    expect(parseConfig({}).allowedHosts).toEqual(["*.inference.ml.azure.com"]);
  });

  it("an audience that is not an https origin is refused, naming the setting", () => {
    expect(() => parseConfig({ AML_DATA_PLANE_AUDIENCE: "ml.azure.com" })).toThrow(/AML_DATA_PLANE_AUDIENCE/);
    expect(() => parseConfig({ AML_ARM_AUDIENCE: "https://management.azure.com/x?y" })).toThrow(/AML_ARM_AUDIENCE/);
  });
});

describe("BLOB_TRIGGER_* settings", () => {
  const base = { BLOB_TRIGGER_ENDPOINT_URI: "https://ep.westeurope.inference.ml.azure.com/jobs", BLOB_TRIGGER_CONTAINER: "landing" };
  const defaults: BlobTriggerSettings = {
    endpointUri: base.BLOB_TRIGGER_ENDPOINT_URI,
    deployment: null,
    container: "landing",
    prefix: "",
    suffix: "",
    inputMode: "file",
    marker: "_SUCCESS",
    outputTemplate: null,
    pollSeconds: 90,
    datastore: null,
    batchWindowSeconds: 0,
    batchMaxFiles: 100,
  };

  it("without an endpoint, blob events start nothing, and say so", () => {
    expect(parseConfig({}).blobTrigger).toEqual({ problem: expect.stringContaining("BLOB_TRIGGER_ENDPOINT_URI is not set") });
  });

  it("parses every setting with its default", () => {
    expect(parseConfig({ ...base, SCORING_DEFAULT_POLL_SECONDS: "90" }).blobTrigger).toEqual({ settings: defaults });
    const full = parseConfig({
      ...base,
      BLOB_TRIGGER_DEPLOYMENT: "blue",
      BLOB_TRIGGER_PREFIX: "/in/",
      BLOB_TRIGGER_SUFFIX: ".csv",
      BLOB_TRIGGER_INPUT_MODE: "Folder",
      BLOB_TRIGGER_MARKER: "DONE",
      BLOB_TRIGGER_OUTPUT_TEMPLATE: "azureml://datastores/ws/paths/p/{blobName}.csv",
      BLOB_TRIGGER_POLL_SECONDS: "30",
      BLOB_TRIGGER_DATASTORE: "landingstore",
    }).blobTrigger;
    expect(full).toEqual({
      settings: {
        ...defaults,
        deployment: "blue",
        prefix: "in/",
        suffix: ".csv",
        inputMode: "folder",
        marker: "DONE",
        outputTemplate: "azureml://datastores/ws/paths/p/{blobName}.csv",
        pollSeconds: 30,
        datastore: "landingstore",
      },
    });
  });

  it("names a bad setting instead of failing the app", () => {
    expect(parseConfig({ BLOB_TRIGGER_ENDPOINT_URI: base.BLOB_TRIGGER_ENDPOINT_URI }).blobTrigger).toEqual({
      problem: expect.stringContaining("BLOB_TRIGGER_CONTAINER"),
    });
    expect(parseConfig({ ...base, BLOB_TRIGGER_INPUT_MODE: "rows" }).blobTrigger).toEqual({ problem: expect.stringContaining("file or folder") });
    expect(parseConfig({ ...base, BLOB_TRIGGER_OUTPUT_TEMPLATE: "https://x/out.csv" }).blobTrigger).toEqual({
      problem: expect.stringContaining("azureml://datastores"),
    });
    expect(parseConfig({ ...base, BLOB_TRIGGER_OUTPUT_TEMPLATE: "azureml://datastores/ws/paths/{blob}.csv" }).blobTrigger).toEqual({
      problem: expect.stringContaining("{blob}"),
    });
    expect(parseConfig({ ...base, BLOB_TRIGGER_POLL_SECONDS: "0" }).blobTrigger).toEqual({ problem: expect.stringContaining("BLOB_TRIGGER_POLL_SECONDS") });
  });
});
