import { describe, expect, it } from "vitest";
import { BatchEndpointError } from "../../../src/batch/errors";
import type {
  BatchDeploymentInfo,
  BatchEndpointInfo,
  ComponentVersionInfo,
  DataVersionInfo,
  EndpointReadClient,
  JobInput,
  WorkspaceDataClient,
} from "../../../src/batch/types";
import {
  checkDeployment,
  type DeploymentCheckRequest,
  judgeDeployment,
  modelDeploymentFindings,
  pipelineComponentFindings,
  sameScoringUri,
} from "../../../src/preflight/checkDeployment";
import { runPreflight } from "../../../src/preflight/checks";

const WS = "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1";
const URI = "https://ep-1.westeurope.inference.ml.azure.com/jobs";
const COMPONENT = `${WS}/components/batch_scoring/versions/2`;
const folder = (path = "in/"): JobInput => ({ type: "uri_folder", uri: `azureml://datastores/ds/paths/${path}` });
const literal = (value = "0.7"): JobInput => ({ type: "literal", value });
const out = (name = "score", type: "uri_file" | "uri_folder" = "uri_file") => ({ name, type, uri: `azureml://datastores/ds/paths/out/${name}.csv` });

function request(over: Partial<DeploymentCheckRequest> = {}): DeploymentCheckRequest {
  return {
    endpointUri: URI,
    deployment: null,
    inputs: { input_data: folder() },
    outputs: [out()],
    experimentName: null,
    displayName: null,
    workspace: WS,
    ...over,
  };
}

const settings = {
  compute: null,
  instanceCount: null,
  miniBatchSize: null,
  maxConcurrencyPerInstance: null,
  errorThreshold: null,
  loggingLevel: null,
  outputAction: null,
  outputFileName: null,
  maxRetries: null,
  retryTimeout: null,
};
const model = (name = "blue"): BatchDeploymentInfo => ({ name, kind: "model", componentId: null, settings, pipelineSettings: {} });
const pipeline = (name = "pipe", componentId: string | null = COMPONENT): BatchDeploymentInfo => ({
  name,
  kind: "pipelineComponent",
  componentId,
  settings,
  pipelineSettings: {},
});
const component: ComponentVersionInfo = {
  name: "batch_scoring",
  version: "2",
  inputs: {
    input_data: { type: "uri_folder", optional: false, hasDefault: false },
    threshold: { type: "number", optional: false, hasDefault: true },
    mode: { type: "string", optional: true, hasDefault: false },
  },
  outputs: { scores: { type: "uri_folder", optional: false, hasDefault: false }, summary: { type: "uri_file", optional: false, hasDefault: false } },
};

/** Fake reads: each answer a value, or an error to throw; calls recorded. */
function fakes(
  answers: {
    endpoint?: Partial<BatchEndpointInfo> | Error;
    deployments?: Record<string, BatchDeploymentInfo | Error>;
    component?: ComponentVersionInfo | Error;
    dataTypes?: Record<string, string>;
  } = {},
) {
  const calls: string[] = [];
  const give = <T>(a: T | Error): T => {
    if (a instanceof Error) throw a;
    return a;
  };
  const endpoints: EndpointReadClient = {
    async getBatchEndpoint(workspace, name) {
      calls.push(`endpoint ${name}`);
      expect(workspace).toBe(WS);
      const e = answers.endpoint ?? {};
      return give(e instanceof Error ? e : { name, scoringUri: URI, defaultDeployment: "blue", ...e });
    },
    async getBatchDeployment(_ws, _ep, name) {
      calls.push(`deployment ${name}`);
      const d = answers.deployments?.[name] ?? new BatchEndpointError("ResourceNotFound", "nope", { httpStatus: 404 });
      return give(d);
    },
    async getComponentVersion(id) {
      calls.push(`component ${id.split("/").slice(-3).join("/")}`);
      return give(answers.component ?? component);
    },
  };
  const client: WorkspaceDataClient = {
    async getDatastore() {
      throw new Error("not used");
    },
    async getDataVersion(_ws, name, version): Promise<DataVersionInfo> {
      calls.push(`data ${name}`);
      const dataType = answers.dataTypes?.[name];
      if (!dataType) throw new BatchEndpointError("NotFound", "no such data", { httpStatus: 404 });
      return { name, version: version ?? "1", dataType, dataUri: "azureml://datastores/ds/paths/x/" };
    },
  };
  return { deps: { endpoints, client }, calls };
}

