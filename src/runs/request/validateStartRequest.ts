/**
 * Start request validation and normalisation (`POST /api/scoring-runs`): either body form
 * normalises to one `ScoringRunRequest`. Every problem is reported at once, each naming the
 * field as the caller wrote it. Never throws on bad input.
 */
import { DEFAULT_JOBS_API_VERSION } from "../../batch/apiVersions";
import { parseDataAssetReference } from "../../batch/azuremlUris";
import type { JobInput, JobSettings } from "../../batch/types";
import { isPlainObject } from "../../json";
import type { RunWarning } from "../preflightReport";
import type { OutputTarget, RunNotify, ScoringRunRequest } from "../types";
import { type ErrorDetail, type Form, mixedFormDetail, toDetails } from "./fieldSuggestions";
import {
  camelFields,
  camelSchema,
  DEFAULT_OUTPUT_NAME,
  DEFAULT_TIMEOUT_SECONDS,
  describe,
  queueTimeoutSeconds,
  SEED_INPUT_NAME,
  seedFieldNames,
  seedSchema,
  type StartConfig,
  timeoutSeconds,
} from "./schemas";

export type { ErrorDetail, StartConfig };

export type StartValidation =
  { ok: true; request: ScoringRunRequest; instanceId: string | null; warnings: RunWarning[] } | { ok: false; details: ErrorDetail[] };

/** `tenant_id` → `tenantid`: the service-principal fields match in any case and with or without '_'. */
const squashed = (key: string) => key.toLowerCase().replace(/[_-]/g, "");
const principalFields = new Set(["tenantid", "clientid"]);
const secretFields = new Set(["clientsecret", "secret", "password"]);

/**
 * The seed template's service-principal fields. The app calls Azure ML with its own managed
 * identity: a tenant or client id is ignored with a warning; a secret is refused, by name only
 * (its value is never read, stored or echoed).
 */
function servicePrincipalFields(body: Record<string, unknown>): { rest: Record<string, unknown>; details: ErrorDetail[]; warnings: RunWarning[] } {
  const rest = { ...body };
  const details: ErrorDetail[] = [];
  const ignored: string[] = [];
  for (const key of Object.keys(body)) {
    if (secretFields.has(squashed(key))) {
      delete rest[key];
      details.push({
        field: key,
        message:
          "is refused: the app never takes a secret. It calls Azure ML with its own managed identity; give that identity a role on the " +
          "workspace (docs/operations.md#roles), remove this parameter from the pipeline, and rotate the secret it held.",
      });
    } else if (principalFields.has(squashed(key))) {
      delete rest[key];
      ignored.push(key);
    }
  }
  const warnings: RunWarning[] =
    ignored.length > 0
      ? [
          {
            code: "ServicePrincipalIgnored",
            message: `${ignored.join(" and ")} ${ignored.length > 1 ? "were" : "was"} ignored: the app calls Azure ML with its own managed identity, not a service principal; remove ${ignored.length > 1 ? "them" : "it"} from the pipeline.`,
          },
        ]
      : [];
  return { rest, details, warnings };
}

/**
 * Validates and normalises a start body. `instanceId` is the body's `instanceId` (camelCase form
 * only) or null. Never throws on bad input.
 */
