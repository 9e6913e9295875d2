import { describe, expect, it } from "vitest";
import { errorFromFailureOutput, httpStatusForView, retryAfterSeconds, toRunView, type DurableStatusLike } from "../../../src/runs/runView";
import { type RunProgress, type ScoringRunResult, type RunView } from "../../../src/runs/types";
import { scoringRequest } from "../../fixtures/scoringRequest";

const request = scoringRequest({ endpointUri: "https://heart-ep.westeurope.inference.ml.azure.com/jobs", timeoutSeconds: 604800 });

const job = {
  name: "batchjob-1",
  id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/jobs/batchjob-1",
  status: "Running",
  studioUrl: "https://ml.azure.com/runs/batchjob-1",
};

const polling: RunProgress = {
  phase: "Polling",
  job,
  polls: 3,
  lastPolledAt: "2024-05-01T10:06:00.000Z",
  nextPollAt: "2024-05-01T10:08:00.000Z",
};

function status(over: Partial<DurableStatusLike>): DurableStatusLike {
  return {
    instanceId: "run-1",
    name: "scoringRunOrchestrator",
    runtimeStatus: "Running",
    createdTime: new Date("2024-05-01T10:00:00Z"),
    lastUpdatedTime: "2024-05-01T10:06:00Z",
    input: { request, invokeId: "x", polls: 2 },
    output: null,
    customStatus: polling,
    ...over,
  };
}