describe("model deployment rules (pure)", () => {
  const findings = (over: Partial<DeploymentCheckRequest>, dataTypes: Record<string, string | null> = {}) =>
    modelDeploymentFindings(request(over), "blue", dataTypes);

  it("one data input, one output: nothing to say", () => {
    expect(findings({})).toEqual({ problems: [], warnings: [], notJudged: null });
  });

  it("two data inputs: `inputs` names the count and the names", () => {
    expect(findings({ inputs: { a: folder(), b: folder() } }).problems).toEqual([
      { field: "inputs", message: "a model deployment takes exactly one data input, got 2 (a, b)" },
    ]);
  });

  it("no data input at all, and a literal: both said, the literal by its name", () => {
    expect(findings({ inputs: { threshold: literal() } }).problems).toEqual([
      { field: "inputs", message: "a model deployment takes exactly one data input, got 0 (none)" },
      { field: "inputs.threshold", message: "is a literal; model deployments take no literal inputs" },
    ]);
  });

  it("two outputs, an experiment name and an MLTable data asset: each refused; a display name only warns", () => {
    const f = findings(
      { inputs: { tbl: { type: "uri_folder", uri: "azureml:tbl:1" } }, outputs: [out("a"), out("b")], experimentName: "nightly", displayName: "Nightly" },
      { tbl: "mltable" },
    );
    expect(f.problems.map((p) => p.field)).toEqual(["inputs.tbl", "outputs", "experimentName"]);
    expect(f.problems[0]!.message).toMatch(/MLTable/);
    expect(f.problems[1]!.message).toBe("a model deployment produces one output, got 2 (a, b)");
    expect(f.problems[2]!.message).toMatch(/only on pipeline-component deployments; blue is a model deployment/);
    expect(f.warnings).toEqual([{ field: "displayName", code: "DisplayNameNotKept", message: expect.stringMatching(/do not keep invoke tags/) }]);
  });

  it("no output named (the deployment's default location) is fine", () => {
    expect(findings({ outputs: [] }).problems).toEqual([]);
  });
});

describe("pipeline-component rules (pure)", () => {
  const findings = (over: Partial<DeploymentCheckRequest>, c: ComponentVersionInfo = component) => pipelineComponentFindings(request(over), c);

  it("declared names, required input given, kinds matching: nothing to say", () => {
    expect(findings({ inputs: { input_data: folder(), threshold: literal() }, outputs: [out("scores", "uri_folder"), out("summary")] })).toEqual({
      problems: [],
      warnings: [],
      notJudged: null,
    });
  });

  it("an undeclared input and output are named, with what the component declares", () => {
    const f = findings({ inputs: { input_data: folder(), extra: folder() }, outputs: [out("score")] });
    expect(f.problems).toEqual([
      { field: "inputs.extra", message: 'component batch_scoring:2 declares no input "extra" (it declares: input_data, threshold, mode)' },
      { field: "outputs.score", message: 'component batch_scoring:2 declares no output "score" (it declares: scores, summary)' },
    ]);
  });

  it("a required input missing; an optional one or one with a default may be left out", () => {
    expect(findings({ inputs: { threshold: literal() }, outputs: [] }).problems).toEqual([
      { field: "inputs.input_data", message: "component batch_scoring:2 requires this input (not optional, no default); the request does not give it" },
    ]);
  });

  it("a literal where data is declared, and data where a literal is declared", () => {
    const f = findings({ inputs: { input_data: literal(), threshold: folder() }, outputs: [] });
    expect(f.problems).toEqual([
      { field: "inputs.input_data", message: "component batch_scoring:2 declares it as uri_folder, the request gives a literal" },
      { field: "inputs.threshold", message: "component batch_scoring:2 declares it as number, the request gives data" },
    ]);
  });

  it("a type it does not know is not judged", () => {
    const odd = { ...component, inputs: { ...component.inputs, input_data: { type: "spark_thing", optional: false, hasDefault: false } } };
    expect(findings({ inputs: { input_data: literal() }, outputs: [] }, odd).problems).toEqual([]);
  });

  it("a spec listing neither inputs nor outputs judges no names; listing one, the other is noted", () => {
    expect(findings({ inputs: { anything: folder() } }, { ...component, inputs: null, outputs: null })).toMatchObject({
      problems: [],
      notJudged: expect.stringMatching(/lists no inputs or outputs/),
    });
    const noOutputs = findings({ outputs: [out("whatever")] }, { ...component, outputs: null });
    expect(noOutputs).toMatchObject({ problems: [], notJudged: null, note: "its outputs were not compared: component batch_scoring:2 lists none" });
  });
});

