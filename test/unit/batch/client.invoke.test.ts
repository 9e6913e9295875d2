import { afterEach, describe, expect, it } from "vitest";
import { BatchEndpointError, createBatchEndpointClient } from "../../../src/batch";
import type { InvokeJobRequest } from "../../../src/batch/types";
import {
  FakeCredential,
  WS,
  capturingHttpClient,
  closedPort,
  countingHttpClient,
  invokeResponse,
  rejectionOf,
  startServer,
  testConfig,
  type TestServer,
} from "./helpers";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function request(endpointUri: string, overrides: Partial<InvokeJobRequest> = {}): InvokeJobRequest {
  return {
    endpointUri,
    deployment: "dep-a",
    inputs: {
      input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/in/2024-01-01/" },
      threshold: { type: "literal", value: "0.5" },
      single: { type: "uri_file", uri: "https://acct.blob.core.windows.net/c/in.csv" },
    },
    outputs: [{ name: "score", type: "uri_file", uri: "azureml://datastores/workspaceblobstore/paths/out/predictions.csv" }],
    invokeId: "inv-run42-1",
    tags: { team: "fraud", clientInvokeId: "should-be-overridden" },
    ...overrides,
  };
}

function loopbackClient(extra: Partial<Parameters<typeof createBatchEndpointClient>[0]> = {}) {
  const credential = new FakeCredential();
  const client = createBatchEndpointClient({ config: testConfig(), credential, ...extra });
  return { client, credential };
}

describe("invokeJob request", () => {
  it("POSTs the PascalCase body with tags/properties, repeatability and deployment headers", async () => {
    server = await startServer([{ status: 201, body: invokeResponse() }]);
    const { client, credential } = loopbackClient();
    await client.invokeJob(request(`${server.origin}/jobs`));

    expect(server.requests).toHaveLength(1);
    const sent = server.requests[0]!;
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe("/jobs");
    expect(sent.headers["content-type"]).toBe("application/json");
    expect(sent.headers["azureml-model-deployment"]).toBe("dep-a");
    expect(sent.headers["repeatability_request-id"]).toBe("inv-run42-1");
    expect(sent.headers["repeatability-request-id"]).toBe("inv-run42-1");
    // exact spellings on the wire
    expect(sent.rawHeaders).toContain("repeatability_request-id");
    expect(sent.rawHeaders).toContain("Repeatability-Request-ID");
    // loopback: no token, credential never asked
    expect(sent.headers.authorization).toBeUndefined();
    expect(credential.calls).toHaveLength(0);

    expect(JSON.parse(sent.body)).toEqual({
      properties: {
        InputData: {
          input_data: { JobInputType: "UriFolder", Uri: "azureml://datastores/workspaceblobstore/paths/in/2024-01-01/" },
          threshold: { JobInputType: "Literal", Value: "0.5" },
          single: { JobInputType: "UriFile", Uri: "https://acct.blob.core.windows.net/c/in.csv" },
        },
        OutputData: { score: { JobOutputType: "UriFile", Uri: "azureml://datastores/workspaceblobstore/paths/out/predictions.csv" } },
        tags: { team: "fraud", clientInvokeId: "inv-run42-1" },
        properties: { clientInvokeId: "inv-run42-1" },
      },
    });
  });

  it("sends no deployment header and no OutputData when neither is given", async () => {
    server = await startServer([{ status: 201, body: invokeResponse() }]);
    const { client } = loopbackClient();
    await client.invokeJob(request(`${server.origin}/jobs`, { deployment: undefined, outputs: [], tags: undefined }));
    const sent = server.requests[0]!;
    expect(sent.headers["azureml-model-deployment"]).toBeUndefined();
    const body = JSON.parse(sent.body);
    expect(body.properties.OutputData).toBeUndefined();
    expect(body.properties.tags).toEqual({ clientInvokeId: "inv-run42-1" });
  });

  it("uses a fresh connection for every invoke (no keep-alive reuse)", async () => {
    server = await startServer([{ status: 201, body: invokeResponse() }]);
    const { client } = loopbackClient();
    await client.invokeJob(request(`${server.origin}/jobs`));
    await client.invokeJob(request(`${server.origin}/jobs`));
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]!.remotePort).not.toBe(server.requests[1]!.remotePort);
    expect(server.requests[1]!.headers.connection).toBe("close");
  });
});

