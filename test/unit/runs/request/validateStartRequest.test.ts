import { describe, expect, it } from "vitest";
import { invalidRequestBody } from "../../../../src/http/errorBodies";
import { camelFields, DEFAULT_TIMEOUT_SECONDS, SEED_FIELDS, seedFieldNames, settingsFieldNames } from "../../../../src/runs/request/schemas";
import { type ErrorDetail, type StartConfig, validateStartRequest } from "../../../../src/runs/request/validateStartRequest";
import type { ScoringRunRequest } from "../../../../src/runs/types";

const config: StartConfig = { allowedHosts: ["*.inference.ml.azure.com"], allowLoopback: false, defaultPollSeconds: 120 };
const ENDPOINT = "https://heart-ep.westeurope.inference.ml.azure.com/jobs";
const INPUT = "azureml://datastores/workspaceblobstore/paths/heart/input/";
const OUTPUT = "azureml://datastores/workspaceblobstore/paths/heart/out/predictions.csv";
const WORKSPACE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws";

const seedBody = {
  endpoint_uri: ENDPOINT,
  api_version: "2022-10-01",
  poll_interval: "120",
  endpoint_input_uri: INPUT,
  endpoint_output_uri: OUTPUT,
};

const camelBody = {
  endpointUri: ENDPOINT,
  apiVersion: "2022-10-01",
  pollIntervalSeconds: 120,
  inputs: { input_data: { type: "uri_folder", uri: INPUT } },
  output: { name: "score", uri: OUTPUT },
};

const expectedRequest: ScoringRunRequest = {
  endpointUri: ENDPOINT,
  deployment: null,
  apiVersion: "2022-10-01",
  pollIntervalSeconds: 120,
  inputs: { input_data: { type: "uri_folder", uri: INPUT } },
  outputs: { score: { type: "uri_file", uri: OUTPUT } },
  settings: {},
  displayName: null,
  description: null,
  experimentName: null,
  timeoutSeconds: 604800,
  queueTimeoutSeconds: null,
  tags: {},
  workspace: null,
  preflight: "strict",
};

function ok(body: unknown, cfg: StartConfig = config) {
  const result = validateStartRequest(body, cfg);
  if (!result.ok) throw new Error(`expected valid, got ${JSON.stringify(result.details)}`);
  return result;
}

function problems(body: unknown, cfg: StartConfig = config): ErrorDetail[] {
  const result = validateStartRequest(body, cfg);
  if (result.ok) throw new Error(`expected invalid, got ${JSON.stringify(result.request)}`);
  return result.details;
}

/** The one detail for `field` (fails if there is none or several). */
function problem(body: unknown, field: string, cfg: StartConfig = config): string {
  const details = problems(body, cfg);
  const matching = details.filter((d) => d.field === field);
  expect(matching, JSON.stringify(details)).toHaveLength(1);
  return matching[0]!.message;
}

