/** Public shapes of the batch emulator: options, scripted lifecycles, faults, and what it records. */
import type { JobStatus } from "../../src/batch/types";

export type { JobStatus };

/** Which operation a request was classified as (by method and path shape, before scope checks). */
export type Route =
  | "invoke"
  | "getJob"
  | "cancelJob"
  | "listJobs"
  | "getDatastore"
  | "getData"
  | "getBatchEndpoint"
  | "getBatchDeployment"
  | "getComponentVersion"
  | "getWorkspace"
  | "discovery"
  | "runChildren"
  | "other";

/**
 * A datastore as ARM Datastores Get describes it (`properties`, api-version 2023-10-01;
 * docs/azure-behaviour.md#datastores). For Azurite, `protocol` is `http` and `endpoint` the full
 * loopback URL, which the app accepts only with SCORING_ALLOW_LOOPBACK (src/storage/blobLocation.ts).
 */
export type EmulatorDatastore =
  | { datastoreType: "AzureBlob"; accountName: string; containerName: string; endpoint: string; protocol: string }
  | { datastoreType: "AzureDataLakeGen2"; accountName: string; filesystem: string; endpoint: string; protocol: string }
  | { datastoreType: "AzureFile"; accountName: string; fileShareName: string; endpoint: string; protocol: string };

/** A data asset version (`properties` of ARM Data Versions Get). */
export interface EmulatorDataVersion {
  dataType: "uri_file" | "uri_folder" | "mltable";
  dataUri: string;
}

/** One step of a scripted lifecycle. */
export interface LifecycleStep {
  status: JobStatus;
  /** How many status GETs of the job stay at this status (default 1; 0 = only visible before the first GET). */
  polls?: number;
  /**
   * Time-based instead: how long (clock ms) the job stays at this status. A lifecycle whose steps
   * have `forMs` advances with the emulator's clock, not with GETs (jobs that end when they end).
   */
  forMs?: number;
}

/** A scripted lifecycle: the job advances one step per status GET; the last step holds forever. */
export interface Lifecycle {
  steps: LifecycleStep[];
  /** Error message a Failed job carries (default: a generic message). */
  errorMessage?: string;
  /** Error code a Failed job carries (default "UserError"). */
  errorCode?: string;
  /**
   * How many of the input's items (files) fail to score (default 0). The job ends Completed while
   * they stay within its error threshold, else Failed; its logs count them (lifecycles.withFailedItems).
   */
  failedItems?: number;
  /** The error summary's line for each failed item (default: a generic ValueError line). */
  itemError?: string;
}

/** Either a full lifecycle or just its steps. */
export type LifecycleInput = Lifecycle | LifecycleStep[];

/** Input as the emulator keeps it: `type` is lower-case, like the ARM job's `jobInputType`. */
export type EmulatorJobInput = { type: "uri_folder" | "uri_file"; uri: string; mode?: string } | { type: "literal"; value: string };

/**
 * The per-job settings an invoke carried, as the data-plane BatchJob model names them
 * (docs/azure-behaviour.md#per-job-settings): what the emulator ran the job with.
 */
export interface EmulatorJobSettings {
  instanceCount?: number;
  miniBatchSize?: number;
  maxConcurrencyPerInstance?: number;
  outputFileName?: string;
  errorThreshold?: number;
  loggingLevel?: string;
  maxRetries?: number;
  /** As sent: an ISO 8601 duration. */
  retryTimeout?: string;
}

/** The settings a job runs with (invoke, else deployment, else defaults) and its scripted item failures. */
export interface EmulatorSimulation {
  instanceCount: number;
  miniBatchSize: number;
  /** -1: any number of failed items. */
  errorThreshold: number;
  failedItems: number;
  /** The error summary's line per failed item; null: the default one. */
  itemError: string | null;
}

export interface EmulatorJobOutput {
  type: "uri_file" | "uri_folder";
  uri: string | null;
}

/**
 * A deployment of the endpoint. Model deployments take one data input and one output and no
 * literals; pipeline-component deployments take what their component declares
 * (docs/azure-behaviour.md#model-and-pipeline-component-deployments).
 */
export interface EmulatorDeployment {
  name: string;
  type: "model" | "pipelineComponent";
  /** The deployment's own settings (absent ones: the ARM defaults, mini-batch size 10, error threshold -1, one instance). */
  settings?: EmulatorJobSettings;
  /**
   * A pipeline-component deployment's component (ComponentVersions Get answers it). Absent: one
   * named `<deployment>-component`, version `1`, whose spec lists no inputs or outputs, so a
   * client cannot judge names against it (the emulator's invoke takes any).
   */
  component?: EmulatorComponent;
}