describe("toRunView", () => {
  it("Running: job and progress from the custom status, dates as ISO", () => {
    expect(toRunView(status({}))).toEqual({
      id: "run-1",
      status: "Running",
      createdAt: "2024-05-01T10:00:00.000Z",
      lastUpdatedAt: "2024-05-01T10:06:00.000Z",
      request,
      job,
      progress: { phase: "Polling", polls: 3, lastPolledAt: "2024-05-01T10:06:00.000Z", nextPollAt: "2024-05-01T10:08:00.000Z", recentPolls: [] },
      output: null,
      outputs: [],
      error: null,
      detection: null,
      preflight: null,
      warnings: [],
      correlationId: null,
      timeline: [],
      diagnostics: null,
      rerunOf: null,
      reruns: null,
      trigger: null,
    } satisfies RunView);
  });

  it("detection: how the job's end was noticed, from the custom status", () => {
    const detection = { by: "event", at: "2024-05-01T10:07:02.000Z", delaySeconds: 2, maxDelaySeconds: 62 };
    const view = toRunView(
      status({ runtimeStatus: "Completed", customStatus: { phase: "Succeeded", job, polls: 4, lastPolledAt: null, nextPollAt: null, detection } }),
    );
    expect(view.detection).toEqual(detection);
  });

  it("Completed: the predictions file, pre-flight report and warnings from the output", () => {
    const output = {
      uri: "azureml://datastores/ds/paths/p.csv",
      blobUrl: "https://acct.blob.core.windows.net/c/p.csv",
      sizeBytes: 42,
      lastModified: "2024-05-01T10:19:00.000Z",
      contentType: "text/csv",
    };
    const preflight = {
      mode: "strict" as const,
      checks: [{ target: "inputs.a", uri: "u", blobUrl: null, result: "warning" as const, code: "NestedFoldersIgnored", message: "m" }],
    };
    const warnings = [{ code: "NestedFoldersIgnored", message: "inputs.a: m" }];
    const outputs = [
      {
        name: "score",
        type: "uri_file" as const,
        uri: output.uri,
        blobUrl: output.blobUrl,
        fileCount: 1,
        totalBytes: 42,
        files: [{ name: "p.csv", sizeBytes: 42 }],
        truncated: false,
      },
    ];
    const result: ScoringRunResult = {
      job: { ...job, status: "Completed" },
      output,
      outputs,
      polls: 2,
      completedAt: "2024-05-01T10:20:00Z",
      preflight,
      warnings,
    };
    const view = toRunView(status({ runtimeStatus: "Completed", output: result }));
    expect(view.output).toEqual(output);
    expect(view.outputs).toEqual(outputs);
    expect(view.preflight).toEqual(preflight);
    expect(view.warnings).toEqual(warnings);
  });

  it("timeline from the custom status (then the output), correlation id from the input", () => {
    const timeline = [
      { at: "2024-05-01T10:00:00.000Z", event: "started", detail: "endpoint x" },
      { at: "2024-05-01T10:00:05.000Z", event: "invoked", detail: "job j" },
    ];
    const running = toRunView(
      status({
        customStatus: { phase: "Monitoring", job, polls: 1, lastPolledAt: null, nextPollAt: null, timeline },
        input: { request, correlationId: "adf-42" },
      }),
    );
    expect(running.timeline).toEqual(timeline);
    expect(running.correlationId).toBe("adf-42");
    const done = [...timeline, { at: "2024-05-01T10:09:00.000Z", event: "succeeded", detail: null }];
    const result = { job: { ...job, status: "Completed" }, output: null, polls: 2, completedAt: "2024-05-01T10:09:00Z", timeline: done };
    expect(toRunView(status({ runtimeStatus: "Completed", output: result, customStatus: { phase: "Monitoring", timeline } })).timeline).toEqual(done);
    expect(toRunView(status({ input: { request } })).correlationId).toBeNull();
  });

  it("Failed in pre-flight: report and error from the custom status", () => {
    const preflight = {
      mode: "strict" as const,
      checks: [{ target: "output", uri: "u", blobUrl: "b", result: "failed" as const, code: "OutputAlreadyExists", message: "m" }],
    };
    const error = { code: "OutputAlreadyExists", message: "output: m" };
    const view = toRunView(
      status({ runtimeStatus: "Failed", customStatus: { phase: "Failed", job: null, polls: 0, lastPolledAt: null, nextPollAt: null, error, preflight } }),
    );
    expect(view.status).toBe("Failed");
    expect(view.error).toEqual(error);
    expect(view.preflight).toEqual(preflight);
    expect(view.job).toBeNull();
  });

  it("Pending: no custom status yet → defaults", () => {
    const view = toRunView(status({ runtimeStatus: "Pending", customStatus: null }));
    expect(view.status).toBe("Pending");
    expect(view.job).toBeNull();
    expect(view.progress).toEqual({ phase: "Pending", polls: 0, lastPolledAt: null, nextPollAt: null, recentPolls: [] });
    expect(view.error).toBeNull();
  });

  it("Running without custom status: phase from the runtime status", () => {
    expect(toRunView(status({ customStatus: null })).progress).toEqual({ phase: "Running", polls: 0, lastPolledAt: null, nextPollAt: null, recentPolls: [] });
  });

  it.each(["ContinuedAsNew", "Suspended", "SomethingNew"])("%s → Running", (runtimeStatus) => {
    const view = toRunView(status({ runtimeStatus }));
    expect(view.status).toBe("Running");
    expect(view.job).toEqual(job);
    expect(httpStatusForView(view, true)).toBe(202);
  });

  it("Suspended shows the suspension as the phase", () => {
    expect(toRunView(status({ runtimeStatus: "Suspended" })).progress.phase).toBe("Suspended");
  });

  it("Completed → Succeeded with job, output and polls from the orchestration output", () => {
    // An output that lacks fields (stored by hand, or damaged) reads them as null.
    const result: Omit<ScoringRunResult, "output" | "outputs"> & { output: { uri: string } } = {
      job: { ...job, status: "Completed" },
      output: { uri: "azureml://datastores/ds/paths/out/p.csv" },
      polls: 7,
      completedAt: "2024-05-01T10:20:00.000Z",
    };
    const view = toRunView(status({ runtimeStatus: "Completed", output: result }));
    expect(view.status).toBe("Succeeded");
    expect(view.job).toEqual({ ...job, status: "Completed" });
    expect(view.output).toEqual({ uri: "azureml://datastores/ds/paths/out/p.csv", blobUrl: null, sizeBytes: null, lastModified: null, contentType: null });
    expect(view.outputs).toEqual([]);
    expect(view.progress).toEqual({ phase: "Succeeded", polls: 7, lastPolledAt: "2024-05-01T10:06:00.000Z", nextPollAt: null, recentPolls: [] });
    expect(view.error).toBeNull();
  });

  it("Completed with no output URI (Azure ML default output) and output as JSON text", () => {
    const result: ScoringRunResult = { job: { ...job, status: "Completed" }, output: null, outputs: [], polls: 1, completedAt: "2024-05-01T10:20:00Z" };
    const view = toRunView(status({ runtimeStatus: "Completed", output: JSON.stringify(result) }));
    expect(view.output).toBeNull();
    expect(view.job?.status).toBe("Completed");
    expect(view.progress.polls).toBe(1);
  });

  it("Failed: the error from the custom status wins", () => {
    const view = toRunView(
      status({
        runtimeStatus: "Failed",
        customStatus: { ...polling, phase: "Failed", error: { code: "JobFailed", message: "The job failed: OOM", jobStatus: "Failed" } },
        output: "Orchestrator function 'scoringRunOrchestrator' failed: JobFailed: The job failed: OOM",
      }),
    );
    expect(view.status).toBe("Failed");
    expect(view.error).toEqual({ code: "JobFailed", message: "The job failed: OOM", jobStatus: "Failed" });
    expect(view.job).toEqual(job);
    expect(view.progress.nextPollAt).toBeNull();
    expect(view.progress.phase).toBe("Failed");
  });

  it.each(["RunCanceled", "JobCanceled"])("Failed with error %s → Canceled", (code) => {
    const view = toRunView(
      status({ runtimeStatus: "Failed", customStatus: { ...polling, error: { code, message: "Canceled on request.", jobStatus: "Canceled" } } }),
    );
    expect(view.status).toBe("Canceled");
    expect(view.error?.code).toBe(code);
    expect(httpStatusForView(view, false)).toBe(200);
    expect(httpStatusForView(view, true)).toBe(500);
  });

  it("Failed without a custom status error: parsed from the durable output", () => {
    const view = toRunView(
      status({
        runtimeStatus: "Failed",
        customStatus: polling,
        output: "Orchestrator function 'scoringRunOrchestrator' failed: DeadlineExceeded: The run exceeded its 7200 s deadline.",
      }),
    );
    expect(view.status).toBe("Failed");
    expect(view.error).toEqual({ code: "DeadlineExceeded", message: "The run exceeded its 7200 s deadline." });
  });

  it("Failed: the error code from the output can also mean Canceled", () => {
    const view = toRunView(status({ runtimeStatus: "Failed", customStatus: null, output: "Orchestrator function 'x' failed: RunCanceled: canceled by user" }));
    expect(view.status).toBe("Canceled");
  });

  it("Failed: never leaks a stack trace", () => {
    const output =
      "Orchestrator function 'scoringRunOrchestrator' failed: TypeError: Cannot read properties of undefined (reading 'x')\n" +
      "    at scoringRunOrchestrator (/home/site/wwwroot/dist/src/orchestration/orchestrator.js:42:17)\n" +
      '    at Generator.next (<anonymous>)\n\n$OutOfProcData$:{"isDone":false}';
    const view = toRunView(status({ runtimeStatus: "Failed", customStatus: null, output }));
    expect(view.error).toEqual({ code: "OrchestrationFailed", message: "TypeError: Cannot read properties of undefined (reading 'x')" });
    expect(JSON.stringify(view)).not.toMatch(/wwwroot|Generator\.next|OutOfProcData/);
  });

  it("Terminated → Canceled with the reason", () => {
    const view = toRunView(status({ runtimeStatus: "Terminated", output: "Stopped by operator" }));
    expect(view.status).toBe("Canceled");
    expect(view.error).toEqual({ code: "Terminated", message: "Stopped by operator" });
    expect(view.job).toEqual(job);
    expect(view.progress.nextPollAt).toBeNull();
    expect(toRunView(status({ runtimeStatus: "Terminated", output: null })).error).toEqual({
      code: "Terminated",
      message: "The run was terminated.",
    });
  });

  it("Canceled → Canceled", () => {
    const view = toRunView(status({ runtimeStatus: "Canceled" }));
    expect(view.status).toBe("Canceled");
    expect(view.error?.code).toBe("Canceled");
  });

  it("reads only input.request; a missing or odd input gives request null", () => {
    expect(toRunView(status({ input: null })).request).toBeNull();
    expect(toRunView(status({ input: "not json" })).request).toBeNull();
    expect(toRunView(status({ input: JSON.stringify({ request }) })).request).toEqual(request);
    expect(toRunView(status({ input: { request, secret: "ignored" } }))).not.toHaveProperty("secret");
  });

  it("tolerates a malformed custom status", () => {
    const view = toRunView(status({ customStatus: { phase: 5, job: { id: "x" }, polls: -1, lastPolledAt: 3 } }));
    expect(view.job).toBeNull();
    expect(view.progress).toEqual({ phase: "Running", polls: 0, lastPolledAt: null, nextPollAt: null, recentPolls: [] });
    expect(toRunView(status({ customStatus: "Polling" })).progress.phase).toBe("Running");
    expect(toRunView(status({ customStatus: JSON.stringify(polling) })).progress.polls).toBe(3);
  });

  it("keeps an unparseable date string as is", () => {
    expect(toRunView(status({ lastUpdatedTime: "yesterday" })).lastUpdatedAt).toBe("yesterday");
  });
});