describe("validateStartRequest: normalisation", () => {
  it("normalises the seed form", () => {
    const result = ok(seedBody);
    expect(result.request).toEqual(expectedRequest);
    expect(result.instanceId).toBeNull();
  });

  it("normalises the camelCase form to the same request", () => {
    expect(ok(camelBody).request).toEqual(expectedRequest);
    expect(ok(camelBody).request).toEqual(ok(seedBody).request);
  });

  it("a data asset in short form needs a workspace to resolve it: without one, a 400 naming the input", () => {
    expect(problem({ endpointUri: ENDPOINT, inputs: { data: { type: "uri_file", uri: "azureml:heart:1" } } }, "inputs.data.uri")).toMatch(
      /workspace must be known/,
    );
    expect(problem({ ...seedBody, endpoint_input_uri: "azureml:heart@latest" }, "endpoint_input_uri")).toMatch(/ARM id/);
  });

  it("applies defaults: api version, poll interval from config, output name, timeouts, tags", () => {
    const result = ok(
      { endpointUri: ENDPOINT, inputs: { data: { type: "uri_file", uri: "https://acc.blob.core.windows.net/c/in.csv" } }, output: { uri: OUTPUT } },
      {
        ...config,
        defaultPollSeconds: 45,
      },
    );
    expect(result.request).toEqual({
      endpointUri: ENDPOINT,
      deployment: null,
      apiVersion: "2022-10-01",
      pollIntervalSeconds: 45,
      inputs: { data: { type: "uri_file", uri: "https://acc.blob.core.windows.net/c/in.csv" } },
      outputs: { score: { type: "uri_file", uri: OUTPUT } },
      settings: {},
      displayName: null,
      description: null,
      experimentName: null,
      timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
      queueTimeoutSeconds: null,
      tags: {},
      workspace: null,
      preflight: "strict",
    });
  });

  it("preflight: strict by default; warn and off in either form and any case; anything else names the field", () => {
    expect(ok(camelBody).request.preflight).toBe("strict");
    expect(ok({ ...camelBody, preflight: "Warn" }).request.preflight).toBe("warn");
    expect(ok({ ...seedBody, preflight: "off" }).request.preflight).toBe("off");
    expect(problem({ ...camelBody, preflight: "lenient" }, "preflight")).toContain("strict, warn or off");
    expect(problem({ ...camelBody, preflight: true }, "preflight")).toContain("strict, warn or off");
  });

  it("workspace: the request's, else AML_WORKSPACE_ID's, else none; a malformed one is refused", () => {
    const ws = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws1";
    const other = "/subscriptions/s2/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws2";
    expect(ok({ ...camelBody, workspace: ws }).request.workspace).toBe(ws);
    expect(ok(camelBody, { ...config, workspaceId: other }).request.workspace).toBe(other);
    expect(ok({ ...camelBody, workspace: ws }, { ...config, workspaceId: other }).request.workspace).toBe(ws);
    expect(ok(seedBody, { ...config, workspaceId: other }).request.workspace).toBe(other);
    expect(problem({ ...camelBody, workspace: "/subscriptions/s1/resourceGroups/rg" }, "workspace")).toContain("workspace resource id");
  });

  it("seed form: only the required parameters; output optional", () => {
    const result = ok({ endpoint_uri: ENDPOINT, endpoint_input_uri: INPUT });
    expect(result.request.outputs).toEqual({});
    expect(result.request.pollIntervalSeconds).toBe(120);
    expect(ok({ endpoint_uri: ENDPOINT, endpoint_input_uri: INPUT }, { ...config, defaultPollSeconds: 45 }).request.pollIntervalSeconds).toBe(45);
    expect(result.request.apiVersion).toBe("2022-10-01");
  });

  it("seed form: endpoint_input_type (UriFolder default, UriFile) as the Azure ML ADF template sends it", () => {
    expect(ok({ ...seedBody, endpoint_input_type: "UriFile" }).request.inputs).toEqual({ input_data: { type: "uri_file", uri: INPUT } });
    expect(ok({ ...seedBody, endpoint_input_type: "UriFolder" }).request).toEqual(expectedRequest);
    expect(ok({ ...seedBody, endpoint_input_type: "" }).request).toEqual(expectedRequest);
    expect(ok({ ...seedBody, endpoint_input_type: "uri_file" }).request.inputs.input_data).toEqual({ type: "uri_file", uri: INPUT });
    expect(problem({ ...seedBody, endpoint_input_type: "Literal" }, "endpoint_input_type")).toContain("must be UriFolder or UriFile");
  });

  it("seed form: ADF's empty strings for optional parameters mean 'not set'", () => {
    const result = ok({ ...seedBody, api_version: "", poll_interval: "", endpoint_output_uri: "" });
    expect(result.request.apiVersion).toBe("2022-10-01");
    expect(result.request.pollIntervalSeconds).toBe(120);
    expect(result.request.outputs).toEqual({});
  });

  it("accepts ADF string numbers in both forms", () => {
    expect(ok({ ...seedBody, poll_interval: "30" }).request.pollIntervalSeconds).toBe(30);
    expect(ok({ ...seedBody, poll_interval: 30 }).request.pollIntervalSeconds).toBe(30);
    const camel = ok({ ...camelBody, pollIntervalSeconds: "120", timeoutSeconds: " 3600 ", queueTimeoutSeconds: "600" }).request;
    expect(camel.pollIntervalSeconds).toBe(120);
    expect(camel.timeoutSeconds).toBe(3600);
    expect(camel.queueTimeoutSeconds).toBe(600);
  });

  it("normalises the full camelCase form", () => {
    const result = ok({
      endpointUri: ENDPOINT,
      deployment: "blue-v2",
      apiVersion: "2024-01-01-preview",
      pollIntervalSeconds: 30,
      inputs: {
        input_data: { type: "uri_folder", uri: INPUT },
        threshold: { type: "literal", value: 0.5 },
        verbose: { type: "literal", value: true },
        label: { type: "literal", value: "x" },
      },
      output: { name: "predictions", uri: OUTPUT },
      timeoutSeconds: 7200,
      queueTimeoutSeconds: 7200,
      instanceId: "nightly-2024_05_01",
      tags: { team: "risk", source: "" },
    });
    expect(result.instanceId).toBe("nightly-2024_05_01");
    expect(result.request).toEqual({
      endpointUri: ENDPOINT,
      deployment: "blue-v2",
      apiVersion: "2024-01-01-preview",
      pollIntervalSeconds: 30,
      inputs: {
        input_data: { type: "uri_folder", uri: INPUT },
        threshold: { type: "literal", value: "0.5" },
        verbose: { type: "literal", value: "true" },
        label: { type: "literal", value: "x" },
      },
      outputs: { predictions: { type: "uri_file", uri: OUTPUT } },
      settings: {},
      displayName: null,
      description: null,
      experimentName: null,
      timeoutSeconds: 7200,
      queueTimeoutSeconds: 7200,
      tags: { team: "risk", source: "" },
      workspace: null,
      preflight: "strict",
    });
  });

  it("a normalised request is itself a valid camelCase body and normalises to itself", () => {
    const first = ok({ ...camelBody, deployment: "blue", tags: { a: "b" } }).request;
    expect(ok(JSON.parse(JSON.stringify(first))).request).toEqual(first);
    const full = ok({
      ...camelBody,
      output: undefined,
      outputs: { scores: { uri: "azureml://datastores/ds/paths/s", type: "uri_folder" }, metrics: { uri: OUTPUT } },
      inputs: { input_data: { type: "uri_folder", uri: INPUT, mode: "download" } },
      settings: { instanceCount: "4", loggingLevel: "debug", retryTimeoutSeconds: 90 },
      displayName: "nightly",
      description: "scores",
      experimentName: "batch-exp",
    }).request;
    expect(ok(JSON.parse(JSON.stringify(full))).request).toEqual(full);
  });

  it("null means 'not set' for optional camelCase fields", () => {
    const result = ok({ ...camelBody, deployment: null, output: null, queueTimeoutSeconds: null, instanceId: null, tags: null });
    expect(result.request.deployment).toBeNull();
    expect(result.request.outputs).toEqual({});
    expect(result.request.queueTimeoutSeconds).toBeNull();
    expect(result.request.tags).toEqual({});
    expect(result.instanceId).toBeNull();
  });

  it("accepts loopback endpoints only with allowLoopback", () => {
    const body = { ...seedBody, endpoint_uri: "http://127.0.0.1:7072/jobs" };
    expect(ok(body, { ...config, allowLoopback: true }).request.endpointUri).toBe("http://127.0.0.1:7072/jobs");
    expect(problem(body, "endpoint_uri")).toMatch(/loopback/);
  });

  it("accepts every input URI kind (data assets in short form with a workspace to resolve them in)", () => {
    const withWorkspace = { ...config, workspaceId: WORKSPACE };
    for (const uri of ["azureml:heart:2", "azureml:heart@latest", `${WORKSPACE}/data/heart/versions/2`]) {
      expect(ok({ ...seedBody, endpoint_input_uri: uri }, withWorkspace).request.inputs.input_data).toEqual({ type: "uri_folder", uri });
    }
    for (const uri of [
      `${WORKSPACE}/data/heart/versions/2`,
      "https://acc.blob.core.windows.net/c/in/",
      "abfss://fs@acc.dfs.core.windows.net/in/",
      "azureml://subscriptions/s/resourcegroups/rg/workspaces/ws/datastores/ds/paths/in/",
    ]) {
      expect(ok({ ...seedBody, endpoint_input_uri: uri }).request.inputs.input_data).toEqual({ type: "uri_folder", uri });
    }
  });
});

