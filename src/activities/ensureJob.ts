/**
 * The invoke activity: make sure exactly one Azure ML job exists for this run's invoke.
 *
 * Activities run at least once, and an invoke's answer can be lost after the service accepted
 * it, so a bare POST could start a second job. With the workspace known:
 *  - before posting, look for a job this run may have created already (a worker that died after
 *    its POST): found → adopt it (several → keep the earliest, cancel the others). A search that
 *    fails or cannot finish never blocks the POST; it is a warning, since a duplicate is then
 *    possible, and only if a worker died between an earlier POST and recording its answer;
 *  - after an answer is lost, look again (briefly, as the job list can lag): found → adopt;
 *    not found while this workspace demonstrably keeps the invoke marker → the request was not
 *    accepted, so the run may post again with the same id; otherwise → outcome unknown.
 * Jobs are recognised by their output path (see ownJobs.ts), so a lost answer is adopted whenever
 * the request named an output. Without a workspace none of this is possible.
 */
import { BatchEndpointError, toBatchEndpointError } from "../batch/errors";
import type { BatchEndpointClient, BatchWarning, EnsuredJob, EnsureJobRequest, JobListing, ListedJob } from "../batch/types";
import { invokeMarker, keepsMarkers, ownJobs } from "./ownJobs";
import { resolveDataAssets } from "./resolveDataAssets";

/** Waits before each search after a lost answer: the job list may not show a new job at once. */
export const reconcileDelaysMs = [0, 2000, 5000];

export interface EnsureJobDeps {
  client: BatchEndpointClient;
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function ensureJob(request: EnsureJobRequest, deps: EnsureJobDeps): Promise<EnsuredJob> {
  const { client } = deps;
  const log = deps.log ?? (() => undefined);
  const sleep = deps.sleep ?? defaultSleep;
  const workspace = request.workspace;
  const search = (): Promise<JobListing> =>
    client.listJobs({ workspace: workspace as string, apiVersion: request.apiVersion, notBefore: request.notBefore });
  const mine = (listing: JobListing): ListedJob[] => ownJobs(listing.jobs, request);

  const inputs = await resolveDataAssets(request.inputs, workspace, client);
  let warning: BatchWarning | undefined;
  if (workspace) {
    try {
      const listing = await search();
      const found = mine(listing);
      if (found.length > 0) return adopt(found, "found before posting (an earlier attempt of this invoke created it)");
      if (!listing.complete) warning = searchWarning(`the newest ${listing.jobs.length} jobs of the workspace were read (${listing.pages} pages) without reaching the run's start`);
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
    if (!error.outcomeUnknown || !workspace) throw error;
    let last: JobListing | undefined;
    for (const delay of reconcileDelaysMs) {
      if (delay > 0) await sleep(delay);
      try {
        last = await search();
      } catch (searchError) {
        log(`invoke ${request.invokeId}: looking for the job failed: ${toBatchEndpointError(searchError).message}`);
        continue;
      }
      const found = mine(last);
      if (found.length > 0) return adopt(found, `found after the invoke's answer was lost (${error.code})`);
    }
    if (last?.complete && keepsMarkers(last.jobs)) {
      throw new BatchEndpointError(
        "InvokeNotAccepted",
        `The invoke's answer was lost (${error.message}), and no job carries ${invokeMarker}=${request.invokeId} or writes the run's output, ` +
          "although this workspace keeps that marker on jobs: the request was not accepted, so it can be sent again.",
        { retryable: true, outcomeUnknown: false, httpStatus: error.httpStatus, retryAfterSeconds: error.retryAfterSeconds },
      );
    }
    const lookedFor = request.output ? `a job writing ${request.output.uri}` : `a job carrying ${invokeMarker}=${request.invokeId}`;
    throw error.with({
      message: `${error.message} No ${lookedFor} was found in the workspace` +
        (last ? (last.complete ? "" : " (the search stopped at its bound)") : " (the search failed)") +
        ", and a job created without a marker cannot be ruled out.",
    });
  }

  async function adopt(jobs: ListedJob[], how: string): Promise<EnsuredJob> {
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

function searchWarning(what: string): BatchWarning {
  return {
    code: "JobSearchIncomplete",
    message: `Before invoking, the run looked for a job it may have created already, but ${what}. ` +
      "A second job is possible only if a worker died between an earlier invoke and recording its answer; check the endpoint's jobs if this run's output appears twice.",
  };
}
