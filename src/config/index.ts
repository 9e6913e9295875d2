/** Settings, parsed and validated in one place. The only reader of process.env in src/. */
import { cloudOf } from "../batch/cloud";
import { DEFAULT_CALLBACK_HOSTS } from "../batch/noticeHosts";
import { parseWorkspaceId } from "../batch/resourceIds";
import type { BatchClientSettings } from "../batch/types";

/**
 * The app's settings: the Azure ML client's (SCORING_ALLOWED_HOSTS, SCORING_ALLOW_LOOPBACK,
 * AML_ARM_ENDPOINT, AML_ARM_AUDIENCE and AML_DATA_PLANE_AUDIENCE, each audience defaulting to
 * the ARM endpoint's cloud, AZURE_CLIENT_ID) and the scoring runs'.
 */
export interface AppConfig extends BatchClientSettings {
  defaultPollSeconds: number;
  maxPollsPerExecution: number;
  /** How runs schedule their status reads (SCORING_POLL_MODE, SCORING_JOB_EVENTS, SCORING_EVENT_SAFETY_POLL_SECONDS). */
  pollPolicy: PollPolicy;
  /** SCORING_QUEUED_WARNING_SECONDS: a job still queued this long after its invoke gets a warning (quota or compute). */
  queuedWarningSeconds: number;
  /** AML_WORKSPACE_ID: the workspace of requests that name none (ARM id), or null. */
  workspaceId: string | null;
  /** SCORING_MAX_JOBS_PER_ENDPOINT: live jobs per endpoint (scoring URI + deployment) over all runs and batches; 0: no limit. */
  maxJobsPerEndpoint: number;
  /** SCORING_ARM_READS_PER_SECOND: the ARM reads per second all runs together may make (docs/operations.md#fleet-read-budget). */
  armReadsPerSecond: number;
  /** SCORING_BATCH_CHILDREN_PER_EXECUTION: children a batch starts per execution before it drains and continues as new (bounded history). */
  batchChildrenPerExecution: number;
  /** SCORING_CALLBACK_HOSTS: host patterns a callBackUri or notify webhook may use (default: Data Factory's domain). */
  callbackHosts: string[];
  /** The SCORING_WEBHOOK_SECRET_* settings that are set: the only ones a notify webhook may name as its HMAC key. */
  webhookSecretNames: string[];
  /** What a BlobCreated event starts; `problem` says why blob events start nothing. */
  blobTrigger: { settings: BlobTriggerSettings } | { problem: string };
}

/**
 * `fixed`: every poll interval (the seed's behaviour). `adaptive` (default): fast at first, to
 * catch jobs that fail early, ramping up to the interval; fast again while a job is Finalizing.
 * `events`: job status events (subscribed) carry completion; polls are a slower safety net.
 */
export interface PollPolicy {
  mode: "fixed" | "adaptive" | "learned" | "events";
  /** events mode: the longest wait between safety polls, which otherwise follow the adaptive curve (failed and canceled jobs raise no event). */
  eventSafetySeconds: number;
}

export interface BlobTriggerSettings {
  endpointUri: string;
  deployment: string | null;
  /** Only blobs in this container start a run. */
  container: string;
  /** Matched on the blob's path inside the container. */
  prefix: string;
  suffix: string;
  /** `file`: the new blob is the input (UriFile); `folder`: a marker blob starts a run on its folder (UriFolder). */
  inputMode: "file" | "folder";
  marker: string;
  /** Output URI with {blobName}, {blobPath}, {runId}, {date}; null → the deployment's default output. */
  outputTemplate: string | null;
  pollSeconds: number;
  /**
   * Datastore that stands for the trigger container: inputs are then given as
   * `azureml://datastores/<it>/paths/<path>` (read with the datastore's access) instead of the
   * blob's https URL. Required for loopback (Azurite) URLs, which Azure ML cannot read.
   */
  datastore: string | null;
  /**
   * BLOB_TRIGGER_BATCH_WINDOW_SECONDS: 0 (default) starts one run per blob version; above 0, the
   * files of one folder that arrive within this many seconds start one run on the folder
   * (docs/api.md#batched-events).
   */
  batchWindowSeconds: number;
  /** BLOB_TRIGGER_BATCH_MAX_FILES: a window closes early once it holds this many files (1 to 1000, default 100). */
  batchMaxFiles: number;
}

