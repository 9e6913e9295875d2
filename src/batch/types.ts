/** Shapes the Azure ML batch client speaks. Plain data: activity inputs and results are JSON. */

/** The settings the client needs (the app's config has them all). */
export interface BatchClientSettings {
  /** Host patterns an endpoint URI may use (`*.inference.ml.azure.com`). */
  allowedHosts: string[];
  /** Dev/tests only: http loopback endpoints and ARM, no token acquisition. */
  allowLoopback: boolean;
  /** ARM base URL without a trailing slash. */
  armEndpoint: string;
  /** ARM's token audience. */
  armAudience: string;
  /** Azure ML data plane's token audience (the invoke); null when not known for this cloud. */
  mlAudience: string | null;
  /** Client id of a user-assigned managed identity; undefined → DefaultAzureCredential. */
  managedIdentityClientId: string | undefined;
  /** How long a read of an endpoint, deployment, component, datastore or workspace answers for in this process (SCORING_DEFINITION_CACHE_SECONDS); unset or 0: not kept. */
  definitionCacheSeconds?: number;
}

/** How a job reads a data input (the batch job model's input delivery modes a caller may pick). */
export const INPUT_MODES = ["ReadOnlyMount", "Download", "Direct"] as const;
export type InputMode = (typeof INPUT_MODES)[number];

/** An Azure ML job input as the invoke body names it. */
export type JobInput = { type: "uri_folder" | "uri_file"; uri: string; mode?: InputMode } | { type: "literal"; value: string };

export interface JobOutput {
  /** Output port name; model deployments write `score` (the name is not used by them). */
  name: string;
  /** A file (`.../paths/<file>`) or a folder (`.../paths/<folder>/`, where a model deployment writes its `outputFileName`). */
  type: "uri_file" | "uri_folder";
  /** `azureml://datastores/<ds>/paths/<file>` or `.../paths/<folder>/` */
  uri: string;
}

export const LOGGING_LEVELS = ["Info", "Warning", "Debug"] as const;
export type LoggingLevel = (typeof LOGGING_LEVELS)[number];

/**
 * Per-job overrides of the deployment's settings; an absent one keeps the deployment's. Sent as
 * the data-plane BatchJob model names them (docs/azure-behaviour.md#per-job-settings).
 */
export interface JobSettings {
  instanceCount?: number;
  miniBatchSize?: number;
  maxConcurrencyPerInstance?: number;
  /** The predictions file's name in a folder output (a plain file name). */
  outputFileName?: string;
  /** Failed items tolerated before the job fails; -1: any number. */
  errorThreshold?: number;
  loggingLevel?: LoggingLevel;
  /** Retries of a failed mini-batch. */
  maxRetries?: number;
  /** A mini-batch's timeout, in seconds (sent as an ISO 8601 duration). */
  retryTimeoutSeconds?: number;
}

export interface InvokeJobRequest {
  /** Scoring URI, e.g. https://<endpoint>.<region>.inference.ml.azure.com/jobs */
  endpointUri: string;
  /** Sent as `azureml-model-deployment` when set. */
  deployment?: string;
  inputs: Record<string, JobInput>;
  /** Where the job writes; none: the deployment's default location. */
  outputs: JobOutput[];
  settings?: JobSettings;
  /** Shown on the job as a tag: the data-plane batch job has no display-name field. */
  displayName?: string | null;
  description?: string | null;
  /** Pipeline-component deployments only: the experiment the job is filed under. */
  experimentName?: string | null;
  /** Deterministic id for this invoke attempt (from the instance id); sent as repeatability header and tags. */
  invokeId: string;
  /** The scoring run's id, set on the job as tag and property so job events can find the run. */
  runId?: string;
  tags?: Record<string, string>;
}

/** The terminal and non-terminal job statuses Azure ML reports (`properties.status`). */
export type JobStatus =
  | "NotStarted"
  | "Starting"
  | "Provisioning"
  | "Preparing"
  | "Queued"
  | "Running"
  | "Finalizing"
  | "CancelRequested"
  | "Completed"
  | "Failed"
  | "Canceled"
  | "NotResponding"
  | "Paused"
  | "Unknown";

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

/** ARM Jobs List of a workspace, newest jobs first when the service gives them so. */
export interface JobListQuery {
  /** Workspace ARM id `/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>`. */
  workspace: string;
  apiVersion: string;
  /** Jobs created before this cannot be the ones looked for: a newest-first scan stops there (past the clock-skew margin). */
  notBefore?: string;
  /** At most this many pages (default 10). */
  maxPages?: number;
}

export interface ListedJob extends JobRef {
  createdAt: string | null;
  outputs: Record<string, { type: string | null; uri: string }>;
  tags: Record<string, string>;
  properties: Record<string, string>;
}

/** What a bounded scan saw: `complete` is false when it stopped at its page bound. */
export interface JobListing {
  jobs: ListedJob[];
  complete: boolean;
  pages: number;
}

