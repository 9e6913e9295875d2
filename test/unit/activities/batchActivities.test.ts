import { describe, expect, it } from "vitest";
import { createBatchActivities } from "../../../src/activities/batchActivities";
import { BatchEndpointError } from "../../../src/batch/errors";
import type { BatchEndpointClient, EnsureJobRequest, JobListing, JobLocator, JobSnapshot } from "../../../src/batch/types";

const WS = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws";
const locator: JobLocator = { jobPath: `${WS}/jobs/batchjob-1`, apiVersion: "2022-10-01" };
const request: EnsureJobRequest = {
  endpointUri: "https://ep.westeurope.inference.ml.azure.com/jobs",
  inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/ds/paths/in/" } },
  outputs: [{ name: "score", type: "uri_file", uri: "azureml://datastores/ds/paths/out/p.csv" }],
  invokeId: "inv-1",
  workspace: WS,
  apiVersion: "2022-10-01",
  notBefore: "2026-01-01T00:00:00.000Z",
};
const snapshot: JobSnapshot = { name: "batchjob-1", status: "Running", studioUrl: null, errorMessage: null };
const emptyListing: JobListing = { jobs: [], complete: true, pages: 1 };

/** A client whose every operation does what `answers` says (a value, or throws the error given). */
function fakeClient(answers: { getJob?: JobSnapshot | Error; cancelJob?: Error; invokeJob?: Error; listJobs?: JobListing | Error } = {}): BatchEndpointClient {
  const answer = <T>(a: T | Error | undefined, fallback: T): T => {
    if (a instanceof Error) throw a;
    return a ?? fallback;
  };
  return {
    async getJob() {
      return answer(answers.getJob, snapshot);
    },
    async cancelJob() {
      answer(answers.cancelJob, undefined);
    },
    async invokeJob() {
      return answer(answers.invokeJob, {
        name: "batchjob-new",
        id: `${WS}/jobs/batchjob-new`,
        jobPath: `${WS}/jobs/batchjob-new`,
        status: "Preparing",
        studioUrl: null,
      });
    },
    async listJobs() {
      return answer(answers.listJobs, emptyListing);
    },
    async getDatastore() {
      throw new Error("not used");
    },
    async getDataVersion() {
      throw new Error("not used");
    },
    async getBatchEndpoint() {
      throw new Error("not used");
    },
    async getBatchDeployment() {
      throw new Error("not used");
    },
    async getComponentVersion() {
      throw new Error("not used");
    },
  };
}

function activities(client: BatchEndpointClient | (() => BatchEndpointClient)) {
  const logs: string[] = [];
  const factory = typeof client === "function" ? client : () => client;
  return { ...createBatchActivities(factory), logs, log: (m: string) => logs.push(m) };
}

const throttled = () => new BatchEndpointError("TooManyRequests", "HTTP 429: slow down", { httpStatus: 429, retryable: true, retryAfterSeconds: 17 });
const notFound = () => new BatchEndpointError("NotFound", "HTTP 404: no such job", { httpStatus: 404 });

