/**
 * Which of a workspace's jobs are this invoke's. Pure.
 *
 * Azure ML may drop the markers an invoke sends (model deployments keep neither tags nor
 * properties), so a job is recognised by what the service must keep: an exact output path (a
 * job's output file is unique, Azure ML refuses to write an existing one), on the same
 * deployment, created after the run started. A job that does carry this invoke's marker is this
 * invoke's whatever else it says.
 */
import { sameDatastoreLocation } from "../batch/azuremlUris";
import type { JobOutput, ListedJob } from "../batch/types";

/** The marker an invoke sends as tag and property; kept by pipeline-component deployments. */
export const invokeMarker = "clientInvokeId";
/** The service's own tag naming the deployment that ran a batch job. */
export const deploymentTag = "azureml.deploymentname";
/** Clocks differ: a job created this long before the run's start may still be the run's. */
export const clockSkewMs = 5 * 60_000;

export interface OwnJobQuery {
  invokeId: string;
  outputs: readonly JobOutput[];
  deployment?: string | undefined;
  notBefore: string;
}

const markerOf = (job: ListedJob): string | undefined => job.properties[invokeMarker] ?? job.tags[invokeMarker];

function writesOurOutput(job: ListedJob, query: OwnJobQuery): boolean {
  if (!query.outputs.some((ours) => Object.values(job.outputs).some((o) => sameDatastoreLocation(o.uri, ours.uri)))) return false;
  const created = job.createdAt ? Date.parse(job.createdAt) : Number.NaN;
  // An old job that wrote the same path is not ours; one of unknown age cannot be told apart.
  if (Number.isNaN(created) || created < Date.parse(query.notBefore) - clockSkewMs) return false;
  const deployment = job.tags[deploymentTag];
  return !query.deployment || !deployment || deployment.toLowerCase() === query.deployment.toLowerCase();
}

/** This invoke's jobs among `jobs`, oldest first (the one to keep comes first). */
export function ownJobs(jobs: readonly ListedJob[], query: OwnJobQuery): ListedJob[] {
  return jobs
    .filter((job) => markerOf(job) === query.invokeId || writesOurOutput(job, query))
    .sort((a, b) => (a.createdAt ?? "").localeCompare(b.createdAt ?? "") || a.name.localeCompare(b.name));
}

/** Whether this workspace keeps invoke markers on jobs: then a marker's absence means something. */
export function keepsMarkers(jobs: readonly ListedJob[]): boolean {
  return jobs.some((job) => markerOf(job) !== undefined);
}
