import { describe, expect, it } from "vitest";
import { buildStartBody, parseInput, parseInputMode, parseOutput, parseSeconds, parseTag, parseWholeNumber, UsageError } from "../../cli/startArgs";

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
        output: ["azureml://datastores/workspaceblobstore/paths/out/predictions.csv"],
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
    expect(buildStartBody({ endpoint: ENDPOINT, input: [FOLDER], output: ["azureml://datastores/d/paths/o.csv"] }).output).toEqual({
      uri: "azureml://datastores/d/paths/o.csv",
    });
  });

  it("rejects command lines the API could only misread", () => {
    expect(() => buildStartBody({ endpoint: ENDPOINT })).toThrow(/at least one --input/);
    expect(() => buildStartBody({ endpoint: "", input: [FOLDER] })).toThrow(/--endpoint/);
    expect(() => buildStartBody({ endpoint: ENDPOINT, input: [FOLDER, `input_data=uri_file:${FOLDER}a.csv`] })).toThrow(/'input_data' is given twice/);
    expect(() => buildStartBody({ endpoint: ENDPOINT, input: [FOLDER], outputName: "x" })).toThrow(/--output-name needs a bare --output/);
    expect(() => buildStartBody({ endpoint: ENDPOINT, input: [FOLDER], tag: ["a=1", "a=2"] })).toThrow(/'a' is given twice/);
    expect(() => buildStartBody({ endpoint: ENDPOINT, input: [FOLDER], pollInterval: "2m" })).toThrow(/--poll-interval/);
  });
});

describe("--output", () => {
  const OUT = "azureml://datastores/workspaceblobstore/paths/out";

  it("a bare URI is the one output, even with '=' or ':' inside it; name=<uri> and name=<type>:<uri> are named outputs", () => {
    expect(parseOutput(`${OUT}/p.csv`)).toEqual({ name: null, output: { uri: `${OUT}/p.csv` } });
    expect(parseOutput(`${OUT}/date=2026-12-02/`)).toEqual({ name: null, output: { uri: `${OUT}/date=2026-12-02/` } });
    expect(parseOutput(`scores=${OUT}/scores/`)).toEqual({ name: "scores", output: { uri: `${OUT}/scores/` } });
    expect(parseOutput(`scores=uri_folder:${OUT}/scores`)).toEqual({ name: "scores", output: { type: "uri_folder", uri: `${OUT}/scores` } });
    expect(parseOutput(`summary=uri_file:${OUT}/s.csv`)).toEqual({ name: "summary", output: { type: "uri_file", uri: `${OUT}/s.csv` } });
  });

  it("rejects an empty spec, an empty URI and an unknown type", () => {
    expect(() => parseOutput("")).toThrow(UsageError);
    expect(() => parseOutput("scores=")).toThrow(/empty/);
    expect(() => parseOutput("scores=uri_folder:")).toThrow(/empty/);
    expect(() => parseOutput(`scores=uri_table:${OUT}/x`)).toThrow(/unknown output type 'uri_table'/);
  });

  it("one bare --output with --output-name/--output-type → output; named ones → outputs", () => {
    expect(buildStartBody({ endpoint: ENDPOINT, input: [FOLDER], output: [`${OUT}/run1`], outputType: "uri_folder" }).output).toEqual({
      type: "uri_folder",
      uri: `${OUT}/run1`,
    });
    const body = buildStartBody({ endpoint: ENDPOINT, input: [FOLDER], output: [`scores=${OUT}/scores/`, `summary=uri_file:${OUT}/summary.csv`] });
    expect(body.output).toBeUndefined();
    expect(body.outputs).toEqual({ scores: { uri: `${OUT}/scores/` }, summary: { type: "uri_file", uri: `${OUT}/summary.csv` } });
  });

  it("refuses what the body cannot say: two bare outputs, bare and named together, a name twice, --output-name/--output-type without a bare one", () => {
    const build = (flags: Partial<Parameters<typeof buildStartBody>[0]>) => () => buildStartBody({ endpoint: ENDPOINT, input: [FOLDER], ...flags });
    expect(build({ output: [`${OUT}/a.csv`, `${OUT}/b.csv`] })).toThrow(/one bare <uri> at most/);
    expect(build({ output: [`${OUT}/a.csv`, `b=${OUT}/b.csv`] })).toThrow(/not both/);
    expect(build({ output: [`a=${OUT}/a.csv`, `a=${OUT}/b.csv`] })).toThrow(/'a' is given twice/);
    expect(build({ output: [`a=${OUT}/a.csv`], outputName: "x" })).toThrow(/--output-name needs a bare --output/);
    expect(build({ outputType: "uri_folder" })).toThrow(/--output-type needs a bare --output/);
  });
});