/** An input or output a component declares, as its YAML (and so `componentSpec`) states it. */
export interface EmulatorComponentPort {
  /** `uri_folder`, `uri_file`, `mltable`, `string`, `integer`, `number`, `boolean`, … */
  type: string;
  optional?: boolean;
  default?: string | number | boolean;
}

/** A pipeline component version: name, version and what it declares. */
export interface EmulatorComponent {
  name: string;
  version: string;
  inputs?: Record<string, EmulatorComponentPort>;
  outputs?: Record<string, EmulatorComponentPort>;
}

/** A job as the emulator keeps it (a copy; changing it changes nothing). */
export interface EmulatorJob {
  name: string;
  /** The nested id the invoke answered with (…/batchEndpoints/<ep>/deployments/<dep>/jobs/<name>). */
  id: string;
  /** Workspace-level ARM path: what Jobs Get and cancel use. */
  jobPath: string;
  deployment: string;
  deploymentType: EmulatorDeployment["type"];
  status: JobStatus;
  inputs: Record<string, EmulatorJobInput>;
  outputs: Record<string, EmulatorJobOutput>;
  /** The per-job settings the invoke carried (absent ones: the deployment's). */
  settings: EmulatorJobSettings;
  /** What the emulator ran the job with: the settings in effect and the failed items its lifecycle scripted. */
  simulation: EmulatorSimulation;
  /** Run id of the job's `batchscoring` step (Run History children; its logs are under `ExperimentRun/dcid.<it>/`). */
  stepRunId: string;
  /** The invoke's `description`, else null. */
  description: string | null;
  /** The service's own tags (`azureml.batchrun`, …) and, only when kept, the invoke's. */
  tags: Record<string, string>;
  /** User properties the invoke set (pipeline-component deployments only, or when kept). */
  properties: Record<string, string>;
  /** `repeatability_request-id` (or `Repeatability-Request-ID`) of the invoke, if sent. */
  repeatabilityId: string | null;
  /** clock() at creation. */
  createdAt: number;
  /** For a timed lifecycle: when the job reaches its end status (clock ms); else null. */
  endsAt?: number | null;
  /** For a timed lifecycle: the status it ends in (Completed, Failed, Canceled); else null. */
  endsAs?: string | null;
  /** Jobs Get requests answered for this job. */
  statusGets: number;
  /** Cancel requests received for this job (including repeats). */
  cancelRequests: number;
  /** Error message of a Failed job, else null. */
  errorMessage: string | null;
  /** Error code of a Failed job, else null. */
  errorCode: string | null;
  /** Whether the invoke carried an Authorization header (the app must send none to loopback). */
  invokeHadAuthorization: boolean;
}

/** Status answers a fault can inject. */
export type FaultStatus = 400 | 401 | 403 | 404 | 408 | 429 | 500 | 503;

export type FaultKind =
  | {
      status: FaultStatus;
      retryAfterSeconds?: number;
      /** Sent as-is instead of the generated ARM error body. */
      body?: unknown;
      /** Send `{"code","message"}` without the `error` wrapper (seen from some Azure ML front ends). */
      unwrapped?: boolean;
      code?: string;
      message?: string;
    }
  /** Destroy the socket before doing the operation: the request surely had no effect. */
  | { reset: true }
  /** Do the operation (e.g. create the job), then destroy the socket: the client never learns the outcome. */
  | { resetAfterProcessing: true }
  /** Answer normally after a delay. */
  | { delayMs: number };

export interface Fault {
  match: { route: Exclude<Route, "other"> | "any"; method?: string };
  /** How many matching requests this fault applies to. */
  times: number;
  kind: FaultKind;
}

/** One request the emulator received. */
export interface RecordedRequest {
  /** clock() when the request's body had been read. */
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  route: Route;
  /** Lower-cased names; `authorization` is replaced by "<redacted>". */
  headers: Record<string, string>;
  hasAuthorization: boolean;
  /** Parsed JSON, else the raw text; null when empty. */
  body: unknown;
  /** Status answered, "reset" when the socket was destroyed, null while not answered yet. */
  status: number | "reset" | null;
}

/**
 * Behaviour that tests may change between cases (see BatchEmulator.configure). The defaults are
 * what the real service does, or, where that is unknown, what is hardest on a client.
 */