describe("invokeJob response", () => {
  it("turns a 201 with a nested id into the workspace-level job path", async () => {
    server = await startServer([{ status: 201, body: invokeResponse("batchjob-abc") }]);
    const { client } = loopbackClient();
    const job = await client.invokeJob(request(`${server.origin}/jobs`));
    expect(job).toEqual({
      name: "batchjob-abc",
      id: `${WS}/batchEndpoints/ep-1/deployments/dep-a/jobs/batchjob-abc`,
      jobPath: `${WS}/jobs/batchjob-abc`,
      status: "Preparing",
      studioUrl: expect.stringMatching(/^https:\/\/ml\.azure\.com\/runs\/batchjob-abc\?wsid=/),
    });
  });

  it("accepts PascalCase response keys and a 200", async () => {
    server = await startServer([
      {
        status: 200,
        body: {
          Id: `${WS}/jobs/batchjob-p`,
          Name: "batchjob-p",
          Properties: { Status: "Queued", Services: { Studio: { Endpoint: "https://ml.azure.com/runs/batchjob-p" } } },
        },
      },
    ]);
    const { client } = loopbackClient();
    const job = await client.invokeJob(request(`${server.origin}/jobs`));
    expect(job.jobPath).toBe(`${WS}/jobs/batchjob-p`);
    expect(job.status).toBe("Queued");
    expect(job.studioUrl).toBe("https://ml.azure.com/runs/batchjob-p");
  });

  it("a 2xx without a job name is UnexpectedResponse with outcomeUnknown", async () => {
    server = await startServer([{ status: 201, body: { id: `${WS}/jobs/x`, properties: { status: "Preparing" } } }]);
    const { client } = loopbackClient();
    const err = await rejectionOf(client.invokeJob(request(`${server.origin}/jobs`)));
    expect(err).toBeInstanceOf(BatchEndpointError);
    expect(err.code).toBe("UnexpectedResponse");
    expect(err.outcomeUnknown).toBe(true);
  });

  it("a 2xx whose id is not a workspace resource id is UnexpectedResponse with outcomeUnknown", async () => {
    server = await startServer([{ status: 201, body: { id: "/jobs/batchjob-1", name: "batchjob-1" } }]);
    const { client } = loopbackClient();
    const err = await rejectionOf(client.invokeJob(request(`${server.origin}/jobs`)));
    expect(err.code).toBe("UnexpectedResponse");
    expect(err.outcomeUnknown).toBe(true);
    expect(err.message).toContain("batchjob-1");
  });
});

describe("invokeJob is never blindly repeated", () => {
  it.each([
    [503, { "Retry-After": "1" }, "ServiceUnavailable"],
    [429, { "Retry-After": "1" }, "TooManyRequests"],
    [500, {}, "InternalServerError"],
    [408, {}, "RequestTimeout"],
  ])("HTTP %i → one request, retryable, outcomeUnknown", async (status, headers, code) => {
    server = await startServer([
      { status, headers, body: "upstream trouble" },
      { status: 201, body: invokeResponse() },
    ]);
    const { client } = loopbackClient();
    const started = Date.now();
    const err = await rejectionOf(client.invokeJob(request(`${server.origin}/jobs`)));
    expect(Date.now() - started).toBeLessThan(900); // no Retry-After wait either
    expect(server.requests).toHaveLength(1);
    expect(err).toBeInstanceOf(BatchEndpointError);
    expect(err.code).toBe(code);
    expect(err.httpStatus).toBe(status);
    expect(err.retryable).toBe(true);
    expect(err.outcomeUnknown).toBe(true);
  });

  it("a connection reset after the request arrived → NetworkError, outcomeUnknown, one request", async () => {
    server = await startServer([{ reset: true }, { status: 201, body: invokeResponse() }]);
    const { client } = loopbackClient();
    const err = await rejectionOf(client.invokeJob(request(`${server.origin}/jobs`)));
    expect(server.requests).toHaveLength(1);
    expect(err.code).toBe("NetworkError");
    expect(err.outcomeUnknown).toBe(true);
    expect(err.retryable).toBe(true);
  });

  it("a timeout → Timeout, outcomeUnknown, one request", async () => {
    server = await startServer([{ hang: true }]);
    const { client } = loopbackClient({ invokeTimeoutMs: 300 });
    const err = await rejectionOf(client.invokeJob(request(`${server.origin}/jobs`)));
    expect(server.requests).toHaveLength(1);
    expect(err.code).toBe("Timeout");
    expect(err.outcomeUnknown).toBe(true);
  });

  it("a refused connection (never sent) is retried, then fails with outcome known", async () => {
    const port = await closedPort();
    const httpClient = countingHttpClient();
    const { client } = loopbackClient({ httpClient, invokeRetry: { retryDelayMs: 20 } });
    const err = await rejectionOf(client.invokeJob(request(`http://127.0.0.1:${port}/jobs`)));
    expect(httpClient.count).toBe(4); // 1 + 3 retries
    expect(err.code).toBe("EndpointUnreachable");
    expect(err.outcomeUnknown).toBe(false);
    expect(err.retryable).toBe(true);
  });

  it("a refused connection followed by a listening server succeeds on retry", async () => {
    const port = await closedPort();
    let calls = 0;
    const { client } = loopbackClient({
      invokeRetry: { retryDelayMs: 20 },
      httpClient: {
        sendRequest: async (req) => {
          calls += 1;
          if (calls < 3) {
            const { RestError } = await import("@azure/core-rest-pipeline");
            throw new RestError("connect ECONNREFUSED", { code: "ECONNREFUSED", request: req });
          }
          return {
            request: req,
            status: 201,
            headers: (await import("@azure/core-rest-pipeline")).createHttpHeaders(),
            bodyAsText: JSON.stringify(invokeResponse("batchjob-r")),
          };
        },
      },
    });
    const job = await client.invokeJob(request(`http://127.0.0.1:${port}/jobs`));
    expect(calls).toBe(3);
    expect(job.name).toBe("batchjob-r");
  });
});

