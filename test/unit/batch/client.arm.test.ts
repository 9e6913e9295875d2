import { afterEach, describe, expect, it } from "vitest";
import { BatchEndpointError, createBatchEndpointClient } from "../../../src/batch";
import { FakeCredential, WS, capturingHttpClient, rejectionOf, startServer, testConfig, type TestServer } from "./helpers";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const JOB_PATH = `${WS}/jobs/batchjob-42`;
const locator = { jobPath: JOB_PATH, apiVersion: "2022-10-01" };

function jobBody(status: string, properties: Record<string, unknown> = {}) {
  return {
    id: JOB_PATH,
    name: "batchjob-42",
    properties: {
      status,
      jobType: "Pipeline",
      services: { Studio: { jobServiceType: "Studio", endpoint: "https://ml.azure.com/runs/batchjob-42?wsid=/x" } },
      ...properties,
    },
  };
}

async function armClient(script: Parameters<typeof startServer>[0], extra: Partial<Parameters<typeof createBatchEndpointClient>[0]> = {}) {
  server = await startServer(script);
  const credential = new FakeCredential();
  const client = createBatchEndpointClient({ config: testConfig({ armEndpoint: server.origin }), credential, ...extra });
  return { client, credential, server };
}

describe("getJob", () => {
  it("GETs {arm}{jobPath}?api-version=… and reads status and Studio link, no token on loopback", async () => {
    const { client, credential, server } = await armClient([{ status: 200, body: jobBody("Running") }]);
    const snapshot = await client.getJob({ jobPath: JOB_PATH, apiVersion: "2024-04-01" });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.method).toBe("GET");
    expect(server.requests[0]!.url).toBe(`${JOB_PATH}?api-version=2024-04-01`);
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
    expect(credential.calls).toHaveLength(0);
    expect(snapshot).toEqual({
      name: "batchjob-42",
      status: "Running",
      studioUrl: "https://ml.azure.com/runs/batchjob-42?wsid=/x",
      errorMessage: null,
    });
  });

  it("uses the default api-version 2022-10-01 when none is given", async () => {
    const { client, server } = await armClient([{ status: 200, body: jobBody("Queued") }]);
    await client.getJob({ jobPath: JOB_PATH, apiVersion: "" });
    expect(server.requests[0]!.url).toBe(`${JOB_PATH}?api-version=2022-10-01`);
  });

  it.each([
    ["properties.error.error.message", { error: { error: { code: "UserError", message: "Scoring script raised ValueError" } } }],
    ["properties.error.message", { error: { code: "UserError", message: "Scoring script raised ValueError" } }],
    ["properties.services.*.errorMessage", { services: { Tracking: { errorMessage: "Scoring script raised ValueError" } } }],
  ])("reads a failed job's error from %s", async (_where, properties) => {
    const { client } = await armClient([{ status: 200, body: jobBody("Failed", properties) }]);
    const snapshot = await client.getJob(locator);
    expect(snapshot.status).toBe("Failed");
    expect(snapshot.errorMessage).toBe("Scoring script raised ValueError");
  });

  it("a 404 is NotFound, not retryable, after one request", async () => {
    const { client, server } = await armClient([{ status: 404, body: { error: { code: "ResourceNotFound", message: "Job not found." } } }]);
    const err = await rejectionOf(client.getJob(locator));
    expect(err).toBeInstanceOf(BatchEndpointError);
    expect(err.code).toBe("ResourceNotFound");
    expect(err.httpStatus).toBe(404);
    expect(err.retryable).toBe(false);
    expect(err.outcomeUnknown).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it("refuses a job path that is not workspace-level, before any request", async () => {
    const { client, server } = await armClient([{ status: 200, body: jobBody("Running") }]);
    const err = await rejectionOf(client.getJob({ jobPath: `${WS}/batchEndpoints/ep/deployments/d/jobs/batchjob-42`, apiVersion: "2022-10-01" }));
    expect(err.code).toBe("InvalidRequest");
    expect(server.requests).toHaveLength(0);
  });

  it("refuses a malformed api-version", async () => {
    const { client, server } = await armClient([{ status: 200, body: jobBody("Running") }]);
    const err = await rejectionOf(client.getJob({ jobPath: JOB_PATH, apiVersion: "2022-10-01&x=1" }));
    expect(err.code).toBe("InvalidRequest");
    expect(server.requests).toHaveLength(0);
  });

  it("refuses a plain-http ARM endpoint that is not loopback", async () => {
    const credential = new FakeCredential();
    const httpClient = capturingHttpClient(() => ({ status: 200, body: jobBody("Running") }));
    const client = createBatchEndpointClient({ config: testConfig({ armEndpoint: "http://arm.example.com" }), credential, httpClient });
    const err = await rejectionOf(client.getJob(locator));
    expect(err.code).toBe("EndpointNotAllowed");
    expect(httpClient.requests).toHaveLength(0);
    expect(credential.calls).toHaveLength(0);
  });
});

describe("getJob retries (safe to repeat)", () => {
  it("429 with Retry-After: 1 then 200 → waits about a second, then succeeds", async () => {
    const { client, server } = await armClient([
      { status: 429, headers: { "Retry-After": "1" }, body: { error: { code: "TooManyRequests", message: "slow down" } } },
      { status: 200, body: jobBody("Running") },
    ]);
    const snapshot = await client.getJob(locator);
    expect(snapshot.status).toBe("Running");
    expect(server.requests).toHaveLength(2);
    const gap = server.requests[1]!.receivedAt - server.requests[0]!.receivedAt;
    expect(gap).toBeGreaterThanOrEqual(950);
  });

  it("503 twice then 200 → succeeds on the third request", async () => {
    const { client, server } = await armClient([
      { status: 503, body: "unavailable" },
      { status: 503, body: "unavailable" },
      { status: 200, body: jobBody("Completed") },
    ]);
    const snapshot = await client.getJob(locator);
    expect(snapshot.status).toBe("Completed");
    expect(server.requests).toHaveLength(3);
  });

  it("a connection reset is retried", async () => {
    const { client, server } = await armClient([{ reset: true }, { status: 200, body: jobBody("Running") }], {
      armRetry: { retryDelayMs: 20 },
    });
    const snapshot = await client.getJob(locator);
    expect(snapshot.status).toBe("Running");
    expect(server.requests).toHaveLength(2);
  });

  it.each([
    [429, "TooManyRequests"],
    [503, "ServiceUnavailable"],
  ])("HTTP %i with Retry-After: 120 → fails at once, retryable, retryAfterSeconds 120", async (status, code) => {
    const { client, server } = await armClient([
      { status, headers: { "Retry-After": "120" } },
      { status: 200, body: jobBody("Running") },
    ]);
    const started = Date.now();
    const err = await rejectionOf(client.getJob(locator));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.requests).toHaveLength(1);
    expect(err).toBeInstanceOf(BatchEndpointError);
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(true);
    expect(err.retryAfterSeconds).toBe(120);
    expect(err.httpStatus).toBe(status);
  });

  it("does not start a Retry-After wait that would take the call past its budget", async () => {
    const { client, server } = await armClient(
      [
        { status: 429, headers: { "Retry-After": "1" } },
        { status: 429, headers: { "Retry-After": "1" } },
        { status: 200, body: jobBody("Running") },
      ],
      { armRetry: { retryAfterBudgetSeconds: 1.5 } },
    );
    const err = await rejectionOf(client.getJob(locator));
    expect(server.requests).toHaveLength(2);
    expect(err.code).toBe("TooManyRequests");
    expect(err.retryAfterSeconds).toBe(1);
    expect(err.retryable).toBe(true);
  });

  it("gives up after 3 retries and reports the last status", async () => {
    const { client, server } = await armClient([{ status: 500, body: { error: { code: "InternalError", message: "boom" } } }], {
      armRetry: { retryDelayMs: 10, maxRetryDelayMs: 20 },
    });
    const err = await rejectionOf(client.getJob(locator));
    expect(server.requests).toHaveLength(4);
    expect(err.code).toBe("InternalError");
    expect(err.httpStatus).toBe(500);
    expect(err.retryable).toBe(true);
  });
});