export type Env = Record<string, string | undefined>;

/** A whole-number setting, digits only ("1e2" and "0x10" are refused, not read as 100 and 16). */
export function intSetting(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Setting ${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

const outputTemplateForm = /^azureml:\/\/datastores\/[A-Za-z0-9_-]+\/paths\/[^\s]*[^/\s]$/;
const templatePlaceholders = /\{(\w+)\}/g;
const knownPlaceholders = new Set(["blobName", "blobPath", "runId", "date"]);

function parseBlobTrigger(env: Env, defaultPollSeconds: number): AppConfig["blobTrigger"] {
  const endpointUri = env.BLOB_TRIGGER_ENDPOINT_URI?.trim();
  if (!endpointUri) return { problem: "BLOB_TRIGGER_ENDPOINT_URI is not set, so blob events start no run." };
  const container = env.BLOB_TRIGGER_CONTAINER?.trim();
  if (!container) return { problem: "BLOB_TRIGGER_CONTAINER is not set: say which container's blobs start a run." };
  const mode = (env.BLOB_TRIGGER_INPUT_MODE?.trim() || "file").toLowerCase();
  if (mode !== "file" && mode !== "folder") return { problem: `BLOB_TRIGGER_INPUT_MODE must be file or folder, got "${mode}".` };
  const outputTemplate = env.BLOB_TRIGGER_OUTPUT_TEMPLATE?.trim() || null;
  if (outputTemplate !== null) {
    if (!outputTemplateForm.test(outputTemplate)) {
      return { problem: "BLOB_TRIGGER_OUTPUT_TEMPLATE must be an azureml://datastores/<ds>/paths/<file> path (placeholders allowed)." };
    }
    const unknown = [...outputTemplate.matchAll(templatePlaceholders)].map((m) => m[1]).filter((n) => !knownPlaceholders.has(n));
    if (unknown.length > 0)
      return {
        problem: `BLOB_TRIGGER_OUTPUT_TEMPLATE has unknown placeholders: ${unknown.map((n) => `{${n}}`).join(", ")}; use {blobName}, {blobPath}, {runId}, {date}.`,
      };
  }
  let pollSeconds: number;
  let batchWindowSeconds: number;
  let batchMaxFiles: number;
  try {
    pollSeconds = intSetting(env, "BLOB_TRIGGER_POLL_SECONDS", defaultPollSeconds, 1, 86400);
    batchWindowSeconds = intSetting(env, "BLOB_TRIGGER_BATCH_WINDOW_SECONDS", 0, 0, 86400);
    batchMaxFiles = intSetting(env, "BLOB_TRIGGER_BATCH_MAX_FILES", 100, 1, 1000);
  } catch (err) {
    return { problem: (err as Error).message };
  }
  if (batchWindowSeconds > 0 && mode === "folder") {
    return {
      problem: "BLOB_TRIGGER_BATCH_WINDOW_SECONDS batches files (BLOB_TRIGGER_INPUT_MODE=file); in folder mode the marker already starts one run per folder.",
    };
  }
  return {
    settings: {
      endpointUri,
      deployment: env.BLOB_TRIGGER_DEPLOYMENT?.trim() || null,
      container,
      prefix: env.BLOB_TRIGGER_PREFIX?.trim().replace(/^\/+/, "") ?? "",
      suffix: env.BLOB_TRIGGER_SUFFIX?.trim() ?? "",
      inputMode: mode,
      marker: env.BLOB_TRIGGER_MARKER?.trim() || "_SUCCESS",
      outputTemplate,
      pollSeconds,
      datastore: env.BLOB_TRIGGER_DATASTORE?.trim() || null,
      batchWindowSeconds,
      batchMaxFiles,
    },
  };
}

function workspaceSetting(env: Env): string | null {
  const raw = env.AML_WORKSPACE_ID?.trim();
  if (!raw) return null;
  if (!parseWorkspaceId(raw))
    throw new Error(
      "Setting AML_WORKSPACE_ID must be a workspace resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<name>.",
    );
  return raw;
}

/** An audience setting: an https origin (a trailing `/` is dropped), or the fallback when unset. */
function audienceSetting(env: Env, name: string, fallback: string | null): string | null {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== "https:" || url.search !== "" || url.hash !== "" || url.username !== "" || (url.pathname !== "/" && url.pathname !== "")) {
    throw new Error(`Setting ${name} must be an https origin such as https://ml.azure.com, got "${raw}".`);
  }
  return url.origin;
}

/**
 * A webhook's HMAC key must live in a setting with this prefix: a request names the setting, and
 * any other setting (a storage connection string, a key) must never become a signing key.
 */
export const WEBHOOK_SECRET_PREFIX = "SCORING_WEBHOOK_SECRET_";

const webhookSecretNamesIn = (env: Env): string[] =>
  Object.keys(env)
    .filter((name) => name.startsWith(WEBHOOK_SECRET_PREFIX) && (env[name] ?? "").trim() !== "")
    .sort();

/** A comma list of host patterns; unset → the fallback (an empty setting means: none). */
const hostList = (raw: string | undefined, fallback: readonly string[]): string[] =>
  raw === undefined
    ? [...fallback]
    : raw
        .split(",")
        .map((h) => h.trim().toLowerCase())
        .filter((h) => h !== "");

export function parseConfig(env: Env): AppConfig {
  const arm = (env.AML_ARM_ENDPOINT ?? "https://management.azure.com").trim().replace(/\/+$/, "");
  const cloud = cloudOf(arm);
  const hosts = (env.SCORING_ALLOWED_HOSTS ?? cloud.inferenceHosts ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== "");
  const defaultPollSeconds = intSetting(env, "SCORING_DEFAULT_POLL_SECONDS", 120, 1, 86400);
  const pollMode = (env.SCORING_POLL_MODE?.trim() || "adaptive").toLowerCase();
  if (pollMode !== "fixed" && pollMode !== "adaptive" && pollMode !== "learned")
    throw new Error(`Setting SCORING_POLL_MODE must be fixed, adaptive or learned, got "${pollMode}".`);
  const jobEvents = (env.SCORING_JOB_EVENTS ?? "").trim().toLowerCase() === "true";
  return {
    allowedHosts: hosts,
    allowLoopback: (env.SCORING_ALLOW_LOOPBACK ?? "").trim().toLowerCase() === "true",
    armEndpoint: arm,
    armAudience: audienceSetting(env, "AML_ARM_AUDIENCE", cloud.armAudience) as string,
    mlAudience: audienceSetting(env, "AML_DATA_PLANE_AUDIENCE", cloud.mlAudience),
    managedIdentityClientId: env.AZURE_CLIENT_ID?.trim() || undefined,
    defaultPollSeconds,
    // 10 polls keep an execution's history under 100 events (8 a poll): see npm run bench.
    maxPollsPerExecution: intSetting(env, "SCORING_MAX_POLLS_PER_EXECUTION", 10, 1, 10000),
    queuedWarningSeconds: intSetting(env, "SCORING_QUEUED_WARNING_SECONDS", 1800, 60, 2_592_000),
    workspaceId: workspaceSetting(env),
    maxJobsPerEndpoint: intSetting(env, "SCORING_MAX_JOBS_PER_ENDPOINT", 0, 0, 10000),
    // ARM refills 25 reads per second per subscription and principal; 15 leaves the rest to other readers.
    armReadsPerSecond: intSetting(env, "SCORING_ARM_READS_PER_SECOND", 15, 1, 1000),
    // Every run reads its endpoint, deployment and datastores at its start and end: a fleet shares those answers.
    definitionCacheSeconds: intSetting(env, "SCORING_DEFINITION_CACHE_SECONDS", 30, 0, 3600),
    batchChildrenPerExecution: intSetting(env, "SCORING_BATCH_CHILDREN_PER_EXECUTION", 100, 1, 1000),
    callbackHosts: hostList(env.SCORING_CALLBACK_HOSTS, DEFAULT_CALLBACK_HOSTS),
    webhookSecretNames: webhookSecretNamesIn(env),
    pollPolicy: {
      mode: jobEvents ? "events" : pollMode,
      eventSafetySeconds: intSetting(env, "SCORING_EVENT_SAFETY_POLL_SECONDS", 900, 60, 86400),
    },
    blobTrigger: parseBlobTrigger(env, defaultPollSeconds),
  };
}

const settingNames = [
  "SCORING_ALLOWED_HOSTS",
  "SCORING_ALLOW_LOOPBACK",
  "SCORING_MAX_JOBS_PER_ENDPOINT",
  "SCORING_ARM_READS_PER_SECOND",
  "SCORING_DEFINITION_CACHE_SECONDS",
  "SCORING_BATCH_CHILDREN_PER_EXECUTION",
  "SCORING_CALLBACK_HOSTS",
  "AML_ARM_ENDPOINT",
  "AML_ARM_AUDIENCE",
  "AML_DATA_PLANE_AUDIENCE",
  "AZURE_CLIENT_ID",
  "SCORING_DEFAULT_POLL_SECONDS",
  "SCORING_MAX_POLLS_PER_EXECUTION",
  "AML_WORKSPACE_ID",
  "SCORING_POLL_MODE",
  "SCORING_JOB_EVENTS",
  "SCORING_EVENT_SAFETY_POLL_SECONDS",
  "SCORING_QUEUED_WARNING_SECONDS",
  "BLOB_TRIGGER_ENDPOINT_URI",
  "BLOB_TRIGGER_DEPLOYMENT",
  "BLOB_TRIGGER_CONTAINER",
  "BLOB_TRIGGER_PREFIX",
  "BLOB_TRIGGER_SUFFIX",
  "BLOB_TRIGGER_INPUT_MODE",
  "BLOB_TRIGGER_MARKER",
  "BLOB_TRIGGER_OUTPUT_TEMPLATE",
  "BLOB_TRIGGER_POLL_SECONDS",
  "BLOB_TRIGGER_DATASTORE",
  "BLOB_TRIGGER_BATCH_WINDOW_SECONDS",
  "BLOB_TRIGGER_BATCH_MAX_FILES",
];

let cached: { key: string; config: AppConfig } | undefined;

/**
 * The HMAC key a notify webhook names (read when it is sent, never stored in a run). Only
 * SCORING_WEBHOOK_SECRET_* settings are keys; anything else, or an unset one, is null.
 */
export function webhookSecret(name: string, env: Env = process.env): string | null {
  if (!name.startsWith(WEBHOOK_SECRET_PREFIX)) return null;
  const value = env[name]?.trim();
  return value ? value : null;
}

/** The retention timer's settings as given; the timer checks them itself (retention/retentionSettings). */
export interface RetentionSettingsGiven {
  days: string | undefined;
  batch: string | undefined;
  schedule: string | undefined;
}

/**
 * Only the retention timer's settings, read apart from the others: the timer's schedule is read
 * when the app loads, and another bad setting must not keep the app from loading.
 */
export function retentionSettingsGiven(env: Readonly<Record<string, string | undefined>> = process.env): RetentionSettingsGiven {
  return { days: env.SCORING_RETENTION_DAYS, batch: env.SCORING_RETENTION_BATCH, schedule: env.SCORING_RETENTION_SCHEDULE };
}

/** The runs console's settings (docs/console.md). `problem` names a bad value, which reads as read-only. */
export interface ConsoleSettings {
  readOnly: boolean;
  problem: string | null;
}

/**
 * Read apart from the others, at each page load: the console must still open (and say what is
 * wrong) when another setting is bad. A value other than true or false fails closed: read-only.
 */
export function consoleSettings(env: Readonly<Record<string, string | undefined>> = process.env): ConsoleSettings {
  const raw = (env.SCORING_CONSOLE_READ_ONLY ?? "").trim().toLowerCase();
  if (raw === "" || raw === "false") return { readOnly: false, problem: null };
  if (raw === "true") return { readOnly: true, problem: null };
  return { readOnly: true, problem: `Setting SCORING_CONSOLE_READ_ONLY must be true or false; the console is read-only until it is.` };
}

/**
 * The app's settings. Re-parsed when the environment changes, so a host that sets
 * settings after loading the app (the dev host, tests) is seen.
 */
export function getConfig(): AppConfig {
  const env = process.env;
  const key = [...settingNames.map((name) => env[name]), ...webhookSecretNamesIn(env)].join("\u0000");
  if (cached?.key !== key) cached = { key, config: parseConfig(env) };
  return cached.config;
}