describe("validateStartRequest: body shape", () => {
  it.each([
    [null, "null"],
    [[], "an array"],
    [[seedBody], "an array"],
    ["endpoint_uri=x", '"endpoint_uri=x"'],
    [42, "42"],
    [undefined, "nothing"],
  ])("rejects %j as a body", (body, got) => {
    const details = problems(body);
    expect(details).toEqual([{ field: "body", message: `must be a JSON object, got ${got}` }]);
  });

  it("an empty object: the endpoint and inputs are required (camelCase by default)", () => {
    expect(problems({})).toEqual([
      { field: "endpointUri", message: "is required" },
      { field: "inputs", message: "is required" },
    ]);
  });
});

describe("validateStartRequest: endpoint", () => {
  it("missing endpoint (both forms)", () => {
    const { endpoint_uri: _e, ...seed } = seedBody;
    expect(problem(seed, "endpoint_uri")).toBe("is required");
    const { endpointUri: _c, ...camel } = camelBody;
    expect(problem(camel, "endpointUri")).toBe("is required");
    expect(problem({ ...seedBody, endpoint_uri: "" }, "endpoint_uri")).toMatch(/is required/);
    expect(problem({ ...camelBody, endpointUri: 5 }, "endpointUri")).toBe("must be a URL string, got 5");
  });

  it("non-https endpoint", () => {
    const message = problem({ ...camelBody, endpointUri: "http://heart-ep.westeurope.inference.ml.azure.com/jobs" }, "endpointUri");
    expect(message).toMatch(/https/);
    expect(message).toContain("*.inference.ml.azure.com");
    expect(problem({ ...camelBody, endpointUri: "ftp://x.inference.ml.azure.com/jobs" }, "endpointUri")).toMatch(/https/);
  });

  it("host not on the allowlist: the message names the allowed hosts", () => {
    const message = problem({ ...seedBody, endpoint_uri: "https://evil.example.com/jobs" }, "endpoint_uri");
    expect(message).toContain("evil.example.com");
    expect(message).toContain("*.inference.ml.azure.com");
    const custom = problem({ ...seedBody, endpoint_uri: "https://evil.example.com/jobs" }, "endpoint_uri", {
      ...config,
      allowedHosts: ["a.example.org", "*.b.example.org"],
    });
    expect(custom).toContain("a.example.org, *.b.example.org");
  });

  it("loopback without allowLoopback", () => {
    for (const uri of ["http://localhost:7072/jobs", "https://127.0.0.1/jobs", "http://[::1]:80/jobs"]) {
      expect(problem({ ...camelBody, endpointUri: uri }, "endpointUri")).toMatch(/SCORING_ALLOW_LOOPBACK/);
    }
  });

  it("not a URL, or whitespace", () => {
    expect(problem({ ...camelBody, endpointUri: "not a url" }, "endpointUri")).toMatch(/whitespace/);
    expect(problem({ ...camelBody, endpointUri: "heart-ep" }, "endpointUri")).toMatch(/not a valid absolute URL/);
    expect(problem({ ...camelBody, endpointUri: ` ${ENDPOINT}` }, "endpointUri")).toMatch(/whitespace/);
  });
});