describe("sameScoringUri", () => {
  it("ignores case and a trailing slash, nothing else", () => {
    expect(sameScoringUri("https://EP-1.westeurope.inference.ml.azure.com/jobs/", URI)).toBe(true);
    expect(sameScoringUri("https://ep-1.northeurope.inference.ml.azure.com/jobs", URI)).toBe(false);
  });
});

describe("judgeDeployment (fake reads)", () => {
  it("model deployment, default deployment: reads endpoint then deployment, and passes", async () => {
    const { deps, calls } = fakes({ deployments: { blue: model() } });
    const verdict = await judgeDeployment(request(), deps);
    expect(calls).toEqual(["endpoint ep-1", "deployment blue"]);
    expect(verdict).toEqual({
      check: { target: "deployment", uri: URI, blobUrl: null, result: "passed", code: null, message: "Model deployment blue takes these inputs and outputs." },
      problems: [],
    });
  });

  it("two inputs on a model deployment fail DeploymentMismatch, the message naming the field", async () => {
    const { deps } = fakes({ deployments: { blue: model() } });
    const verdict = await judgeDeployment(request({ inputs: { a: folder(), b: folder() } }), deps);
    expect(verdict.check).toMatchObject({ result: "failed", code: "DeploymentMismatch" });
    expect(verdict.check.message).toBe(
      "Model deployment blue does not take this request: inputs: a model deployment takes exactly one data input, got 2 (a, b).",
    );
    expect(verdict.problems).toEqual([{ field: "inputs", message: "a model deployment takes exactly one data input, got 2 (a, b)" }]);
  });

  it("a display name on a model deployment is a warning", async () => {
    const { deps } = fakes({ deployments: { blue: model() } });
    expect((await judgeDeployment(request({ displayName: "Nightly" }), deps)).check).toMatchObject({ result: "warning", code: "DisplayNameNotKept" });
  });

  it("no default deployment and none named: NoDefaultDeployment, saying what to do; the deployment is not read", async () => {
    const { deps, calls } = fakes({ endpoint: { defaultDeployment: null } });
    const verdict = await judgeDeployment(request(), deps);
    expect(calls).toEqual(["endpoint ep-1"]);
    expect(verdict.check).toMatchObject({ result: "failed", code: "NoDefaultDeployment" });
    expect(verdict.check.message).toMatch(
      /has no default deployment and the request names none: Azure ML refuses such an invoke before any job\. Set deployment/,
    );
    expect(verdict.problems.map((p) => p.field)).toEqual(["deployment"]);
  });

  it("a named deployment is read even without a default", async () => {
    const { deps, calls } = fakes({ endpoint: { defaultDeployment: null }, deployments: { green: model("green") } });
    expect((await judgeDeployment(request({ deployment: "green" }), deps)).check.result).toBe("passed");
    expect(calls).toEqual(["endpoint ep-1", "deployment green"]);
  });

  it("pipeline-component deployment: reads the component; undeclared names fail", async () => {
    const { deps, calls } = fakes({ deployments: { pipe: pipeline() } });
    const verdict = await judgeDeployment(request({ deployment: "pipe", outputs: [out("scores", "uri_folder"), out("extra")] }), deps);
    expect(calls).toEqual(["endpoint ep-1", "deployment pipe", "component batch_scoring/versions/2"]);
    expect(verdict.check).toMatchObject({ result: "failed", code: "DeploymentMismatch" });
    expect(verdict.problems.map((p) => p.field)).toEqual(["outputs.extra"]);
    expect(verdict.check.message).toMatch(/^Pipeline-component deployment pipe does not take this request: outputs\.extra: /);
  });

  it("pipeline-component deployment with an experiment name, a literal and a display name: passes", async () => {
    const { deps } = fakes({ deployments: { pipe: pipeline() } });
    const verdict = await judgeDeployment(
      request({ deployment: "pipe", inputs: { input_data: folder(), threshold: literal() }, outputs: [], experimentName: "x", displayName: "y" }),
      deps,
    );
    expect(verdict.check.result).toBe("passed");
  });

  it("an MLTable data asset: refused on a model deployment, not judged on a pipeline component", async () => {
    const tbl = { tbl: { type: "uri_folder" as const, uri: `${WS}/data/tbl/versions/3` } };
    const onModel = fakes({ deployments: { blue: model() }, dataTypes: { tbl: "mltable" } });
    const refused = await judgeDeployment(request({ inputs: tbl }), onModel.deps);
    expect(refused.problems).toEqual([{ field: "inputs.tbl", message: "is an MLTable data asset; model deployments do not support MLTable inputs" }]);
    expect(onModel.calls).toContain("data tbl");
    const open = { ...component, inputs: { tbl: { type: "mltable", optional: false, hasDefault: false } } };
    const onPipeline = fakes({ deployments: { pipe: pipeline() }, component: open, dataTypes: { tbl: "mltable" } });
    expect((await judgeDeployment(request({ deployment: "pipe", inputs: tbl, outputs: [] }), onPipeline.deps)).check.result).toBe("passed");
  });

  it.each([
    ["403", new BatchEndpointError("AuthorizationFailed", "denied", { httpStatus: 403 }), /may not read batch endpoint ep-1 .*HTTP 403.*batchEndpoints\/read/],
    ["401", new BatchEndpointError("AuthorizationFailed", "denied", { httpStatus: 401 }), /HTTP 401/],
    ["404", new BatchEndpointError("ResourceNotFound", "nope", { httpStatus: 404 }), /batch endpoint ep-1 was not found in workspace ws-1/],
    ["a failure", new BatchEndpointError("ServiceUnavailable", "HTTP 503 down", { httpStatus: 503 }), /reading batch endpoint ep-1 failed: HTTP 503 down/],
  ])("an endpoint read that fails (%s) is skipped with the reason", async (_what, err, reason) => {
    const { deps } = fakes({ endpoint: err });
    const verdict = await judgeDeployment(request({ inputs: { a: folder(), b: folder() } }), deps);
    expect(verdict.check).toMatchObject({ result: "skipped", code: null, message: expect.stringMatching(reason) });
    expect(verdict.problems).toEqual([]);
  });

  it("a deployment or component read that fails is skipped too", async () => {
    const denied = new BatchEndpointError("AuthorizationFailed", "denied", { httpStatus: 403 });
    const noDeployment = fakes({});
    expect((await judgeDeployment(request({ deployment: "gone" }), noDeployment.deps)).check).toMatchObject({
      result: "skipped",
      message: expect.stringContaining("deployment gone of batch endpoint ep-1 was not found"),
    });
    const noComponent = fakes({ deployments: { pipe: pipeline() }, component: denied });
    expect((await judgeDeployment(request({ deployment: "pipe" }), noComponent.deps)).check).toMatchObject({
      result: "skipped",
      message: expect.stringMatching(/may not read the component of deployment pipe .*HTTP 403.*components\/read/),
    });
  });

  it("an endpoint whose scoring URI is another: skipped, nothing judged (the name may be another endpoint's)", async () => {
    const { deps, calls } = fakes({ endpoint: { scoringUri: "https://ep-1.northeurope.inference.ml.azure.com/jobs" }, deployments: { blue: model() } });
    const verdict = await judgeDeployment(request({ inputs: { a: folder(), b: folder() } }), deps);
    expect(verdict.check).toMatchObject({
      result: "skipped",
      message: expect.stringMatching(/scores at https:\/\/ep-1\.northeurope.*not at the request's endpoint URI/),
    });
    expect(calls).toEqual(["endpoint ep-1"]);
    // The same URI in another case, with a trailing slash, is the same endpoint.
    const same = fakes({ endpoint: { scoringUri: `${URI.toUpperCase()}/` }, deployments: { blue: model() } });
    expect((await judgeDeployment(request(), same.deps)).check.result).toBe("passed");
  });

  it("no workspace, or a URI that names no endpoint: skipped without any read", async () => {
    const { deps, calls } = fakes();
    expect((await judgeDeployment(request({ workspace: null }), deps)).check).toMatchObject({
      result: "skipped",
      message: expect.stringContaining("no workspace"),
    });
    expect((await judgeDeployment(request({ endpointUri: "https://intranet/jobs" }), deps)).check.result).toBe("skipped");
    expect(calls).toEqual([]);
  });

  it("a deployment of unknown kind, or a pipeline deployment naming no component: skipped", async () => {
    const odd = fakes({ deployments: { blue: { ...model(), kind: "unknown" }, pipe: pipeline("pipe", null) } });
    expect((await judgeDeployment(request(), odd.deps)).check.result).toBe("skipped");
    expect((await judgeDeployment(request({ deployment: "pipe" }), odd.deps)).check).toMatchObject({
      result: "skipped",
      message: expect.stringContaining("names no component"),
    });
  });

  it("checkDeployment gives the check alone", async () => {
    const { deps } = fakes({ deployments: { blue: model() } });
    expect(await checkDeployment(request(), deps)).toMatchObject({ target: "deployment", result: "passed" });
  });
});

describe("runPreflight with the deployment check", () => {
  const blobs = {} as never; // literal inputs and no outputs: no blob is read
  const base = { inputs: { threshold: literal() }, outputs: [], workspace: WS };

  it("runs it when the request names its endpoint and the deps can read it", async () => {
    const { deps } = fakes({ deployments: { blue: model() } });
    const report = await runPreflight(
      { ...base, mode: "strict", endpoint: { uri: URI, deployment: null, experimentName: null, displayName: null } },
      { client: deps.client, endpoints: deps.endpoints, blobs, allowLoopback: false },
    );
    expect(report.checks).toEqual([expect.objectContaining({ target: "deployment", result: "failed", code: "DeploymentMismatch" })]);
  });

  it("not without an endpoint in the request, nor without endpoint reads, nor when off", async () => {
    const { deps, calls } = fakes({ deployments: { blue: model() } });
    const endpoint = { uri: URI, deployment: null, experimentName: null, displayName: null };
    expect((await runPreflight({ ...base, mode: "strict" }, { client: deps.client, endpoints: deps.endpoints, blobs, allowLoopback: false })).checks).toEqual(
      [],
    );
    expect((await runPreflight({ ...base, mode: "strict", endpoint }, { client: deps.client, blobs, allowLoopback: false })).checks).toEqual([]);
    expect(
      (await runPreflight({ ...base, mode: "off", endpoint }, { client: deps.client, endpoints: deps.endpoints, blobs, allowLoopback: false })).checks,
    ).toEqual([]);
    expect(calls).toEqual([]);
  });

  it("a read that throws something unexpected is the check's `skipped`, never the report's loss", async () => {
    const { deps } = fakes({ endpoint: new Error("boom") });
    const report = await runPreflight(
      { ...base, mode: "warn", endpoint: { uri: URI, deployment: null, experimentName: null, displayName: null } },
      { client: deps.client, endpoints: deps.endpoints, blobs, allowLoopback: false },
    );
    expect(report.checks).toEqual([expect.objectContaining({ target: "deployment", result: "skipped", message: expect.stringContaining("boom") })]);
  });
});