describe("errorFromFailureOutput", () => {
  it.each([
    ["Orchestrator function 'x' failed: DeadlineExceeded: too slow", { code: "DeadlineExceeded", message: "too slow" }],
    ["Orchestrator function 'x' failed: Error: QueueTimeout: still queued", { code: "QueueTimeout", message: "still queued" }],
    ["QueueTimeout: still queued", { code: "QueueTimeout", message: "still queued" }],
    ["Orchestrator function 'x' failed: something odd happened", { code: "OrchestrationFailed", message: "something odd happened" }],
    [
      "Orchestrator function 'x' failed: Non-Deterministic workflow detected: y",
      { code: "OrchestrationFailed", message: "Non-Deterministic workflow detected: y" },
    ],
    ["Orchestrator function 'x' failed: RangeError: bad", { code: "OrchestrationFailed", message: "RangeError: bad" }],
    [
      `Orchestrator function 'x' failed: ${JSON.stringify({ code: "JobFailed", message: "m", jobStatus: "Failed" })}\n   at y`,
      { code: "JobFailed", message: "m", jobStatus: "Failed" },
    ],
    [
      { code: "InvokeFailed", message: "403 from endpoint\n at z" },
      { code: "InvokeFailed", message: "403 from endpoint" },
    ],
    [{ message: "Orchestrator function 'x' failed: Boom: bang" }, { code: "Boom", message: "bang" }],
    [null, { code: "OrchestrationFailed", message: "The run failed." }],
    ["", { code: "OrchestrationFailed", message: "The run failed." }],
    [42, { code: "OrchestrationFailed", message: "The run failed." }],
  ] as const)("%j", (output, expected) => {
    expect(errorFromFailureOutput(output)).toEqual(expected);
  });

  it("bounds very long messages", () => {
    const error = errorFromFailureOutput(`Orchestrator function 'x' failed: Big: ${"x".repeat(5000)}`);
    expect(error.code).toBe("Big");
    expect(error.message.length).toBeLessThanOrEqual(2000);
  });
});