describe("invokeJob error bodies", () => {
  it.each([
    [
      "ARM-wrapped",
      { error: { code: "UserError", message: "Input path does not exist.", details: [{ code: "X", message: "path in/2024" }] } },
      "UserError",
      "Input path does not exist.",
    ],
    ["unwrapped", { code: "BadArgument", message: "OutputData is invalid." }, "BadArgument", "OutputData is invalid."],
    ["non-JSON", "<html>Bad Request</html>", "BadRequest", "<html>Bad Request</html>"],
  ])("400 %s → code and message, not retryable, outcome known", async (_label, body, code, text) => {
    server = await startServer([{ status: 400, body, headers: { "x-ms-request-id": "req-123" } }]);
    const { client } = loopbackClient();
    const err = await rejectionOf(client.invokeJob(request(`${server.origin}/jobs`)));
    expect(err.code).toBe(code);
    expect(err.message).toContain(text);
    expect(err.httpStatus).toBe(400);
    expect(err.retryable).toBe(false);
    expect(err.outcomeUnknown).toBe(false);
    expect(err.requestId).toBe("req-123");
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    [401, "AuthorizationFailed"],
    [403, "AuthorizationFailed"],
    [404, "NotFound"],
  ])("HTTP %i without a body code → %s, outcome known", async (status, code) => {
    server = await startServer([{ status }]);
    const { client } = loopbackClient();
    const err = await rejectionOf(client.invokeJob(request(`${server.origin}/jobs`)));
    expect(err.code).toBe(code);
    expect(err.outcomeUnknown).toBe(false);
    expect(err.retryable).toBe(false);
  });
});

describe("invokeJob endpoint checks", () => {
  it("an endpoint outside the allowlist fails before any token or request", async () => {
    const credential = new FakeCredential();
    const httpClient = capturingHttpClient(() => ({ status: 201, body: invokeResponse() }));
    const client = createBatchEndpointClient({ config: testConfig(), credential, httpClient });
    const err = await rejectionOf(client.invokeJob(request("https://evil.example.com/jobs?sig=SECRET123")));
    expect(err).toBeInstanceOf(BatchEndpointError);
    expect(err.code).toBe("EndpointNotAllowed");
    expect(err.retryable).toBe(false);
    expect(err.outcomeUnknown).toBe(false);
    expect(err.message).toContain("evil.example.com");
    expect(err.message).not.toContain("SECRET123");
    expect(credential.calls).toHaveLength(0);
    expect(httpClient.requests).toHaveLength(0);
  });

  it("a loopback endpoint without SCORING_ALLOW_LOOPBACK is refused", async () => {
    server = await startServer([{ status: 201, body: invokeResponse() }]);
    const credential = new FakeCredential();
    const client = createBatchEndpointClient({ config: testConfig({ allowLoopback: false }), credential });
    const err = await rejectionOf(client.invokeJob(request(`${server.origin}/jobs`)));
    expect(err.code).toBe("EndpointNotAllowed");
    expect(server.requests).toHaveLength(0);
    expect(credential.calls).toHaveLength(0);
  });

  it("plain http to an allowlisted host is refused", async () => {
    const credential = new FakeCredential();
    const httpClient = capturingHttpClient(() => ({ status: 201, body: invokeResponse() }));
    const client = createBatchEndpointClient({ config: testConfig(), credential, httpClient });
    const err = await rejectionOf(client.invokeJob(request("http://ep.westeurope.inference.ml.azure.com/jobs")));
    expect(err.code).toBe("EndpointNotAllowed");
    expect(httpClient.requests).toHaveLength(0);
  });

  it("an invokeId that cannot be a header value is refused", async () => {
    const httpClient = capturingHttpClient(() => ({ status: 201, body: invokeResponse() }));
    const client = createBatchEndpointClient({ config: testConfig(), credential: new FakeCredential(), httpClient });
    const err = await rejectionOf(client.invokeJob(request("https://ep.westeurope.inference.ml.azure.com/jobs", { invokeId: "bad\r\nX-Injected: 1" })));
    expect(err.code).toBe("InvalidRequest");
    expect(httpClient.requests).toHaveLength(0);
  });
});
