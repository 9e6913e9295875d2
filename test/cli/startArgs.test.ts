import { describe, expect, it } from "vitest";
import { buildStartBody, parseInput, parseSeconds, parseTag, UsageError } from "../../cli/startArgs";

const ENDPOINT = "https://my-endpoint.westeurope.inference.ml.azure.com/jobs";
const FOLDER = "azureml://datastores/workspaceblobstore/paths/scoring/input/";

describe("--input", () => {
  it("a bare URI is input_data as uri_folder, even with '=' or ':' inside it", () => {
    expect(parseInput(FOLDER)).toEqual({ name: "input_data", input: { type: "uri_folder", uri: FOLDER } });
    expect(parseInput("azureml:my-data:3")).toEqual({ name: "input_data", input: { type: "uri_folder", uri: "azureml:my-data:3" } });
    const sas = "https://acc.blob.core.windows.net/c/p?sv=2024&sig=a=b";
    expect(parseInput(sas).input).toEqual({ type: "uri_folder", uri: sas });
  });

  it("name=type:uri and name=literal:value", () => {
    expect(parseInput(`scores=uri_file:${FOLDER}x.csv`)).toEqual({ name: "scores", input: { type: "uri_file", uri: `${FOLDER}x.csv` } });
    expect(parseInput(`data=uri_folder:${FOLDER}`)).toEqual({ name: "data", input: { type: "uri_folder", uri: FOLDER } });
    expect(parseInput("threshold=literal:0.5")).toEqual({ name: "threshold", input: { type: "literal", value: "0.5" } });
    expect(parseInput("note=literal:a:b=c")).toEqual({ name: "note", input: { type: "literal", value: "a:b=c" } });
    expect(parseInput("empty=literal:")).toEqual({ name: "empty", input: { type: "literal", value: "" } });
  });

  it("rejects an unknown type, a missing type, an empty URI and an empty value", () => {
    expect(() => parseInput("data=uri_blob:https://x/y")).toThrow(/unknown input type 'uri_blob'/);
    expect(() => parseInput(`data=${FOLDER}`)).toThrow(UsageError);
    expect(() => parseInput("data=uri_file:")).toThrow(/empty/);
    expect(() => parseInput("")).toThrow(UsageError);
  });
});

describe("--tag and seconds", () => {
  it("splits a tag at the first '='", () => {
    expect(parseTag("team=ml")).toEqual(["team", "ml"]);
    expect(parseTag("expr=a=b")).toEqual(["expr", "a=b"]);
    expect(parseTag("empty=")).toEqual(["empty", ""]);
    expect(() => parseTag("=v")).toThrow(UsageError);
    expect(() => parseTag("novalue")).toThrow(UsageError);
  });

  it("takes whole seconds only", () => {
    expect(parseSeconds("--timeout", "3600")).toBe(3600);
    expect(parseSeconds("--timeout", " 60 ")).toBe(60);
    for (const bad of ["1h", "1.5", "-5", "", "1e3"]) expect(() => parseSeconds("--timeout", bad)).toThrow(/--timeout must be a whole number/);
  });
});

describe("buildStartBody", () => {
  it("maps every flag to the camelCase start body", () => {
    expect(
      buildStartBody({
        endpoint: ENDPOINT,
        input: [FOLDER, "threshold=literal:0.5"],
        output: "azureml://datastores/workspaceblobstore/paths/out/predictions.csv",
        outputName: "preds",
        deployment: "blue",
        apiVersion: "2024-01-01-preview",
        pollInterval: "30",
        timeout: "7200",
        queueTimeout: "600",
        instanceId: "nightly-1",
        tag: ["team=ml", "run=42"],
      }),
    ).toEqual({
      endpointUri: ENDPOINT,
      inputs: { input_data: { type: "uri_folder", uri: FOLDER }, threshold: { type: "literal", value: "0.5" } },
      output: { name: "preds", uri: "azureml://datastores/workspaceblobstore/paths/out/predictions.csv" },
      deployment: "blue",
      apiVersion: "2024-01-01-preview",
      pollIntervalSeconds: 30,
      timeoutSeconds: 7200,
      queueTimeoutSeconds: 600,
      instanceId: "nightly-1",
      tags: { team: "ml", run: "42" },
    });
  });

  it("leaves out what was not given (the API applies its defaults)", () => {
    expect(buildStartBody({ endpoint: ENDPOINT, input: [FOLDER] })).toEqual({
      endpointUri: ENDPOINT,
      inputs: { input_data: { type: "uri_folder", uri: FOLDER } },
    });
    expect(buildStartBody({ endpoint: ENDPOINT, input: [FOLDER], output: "azureml://datastores/d/paths/o.csv" }).output).toEqual({
      uri: "azureml://datastores/d/paths/o.csv",
    });
  });

  it("rejects command lines the API could only misread", () => {
    expect(() => buildStartBody({ endpoint: ENDPOINT })).toThrow(/at least one --input/);
    expect(() => buildStartBody({ endpoint: "", input: [FOLDER] })).toThrow(/--endpoint/);
    expect(() => buildStartBody({ endpoint: ENDPOINT, input: [FOLDER, `input_data=uri_file:${FOLDER}a.csv`] })).toThrow(/'input_data' is given twice/);
    expect(() => buildStartBody({ endpoint: ENDPOINT, input: [FOLDER], outputName: "x" })).toThrow(/--output-name needs --output/);
    expect(() => buildStartBody({ endpoint: ENDPOINT, input: [FOLDER], tag: ["a=1", "a=2"] })).toThrow(/'a' is given twice/);
    expect(() => buildStartBody({ endpoint: ENDPOINT, input: [FOLDER], pollInterval: "2m" })).toThrow(/--poll-interval/);
  });
});
