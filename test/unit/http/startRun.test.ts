import { afterEach, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../../../src/config";
import type { OutputCheck } from "../../../src/http/outputAtStart";
import { maxStartBodyBytes, startScoringRun } from "../../../src/http/startRun";
import type { PreflightCheck } from "../../../src/runs/preflightReport";
import { instanceIdForKey, instanceIdForRequest } from "../../../src/runs/runIds";
import type { ScoringRunInput } from "../../../src/runs/runInput";
import { durableStatus, fakeRuns } from "../../fixtures/runsClient";
import { ORIGIN, type RequestParts, apiRequest, detailFields } from "./apiRequest";

const config = parseConfig({});
const ENDPOINT = "https://heart-ep.westeurope.inference.ml.azure.com/jobs";
const INPUT = "azureml://datastores/workspaceblobstore/paths/heart/input/";
const OUTPUT = "azureml://datastores/workspaceblobstore/paths/heart/out/predictions.csv";

const camel = { endpointUri: ENDPOINT, inputs: { input_data: { type: "uri_folder", uri: INPUT } }, output: { name: "score", uri: OUTPUT } };
const seed = { endpoint_uri: ENDPOINT, api_version: "2022-10-01", poll_interval: "120", endpoint_input_uri: INPUT, endpoint_output_uri: OUTPUT };

const passing: OutputCheck = async (output) => ({ target: "output", uri: output.uri, blobUrl: null, result: "passed", code: null, message: "free" });
/** An output check that records its calls and answers `result`/`code`. */
function outputCheck(result: PreflightCheck["result"] = "passed", code: string | null = null) {
  const calls: string[] = [];
  const fn: OutputCheck = async (output) => {
    calls.push(output.uri);
    return { target: "output", uri: output.uri, blobUrl: null, result, code, message: `${code ?? result} at ${output.uri}` };
  };
  return { fn, calls };
}

const post = (body: unknown, parts: Omit<RequestParts, "body" | "method"> = {}) =>
  apiRequest({ method: "POST", url: "/api/scoring-runs", headers: { "content-type": "application/json" }, ...parts, body });

const started = (runs: ReturnType<typeof fakeRuns>): ScoringRunInput => {
  expect(runs.calls.starts).toHaveLength(1);
  return runs.calls.starts[0]!.input;
};

describe("startScoringRun: a new run", () => {
  it("starts one run and answers 202 with Location, Retry-After and the run's management links", async () => {
    const runs = fakeRuns();
    const response = await startScoringRun(post(camel, { headers: { "content-type": "application/json", "idempotency-key": "adf-7" } }), runs, config, passing);
    const id = instanceIdForKey("adf-7");
    expect(response.status).toBe(202);
    expect(response.headers).toMatchObject({ Location: `${ORIGIN}/api/scoring-runs/${id}?failOnError=true`, "Retry-After": expect.stringMatching(/^\d+$/) });
    expect(response.body).toMatchObject({
      id,
      status: "Pending",
      statusQueryGetUri: `${ORIGIN}/api/scoring-runs/${id}`,
      cancelPostUri: `${ORIGIN}/api/scoring-runs/${id}/cancel`,
      request: { endpointUri: ENDPOINT, outputs: { score: { type: "uri_file", uri: OUTPUT } } },
    });
    expect(runs.calls.starts.map((s) => s.instanceId)).toEqual([id]);
  });

  it("the run's input: the normalised request, the poll settings, when it was asked for, and the caller's correlation id", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-01T10:00:00.000Z"));
    try {
      const runs = fakeRuns();
      await startScoringRun(post(camel, { headers: { "x-correlation-id": "adf-run:9f1c" } }), runs, config, passing);
      expect(started(runs)).toMatchObject({
        request: { endpointUri: ENDPOINT, inputs: { input_data: { type: "uri_folder", uri: INPUT } }, preflight: "strict" },
        maxPollsPerExecution: config.maxPollsPerExecution,
        pollPolicy: config.pollPolicy,
        createdAt: "2026-03-01T10:00:00.000Z",
        correlationId: "adf-run:9f1c",
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it("the run id: the body's instanceId, else from the Idempotency-Key, else from the request when it names an output, else random", async () => {
    const ids = async (body: unknown, headers: Record<string, string> = {}) => {
      const runs = fakeRuns();
      await startScoringRun(post(body, { headers }), runs, config, passing);
      started(runs);
      return runs.calls.starts[0]!.instanceId;
    };
    expect(await ids({ ...camel, instanceId: "nightly-2026-03-01" })).toBe("nightly-2026-03-01");
    expect(await ids(camel, { "idempotency-key": "k1" })).toBe(instanceIdForKey("k1"));
    const runs = fakeRuns();
    await startScoringRun(post(camel), runs, config, passing);
    expect(runs.calls.starts[0]!.instanceId).toBe(instanceIdForRequest(started(runs).request));
    const noOutput = { endpointUri: ENDPOINT, inputs: camel.inputs };
    const [a, b] = [await ids(noOutput), await ids(noOutput)];
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).not.toBe(a);
  });

  it("the same request without a key, sent twice, is one run (its output file names it)", async () => {
    const runs = fakeRuns();
    await startScoringRun(post(camel), runs, config, passing);
    const again = await startScoringRun(post(seed), runs, config, passing);
    expect(runs.calls.starts).toHaveLength(1);
    expect(again.status).toBe(202);
    expect((again.body as { id: string }).id).toBe(runs.calls.starts[0]!.instanceId);
  });

  it("a new run answers 202 even if it already ended when its view is read", async () => {
    const runs = fakeRuns([], {
      onStart: (id, input, stored) => void stored.set(id, durableStatus({ instanceId: id, runtimeStatus: "Completed", input, output: {} })),
    });
    const response = await startScoringRun(post(camel), runs, config, passing);
    expect(response).toMatchObject({ status: 202, body: { status: "Succeeded" } });
  });
});

describe("startScoringRun: the same key again", () => {
  const key = { "content-type": "application/json", "idempotency-key": "adf-7" };

  it("with the same body (in either form) joins the run: no second start, answered as the status route answers", async () => {
    const runs = fakeRuns();
    await startScoringRun(post(seed, { headers: key }), runs, config, passing);
    const id = instanceIdForKey("adf-7");
    const again = await startScoringRun(post(seed, { headers: key }), runs, config, passing);
    expect(again).toMatchObject({ status: 202, body: { id, statusQueryGetUri: `${ORIGIN}/api/scoring-runs/${id}` } });
    runs.runs.set(id, { ...runs.runs.get(id)!, runtimeStatus: "Completed", output: {} });
    const done = await startScoringRun(post(seed, { headers: key }), runs, config, passing);
    expect(done).toMatchObject({ status: 200, body: { id, status: "Succeeded" } });
    expect(runs.calls.starts).toHaveLength(1);
  });

  it("a joined run that failed is a 500 only with failOnError=true", async () => {
    const runs = fakeRuns();
    await startScoringRun(post(camel, { headers: key }), runs, config, passing);
    const id = instanceIdForKey("adf-7");
    runs.runs.set(id, { ...runs.runs.get(id)!, runtimeStatus: "Failed", output: "Orchestrator function 'x' failed: JobFailed: boom" });
    expect((await startScoringRun(post(camel, { headers: key }), runs, config, passing)).status).toBe(200);
    expect((await startScoringRun(post(camel, { headers: key, url: "/api/scoring-runs?failOnError=true" }), runs, config, passing)).status).toBe(500);
  });

  it("with another body is a 409 IdempotencyConflict naming the run, and nothing starts", async () => {
    const runs = fakeRuns();
    await startScoringRun(post(camel, { headers: key }), runs, config, passing);
    const response = await startScoringRun(post({ ...camel, pollIntervalSeconds: 60 }, { headers: key }), runs, config, passing);
    expect(response).toMatchObject({
      status: 409,
      body: { error: { code: "IdempotencyConflict", message: expect.stringContaining(instanceIdForKey("adf-7")) } },
    });
    expect(runs.calls.starts).toHaveLength(1);
  });

  it("a joined run's output is not checked again (a finished run finds its own predictions there)", async () => {
    const runs = fakeRuns();
    await startScoringRun(post(camel, { headers: key }), runs, config, passing);
    const exists = outputCheck("failed", "OutputAlreadyExists");
    expect((await startScoringRun(post(camel, { headers: key }), runs, config, exists.fn)).status).toBe(202);
    expect(exists.calls).toEqual([]);
  });

  it("a start that throws because the same request won a race joins that run", async () => {
    const runs = fakeRuns([], {
      onStart: (id, input, stored) => {
        stored.set(id, durableStatus({ instanceId: id, input }));
        throw new Error("instance already exists");
      },
    });
    const response = await startScoringRun(post(camel, { headers: key }), runs, config, passing);
    expect(response).toMatchObject({ status: 202, body: { id: instanceIdForKey("adf-7") } });
  });
});

describe("startScoringRun: the output at start", () => {
  it("an output file that exists is a 409 OutputAlreadyExists naming the field as the caller wrote it; nothing starts", async () => {
    for (const [body, field] of [
      [camel, "output.uri"],
      [seed, "endpoint_output_uri"],
    ] as const) {
      const runs = fakeRuns();
      const exists = outputCheck("failed", "OutputAlreadyExists");
      const response = await startScoringRun(post(body), runs, config, exists.fn);
      expect(response).toMatchObject({ status: 409, body: { error: { code: "OutputAlreadyExists" } } });
      expect(detailFields(response.body)).toEqual([field]);
      expect(exists.calls).toEqual([OUTPUT]);
      expect(runs.calls.starts).toEqual([]);
    }
  });

  it("with preflight off the output is not looked at", async () => {
    const runs = fakeRuns();
    const exists = outputCheck("failed", "OutputAlreadyExists");
    expect((await startScoringRun(post({ ...camel, preflight: "off" }), runs, config, exists.fn)).status).toBe(202);
    expect(exists.calls).toEqual([]);
  });
});

describe("startScoringRun: a bad request is a 400 naming the field, and nothing starts", () => {
  const expect400 = async (req: ReturnType<typeof post>, fields: string[]) => {
    const runs = fakeRuns();
    const response = await startScoringRun(req, runs, config, passing);
    expect(response.status).toBe(400);
    expect((response.body as { error: { code: string } }).error.code).toBe("InvalidRequest");
    expect(detailFields(response.body)).toEqual(fields);
    expect(runs.calls.starts).toEqual([]);
    expect(runs.calls.gets).toEqual([]);
  };

  it("a body over 64 KiB", async () => {
    await expect400(post({ ...camel, tags: { big: "x".repeat(maxStartBodyBytes) } }), ["body"]);
  });

  it("a body that is not JSON", async () => {
    await expect400(post("{endpointUri:"), ["body"]);
  });

  it("a Content-Type that is not JSON; JSON types with parameters or a +json suffix are taken", async () => {
    await expect400(post(camel, { headers: { "content-type": "text/plain" } }), ["Content-Type"]);
    await expect400(post(camel, { headers: { "content-type": "application/x-www-form-urlencoded" } }), ["Content-Type"]);
    for (const type of ["application/json; charset=utf-8", "application/vnd.api+json", "text/json", ""]) {
      expect((await startScoringRun(post(camel, { headers: { "content-type": type } }), fakeRuns(), config, passing)).status, type).toBe(202);
    }
  });

  it.each(["abc", "221", "-1", "1.5", "1e2"])("?wait=%s", async (wait) => {
    await expect400(post(camel, { url: `/api/scoring-runs?wait=${wait}` }), ["wait"]);
  });

  it("an Idempotency-Key that is not printable ASCII", async () => {
    await expect400(post(camel, { headers: { "idempotency-key": "caf\u00e9" } }), ["Idempotency-Key"]);
  });

  it("an x-correlation-id that is not a plain token", async () => {
    await expect400(post(camel, { headers: { "x-correlation-id": "has space" } }), ["x-correlation-id"]);
  });

  it("both an instanceId and an Idempotency-Key", async () => {
    await expect400(post({ ...camel, instanceId: "mine" }, { headers: { "idempotency-key": "k" } }), ["instanceId"]);
  });

  it.each(["key-abc", "req-abc", "blob-abc"])("an instanceId in a reserved form (%s)", async (instanceId) => {
    await expect400(post({ ...camel, instanceId }), ["instanceId"]);
  });

  it("an endpoint that is not allowlisted (the body's own validation)", async () => {
    await expect400(post({ ...camel, endpointUri: "https://evil.example.com/jobs" }), ["endpointUri"]);
  });

  it("every problem at once: the query, the headers and the body", async () => {
    const runs = fakeRuns();
    const response = await startScoringRun(
      post(
        { ...camel, endpointUri: "https://evil.example.com/jobs" },
        { url: "/api/scoring-runs?wait=x", headers: { "idempotency-key": "", "x-correlation-id": "a b" } },
      ),
      runs,
      config,
      passing,
    );
    expect(detailFields(response.body)).toEqual(["wait", "Idempotency-Key", "x-correlation-id", "endpointUri"]);
  });
});

describe("startScoringRun: ?wait=", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("holds the answer until the run ends, then answers as the status route does", async () => {
    vi.useFakeTimers();
    const runs = fakeRuns();
    const answer = startScoringRun(post(camel, { url: "/api/scoring-runs?wait=30" }), runs, config, passing);
    await vi.advanceTimersByTimeAsync(50);
    const id = runs.calls.starts[0]!.instanceId;
    runs.runs.set(id, { ...runs.runs.get(id)!, runtimeStatus: "Completed", output: { job: { name: "batchjob-1" }, polls: 1 } });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await answer).toMatchObject({
      status: 200,
      body: { id, status: "Succeeded", job: { name: "batchjob-1" }, statusQueryGetUri: `${ORIGIN}/api/scoring-runs/${id}` },
    });
  });

  it("a run still going when the wait is over is a 202", async () => {
    vi.useFakeTimers();
    const answer = startScoringRun(post(camel, { url: "/api/scoring-runs?wait=2" }), fakeRuns(), config, passing);
    await vi.advanceTimersByTimeAsync(2_000);
    expect((await answer).status).toBe(202);
  });

  it("wait=0 is no wait", async () => {
    const runs = fakeRuns();
    expect((await startScoringRun(post(camel, { url: "/api/scoring-runs?wait=0" }), runs, config, passing)).status).toBe(202);
    expect(runs.calls.gets).toHaveLength(3); // before the start, the read-back, the view
  });
});
