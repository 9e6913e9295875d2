/**
 * The activities a scoring run calls on Azure ML. Built by a factory that receives the client, so
 * tests and the dev host pass an emulator-backed one and production the real one. Expected
 * failures come back as values (ActivityResult) so the orchestrator decides what to do; each
 * activity logs one line of what it did.
 */
import type { ActivityResult, BatchEndpointClient, EnsuredJob, EnsureJobRequest, JobLocator, JobSearch } from "../batch/types";
import { type JobStatusRead, type JobStatusRequest, statusRead } from "../runs/statusRead";
import { asResult } from "./activityResult";
import { ensureJob, findInvokedJob } from "./ensureJob";

export type ActivityLog = (message: string) => void;

export function createBatchActivities(client: () => BatchEndpointClient) {
  return {
    invokeBatchEndpoint: (request: EnsureJobRequest, log: ActivityLog): Promise<ActivityResult<EnsuredJob>> =>
      asResult(() => ensureJob(request, { client: client(), log })),
    findInvokedJob: (request: EnsureJobRequest, log: ActivityLog): Promise<ActivityResult<JobSearch>> =>
      asResult(() => findInvokedJob(request, { client: client(), log }, "found after the invoke's answer was lost")),
    getBatchJobStatus: async (request: JobStatusRequest, log: ActivityLog): Promise<ActivityResult<JobStatusRead>> => {
      const result = await asResult(() => client().getJob(request));
      log(result.ok ? `job status ${result.value.status}` : `status read failed: ${result.error.code} ${result.error.message}`);
      // The result goes into the run's history at every poll: the status alone, while that is all that changes.
      return result.ok ? { ok: true, value: statusRead(result.value, request) } : result;
    },
    cancelBatchJob: async (locator: JobLocator, log: ActivityLog): Promise<ActivityResult<null>> => {
      const result = await asResult(async () => {
        await client().cancelJob(locator);
        return null;
      });
      log(result.ok ? "cancel sent" : `cancel failed: ${result.error.code} ${result.error.message}`);
      return result;
    },
  };
}
