import { afterEach, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../../../src/config";
import { type DeploymentCheck, deploymentFieldNamer, refuseMismatchedDeployment } from "../../../src/http/deploymentAtStart";
import { type OutputCheck, outputCheckBudgetMs } from "../../../src/http/outputAtStart";
import { startScoringRun } from "../../../src/http/startRun";
import type { DeploymentProblem, DeploymentVerdict } from "../../../src/preflight/checkDeployment";
import type { PreflightCheck } from "../../../src/runs/preflightReport";
import { fakeRuns } from "../../fixtures/runsClient";
import { scoringRequest } from "../../fixtures/scoringRequest";
import { apiRequest, detailFields } from "./apiRequest";

const WS = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws";
const request = scoringRequest({ preflight: "strict", workspace: WS });

function verdict(result: PreflightCheck["result"], code: string | null, problems: DeploymentProblem[] = []): DeploymentVerdict {
  return { check: { target: "deployment", uri: request.endpointUri, blobUrl: null, result, code, message: `${code ?? result}` }, problems };
}
const mismatch = verdict("failed", "DeploymentMismatch", [
  { field: "inputs", message: "a model deployment takes exactly one data input, got 2 (a, b)" },
  { field: "inputs.t", message: "is a literal; model deployments take no literal inputs" },
  { field: "experimentName", message: "job properties … only on pipeline-component deployments" },
]);

/** A deployment check answering `answer`, recording what it was asked. */
function checking(answer: () => Promise<DeploymentVerdict>) {
  const asked: unknown[] = [];
  const fn: DeploymentCheck = (req) => {
    asked.push(req);
    return answer();
  };
  return { fn, asked };
}

describe("refuseMismatchedDeployment", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a mismatch is a 400 InvalidRequest, one detail per field as the caller wrote it, each with the code", async () => {
    const { fn, asked } = checking(async () => mismatch);
    const response = await refuseMismatchedDeployment(request, (f) => f, fn);
    expect(response).toMatchObject({ status: 400, body: { error: { code: "InvalidRequest" } } });
    expect((response!.body as any).error.details).toEqual([
      { field: "inputs", message: "DeploymentMismatch: a model deployment takes exactly one data input, got 2 (a, b)" },
      { field: "inputs.t", message: "DeploymentMismatch: is a literal; model deployments take no literal inputs" },
      { field: "experimentName", message: "DeploymentMismatch: job properties … only on pipeline-component deployments" },
    ]);
    expect(asked).toEqual([
      {
        endpointUri: request.endpointUri,
        deployment: request.deployment,
        inputs: request.inputs,
        outputs: [{ name: "score", ...request.outputs.score! }],
        experimentName: null,
        displayName: null,
        workspace: WS,
      },
    ]);
  });

  it("problems that land on one field (the seed form) are one detail", async () => {
    const response = await refuseMismatchedDeployment(request, deploymentFieldNamer({ endpoint_uri: "x" }), checking(async () => mismatch).fn);
    expect(detailFields(response!.body)).toEqual(["endpoint_input_uri", "experimentName"]);
    expect((response!.body as any).error.details[0].message).toMatch(/^DeploymentMismatch: a model deployment .*; is a literal/);
  });

  it("no default deployment is a 400 naming `deployment`", async () => {
    const none = verdict("failed", "NoDefaultDeployment", [{ field: "deployment", message: "batch endpoint ep has no default deployment …" }]);
    const response = await refuseMismatchedDeployment(request, (f) => f, checking(async () => none).fn);
    expect((response!.body as any).error.details).toEqual([
      { field: "deployment", message: "NoDefaultDeployment: batch endpoint ep has no default deployment …" },
    ]);
  });

  it.each([
    ["passed", verdict("passed", null)],
    ["skipped", verdict("skipped", null)],
    ["a warning", verdict("warning", "DisplayNameNotKept")],
    ["a failure of another code", verdict("failed", "Other", [{ field: "x", message: "y" }])],
  ])("%s starts the run", async (_what, answer) => {
    expect(await refuseMismatchedDeployment(request, (f) => f, checking(async () => answer).fn)).toBeNull();
  });

  it("a check that throws lets the run start (its own pre-flight looks again)", async () => {
    expect(await refuseMismatchedDeployment(request, (f) => f, checking(async () => Promise.reject(new Error("boom"))).fn)).toBeNull();
  });

  it("a check slower than the budget lets the run start at the budget", async () => {
    vi.useFakeTimers();
    let settled: unknown = "pending";
    const slow = checking(() => new Promise<DeploymentVerdict>((resolve) => setTimeout(() => resolve(mismatch), outputCheckBudgetMs + 1000)));
    const answer = refuseMismatchedDeployment(request, (f) => f, slow.fn).then((r) => (settled = r));
    await vi.advanceTimersByTimeAsync(outputCheckBudgetMs - 1);
    expect(settled).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    await answer;
    expect(settled).toBeNull();
  });

  it("not in warn or off mode (the check is not even asked)", async () => {
    for (const preflight of ["warn", "off"] as const) {
      const { fn, asked } = checking(async () => mismatch);
      expect(await refuseMismatchedDeployment({ ...request, preflight }, (f) => f, fn)).toBeNull();
      expect(asked).toEqual([]);
    }
  });
});

