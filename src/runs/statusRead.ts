/**
 * What one status read carries into the run's durable history. Every poll records the activity's
 * input and result, so both stay small: the input names the job and the run (the job's name is
 * the path's last segment), and while the job has not ended the result is its status alone,
 * when the run already holds the rest (name, Studio link). Once the job ends, the whole snapshot
 * comes back: its error text and outputs matter then (docs/azure-behaviour.md#what-a-run-stores).
 * Pure.
 */
import type { ActivityLogFields, JobLocator, JobRef, JobSnapshot } from "../batch/types";
import { isTerminalJobStatus } from "./jobStatus";

/** The status activity's input. */
export interface JobStatusRequest extends JobLocator {
  /** The run holds the job's name and Studio link: answer only the status until the job ends. */
  statusOnly?: boolean;
  /** The orchestration's time of the read, sent while the fleet's budget paces the run: the worker places its next poll. */
  pacedAt?: string;
}

/**
 * A status read's value: the whole snapshot, or only the status. Runs started before the short
 * answer existed replay histories holding whole snapshots; both shapes are read the same way.
 */
export type JobStatusRead = JobSnapshot | Pick<JobSnapshot, "status">;

/** The status request for a run's job: no job name (it is in the path) and no empty fields in the log. */
export function statusRequest(job: Pick<JobRef, "jobPath" | "studioUrl">, apiVersion: string, log: ActivityLogFields, pacedAt?: Date): JobStatusRequest {
  return {
    jobPath: job.jobPath,
    apiVersion,
    log: { runId: log.runId, ...(log.correlationId ? { correlationId: log.correlationId } : {}) },
    ...(job.studioUrl ? { statusOnly: true } : {}),
    ...(pacedAt ? { pacedAt: pacedAt.toISOString() } : {}),
  };
}

/** What the activity returns for a read: the status alone when that was asked and the job goes on. */
export function statusRead(snapshot: JobSnapshot, request: Pick<JobStatusRequest, "statusOnly">): JobStatusRead {
  return request.statusOnly && !isTerminalJobStatus(snapshot.status) ? { status: snapshot.status } : snapshot;
}

/** The job's name from a workspace-level job path (its last segment), for log lines. */
export function jobNameOfPath(jobPath: string): string {
  return jobPath.slice(jobPath.lastIndexOf("/") + 1);
}

/** A read as a whole snapshot again: what the short answer left out, the run already knows. */
export function withKnownJob(read: JobStatusRead, job: Pick<JobRef, "name" | "studioUrl">): JobSnapshot {
  return { name: job.name, studioUrl: job.studioUrl, errorMessage: null, ...read };
}
