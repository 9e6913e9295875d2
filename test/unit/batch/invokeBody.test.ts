import { describe, expect, it } from "vitest";
import { buildInvokeBody, isoDuration, settingsBody } from "../../../src/batch/invokeJob";

describe("the invoke body", () => {
  it("seconds become an ISO 8601 duration", () => {
    expect([1, 30, 60, 90, 330, 3600, 3661, 86_400].map(isoDuration)).toEqual(["PT1S", "PT30S", "PT1M", "PT1M30S", "PT5M30S", "PT1H", "PT1H1M1S", "PT24H"]);
  });

  it("each setting under its batch job model key; only the given ones", () => {
    expect(settingsBody({})).toEqual({});
    expect(settingsBody({ instanceCount: 2 })).toEqual({ compute: { instanceCount: 2 } });
    expect(settingsBody({ maxRetries: 0 })).toEqual({ retrySettings: { maxRetries: 0 } });
    expect(settingsBody({ retryTimeoutSeconds: 45 })).toEqual({ retrySettings: { timeout: "PT45S" } });
    expect(settingsBody({ errorThreshold: -1, loggingLevel: "Warning", miniBatchSize: 5, maxConcurrencyPerInstance: 3, outputFileName: "o.csv" })).toEqual({
      errorThreshold: -1,
      loggingLevel: "Warning",
      miniBatchSize: 5,
      maxConcurrencyPerInstance: 3,
      outputFileName: "o.csv",
    });
  });

  it("folder and several outputs, input modes, description, display name as a tag, experiment name as a property; the markers last", () => {
    const body = buildInvokeBody({
      endpointUri: "https://ep.westeurope.inference.ml.azure.com/jobs",
      inputs: { a: { type: "uri_folder", uri: "azureml://datastores/ds/paths/in/", mode: "Direct" }, n: { type: "literal", value: "3" } },
      outputs: [
        { name: "scores", type: "uri_folder", uri: "azureml://datastores/ds/paths/s/" },
        { name: "summary", type: "uri_file", uri: "azureml://datastores/ds/paths/sum.csv" },
      ],
      description: "d",
      displayName: "Nightly",
      experimentName: "exp",
      invokeId: "inv-1",
      runId: "run-1",
      tags: { team: "risk", clientInvokeId: "forged" },
    });
    expect(body.properties).toEqual({
      InputData: {
        a: { JobInputType: "UriFolder", Uri: "azureml://datastores/ds/paths/in/", Mode: "Direct" },
        n: { JobInputType: "Literal", Value: "3" },
      },
      OutputData: {
        scores: { JobOutputType: "UriFolder", Uri: "azureml://datastores/ds/paths/s/" },
        summary: { JobOutputType: "UriFile", Uri: "azureml://datastores/ds/paths/sum.csv" },
      },
      description: "d",
      tags: { team: "risk", displayName: "Nightly", clientInvokeId: "inv-1", scoringRunId: "run-1" },
      properties: { experimentName: "exp", clientInvokeId: "inv-1", scoringRunId: "run-1" },
    });
  });
});