describe("deploymentFieldNamer", () => {
  it("seed form: the endpoint decides the deployment; one input; one output", () => {
    const name = deploymentFieldNamer({ endpoint_uri: "https://x/jobs", endpoint_input_uri: "in" });
    expect(["deployment", "inputs", "inputs.input_data", "outputs", "outputs.score"].map(name)).toEqual([
      "endpoint_uri",
      "endpoint_input_uri",
      "endpoint_input_uri",
      "endpoint_output_uri",
      "endpoint_output_uri",
    ]);
  });

  it("camelCase with `output`: outputs are `output`; with `outputs`: by name", () => {
    expect(["outputs", "outputs.score", "inputs.a", "deployment", "experimentName"].map(deploymentFieldNamer({ output: {} }))).toEqual([
      "output",
      "output",
      "inputs.a",
      "deployment",
      "experimentName",
    ]);
    expect(["outputs", "outputs.extra"].map(deploymentFieldNamer({ outputs: { extra: {} } }))).toEqual(["outputs", "outputs.extra"]);
  });
});

describe("startScoringRun with the deployment check", () => {
  const config = parseConfig({});
  const ENDPOINT = "https://heart-ep.westeurope.inference.ml.azure.com/jobs";
  const INPUT = "azureml://datastores/workspaceblobstore/paths/heart/input/";
  const OUTPUT = "azureml://datastores/workspaceblobstore/paths/heart/out/predictions.csv";
  const camel = { endpointUri: ENDPOINT, inputs: { a: { type: "uri_folder", uri: INPUT }, b: { type: "uri_folder", uri: INPUT } }, output: { uri: OUTPUT } };
  const post = (body: unknown) => apiRequest({ method: "POST", url: "/api/scoring-runs", headers: { "content-type": "application/json" }, body });
  const passing: OutputCheck = async (output) => ({ target: "output", uri: output.uri, blobUrl: null, result: "passed", code: null, message: "free" });
  const taken: OutputCheck = async (output) => ({
    target: "output",
    uri: output.uri,
    blobUrl: null,
    result: "failed",
    code: "OutputAlreadyExists",
    message: "taken",
  });
  const twoInputs = verdict("failed", "DeploymentMismatch", [{ field: "inputs", message: "a model deployment takes exactly one data input, got 2 (a, b)" }]);

  it("a mismatch is a 400 naming the field; nothing starts", async () => {
    const runs = fakeRuns();
    const response = await startScoringRun(post(camel), runs, config, passing, checking(async () => twoInputs).fn);
    expect(response.status).toBe(400);
    expect(detailFields(response.body)).toEqual(["inputs"]);
    expect(runs.calls.starts).toEqual([]);
  });

  it("a taken output (409) is answered before a deployment mismatch", async () => {
    const runs = fakeRuns();
    const response = await startScoringRun(post(camel), runs, config, taken, checking(async () => twoInputs).fn);
    expect(response).toMatchObject({ status: 409, body: { error: { code: "OutputAlreadyExists" } } });
    expect(runs.calls.starts).toEqual([]);
  });

  it("a passing or skipped check starts the run", async () => {
    const runs = fakeRuns();
    expect((await startScoringRun(post(camel), runs, config, passing, checking(async () => verdict("skipped", null)).fn)).status).toBe(202);
    expect(runs.calls.starts).toHaveLength(1);
  });
});