describe("validateStartRequest: numbers", () => {
  it.each([0, 86401, "abc", "0", "-5", 1.5, "12s", true, "", null])("seed poll_interval %j", (value) => {
    const body = { ...seedBody, poll_interval: value };
    if (value === "" || value === null) {
      expect(ok(body).request.pollIntervalSeconds).toBe(120);
      return;
    }
    expect(problem(body, "poll_interval")).toMatch(/must be a whole number of seconds from 1 to 86400/);
  });

  it.each([[0], [86401], ["abc"], [2.5], [[]], [{}], [true]])("camel pollIntervalSeconds %j", (value: unknown) => {
    expect(problem({ ...camelBody, pollIntervalSeconds: value }, "pollIntervalSeconds")).toMatch(/must be a whole number of seconds from 1 to 86400/);
  });

  it("accepts the bounds", () => {
    expect(ok({ ...camelBody, pollIntervalSeconds: 1 }).request.pollIntervalSeconds).toBe(1);
    expect(ok({ ...camelBody, pollIntervalSeconds: 86400 }).request.pollIntervalSeconds).toBe(86400);
    expect(ok({ ...camelBody, timeoutSeconds: 60 }).request.timeoutSeconds).toBe(60);
    expect(ok({ ...camelBody, timeoutSeconds: 2592000 }).request.timeoutSeconds).toBe(2592000);
  });

  it("reports the value it got", () => {
    expect(problem({ ...camelBody, pollIntervalSeconds: "abc" }, "pollIntervalSeconds")).toBe('must be a whole number of seconds from 1 to 86400, got "abc"');
    expect(problem({ ...camelBody, pollIntervalSeconds: 0 }, "pollIntervalSeconds")).toBe("must be a whole number of seconds from 1 to 86400, got 0");
  });

  it("timeoutSeconds range", () => {
    expect(problem({ ...camelBody, timeoutSeconds: 59 }, "timeoutSeconds")).toMatch(/from 60 to 2592000/);
    expect(problem({ ...camelBody, timeoutSeconds: 2592001 }, "timeoutSeconds")).toMatch(/from 60 to 2592000/);
  });

  it("queueTimeoutSeconds must not exceed timeoutSeconds (given or default)", () => {
    expect(problem({ ...camelBody, timeoutSeconds: 3600, queueTimeoutSeconds: 3601 }, "queueTimeoutSeconds")).toBe(
      "must not exceed timeoutSeconds (3600), got 3601",
    );
    expect(problem({ ...camelBody, queueTimeoutSeconds: 604801 }, "queueTimeoutSeconds")).toMatch(/604800, the default/);
    expect(problem({ ...camelBody, queueTimeoutSeconds: 59 }, "queueTimeoutSeconds")).toMatch(/from 60/);
    expect(ok({ ...camelBody, timeoutSeconds: 3600, queueTimeoutSeconds: 3600 }).request.queueTimeoutSeconds).toBe(3600);
  });

  it("reports queueTimeoutSeconds > timeoutSeconds even when other fields are wrong", () => {
    const fields = problems({ ...camelBody, pollIntervalSeconds: 0, timeoutSeconds: 100, queueTimeoutSeconds: 200 }).map((d) => d.field);
    expect(fields).toEqual(["pollIntervalSeconds", "queueTimeoutSeconds"]);
  });
});

describe("validateStartRequest: other scalar fields", () => {
  it.each(["2022-10", "latest", "2022-13-01", "2022-10-01-beta", 20221001])("bad apiVersion %j", (value) => {
    expect(problem({ ...camelBody, apiVersion: value }, "apiVersion")).toMatch(/must be/);
    expect(problem({ ...seedBody, api_version: value }, "api_version")).toMatch(/must be/);
  });

  it.each(["ab", "1blue", "blue_green", "a".repeat(33), "blue green"])("bad deployment %j", (value) => {
    expect(problem({ ...camelBody, deployment: value }, "deployment")).toMatch(/deployment name/);
  });

  it("accepts deployment names at the bounds", () => {
    expect(ok({ ...camelBody, deployment: "abc" }).request.deployment).toBe("abc");
    expect(ok({ ...camelBody, deployment: `a${"b".repeat(31)}` }).request.deployment).toHaveLength(32);
  });

  it.each(["run/1", "run#1", "run?x", "run\\1", "-run", "_run", "run 1", "a".repeat(101), "run\n", 12])("bad instanceId %j", (value) => {
    expect(problem({ ...camelBody, instanceId: value }, "instanceId")).toMatch(/must be/);
  });

  it("accepts a 100-character instanceId", () => {
    expect(ok({ ...camelBody, instanceId: "a".repeat(100) }).instanceId).toHaveLength(100);
  });
});

describe("validateStartRequest: inputs", () => {
  const withInputs = (inputs: unknown) => ({ ...camelBody, inputs });

  it("at least one input, an object", () => {
    expect(problem(withInputs({}), "inputs")).toBe("must name at least one input");
    expect(problem(withInputs([]), "inputs")).toMatch(/must be an object mapping input names/);
    expect(problem(withInputs("azureml:x:1"), "inputs")).toMatch(/must be an object mapping input names/);
    expect(problem(withInputs(null), "inputs")).toBe("is required (got null)");
  });

  it("bad input type", () => {
    expect(problem(withInputs({ a: { type: "mltable", uri: INPUT } }), "inputs.a.type")).toBe('must be "uri_folder", "uri_file" or "literal", got "mltable"');
    expect(problem(withInputs({ a: { uri: INPUT } }), "inputs.a.type")).toBe("is required");
    expect(problem(withInputs({ a: INPUT }), "inputs.a")).toMatch(/must be an object/);
  });

  it("literal with uri, literal without value", () => {
    expect(problem(withInputs({ a: { type: "literal", value: "1", uri: INPUT } }), "inputs.a.uri")).toMatch(/must not be set for a "literal" input/);
    expect(problem(withInputs({ a: { type: "literal" } }), "inputs.a.value")).toMatch(/is required for a "literal" input/);
    expect(problem(withInputs({ a: { type: "literal", value: { x: 1 } } }), "inputs.a.value")).toMatch(/must be a string, number or boolean/);
    expect(problem(withInputs({ a: { type: "literal", value: null } }), "inputs.a.value")).toBe("is required (got null)");
  });

  it("uri input missing uri, or with a value", () => {
    expect(problem(withInputs({ input_data: { type: "uri_folder" } }), "inputs.input_data.uri")).toBe('is required for a "uri_folder" input');
    expect(problem(withInputs({ f: { type: "uri_file", uri: INPUT, value: "x" } }), "inputs.f.value")).toMatch(/must not be set for a "uri_file" input/);
    expect(problem(withInputs({ f: { type: "uri_file", uri: "" } }), "inputs.f.uri")).toMatch(/is required/);
  });

  it("bad input URIs, both forms", () => {
    const cases: [string, RegExp][] = [
      ["http://acc.blob.core.windows.net/c/x", /must use https/],
      ["s3://bucket/key", /unsupported scheme/],
      ["wasbs://c@acc.blob.core.windows.net/x", /wasb/],
      ["https://acc.blob.core.windows.net/c/x?sv=1&sig=SECRET", /must not carry a SAS token/],
      ["azureml://datastores/ds/paths/a b", /whitespace/],
    ];
    for (const [uri, message] of cases) {
      expect(problem(withInputs({ input_data: { type: "uri_folder", uri } }), "inputs.input_data.uri")).toMatch(message);
      expect(problem({ ...seedBody, endpoint_input_uri: uri }, "endpoint_input_uri")).toMatch(message);
    }
  });

  it("SAS tokens are never echoed back", () => {
    const details = problems({ ...seedBody, endpoint_input_uri: "https://acc.blob.core.windows.net/c/x?sig=TOPSECRET" });
    expect(JSON.stringify(details)).not.toContain("TOPSECRET");
    expect(JSON.stringify(invalidRequestBody(details))).not.toContain("TOPSECRET");
  });

  it("input names must be identifiers", () => {
    expect(problem(withInputs({ "input-data": { type: "uri_folder", uri: INPUT } }), "inputs.input-data")).toMatch(/input name must be an identifier/);
    expect(problem(withInputs({ "1st": { type: "uri_folder", uri: INPUT } }), "inputs.1st")).toMatch(/identifier/);
    expect(ok(withInputs({ _x1: { type: "uri_folder", uri: INPUT } })).request.inputs._x1).toBeDefined();
  });

  it("seed endpoint_input_uri is required", () => {
    const { endpoint_input_uri: _i, ...seed } = seedBody;
    expect(problem(seed, "endpoint_input_uri")).toBe("is required");
  });

  it("unknown field inside an input", () => {
    expect(problem(withInputs({ a: { type: "uri_folder", uri: INPUT, url: "x" } }), "inputs.a.url")).toMatch(/is not a known field; did you mean 'uri'\?/);
  });
});

