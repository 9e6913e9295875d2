/**
 * The invoke activity: make sure exactly one Azure ML job exists for this run's invoke.
 *
 * Activities run at least once, and an invoke's answer can be lost after the service accepted
 * it, so a bare POST could start a second job. With the workspace known:
 *  - before posting, look for a job this run may have created already (a worker that died after
 *    its POST): found → adopt it (several → keep the earliest, cancel the others). A search that
 *    fails or cannot finish never blocks the POST; it is a warning, since a duplicate is then
 *    possible, and only if a worker died between an earlier POST and recording its answer;
 *  - after an answer is lost, look once at once: found → adopt. Otherwise the error goes back to
 *    the run, which looks again on durable timers (the job list can lag; see decisions.ts).
 * Jobs are recognised by their output path (see ownJobs.ts), so a lost answer is adopted whenever
 * the request named an output. Without a workspace none of this is possible.
 */
import { toBatchEndpointError } from "../batch/errors";
import type { BatchEndpointClient, BatchWarning, EnsuredJob, EnsureJobRequest, JobSearch, ListedJob } from "../batch/types";
import { keepsMarkers, ownJobs } from "./ownJobs";
import { resolveDataAssets } from "./resolveDataAssets";

export interface EnsureJobDeps {
  client: BatchEndpointClient;
  log?: (message: string) => void;
}

export async function ensureJob(request: EnsureJobRequest, deps: EnsureJobDeps): Promise<EnsuredJob> {
  const { client } = deps;
  const log = deps.log ?? (() => undefined);
  const inputs = await resolveDataAssets(request.inputs, request.workspace, client);
  let warning: BatchWarning | undefined;
  if (request.workspace) {
    try {
      const search = await findInvokedJob(request, deps, "found before posting (an earlier attempt of this invoke created it)");
      if (search.job) return search.job;
      if (!search.complete) warning = searchWarning("the search stopped at its bound before reaching the run's start");
    } catch (err) {
      warning = searchWarning(`the search failed: ${toBatchEndpointError(err).message}`);
    }
    if (warning) log(`invoke ${request.invokeId}: ${warning.message}`);
  }
  try {
    const job = await client.invokeJob({ ...request, inputs });
    return warning ? { ...job, warning } : job;
  } catch (err) {
    const error = toBatchEndpointError(err);
    if (!error.outcomeUnknown || !request.workspace) throw error;
    try {
      const search = await findInvokedJob(request, deps, `found after the invoke's answer was lost (${error.code})`);
      if (search.job) return search.job;
    } catch (searchError) {
      log(`invoke ${request.invokeId}: looking for the job failed: ${toBatchEndpointError(searchError).message}`);
    }
    throw error;
  }
}

/**
 * One look through the workspace's newest jobs for this invoke's job: adopted when found (the
 * earliest kept, the others canceled), with what the listing showed about the workspace.
 */
export async function findInvokedJob(request: EnsureJobRequest, deps: EnsureJobDeps, how: string): Promise<JobSearch> {
  const { client } = deps;
  const log = deps.log ?? (() => undefined);
  const listing = await client.listJobs({ workspace: request.workspace as string, apiVersion: request.apiVersion, notBefore: request.notBefore });
  const found = ownJobs(listing.jobs, request);
  const result = { keepsMarkers: keepsMarkers(listing.jobs), complete: listing.complete };
  if (found.length === 0) return { ...result, job: null };
  const [keep, ...extra] = found;
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
  return { ...result, job: { name: job.name, id: job.id, jobPath: job.jobPath, status: job.status, studioUrl: job.studioUrl, reconciled } };
}

function searchWarning(what: string): BatchWarning {
  return {
    code: "JobSearchIncomplete",
    message:
      `Before invoking, the run looked for a job it may have created already, but ${what}. ` +
      "A second job is possible only if a worker died between an earlier invoke and recording its answer; check the endpoint's jobs if this run's output appears twice.",
  };
}