describe("httpStatusForView", () => {
  const view = (s: RunView["status"]): RunView => ({ ...toRunView(status({})), status: s });

  it.each([
    ["Pending", false, 202],
    ["Pending", true, 202],
    ["Running", false, 202],
    ["Running", true, 202],
    ["Succeeded", false, 200],
    ["Succeeded", true, 200],
    ["Failed", false, 200],
    ["Failed", true, 500],
    ["Canceled", false, 200],
    ["Canceled", true, 500],
  ] as const)("%s failOnError=%s → %i", (s, failOnError, code) => {
    expect(httpStatusForView(view(s), failOnError)).toBe(code);
  });
});

describe("retryAfterSeconds", () => {
  const now = new Date("2024-05-01T10:07:00.000Z");

  it("seconds until the next poll, clamped to 1..300", () => {
    expect(retryAfterSeconds(toRunView(status({})), now)).toBe(60);
    expect(retryAfterSeconds(toRunView(status({ customStatus: { ...polling, nextPollAt: "2024-05-01T10:06:00Z" } })), now)).toBe(1);
    expect(retryAfterSeconds(toRunView(status({ customStatus: { ...polling, nextPollAt: "2024-05-01T12:00:00Z" } })), now)).toBe(300);
  });

  it("falls back to the poll interval, then to the default", () => {
    expect(retryAfterSeconds(toRunView(status({ customStatus: null })), now)).toBe(120);
    expect(retryAfterSeconds(toRunView(status({ customStatus: null, input: null })), now, 15)).toBe(15);
  });

  it("null once the run is over", () => {
    expect(retryAfterSeconds(toRunView(status({ runtimeStatus: "Terminated" })), now)).toBeNull();
  });
});