describe("getBatchJobStatus", () => {
  it("a status read is an ok result carrying the snapshot, logged", async () => {
    const a = activities(fakeClient());
    expect(await a.getBatchJobStatus(locator, a.log)).toEqual({ ok: true, value: snapshot });
    expect(a.logs).toEqual(["job status Running"]);
  });

  it("asked for the status only (the run holds the rest), answers the status alone until the job ends", async () => {
    const a = activities(fakeClient());
    expect(await a.getBatchJobStatus({ ...locator, statusOnly: true }, a.log)).toEqual({ ok: true, value: { status: "Running" } });
    const ended = { ...snapshot, status: "Failed", errorMessage: "boom" };
    const b = activities(fakeClient({ getJob: ended }));
    expect(await b.getBatchJobStatus({ ...locator, statusOnly: true }, b.log)).toEqual({ ok: true, value: ended });
  });

  it("a service error is a failed result with its code, status, retry advice and message, not a throw", async () => {
    const a = activities(fakeClient({ getJob: throttled() }));
    expect(await a.getBatchJobStatus(locator, a.log)).toEqual({
      ok: false,
      error: { code: "TooManyRequests", message: "HTTP 429: slow down", httpStatus: 429, retryable: true, retryAfterSeconds: 17 },
    });
    expect(a.logs).toEqual(["status read failed: TooManyRequests HTTP 429: slow down"]);
  });

  it("a 404 is a failed result, not retryable", async () => {
    const a = activities(fakeClient({ getJob: notFound() }));
    expect(await a.getBatchJobStatus(locator, a.log)).toMatchObject({ ok: false, error: { code: "NotFound", httpStatus: 404, retryable: false } });
  });

  it("an unexpected error (a bug, a client that cannot be built) is a failed result too: InternalError, retryable", async () => {
    const bug = activities(fakeClient({ getJob: new TypeError("x is undefined") }));
    expect(await bug.getBatchJobStatus(locator, bug.log)).toEqual({
      ok: false,
      error: { code: "InternalError", message: "x is undefined", httpStatus: null, retryable: true, retryAfterSeconds: null },
    });
    const noClient = activities(() => {
      throw new Error("Setting AML_WORKSPACE_ID must be a workspace resource id");
    });
    expect(await noClient.getBatchJobStatus(locator, noClient.log)).toMatchObject({ ok: false, error: { code: "InternalError" } });
  });

  it("a failed result is plain JSON: it survives the durable history unchanged", async () => {
    const a = activities(fakeClient({ getJob: new BatchEndpointError("Unauthorized", "HTTP 401", { httpStatus: 401, cause: new Error("inner") }) }));
    const result = await a.getBatchJobStatus(locator, a.log);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});

describe("cancelBatchJob", () => {
  it("a cancel sent is an ok result with no value", async () => {
    const a = activities(fakeClient());
    expect(await a.cancelBatchJob(locator, a.log)).toEqual({ ok: true, value: null });
    expect(a.logs).toEqual(["cancel sent"]);
  });

  it("a refused cancel is a failed result, logged", async () => {
    const a = activities(fakeClient({ cancelJob: new BatchEndpointError("Conflict", "HTTP 409: the job already ended", { httpStatus: 409 }) }));
    expect(await a.cancelBatchJob(locator, a.log)).toMatchObject({ ok: false, error: { code: "Conflict", httpStatus: 409 } });
    expect(a.logs).toEqual(["cancel failed: Conflict HTTP 409: the job already ended"]);
  });
});

describe("invokeBatchEndpoint", () => {
  it("a job created is an ok result carrying it", async () => {
    const a = activities(fakeClient());
    expect(await a.invokeBatchEndpoint(request, a.log)).toMatchObject({ ok: true, value: { name: "batchjob-new", jobPath: `${WS}/jobs/batchjob-new` } });
  });

  it("an invoke refused before it was sent is a failed result without outcomeUnknown", async () => {
    const a = activities(fakeClient({ invokeJob: new BatchEndpointError("EndpointNotAllowed", "not on the allowlist") }));
    const result = await a.invokeBatchEndpoint(request, a.log);
    expect(result).toEqual({
      ok: false,
      error: { code: "EndpointNotAllowed", message: "not on the allowlist", httpStatus: null, retryable: false, retryAfterSeconds: null },
    });
  });

  it("a lost answer whose job is not found is a failed result marked outcomeUnknown (the run looks again later)", async () => {
    const a = activities(fakeClient({ invokeJob: new BatchEndpointError("NetworkError", "socket hang up", { retryable: true, outcomeUnknown: true }) }));
    expect(await a.invokeBatchEndpoint(request, a.log)).toMatchObject({ ok: false, error: { code: "NetworkError", retryable: true, outcomeUnknown: true } });
  });
});

describe("findInvokedJob", () => {
  it("a search is an ok result, with or without a job", async () => {
    const a = activities(fakeClient());
    expect(await a.findInvokedJob(request, a.log)).toEqual({ ok: true, value: { job: null, keepsMarkers: false, complete: true } });
  });

  it("a listing that fails is a failed result", async () => {
    const a = activities(fakeClient({ listJobs: throttled() }));
    expect(await a.findInvokedJob(request, a.log)).toMatchObject({ ok: false, error: { code: "TooManyRequests", retryAfterSeconds: 17 } });
  });
});

describe("createBatchActivities", () => {
  it("builds the client at each call, not when the activities are made (settings may change in between)", async () => {
    let built = 0;
    const a = activities(() => {
      built++;
      return fakeClient();
    });
    expect(built).toBe(0);
    await a.getBatchJobStatus(locator, a.log);
    await a.cancelBatchJob(locator, a.log);
    expect(built).toBe(2);
  });
});