/** The invoke activity's input: the request, and where to look for a job it may already have created. */
export interface EnsureJobRequest extends InvokeJobRequest {
  /** For log lines only. */
  log?: ActivityLogFields;
  /** Workspace ARM id; null → a lost invoke answer cannot be reconciled. */
  workspace: string | null;
  apiVersion: string;
  /** When the run started: a job created before it is not this run's. */
  notBefore: string;
  /** The orchestration's time of the invoke, sent while the fleet's budget paces runs: the worker places the first poll. */
  pacedAt?: string;
}

/** Something the caller should know that did not fail the run. */
export interface BatchWarning {
  code: string;
  message: string;
}

/** One look for the job an invoke may have created. */
export interface JobSearch {
  /** The job, adopted; null when none was found. */
  job: EnsuredJob | null;
  /** Some job in the workspace carries an invoke marker: the workspace keeps them. */
  keepsMarkers: boolean;
  /** The listing reached past the run's start (false: it stopped at its bound). */
  complete: boolean;
}

/** The job a run now follows, and how it was found. */
export interface EnsuredJob extends JobRef {
  /** How an existing job was found and adopted instead of posting (absent for a plain invoke). */
  reconciled?: string;
  /** A search that could not be made or finished: a duplicate job is not ruled out. */
  warning?: BatchWarning;
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
  /** Drops the definitions this client keeps between reads, so the next reads are fresh; false (or absent) when it keeps none. */
  forgetKeptDefinitions?(): boolean;
}

/** A batch endpoint as BatchEndpoints Get describes it (never its keys). */
export interface BatchEndpointInfo {
  name: string;
  /** `properties.scoringUri`; null when the resource carries none. */
  scoringUri: string | null;
  /** `properties.defaults.deploymentName`; null: the endpoint has no default deployment. */
  defaultDeployment: string | null;
}

/** The settings a batch deployment runs with (`properties` of BatchDeployments Get); null: not stated. */
export interface BatchDeploymentSettings {
  compute: string | null;
  instanceCount: number | null;
  miniBatchSize: number | null;
  maxConcurrencyPerInstance: number | null;
  errorThreshold: number | null;
  loggingLevel: string | null;
  outputAction: string | null;
  outputFileName: string | null;
  maxRetries: number | null;
  /** As the service states it: an ISO 8601 duration. */
  retryTimeout: string | null;
}

/** A batch deployment as BatchDeployments Get describes it. */
export interface BatchDeploymentInfo {
  name: string;
  /**
   * `pipelineComponent`: `deploymentConfiguration.deploymentConfigurationType` is `PipelineComponent`;
   * `model`: the type is `Model`, or there is none and `model` is set; `unknown` otherwise.
   */
  kind: "model" | "pipelineComponent" | "unknown";
  /** A pipeline-component deployment's `deploymentConfiguration.componentId.assetId` (an ARM id); else null. */
  componentId: string | null;
  settings: BatchDeploymentSettings;
  /** A pipeline-component deployment's run-time settings (`deploymentConfiguration.settings`). */
  pipelineSettings: Record<string, string>;
}

/** An input or output a component declares (`componentSpec.inputs.<name>` / `.outputs.<name>`). */
export interface ComponentPort {
  /** `uri_folder`, `uri_file`, `mltable`, `string`, `integer`, `number`, `boolean`, …; null when not stated. */
  type: string | null;
  optional: boolean;
  /** Whether it declares a default value (then it need not be given). */
  hasDefault: boolean;
}

/** A component version as ComponentVersions Get describes it. */
export interface ComponentVersionInfo {
  name: string;
  version: string;
  /** Declared inputs by name; null when `componentSpec` lists none (the key is absent). */
  inputs: Record<string, ComponentPort> | null;
  /** Declared outputs by name; null when `componentSpec` lists none. */
  outputs: Record<string, ComponentPort> | null;
}

/** Reads of a batch endpoint and what it would run (pre-flight of the deployment). */
export interface EndpointReadClient {
  getBatchEndpoint(workspace: string, endpoint: string): Promise<BatchEndpointInfo>;
  getBatchDeployment(workspace: string, endpoint: string, deployment: string): Promise<BatchDeploymentInfo>;
  /** `componentId`: the ARM id `/subscriptions/…/workspaces/<ws>/components/<name>/versions/<version>`. */
  getComponentVersion(componentId: string): Promise<ComponentVersionInfo>;
}

export interface BatchEndpointClient extends WorkspaceDataClient, EndpointReadClient {
  invokeJob(request: InvokeJobRequest): Promise<JobRef>;
  getJob(locator: JobLocator): Promise<JobSnapshot>;
  cancelJob(locator: JobLocator): Promise<void>;
  listJobs(query: JobListQuery): Promise<JobListing>;
}
