/**
 * The deployment check through the dev host against the batch emulator's BatchEndpoints,
 * BatchDeployments and ComponentVersions reads: a request the deployment cannot take is a 400 at
 * start when the check answers in time, and fails the run before any job when it does not; an
 * endpoint without a default deployment, called without one, fails before any job and says so;
 * a read the app may not make is `skipped` and the run goes on.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { declaredPipelineDeployment } from "../../dev/stack";
import { runDirect, runToEnd, type Stack, useStack } from "./stack";

const ds = (path: string) => `azureml://datastores/workspaceblobstore/paths/${path}`;
const INPUT = ds("scoring/input/");
const deploymentCheck = (view: any) => view.preflight.checks.find((c: any) => c.target === "deployment");
const fields = (res: { body: any }) => (res.body.error.details as Array<{ field: string }>).map((d) => d.field);

/** Starts through the HTTP API, as a caller does; returns the response. */
const start = (stack: Stack, body: Record<string, unknown>) => stack.api("/api/scoring-runs", { json: stack.startBody(body) });

/** Through the HTTP API, the stack's start body with `body` over it. */
const startAndEnd = (stack: Stack, body: Record<string, unknown>) => runToEnd(stack, stack.startBody(body));
/** Without the route's quick look. */
const startDirect = (stack: Stack, body: Record<string, unknown>) => runDirect(stack, stack.startBody(body));