export function validateStartRequest(body: unknown, config: StartConfig): StartValidation {
  if (!isPlainObject(body)) {
    return { ok: false, details: [{ field: "body", message: `must be a JSON object, got ${describe(body)}` }] };
  }

  const principal = servicePrincipalFields(body);
  const keys = Object.keys(principal.rest);
  // Fields of one form only (`preflight` is in both).
  const seedKeys = keys.filter((k) => seedFieldNames.includes(k) && !camelFields.includes(k));
  const camelKeys = keys.filter((k) => camelFields.includes(k) && !seedFieldNames.includes(k));
  // The form with more recognised fields wins; ties (and bodies with neither) are camelCase.
  const form: Form = seedKeys.length > camelKeys.length ? "seed" : "camel";
  const foreign = form === "seed" ? camelKeys : seedKeys;
  const details: ErrorDetail[] = [...principal.details, ...foreign.map((k) => mixedFormDetail(k, form))];
  const rest: Record<string, unknown> = { ...principal.rest };
  for (const k of foreign) delete rest[k];

  if (form === "seed") {
    const parsed = seedSchema(config).safeParse(rest);
    if (!parsed.success) details.push(...toDetails(parsed.error.issues, form));
    if (!parsed.success || details.length > 0) return { ok: false, details };
    const d = parsed.data;
    const request: ScoringRunRequest = {
      endpointUri: d.endpoint_uri,
      deployment: null,
      apiVersion: d.api_version ?? DEFAULT_JOBS_API_VERSION,
      pollIntervalSeconds: d.poll_interval ?? config.defaultPollSeconds,
      inputs: { [SEED_INPUT_NAME]: { type: d.endpoint_input_type ?? "uri_folder", uri: d.endpoint_input_uri } },
      outputs: d.endpoint_output_uri === undefined ? {} : { [DEFAULT_OUTPUT_NAME]: outputOf(undefined, d.endpoint_output_uri) },
      settings: compact({
        instanceCount: d.instance_count,
        miniBatchSize: d.mini_batch_size,
        maxConcurrencyPerInstance: d.max_concurrency_per_instance,
        outputFileName: d.output_file_name,
        errorThreshold: d.error_threshold,
        loggingLevel: d.logging_level,
        maxRetries: d.max_retries,
        retryTimeoutSeconds: d.retry_timeout,
      }),
      displayName: null,
      description: null,
      experimentName: null,
      timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
      queueTimeoutSeconds: null,
      tags: {},
      workspace: config.workspaceId ?? null,
      preflight: d.preflight ?? "strict",
      ...notifyOf(d.callBackUri, undefined),
    };
    const crossField = [
      ...dataAssetsWithoutWorkspace(request, () => "endpoint_input_uri"),
      ...outputFileNameWithFileOutput(request, "output_file_name", "endpoint_output_uri"),
    ];
    if (crossField.length > 0) return { ok: false, details: crossField };
    return { ok: true, request, instanceId: null, warnings: [...principal.warnings, ...undocumentedOverrides(request)] };
  }

  // JSON.parse keeps "__proto__" as an own key, but copying it into a new object (as zod's
  // records do) silently drops it: refuse it by name instead.
  for (const map of ["inputs", "tags"] as const) {
    const value = rest[map];
    if (isPlainObject(value) && Object.hasOwn(value, "__proto__")) {
      details.push({ field: `${map}.__proto__`, message: "is a reserved name" });
    }
  }
  const parsed = camelSchema(config).safeParse(rest);
  if (!parsed.success) details.push(...toDetails(parsed.error.issues, form));

  // Cross-field: the queue deadline cannot be later than the overall one. Checked on the raw
  // fields so it is reported even when other fields are wrong.
  const timeout = timeoutSeconds.safeParse(rest.timeoutSeconds);
  const queue = queueTimeoutSeconds.safeParse(rest.queueTimeoutSeconds);
  if (timeout.success && queue.success && queue.data !== undefined) {
    const limit = timeout.data ?? DEFAULT_TIMEOUT_SECONDS;
    if (queue.data > limit) {
      details.push({
        field: "queueTimeoutSeconds",
        message: `must not exceed timeoutSeconds (${limit}${timeout.data === undefined ? ", the default" : ""}), got ${queue.data}`,
      });
    }
  }

  if (rest.output !== undefined && rest.output !== null && rest.outputs !== undefined && rest.outputs !== null) {
    details.push({ field: "outputs", message: "names several outputs, and output names one: send output (one output) or outputs (several), not both" });
  }

  if (!parsed.success || details.length > 0) return { ok: false, details };
  const d = parsed.data;
  const inputs: Record<string, JobInput> = {};
  for (const [name, input] of Object.entries(d.inputs)) {
    inputs[name] =
      input.type === "literal"
        ? { type: "literal", value: String(input.value) }
        : { type: input.type, uri: input.uri as string, ...(input.mode ? { mode: input.mode } : {}) };
  }
  const outputs: Record<string, OutputTarget> = d.output
    ? { [d.output.name ?? DEFAULT_OUTPUT_NAME]: outputOf(d.output.type, d.output.uri) }
    : Object.fromEntries(
        Object.keys(d.outputs ?? {})
          .sort()
          .map((name) => [name, outputOf(d.outputs![name]!.type, d.outputs![name]!.uri)]),
      );
  const request: ScoringRunRequest = {
    endpointUri: d.endpointUri,
    deployment: d.deployment ?? null,
    apiVersion: d.apiVersion ?? DEFAULT_JOBS_API_VERSION,
    pollIntervalSeconds: d.pollIntervalSeconds ?? config.defaultPollSeconds,
    inputs,
    outputs,
    settings: compact(d.settings ?? {}),
    displayName: d.displayName ?? null,
    description: d.description ?? null,
    experimentName: d.experimentName ?? null,
    timeoutSeconds: d.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    queueTimeoutSeconds: d.queueTimeoutSeconds ?? null,
    tags: (d.tags ?? {}) as Record<string, string>,
    workspace: d.workspace ?? config.workspaceId ?? null,
    preflight: d.preflight ?? "strict",
    ...notifyOf(d.callBackUri, d.notify),
  };
  const crossField = [
    ...dataAssetsWithoutWorkspace(request, (name) => `inputs.${name}.uri`),
    ...outputFileNameWithFileOutput(request, "settings.outputFileName", d.output ? "output" : "outputs"),
  ];
  if (crossField.length > 0) return { ok: false, details: crossField };
  return { ok: true, request, instanceId: d.instanceId ?? null, warnings: [...principal.warnings, ...undocumentedOverrides(request)] };
}