describe("validateStartRequest: output", () => {
  const withOutput = (output: unknown) => ({ ...camelBody, output });

  it.each([
    ["https://acc.blob.core.windows.net/c/predictions.csv", /must be an Azure ML datastore path/],
    ["azureml://datastores/ds/paths/", /must name a folder after \/paths\//],
    ["azureml:predictions:1", /must be an Azure ML datastore path/],
    ["https://acc.blob.core.windows.net/c/p.csv?sig=x", /SAS token/],
  ])("bad output URI %j", (uri, message) => {
    expect(problem(withOutput({ uri }), "output.uri")).toMatch(message);
    expect(problem({ ...seedBody, endpoint_output_uri: uri }, "endpoint_output_uri")).toMatch(message);
  });

  it("output shape", () => {
    expect(problem(withOutput({}), "output.uri")).toBe("is required");
    expect(problem(withOutput(OUTPUT), "output")).toMatch(/must be an object \{name\?, type\?, uri\}/);
    expect(problem(withOutput({ name: "my-output", uri: OUTPUT }), "output.name")).toMatch(/identifier/);
    expect(problem(withOutput({ uri: OUTPUT, kind: "uri_file" }), "output.kind")).toMatch(/did you mean|not a known field/);
    expect(problem(withOutput({ uri: OUTPUT, type: "mltable" }), "output.type")).toMatch(/"uri_file" or "uri_folder"/);
  });
});

describe("validateStartRequest: tags", () => {
  it("too many, key too long, value too long, not a string", () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    expect(problem({ ...camelBody, tags: many }, "tags")).toBe("must have at most 50 entries, got 51");
    const longKey = "k".repeat(129);
    expect(problem({ ...camelBody, tags: { [longKey]: "v" } }, `tags.${longKey}`)).toMatch(/1 to 128 characters, got 129/);
    expect(problem({ ...camelBody, tags: { team: "v".repeat(257) } }, "tags.team")).toMatch(/at most 256 characters, got 257/);
    expect(problem({ ...camelBody, tags: { team: 5 } }, "tags.team")).toBe("must be a string, got 5");
    expect(problem({ ...camelBody, tags: ["a"] }, "tags")).toMatch(/must be an object/);
  });

  it("accepts tags at the limits", () => {
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${"k".repeat(125)}${i}`.slice(-128), "v".repeat(256)]));
    expect(Object.keys(ok({ ...camelBody, tags: fifty }).request.tags)).toHaveLength(50);
  });

  it("reports every bad tag", () => {
    const fields = problems({ ...camelBody, tags: { a: 1, b: true, c: "ok" } }).map((d) => d.field);
    expect(fields).toEqual(["tags.a", "tags.b"]);
  });
});

describe("validateStartRequest: unknown fields and mixed forms", () => {
  it("unknown top-level fields are named, with a suggestion", () => {
    expect(problem({ ...camelBody, pollInterval: 30 }, "pollInterval")).toBe("is not a known field; did you mean 'pollIntervalSeconds'?");
    expect(problem({ ...camelBody, endpointURI: ENDPOINT }, "endpointURI")).toMatch(/did you mean 'endpointUri'/);
    expect(problem({ ...seedBody, poll_intervall: "30" }, "poll_intervall")).toMatch(/did you mean 'poll_interval'/);
    expect(problem({ ...camelBody, zzz: 1 }, "zzz")).toMatch(/is not a known field; known fields: endpointUri, deployment/);
  });

  it("mixing the forms is an error on the minority form's fields", () => {
    expect(problem({ ...seedBody, deployment: "blue" }, "deployment")).toMatch(/camelCase field .* pipeline-parameter \(snake_case\) form/);
    expect(problem({ ...seedBody, pollIntervalSeconds: 30 }, "pollIntervalSeconds")).toMatch(/use 'poll_interval' instead/);
    expect(problem({ ...camelBody, poll_interval: "30" }, "poll_interval")).toMatch(/use 'pollIntervalSeconds' instead/);
    expect(problem({ ...camelBody, endpoint_output_uri: OUTPUT }, "endpoint_output_uri")).toMatch(/use 'output' instead/);
  });

  it("a tie is read as camelCase", () => {
    const details = problems({ endpoint_uri: ENDPOINT, inputs: { input_data: { type: "uri_folder", uri: INPUT } } });
    expect(details.map((d) => d.field)).toEqual(["endpoint_uri", "endpointUri"]);
  });
});

describe("validateStartRequest: reserved keys", () => {
  it("refuses __proto__ as an input name or tag name instead of dropping it", () => {
    const body = JSON.parse(
      `{"endpointUri":"${ENDPOINT}","inputs":{"__proto__":{"type":"uri_folder","uri":"${INPUT}"},"a":{"type":"uri_folder","uri":"${INPUT}"}},` +
        `"tags":{"__proto__":"x"}}`,
    );
    const fields = problems(body).map((d) => d.field);
    expect(fields).toContain("inputs.__proto__");
    expect(fields).toContain("tags.__proto__");
    expect(problem(JSON.parse(`{"__proto__":{},"endpointUri":"${ENDPOINT}"}`), "__proto__")).toMatch(/not a known field/);
  });
});

describe("validateStartRequest: all problems at once", () => {
  it("reports every problem in one answer", () => {
    const details = problems({
      endpointUri: "https://evil.example.com/jobs",
      deployment: "x",
      pollIntervalSeconds: 0,
      inputs: {
        a: { type: "literal", value: "1", uri: INPUT },
        b: { type: "uri_folder" },
        c: { type: "uri_file", uri: "s3://b/k" },
      },
      output: { uri: "azureml://datastores/ds/paths/" },
      instanceId: "bad/id",
      tags: { t: 1 },
      pollInterval: 5,
      endpoint_uri: ENDPOINT,
    });
    expect(details.map((d) => d.field).sort()).toEqual(
      [
        "endpoint_uri",
        "endpointUri",
        "deployment",
        "pollIntervalSeconds",
        "inputs.a.uri",
        "inputs.b.uri",
        "inputs.c.uri",
        "output.uri",
        "instanceId",
        "tags.t",
        "pollInterval",
      ].sort(),
    );
    for (const d of details) expect(d.message.length).toBeGreaterThan(5);
  });

  it("seed form reports every problem too", () => {
    const details = problems({ endpoint_uri: "http://x.example.com", poll_interval: "abc", endpoint_output_uri: "out.csv" });
    expect(details.map((d) => d.field)).toEqual(["endpoint_uri", "poll_interval", "endpoint_input_uri", "endpoint_output_uri"]);
  });
});

describe("invalidRequestBody", () => {
  it("summarises the first problem and counts the rest", () => {
    const details = [
      { field: "endpointUri", message: "is required" },
      { field: "inputs", message: "is required" },
    ];
    expect(invalidRequestBody(details)).toEqual({
      error: {
        code: "InvalidRequest",
        message: "2 problems with the request: endpointUri: is required (and 1 more, see details)",
        details,
      },
    });
    expect(invalidRequestBody([details[0]!]).error.message).toBe("1 problem with the request: endpointUri: is required");
  });

  it("wraps a real validation result", () => {
    const result = validateStartRequest([], config);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(invalidRequestBody(result.details).error.message).toBe("1 problem with the request: body: must be a JSON object, got an array");
    }
  });
});

describe("known fields come from the schemas", () => {
  it("an unknown field of either form is answered with every field of its form, preflight included", () => {
    expect(problem({ ...camelBody, preflite: "warn" }, "preflite")).toMatch(/^is not a known field; known fields: .*\bpreflight\b/);
    expect(problem({ ...seedBody, preflite: "warn" }, "preflite")).toMatch(/^is not a known field; known fields: .*\bpreflight\b/);
    expect(problem({ ...seedBody, prefligt: "warn" }, "prefligt")).toBe("is not a known field; did you mean 'preflight'?");
  });

  it("every seed field is one of the seed schema's, and names its camelCase counterpart", () => {
    for (const [seed, camel] of Object.entries(SEED_FIELDS)) {
      expect(seedFieldNames).toContain(seed);
      expect(camelFields).toContain(camel.split(".")[0]);
      if (camel.startsWith("settings.")) expect(settingsFieldNames).toContain(camel.slice("settings.".length));
    }
    // Fields both forms share under one name: `preflight`, and the `callBackUri` Data Factory's WebHook activity adds.
    expect(seedFieldNames.filter((f) => !(f in SEED_FIELDS))).toEqual(["preflight", "callBackUri"]);
    for (const shared of ["preflight", "callBackUri"]) expect(camelFields).toContain(shared);
  });
});

describe("validateStartRequest: a service principal's fields", () => {
  it("tenant_id and client_id are ignored with one warning, and the request is the same as without them", () => {
    const withIds = validateStartRequest({ ...seedBody, tenant_id: "t-1", client_id: "c-2" }, config);
    expect(withIds).toMatchObject({ ok: true, warnings: [{ code: "ServicePrincipalIgnored" }] });
    if (!withIds.ok) return;
    expect(withIds.request).toEqual(ok(seedBody).request);
    expect(withIds.warnings[0]?.message).toMatch(/^tenant_id and client_id were ignored/);
    expect(JSON.stringify(withIds.warnings)).not.toMatch(/t-1|c-2/);
    expect(validateStartRequest(seedBody, config)).toMatchObject({ ok: true, warnings: [] });
  });

  it("a secret is refused by name in either form and any spelling, never echoed", () => {
    for (const [body, field] of [
      [{ ...seedBody, client_secret: "s3cret" }, "client_secret"],
      [{ ...camelBody, clientSecret: "s3cret" }, "clientSecret"],
      [{ ...seedBody, CLIENT_SECRET: "s3cret" }, "CLIENT_SECRET"],
    ] as const) {
      const details = problems(body);
      expect(details.map((d) => d.field)).toEqual([field]);
      expect(details[0]?.message).toMatch(/never takes a secret/);
      expect(JSON.stringify(details)).not.toContain("s3cret");
    }
  });
});

describe("validateStartRequest: per-job settings", () => {
  const all = {
    instanceCount: 4,
    miniBatchSize: 20,
    maxConcurrencyPerInstance: 2,
    outputFileName: "scores.csv",
    errorThreshold: -1,
    loggingLevel: "Debug",
    maxRetries: 5,
    retryTimeoutSeconds: 300,
  };
  const folderOut = { output: { uri: "azureml://datastores/ds/paths/scores/" } };

  it("camelCase `settings` and the seed's snake_case parameters (ADF strings) normalise alike", () => {
    const camel = ok({ ...camelBody, ...folderOut, settings: all }).request;
    expect(camel.settings).toEqual(all);
    const seed = ok({
      ...seedBody,
      endpoint_output_uri: "azureml://datastores/ds/paths/scores/",
      instance_count: "4",
      mini_batch_size: "20",
      max_concurrency_per_instance: "2",
      output_file_name: "scores.csv",
      error_threshold: "-1",
      logging_level: "debug",
      max_retries: "5",
      retry_timeout: "300",
    }).request;
    expect(seed.settings).toEqual(all);
    expect(ok({ ...seedBody, instance_count: "", mini_batch_size: "" }).request.settings).toEqual({});
  });

  it.each([
    ["instanceCount", 0, /from 1 to 2147483647, got 0/],
    ["instanceCount", 1.5, /got 1\.5/],
    ["miniBatchSize", "ten", /got "ten"/],
    ["maxConcurrencyPerInstance", 0, /got 0/],
    ["errorThreshold", -2, /from -1 \(ignore failed items\)/],
    ["maxRetries", -1, /from 0/],
    ["retryTimeoutSeconds", 0, /seconds from 1/],
    ["loggingLevel", "Verbose", /one of Info, Warning, Debug/],
    ["outputFileName", "out/scores.csv", /plain file name/],
    ["outputFileName", "..", /plain file name/],
    ["outputFileName", "a\u0001b", /plain file name/],
  ])("settings.%s = %j is a 400 naming it", (name, value, message) => {
    expect(problem({ ...camelBody, ...folderOut, settings: { [name]: value } }, `settings.${name}`)).toMatch(message);
  });

  it("a bad seed setting names the seed parameter; an unknown setting is suggested", () => {
    expect(problem({ ...seedBody, instance_count: "many" }, "instance_count")).toMatch(/got "many"/);
    expect(problem({ ...camelBody, settings: { instanceCnt: 2 } }, "settings.instanceCnt")).toBe("is not a known field; did you mean 'instanceCount'?");
    expect(problem({ ...camelBody, settings: 4 }, "settings")).toMatch(/must be an object of job settings/);
  });

  it("outputFileName with only a file output is refused (the file output names the file)", () => {
    expect(problem({ ...camelBody, settings: { outputFileName: "x.csv" } }, "settings.outputFileName")).toMatch(/folder output/);
    expect(problem({ ...seedBody, output_file_name: "x.csv" }, "output_file_name")).toMatch(/endpoint_output_uri names a file/);
    expect(ok({ ...camelBody, output: undefined, settings: { outputFileName: "x.csv" } }).request.settings).toEqual({ outputFileName: "x.csv" });
  });

  it("display name, description and experiment name are kept; each is checked", () => {
    const r = ok({ ...camelBody, displayName: "Nightly scoring", description: "All customers\nby region", experimentName: "batch-2026_q4" }).request;
    expect(r).toMatchObject({ displayName: "Nightly scoring", description: "All customers\nby region", experimentName: "batch-2026_q4" });
    expect(problem({ ...camelBody, displayName: "x".repeat(257) }, "displayName")).toMatch(/at most 256/);
    expect(problem({ ...camelBody, description: "a\u0000b" }, "description")).toMatch(/control characters/);
    expect(problem({ ...camelBody, experimentName: "-bad" }, "experimentName")).toMatch(/experiment name/);
  });

  it("the settings are part of the request, so they change its fingerprint", () => {
    const a = ok({ ...camelBody, ...folderOut, settings: { instanceCount: 2 } }).request;
    const b = ok({ ...camelBody, ...folderOut, settings: { instanceCount: "2" } }).request;
    const c = ok({ ...camelBody, ...folderOut, settings: { instanceCount: 3 } }).request;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});

describe("validateStartRequest: folder and several outputs, input modes", () => {
  it("a URI ending in '/' is a folder output; type uri_folder adds the '/'", () => {
    expect(ok({ ...camelBody, output: { uri: "azureml://datastores/ds/paths/scores/" } }).request.outputs).toEqual({
      score: { type: "uri_folder", uri: "azureml://datastores/ds/paths/scores/" },
    });
    expect(ok({ ...camelBody, output: { type: "uri_folder", uri: "azureml://datastores/ds/paths/scores" } }).request.outputs.score).toEqual({
      type: "uri_folder",
      uri: "azureml://datastores/ds/paths/scores/",
    });
    expect(ok({ ...seedBody, endpoint_output_uri: "azureml://datastores/ds/paths/scores/" }).request.outputs.score?.type).toBe("uri_folder");
    expect(problem({ ...camelBody, output: { type: "uri_file", uri: "azureml://datastores/ds/paths/scores/" } }, "output.uri")).toMatch(/set type uri_folder/);
  });

  it("several named outputs, in name order; not together with output", () => {
    const r = ok({
      ...camelBody,
      output: undefined,
      outputs: { scores: { uri: "azureml://datastores/ds/paths/s/" }, metrics: { type: "uri_file", uri: "azureml://datastores/ds/paths/m.json" } },
    }).request;
    expect(Object.keys(r.outputs)).toEqual(["metrics", "scores"]);
    expect(r.outputs.scores).toEqual({ type: "uri_folder", uri: "azureml://datastores/ds/paths/s/" });
    expect(problem({ ...camelBody, outputs: { a: { uri: OUTPUT } } }, "outputs")).toMatch(/not both/);
    expect(problem({ ...camelBody, output: undefined, outputs: {} }, "outputs")).toMatch(/at least one/);
    expect(problem({ ...camelBody, output: undefined, outputs: { "bad-name": { uri: OUTPUT } } }, "outputs.bad-name")).toMatch(/identifier/);
    expect(problem({ ...camelBody, output: undefined, outputs: { a: { uri: OUTPUT, mode: "upload" } } }, "outputs.a.mode")).toMatch(/not a known field/);
  });

  it("an input's mode: ReadOnlyMount, Download or Direct in any case; never on a literal", () => {
    const r = ok({ ...camelBody, inputs: { input_data: { type: "uri_folder", uri: INPUT, mode: "download" } } }).request;
    expect(r.inputs.input_data).toEqual({ type: "uri_folder", uri: INPUT, mode: "Download" });
    expect(problem({ ...camelBody, inputs: { input_data: { type: "uri_folder", uri: INPUT, mode: "ReadWriteMount" } } }, "inputs.input_data.mode")).toMatch(
      /one of ReadOnlyMount, Download, Direct/,
    );
    expect(problem({ ...camelBody, inputs: { x: { type: "literal", value: "1", mode: "Direct" } } }, "inputs.x.mode")).toMatch(/literal/);
  });
});

describe("validateStartRequest: overrides Azure ML does not document", () => {
  it("maxConcurrencyPerInstance, loggingLevel, description and input modes are sent with one warning naming them", () => {
    const body = {
      ...camelBody,
      inputs: { input_data: { type: "uri_folder", uri: INPUT, mode: "Direct" } },
      settings: { maxConcurrencyPerInstance: 2, loggingLevel: "Debug", instanceCount: 2 },
      description: "d",
    };
    const result = validateStartRequest(body, config);
    expect(result).toMatchObject({ ok: true, warnings: [{ code: "OverrideNotDocumented" }] });
    if (result.ok) {
      expect(result.warnings[0]!.message).toMatch(/^settings\.maxConcurrencyPerInstance, settings\.loggingLevel, description, inputs\.input_data\.mode: sent/);
    }
    expect(validateStartRequest({ ...camelBody, settings: { instanceCount: 2, miniBatchSize: 4 } }, config)).toMatchObject({ ok: true, warnings: [] });
  });
});

describe("completion callbacks in the start body", () => {
  const config = {
    allowedHosts: ["*.inference.ml.azure.com"],
    allowLoopback: false,
    defaultPollSeconds: 120,
    webhookSecretNames: ["SCORING_WEBHOOK_SECRET_A"],
  };
  const camelBody = {
    endpointUri: "https://ep.westeurope.inference.ml.azure.com/jobs",
    inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/ws/paths/in/" } },
  };
  const cb = "https://dpwesteurope.svc.datafactory.azure.com/workflow/callback/1?callbackUrl=x";

  it("camelCase: callBackUri and notify normalise to request.notify", () => {
    const v = validateStartRequest(
      {
        ...camelBody,
        callBackUri: cb,
        notify: {
          webhook: { url: "https://a.datafactory.azure.com/h", secretSetting: "SCORING_WEBHOOK_SECRET_A" },
          eventGridTopic: "https://t.westeurope-1.eventgrid.azure.net/api/events",
        },
      },
      config,
    );
    expect(v.ok && v.request.notify).toEqual({
      callBackUri: cb,
      webhook: { url: "https://a.datafactory.azure.com/h", secretSetting: "SCORING_WEBHOOK_SECRET_A" },
      eventGridTopic: "https://t.westeurope-1.eventgrid.azure.net/api/events",
    });
  });

  it("the seed form takes callBackUri (the WebHook activity adds it to the seed parameters)", () => {
    const v = validateStartRequest({ endpoint_uri: camelBody.endpointUri, endpoint_input_uri: "azureml://datastores/ws/paths/in/", callBackUri: cb }, config);
    expect(v.ok && v.request.notify).toEqual({ callBackUri: cb, webhook: null, eventGridTopic: null });
  });

  it("without them, the request has no notify (so it fingerprints as before)", () => {
    const v = validateStartRequest({ ...camelBody, callBackUri: "", notify: null }, config);
    expect(v.ok && "notify" in v.request).toBe(false);
  });

  it("bad targets are refused, each naming its field", () => {
    const v = validateStartRequest(
      {
        ...camelBody,
        callBackUri: "https://evil.example.com/x",
        notify: { webhook: { url: cb, secretSetting: "AZURE_CLIENT_ID" }, eventGridTopic: "http://t.eventgrid.azure.net/api/events" },
      },
      config,
    );
    expect(v.ok ? [] : v.details.map((d) => d.field).sort()).toEqual(["callBackUri", "notify.eventGridTopic", "notify.webhook.secretSetting"]);
  });
});