describe("cancelJob", () => {
  it("POSTs {arm}{jobPath}/cancel?api-version=… with an empty body", async () => {
    const { client, server } = await armClient([{ status: 202 }]);
    await client.cancelJob(locator);
    expect(server.requests).toHaveLength(1);
    const sent = server.requests[0]!;
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe(`${JOB_PATH}/cancel?api-version=2022-10-01`);
    expect(sent.body).toBe("");
    expect(sent.headers["content-length"]).toBe("0");
  });

  it("200 is fine too", async () => {
    const { client } = await armClient([{ status: 200 }]);
    await expect(client.cancelJob(locator)).resolves.toBeUndefined();
  });

  it("409 (job already terminal) returns normally", async () => {
    const { client } = await armClient([{ status: 409, body: { error: { code: "Conflict", message: "Job is in a terminal state." } } }]);
    await expect(client.cancelJob(locator)).resolves.toBeUndefined();
  });

  it("400 saying the job already completed returns normally", async () => {
    const { client } = await armClient([
      { status: 400, body: { error: { code: "UserError", message: "Job batchjob-42 has already completed and cannot be canceled." } } },
    ]);
    await expect(client.cancelJob(locator)).resolves.toBeUndefined();
  });

  it("another 400 is an error", async () => {
    const { client } = await armClient([{ status: 400, body: { error: { code: "BadRequest", message: "Invalid api-version." } } }]);
    const err = await rejectionOf(client.cancelJob(locator));
    expect(err.code).toBe("BadRequest");
    expect(err.retryable).toBe(false);
  });

  it("404 is an error", async () => {
    const { client } = await armClient([{ status: 404 }]);
    const err = await rejectionOf(client.cancelJob(locator));
    expect(err.code).toBe("NotFound");
    expect(err.httpStatus).toBe(404);
  });
});