export interface EmulatorBehavior {
  /** GETs a canceled job stays CancelRequested before Canceled (default 1). */
  cancelPolls: number;
  /** Jobs List page size (default 50; the service documents none). */
  listPageSize: number;
  /** Jobs List order (the service documents none; default newest first). */
  listOrder: "newestFirst" | "oldestFirst";
  /** Lenient: an invoke repeating a known repeatability id returns the existing job (undocumented server-side; default false). */
  dedupeRepeatability: boolean;
  /**
   * Lenient: keep the tags and properties an invoke sends on every deployment. By default a
   * model deployment drops both and a pipeline-component deployment keeps only the properties
   * (docs/azure-behaviour.md#invoke-markers).
   */
  keepInvokeMarkers: boolean;
  /**
   * Where a Failed job's reason appears on the ARM job resource: `none` (default: the JobBase
   * schema has no error field, so a client may get no reason at all) or `services` (the only
   * documented text field, `properties.services.<name>.errorMessage`;
   * docs/azure-behaviour.md#job-resource-and-failure-text).
   */
  failureText: "none" | "services";
  /** Completed jobs run onJobCompleted (write their predictions); false: a deployment that writes nothing (default true). */
  writeOutputs: boolean;
  /**
   * A quota of live jobs per endpoint (0, the default: none). Past it an invoke is refused with
   * 429, Retry-After and an ARM error body: the fail-safe answer, as Azure ML documents no such
   * per-endpoint refusal for batch endpoints (docs/azure-behaviour.md#endpoint-quota).
   */
  maxLiveJobsPerEndpoint: number;
}

export interface BatchEmulatorOptions extends Partial<EmulatorBehavior> {
  /** 0 (default) = ephemeral. */
  port?: number;
  /** Default "127.0.0.1": loopback only. */
  host?: string;
  subscriptionId?: string;
  resourceGroup?: string;
  workspace?: string;
  endpointName?: string;
  /**
   * Used when no `azureml-model-deployment` header is sent (default "blue"). null: the endpoint
   * has no default deployment, and an invoke that names none is refused.
   */
  defaultDeployment?: string | null;
  /** Deployments the endpoint has (a name alone is a model deployment; the default one is always included, as a model deployment). */
  deployments?: Array<string | EmulatorDeployment>;
  /**
   * Whether something already exists at an output URI (the stack answers from Azurite). A job
   * whose output path exists fails with "the path already exists", as Azure ML's do.
   */
  outputExists?: (uri: string, type: EmulatorJobOutput["type"]) => Promise<boolean>;
  /** ms since epoch (default Date.now). */
  clock?: () => number;
  /** Called once when a job reaches Completed; answers showing Completed wait for it. */
  onJobCompleted?: (job: EmulatorJob) => Promise<void>;
  /**
   * Called once when a job ends Failed, or Completed with failed items (after onJobCompleted):
   * the stack writes the job's logs there. Answers showing the end wait for it.
   */
  onJobEnded?: (job: EmulatorJob) => Promise<void>;
  /** Called when an invoke created a job (a bench uses it to schedule the job's events). */
  onJobCreated?: (job: EmulatorJob) => void;
  /**
   * Keep the jobs in this JSON file so a restarted emulator (even after `kill -9`) goes on where the
   * last one was: the first start() loads it if it exists, and every job change (create, status GET,
   * cancel, setJobStatus, reset) rewrites it atomically (`<file>.<pid>.tmp`, then rename). Jobs, their
   * running scripts and counters persist; default/queued lifecycles, faults and requests do not. An
   * unusable file is ignored with one console.warn (no jobs). Unset (default): memory only, no file I/O.
   */
  stateFile?: string;
  /** The workspace's datastores (Datastores Get), by name. */
  datastores?: Record<string, EmulatorDatastore>;
  /** Data asset versions (Data Versions Get), by name then version; the highest version is `latestVersion`. */
  dataAssets?: Record<string, Record<string, EmulatorDataVersion>>;
  /**
   * Where a job that names no output writes (the service's default output): a datastore URI of a
   * folder; `{job}` is replaced by the job name. Default `azureml://datastores/workspaceblobstore/paths/azureml/{job}/score/`.
   */
  defaultOutputFolder?: string;
  /**
   * How many recorded requests to keep, the newest (default: all). A bench at scale bounds it, so
   * the log is not what its memory measures; `requestCount` still counts every request.
   */
  maxRecordedRequests?: number;
}

export interface HookError {
  job: string;
  message: string;
}