/** `{ notify }` when anyone is to hear of the run's end, else nothing (so a request without them fingerprints as before). */
function notifyOf(
  callBackUri: string | undefined,
  notify: { webhook?: { url: string; secretSetting: string } | undefined; eventGridTopic?: string | undefined } | undefined,
): { notify?: RunNotify } {
  const given: RunNotify = { callBackUri: callBackUri ?? null, webhook: notify?.webhook ?? null, eventGridTopic: notify?.eventGridTopic ?? null };
  return given.callBackUri || given.webhook || given.eventGridTopic ? { notify: given } : {};
}

/** An output as the request names it: a URI ending in '/' is a folder unless the type says otherwise; a folder's URI ends in '/'. */
function outputOf(type: OutputTarget["type"] | undefined, uri: string): OutputTarget {
  const kind = type ?? (uri.endsWith("/") ? "uri_folder" : "uri_file");
  return { type: kind, uri: kind === "uri_folder" && !uri.endsWith("/") ? `${uri}/` : uri };
}

/**
 * Fields the batch job model has but Azure ML documents no per-job override for
 * (docs/azure-behaviour.md#per-job-settings): sent, and the caller told they may not take effect.
 */
function undocumentedOverrides(request: ScoringRunRequest): RunWarning[] {
  const fields = [
    ...(request.settings.maxConcurrencyPerInstance !== undefined ? ["settings.maxConcurrencyPerInstance"] : []),
    ...(request.settings.loggingLevel !== undefined ? ["settings.loggingLevel"] : []),
    ...(request.description !== null ? ["description"] : []),
    ...Object.entries(request.inputs).flatMap(([name, input]) => (input.type !== "literal" && input.mode ? [`inputs.${name}.mode`] : [])),
  ];
  if (fields.length === 0) return [];
  return [
    {
      code: "OverrideNotDocumented",
      message: `${fields.join(", ")}: sent to Azure ML in its batch job model, but Azure ML documents no per-job override for ${fields.length > 1 ? "them" : "it"}; if the job shows the deployment's value, set it on the deployment.`,
    },
  ];
}

/** The settings given, without the ones left out (so equal requests fingerprint alike). */
function compact(settings: { [K in keyof JobSettings]?: JobSettings[K] | undefined }): JobSettings {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as JobSettings;
}

/**
 * `outputFileName` names the predictions file inside a folder output (or the deployment's
 * default location): with only a file output, which names the file itself, it is refused
 * rather than silently ignored.
 */
function outputFileNameWithFileOutput(request: ScoringRunRequest, field: string, outputField: string): ErrorDetail[] {
  const outputs = Object.values(request.outputs);
  if (request.settings.outputFileName === undefined || outputs.length === 0) return [];
  if (outputs.some((o) => o.type === "uri_folder")) return [];
  return [
    { field, message: `names the predictions file in a folder output, but ${outputField} names a file: drop one, or make the output a folder (ending in '/')` },
  ];
}

/**
 * Azure ML takes a data asset at invoke only as an ARM id, so a short form (`azureml:<name>:<v>`,
 * `azureml:<name>@latest`) is turned into one in the run's workspace: without a workspace it
 * cannot be, and the start is refused.
 */
function dataAssetsWithoutWorkspace(request: ScoringRunRequest, field: (inputName: string) => string): ErrorDetail[] {
  if (request.workspace) return [];
  return Object.entries(request.inputs)
    .filter(([, input]) => input.type !== "literal" && parseDataAssetReference(input.uri) !== null)
    .map(([name]) => ({
      field: field(name),
      message:
        "is a data asset in short form; Azure ML takes data assets as ARM ids, so the workspace must be known to resolve it: " +
        "set the field workspace (or the setting AML_WORKSPACE_ID), or pass the asset's ARM id (/subscriptions/…/data/<name>/versions/<version>)",
    }));
}
