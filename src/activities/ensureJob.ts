/**
 * The invoke activity: make sure exactly one Azure ML job exists for this run's invoke id.
 *
 * Activities run at least once, and an invoke's answer can be lost after the service accepted
 * it, so a bare POST could start a second job. Every invoke carries the run's deterministic
 * `clientInvokeId` (property and tag). With the workspace known:
 *  - before posting, look for jobs carrying the id (this run may have posted already, e.g. in a
 *    worker that died before recording the answer): one → adopt it; several → keep the earliest,
 *    cancel the others;
 *  - after an answer is lost, look again (briefly, as the job list can lag): found → adopt;
 *    none, and this workspace demonstrably keeps the marker on jobs → the request was not
 *    accepted, so the run may post again with the same id; none otherwise → outcome unknown.
 * Without a workspace none of this is possible, and a lost answer stays outcome unknown.
 */
import { BatchEndpointError, toBatchEndpointError } from "../batch/errors";
import type { BatchEndpointClient, EnsureJobRequest, JobRef, ListedJob } from "../batch/types";

export const invokeMarker = "clientInvokeId";
/** Waits before each search after a lost answer: the job list may not show a new job at once. */
export const reconcileDelaysMs = [0, 2000, 5000];

export interface EnsureJobDeps {
  client: BatchEndpointClient;
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function ensureJob(request: EnsureJobRequest, deps: EnsureJobDeps): Promise<JobRef & { reconciled?: string }> {
  const { client } = deps;
  const log = deps.log ?? (() => undefined);
  const sleep = deps.sleep ?? defaultSleep;
  const find = async (): Promise<ListedJob[]> =>
    client.listJobs({ workspace: request.workspace as string, property: invokeMarker, value: request.invokeId, apiVersion: request.apiVersion });

  if (request.workspace) {
    const existing = await find();
    if (existing.length > 0) return adopt(existing, "found before posting (an earlier attempt of this invoke created it)");
  }
  try {
    return await client.invokeJob(request);
  } catch (err) {
    const error = toBatchEndpointError(err);
    if (!error.outcomeUnknown || !request.workspace) throw error;
    for (const delay of reconcileDelaysMs) {
      if (delay > 0) await sleep(delay);
      const found = await find();
      if (found.length > 0) return adopt(found, `found after the invoke's answer was lost (${error.code})`);
    }
    const keepsMarkers = (await client.listJobs({ workspace: request.workspace, property: invokeMarker, apiVersion: request.apiVersion, firstOnly: true })).length > 0;
    if (keepsMarkers) {
      throw new BatchEndpointError(
        "InvokeNotAccepted",
        `The invoke's answer was lost (${error.message}), and no job carries ${invokeMarker}=${request.invokeId} ` +
          "although this workspace keeps that marker on jobs: the request was not accepted, so it can be sent again.",
        { retryable: true, outcomeUnknown: false, httpStatus: error.httpStatus, retryAfterSeconds: error.retryAfterSeconds },
      );
    }
    throw error.with({
      message: `${error.message} No job with ${invokeMarker}=${request.invokeId} was found in the workspace, but no job there carries ` +
        "that marker at all, so a job created without it cannot be ruled out.",
    });
  }

  async function adopt(jobs: ListedJob[], how: string): Promise<JobRef & { reconciled: string }> {
    const [keep, ...extra] = jobs;
    const job = keep as ListedJob;
    for (const duplicate of extra) {
      try {
        await client.cancelJob({ jobPath: duplicate.jobPath, apiVersion: request.apiVersion });
        log(`invoke ${request.invokeId}: canceled duplicate job ${duplicate.name}, keeping ${job.name}`);
      } catch (err) {
        log(`invoke ${request.invokeId}: could not cancel duplicate job ${duplicate.name}: ${toBatchEndpointError(err).message}`);
      }
    }
    log(`invoke ${request.invokeId}: adopted job ${job.name}, ${how}`);
    const reconciled = extra.length > 0 ? `${how}; ${extra.length} duplicate(s) canceled` : how;
    return { name: job.name, id: job.id, jobPath: job.jobPath, status: job.status, studioUrl: job.studioUrl, reconciled };
  }
}