describe("the deployment check (dev host, emulator, Azurite)", () => {
  // Each test changes the endpoint or denies its reads, which must reach the app: nothing is kept between runs.
  const ctx = useStack({ azurite: true, autoAdvance: true, env: { SCORING_DEFINITION_CACHE_SECONDS: "0" } });
  const invokes = () => ctx.stack.emulator.requestsFor("invoke").length;

  it("a model deployment refuses two inputs or a literal: 400 at start naming the field, nothing starts", async () => {
    const { stack } = ctx;
    const instances = stack.host.engine.all().length;
    const two = await start(stack, { inputs: { a: { type: "uri_folder", uri: INPUT }, b: { type: "uri_folder", uri: INPUT } } });
    expect(two.status, JSON.stringify(two.body)).toBe(400);
    expect(two.body.error.code).toBe("InvalidRequest");
    expect(two.body.error.details).toEqual([{ field: "inputs", message: "DeploymentMismatch: a model deployment takes exactly one data input, got 2 (a, b)" }]);
    const lit = await start(stack, { inputs: { input_data: { type: "uri_folder", uri: INPUT }, threshold: { type: "literal", value: "0.7" } } });
    expect(lit.status).toBe(400);
    expect(fields(lit)).toEqual(["inputs.threshold"]);
    const experiment = await start(stack, { experimentName: "nightly" });
    expect(fields(experiment)).toEqual(["experimentName"]);
    expect(stack.host.engine.all()).toHaveLength(instances);
    expect(invokes()).toBe(0);
    // What the start read: the endpoint and its default deployment, never a key.
    expect(stack.emulator.requestsFor("getBatchEndpoint").length).toBeGreaterThanOrEqual(3);
    expect(stack.emulator.requestsFor("getBatchDeployment").every((r) => r.path.endsWith("/deployments/blue"))).toBe(true);
    expect(stack.emulator.requests.every((r) => r.method === "GET" || r.route === "invoke")).toBe(true);
  });

  it("when the start's look is too slow, the run's own pre-flight fails it DeploymentMismatch before any job", async () => {
    const { stack } = ctx;
    // The start's read answers after its 5 s budget; the run's read answers at once.
    stack.emulator.injectFault({ match: { route: "getBatchEndpoint" }, times: 1, kind: { delayMs: 6_000 } });
    const view = await startAndEnd(stack, { inputs: { a: { type: "uri_folder", uri: INPUT }, b: { type: "uri_folder", uri: INPUT } } });
    expect(view.status).toBe("Failed");
    expect(view.error.code).toBe("DeploymentMismatch");
    expect(view.error.message).toBe(
      "deployment: Model deployment blue does not take this request: inputs: a model deployment takes exactly one data input, got 2 (a, b).",
    );
    expect(view.job).toBeNull();
    expect(deploymentCheck(view)).toMatchObject({ result: "failed", code: "DeploymentMismatch", uri: stack.emulator.scoringUri, blobUrl: null });
    expect(invokes()).toBe(0);
  }, 20_000);

  it("a literal on a model deployment, started without the route's look: fails before any job", async () => {
    const view = await startDirect(ctx.stack, { inputs: { input_data: { type: "uri_folder", uri: INPUT }, threshold: { type: "literal", value: "0.7" } } });
    expect(view.status).toBe("Failed");
    expect(view.error).toMatchObject({ code: "DeploymentMismatch", message: expect.stringContaining("inputs.threshold: is a literal") });
    expect(invokes()).toBe(0);
  });

  it("in warn mode a mismatch is a warning, and a display name on a model deployment warns in any mode", async () => {
    const { stack } = ctx;
    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const view = await startAndEnd(stack, { displayName: "Nightly scoring" });
    expect(view.status).toBe("Succeeded");
    expect(deploymentCheck(view)).toMatchObject({ result: "warning", code: "DisplayNameNotKept" });
    expect(view.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ code: "DisplayNameNotKept" })]));
    const warned = await startDirect(stack, { preflight: "warn", experimentName: "nightly" });
    expect(deploymentCheck(warned)).toMatchObject({ result: "failed", code: "DeploymentMismatch" });
    expect(warned.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ code: "DeploymentMismatch" })]));
    expect(warned.job).not.toBeNull(); // invoked anyway
  });

  it("a denied endpoint read (403) is skipped with the reason, and the run goes on", async () => {
    const { stack } = ctx;
    // Every endpoint read while this run lives is denied: the start route's look, the run's pre-flight, and any late read
    // of an earlier test's look that timed out on a loaded machine (a fixed count let such a read take one).
    stack.emulator.injectFault({ match: { route: "getBatchEndpoint" }, times: 1000, kind: { status: 403 } });
    const before = stack.emulator.requestsFor("getBatchEndpoint").length;
    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const view = await startAndEnd(stack, {});
    stack.emulator.clearFaults();
    expect(view.status).toBe("Succeeded");
    expect(deploymentCheck(view)).toMatchObject({
      result: "skipped",
      code: null,
      message: expect.stringMatching(/may not read batch endpoint ep-scoring .*HTTP 403.*batchEndpoints\/read/),
    });
    expect(stack.emulator.requestsFor("getBatchEndpoint").length - before).toBeGreaterThanOrEqual(2);
  });

  it("a denied deployment read is skipped too; the default model deployment passes when nothing is wrong", async () => {
    const { stack } = ctx;
    stack.emulator.injectFault({ match: { route: "getBatchDeployment" }, times: 1000, kind: { status: 403 } });
    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const denied = await startAndEnd(stack, {});
    stack.emulator.clearFaults();
    expect(deploymentCheck(denied)).toMatchObject({ result: "skipped", message: expect.stringContaining("deployment blue of batch endpoint ep-scoring") });
    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const fine = await startAndEnd(stack, {});
    expect(deploymentCheck(fine)).toMatchObject({ result: "passed", message: "Model deployment blue takes these inputs and outputs." });
  });

  it("a pipeline deployment with undeclared input and output names is refused; declared ones run", async () => {
    const { stack } = ctx;
    const deployment = declaredPipelineDeployment.name;
    const res = await start(stack, {
      deployment,
      output: undefined,
      inputs: { input_data: { type: "uri_folder", uri: INPUT }, extra: { type: "uri_folder", uri: INPUT } },
      outputs: { scores: { uri: ds(`scoring/output/${randomUUID()}/`) }, bogus: { type: "uri_file", uri: ds(`scoring/output/${randomUUID()}.csv`) } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(fields(res)).toEqual(["inputs.extra", "outputs.bogus"]);
    expect(res.body.error.details[0].message).toMatch(
      /^DeploymentMismatch: component batch_scoring:1 declares no input "extra" \(it declares: input_data, threshold\)/,
    );
    expect(stack.emulator.requestsFor("getComponentVersion").at(-1)!.path).toBe(`/arm${stack.emulator.workspaceId}/components/batch_scoring/versions/1`);
    expect(invokes()).toBe(0);

    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const view = await startAndEnd(stack, {
      deployment,
      output: undefined,
      inputs: { input_data: { type: "uri_folder", uri: INPUT }, threshold: { type: "literal", value: "0.9" } },
      outputs: { scores: { uri: ds(`scoring/output/${randomUUID()}/`) } },
      experimentName: "nightly",
    });
    expect(view.status).toBe("Succeeded");
    expect(deploymentCheck(view)).toMatchObject({ result: "passed", message: `Pipeline-component deployment ${deployment} takes these inputs and outputs.` });
  });

  it("a pipeline deployment whose component declares nothing: names are not judged (skipped), the run goes on", async () => {
    const { stack } = ctx;
    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const view = await startAndEnd(stack, { deployment: "pipeline-scorer", inputs: { anything: { type: "uri_folder", uri: INPUT } } });
    expect(view.status).toBe("Succeeded");
    expect(deploymentCheck(view)).toMatchObject({ result: "skipped", message: expect.stringContaining("lists no inputs or outputs") });
  });
});

describe("an endpoint without a default deployment (dev host, emulator)", () => {
  const ctx = useStack({ azurite: true, autoAdvance: true, defaultDeployment: null });

  it("called without `deployment`: 400 at start naming the field (endpoint_uri in the seed form)", async () => {
    const { stack } = ctx;
    const res = await start(stack, {});
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      {
        field: "deployment",
        message: expect.stringMatching(/^NoDefaultDeployment: batch endpoint ep-scoring has no default deployment and the request names none/),
      },
    ]);
    const seed = await stack.api("/api/scoring-runs", {
      json: { endpoint_uri: stack.emulator.scoringUri, endpoint_input_uri: INPUT, endpoint_output_uri: ds(`scoring/output/${randomUUID()}.csv`) },
    });
    expect(seed.status).toBe(400);
    expect(fields(seed)).toEqual(["endpoint_uri"]);
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(0);
  });

  it("started without the route's look: the run fails before any job, and says so", async () => {
    const view = await startDirect(ctx.stack, {});
    expect(view.status).toBe("Failed");
    expect(view.error.code).toBe("NoDefaultDeployment");
    expect(view.error.message).toMatch(/Set deployment in the request, or set a default deployment on the endpoint/);
    expect(view.job).toBeNull();
    expect(ctx.stack.emulator.requestsFor("invoke")).toHaveLength(0);
  });

  it("naming a deployment, the run goes on", async () => {
    ctx.stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const view = await startAndEnd(ctx.stack, {
      deployment: declaredPipelineDeployment.name,
      output: undefined,
      outputs: { scores: { uri: ds(`scoring/output/${randomUUID()}/`) } },
    });
    expect(view.status).toBe("Succeeded");
    expect(deploymentCheck(view).result).toBe("passed");
  });
});
