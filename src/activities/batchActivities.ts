/**
 * The activities a scoring run calls. Built by a factory that receives the Azure ML client, so
 * tests and the dev host pass an emulator-backed one and production the real one. Expected
 * failures come back as values (ActivityResult) so the orchestrator decides what to do.
 */
import { toErrorInfo } from "../batch/errors";
import type { ActivityResult, BatchEndpointClient, InvokeJobRequest, JobLocator, JobRef, JobSnapshot } from "../batch/types";

async function asResult<T>(work: () => Promise<T>): Promise<ActivityResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}

export function createBatchActivities(client: () => BatchEndpointClient) {
  return {
    invokeBatchEndpoint: (request: InvokeJobRequest): Promise<ActivityResult<JobRef>> => asResult(() => client().invokeJob(request)),
    getBatchJobStatus: (locator: JobLocator): Promise<ActivityResult<JobSnapshot>> => asResult(() => client().getJob(locator)),
    cancelBatchJob: (locator: JobLocator): Promise<ActivityResult<null>> => asResult(async () => {
      await client().cancelJob(locator);
      return null;
    }),
  };
}