describe("--input-mode", () => {
  it("name=mode, or a bare mode for input_data; the mode itself is the API's to check", () => {
    expect(parseInputMode("data=Download")).toEqual(["data", "Download"]);
    expect(parseInputMode("readonlymount")).toEqual(["input_data", "readonlymount"]);
    expect(() => parseInputMode("data=")).toThrow(UsageError);
    expect(() => parseInputMode("=Download")).toThrow(UsageError);
  });

  it("sets the mode on the named input; refuses an unknown input, a literal and a second mode", () => {
    const body = buildStartBody({ endpoint: ENDPOINT, input: [FOLDER, `ref=uri_file:${FOLDER}ref.csv`], inputMode: ["Direct", "ref=Download"] });
    expect(body.inputs).toEqual({
      input_data: { type: "uri_folder", uri: FOLDER, mode: "Direct" },
      ref: { type: "uri_file", uri: `${FOLDER}ref.csv`, mode: "Download" },
    });
    const build = (input: string[], inputMode: string[]) => () => buildStartBody({ endpoint: ENDPOINT, input, inputMode });
    expect(build([FOLDER], ["other=Download"])).toThrow(/no --input is named 'other'/);
    expect(build([FOLDER, "t=literal:1"], ["t=Download"])).toThrow(/'t' is a literal/);
    expect(build([FOLDER], ["Download", "input_data=Direct"])).toThrow(/given a mode twice/);
  });
});

describe("job settings, display name, description, experiment", () => {
  it("maps each flag into settings (numbers as numbers) and the top-level fields; nothing when none is given", () => {
    const body = buildStartBody({
      endpoint: ENDPOINT,
      input: [FOLDER],
      output: ["azureml://datastores/workspaceblobstore/paths/out/run1/"],
      instanceCount: "2",
      miniBatchSize: "10",
      maxConcurrencyPerInstance: "4",
      outputFileName: "scores.csv",
      errorThreshold: "-1",
      loggingLevel: "Debug",
      maxRetries: "3",
      retryTimeout: "300",
      displayName: "nightly scoring",
      description: "risk model, December",
      experimentName: "nightly",
    });
    expect(body.settings).toEqual({
      instanceCount: 2,
      miniBatchSize: 10,
      maxConcurrencyPerInstance: 4,
      outputFileName: "scores.csv",
      errorThreshold: -1,
      loggingLevel: "Debug",
      maxRetries: 3,
      retryTimeoutSeconds: 300,
    });
    expect(body).toMatchObject({ displayName: "nightly scoring", description: "risk model, December", experimentName: "nightly" });
    expect(Object.keys(buildStartBody({ endpoint: ENDPOINT, input: [FOLDER], maxRetries: "0" }).settings ?? {})).toEqual(["maxRetries"]);
    const plain = buildStartBody({ endpoint: ENDPOINT, input: [FOLDER] });
    for (const key of ["settings", "displayName", "description", "experimentName", "outputs"]) expect(plain).not.toHaveProperty(key);
  });

  it("whole numbers only, negative ones included (the API checks the range); --retry-timeout is seconds", () => {
    expect(parseWholeNumber("--error-threshold", "-1")).toBe(-1);
    expect(parseWholeNumber("--instance-count", " 4 ")).toBe(4);
    for (const bad of ["four", "1.5", "", "1e3", "0x10"])
      expect(() => parseWholeNumber("--instance-count", bad)).toThrow(/--instance-count must be a whole number/);
    expect(() => buildStartBody({ endpoint: ENDPOINT, input: [FOLDER], miniBatchSize: "ten" })).toThrow(/--mini-batch-size/);
    expect(() => buildStartBody({ endpoint: ENDPOINT, input: [FOLDER], retryTimeout: "5m" })).toThrow(/--retry-timeout must be a whole number of seconds/);
  });
});
