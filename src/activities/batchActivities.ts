/**
 * The activities a scoring run calls. Built by a factory that receives the Azure ML client, so
 * tests and the dev host pass an emulator-backed one and production the real one. Expected
 * failures come back as values (ActivityResult) so the orchestrator decides what to do.
 */
import { toErrorInfo } from "../batch/errors";
import type { ActivityResult, BatchEndpointClient, EnsuredJob, EnsureJobRequest, JobLocator, JobSearch, JobSnapshot } from "../batch/types";
import { ensureJob, findInvokedJob } from "./ensureJob";

async function asResult<T>(work: () => Promise<T>): Promise<ActivityResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}

export function createBatchActivities(client: () => BatchEndpointClient) {
  return {
    invokeBatchEndpoint: (request: EnsureJobRequest, log?: (message: string) => void): Promise<ActivityResult<EnsuredJob>> =>
      asResult(() => ensureJob(request, { client: client(), log })),
    findInvokedJob: (request: EnsureJobRequest, log?: (message: string) => void): Promise<ActivityResult<JobSearch>> =>
      asResult(() => findInvokedJob(request, { client: client(), log }, "found after the invoke's answer was lost")),
    getBatchJobStatus: (locator: JobLocator): Promise<ActivityResult<JobSnapshot>> => asResult(() => client().getJob(locator)),
    cancelBatchJob: (locator: JobLocator): Promise<ActivityResult<null>> => asResult(async () => {
      await client().cancelJob(locator);
      return null;
    }),
  };
}
