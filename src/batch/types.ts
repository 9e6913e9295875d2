/** Shapes the Azure ML batch client speaks. Plain data: activity inputs and results are JSON. */

/** An Azure ML job input as the invoke body names it. */
export type JobInput =
  | { type: "uri_folder" | "uri_file"; uri: string }
  | { type: "literal"; value: string };

export interface JobOutput {
  /** Output port name; the seed pipeline uses `score`. */
  name: string;
  /** `azureml://datastores/<ds>/paths/<file>` */
  uri: string;
}

export interface InvokeJobRequest {
  /** Scoring URI, e.g. https://<endpoint>.<region>.inference.ml.azure.com/jobs */
  endpointUri: string;
  /** Sent as `azureml-model-deployment` when set. */
  deployment?: string;
  inputs: Record<string, JobInput>;
  output?: JobOutput | null;
  /** Deterministic id for this invoke attempt (from the instance id); sent as repeatability header and tags. */
  invokeId: string;
  /** The scoring run's id, set on the job as tag and property so job events can find the run. */
  runId?: string;
  tags?: Record<string, string>;
}

/** The terminal and non-terminal job statuses Azure ML reports (`properties.status`). */
export type JobStatus =
  | "NotStarted" | "Starting" | "Provisioning" | "Preparing" | "Queued" | "Running"
  | "Finalizing" | "CancelRequested" | "Completed" | "Failed" | "Canceled"
  | "NotResponding" | "Paused" | "Unknown";

/** A job as we keep it: enough to poll, cancel and show it. */
export interface JobRef {
  /** Job name, e.g. batchjob-<guid>. */
  name: string;
  /** The id exactly as the service returned it (may be nested under batchEndpoints/.../deployments/...). */
  id: string;
  /** Workspace-level ARM path `/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>/jobs/<name>`: what we GET and cancel. */
  jobPath: string;
  status: JobStatus | string;
  studioUrl: string | null;
}

/** One status read of a job. */
export interface JobSnapshot {
  name: string;
  status: JobStatus | string;
  studioUrl: string | null;
  /** Azure ML's error message for a failed job, when the resource carries one. */
  errorMessage: string | null;
  /** The job's outputs as the resource names them (where it wrote), when it does. */
  outputs?: Record<string, { type: string | null; uri: string }>;
}

/** Who an activity works for, so its log lines name the run (and never anything secret). */
export interface ActivityLogFields {
  runId: string;
  jobName?: string | null;
  correlationId?: string | null;
}

export interface JobLocator {
  /** For log lines only. */
  log?: ActivityLogFields;
  /** Workspace-level ARM job path (see JobRef.jobPath). */
  jobPath: string;
  /** Jobs API version, default 2022-10-01. */
  apiVersion: string;
}

/** A BatchEndpointError flattened to JSON, safe to put in activity results and run views (never a token). */
export interface BatchErrorInfo {
  code: string;
  message: string;
  httpStatus: number | null;
  retryable: boolean;
  retryAfterSeconds: number | null;
  /** Only for invoke: the request may have reached the service, so a job may exist. */
  outcomeUnknown?: boolean;
}

/** What an activity returns: expected failures are values, not exceptions, so the orchestrator decides. */
export type ActivityResult<T> = { ok: true; value: T } | { ok: false; error: BatchErrorInfo };

/** ARM Jobs List filtered by a job property (the invoke marker `clientInvokeId`). */
export interface JobListQuery {
  /** Workspace ARM id `/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>`. */
  workspace: string;
  property: string;
  /** Only jobs whose property has this value; undefined = any job that has the property. */
  value?: string;
  apiVersion: string;
  /** Stop at the first page that has a match (enough to know the marker exists). */
  firstOnly?: boolean;
}

export interface ListedJob extends JobRef {
  createdAt: string | null;
}

/** The invoke activity's input: the request, and where to look for a job it may already have created. */
export interface EnsureJobRequest extends InvokeJobRequest {
  /** For log lines only. */
  log?: ActivityLogFields;
  /** Workspace ARM id; null → a lost invoke answer cannot be reconciled. */
  workspace: string | null;
  apiVersion: string;
}

/** A datastore as Datastores Get describes it (no credentials). */
export interface DatastoreInfo {
  name: string;
  /** `AzureBlob` | `AzureDataLakeGen2` | `AzureFile` | `AzureDataLakeGen1` (or whatever the service says). */
  datastoreType: string;
  accountName: string | null;
  /** Blob container, ADLS Gen2 filesystem or file share. */
  container: string | null;
  /** Storage suffix (`core.windows.net`), or for loopback datastores a full `http://127.0.0.1:<port>` URL. */
  endpoint: string;
  protocol: string;
}

/** A data asset version: what it points at. */
export interface DataVersionInfo {
  name: string;
  version: string;
  /** `uri_file` | `uri_folder` | `mltable`. */
  dataType: string | null;
  dataUri: string;
}

/** Reads of the workspace's data definitions (pre-flight). */
export interface WorkspaceDataClient {
  getDatastore(workspace: string, name: string): Promise<DatastoreInfo>;
  /** `version` null: the latest version. */
  getDataVersion(workspace: string, name: string, version: string | null): Promise<DataVersionInfo>;
}

export interface BatchEndpointClient extends WorkspaceDataClient {
  invokeJob(request: InvokeJobRequest): Promise<JobRef>;
  getJob(locator: JobLocator): Promise<JobSnapshot>;
  cancelJob(locator: JobLocator): Promise<void>;
  listJobs(query: JobListQuery): Promise<ListedJob[]>;
}
