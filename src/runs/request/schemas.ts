/**
 * The start request's two body forms as zod schemas: the seed pipeline's parameters as ADF sends
 * them (snake_case, numbers as strings) and the richer camelCase form, field by field, with the
 * messages a caller reads. The known-field lists come from these schemas.
 */
import { z } from "zod";
import { checkOutputUri, classifyInputUri, WHITESPACE_OR_CONTROL } from "../../batch/azuremlUris";
import { INPUT_MODES, LOGGING_LEVELS } from "../../batch/types";
import { checkEndpointUri } from "../../batch/endpointHosts";
import { callbackRules, checkNoticeUrl, eventGridTopicRules, type NoticeHostRules } from "../../batch/noticeHosts";
import { parseWorkspaceId } from "../../batch/resourceIds";
import { type AppConfig, WEBHOOK_SECRET_PREFIX } from "../../config";
import { PREFLIGHT_MODES } from "../preflightReport";

export type StartConfig = Pick<AppConfig, "allowedHosts" | "allowLoopback" | "defaultPollSeconds"> &
  Partial<Pick<AppConfig, "workspaceId" | "callbackHosts" | "webhookSecretNames">>;

export const DEFAULT_OUTPUT_NAME = "score";
/** The seed pipeline's input name for `endpoint_input_uri`. */
export const SEED_INPUT_NAME = "input_data";
export const MIN_POLL_SECONDS = 1;
export const MAX_POLL_SECONDS = 86_400;
export const MIN_TIMEOUT_SECONDS = 60;
export const MAX_TIMEOUT_SECONDS = 30 * 86_400;
export const DEFAULT_TIMEOUT_SECONDS = 7 * 86_400;
export const MAX_TAGS = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
export const MAX_OUTPUTS = 20;
/** The display name travels as a tag: a tag value's bound. */
export const MAX_DISPLAY_NAME_LENGTH = MAX_TAG_VALUE_LENGTH;
export const MAX_DESCRIPTION_LENGTH = 1024;
/** The batch job model's int32 settings. */
const MAX_INT32 = 2_147_483_647;

const API_VERSION = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(-preview)?$/;
const DEPLOYMENT_NAME = /^[A-Za-z][A-Za-z0-9-]{2,31}$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
const INSTANCE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const NUMERIC_STRING = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/;
/** Azure ML experiment names: 1-250 letters, digits, '_' or '-', starting with a letter or digit. */
const EXPERIMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,249}$/;
/** A plain file name: no folder, no control characters, not `.` or `..`. */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const FILE_NAME = /^(?!\.{1,2}$)[^/\\\u0000-\u001f\u007f]{1,255}$/;

/** Seed (ADF pipeline parameter) field → its camelCase counterpart, named in the message for a mixed body. */
export const SEED_FIELDS = {
  endpoint_uri: "endpointUri",
  api_version: "apiVersion",
  poll_interval: "pollIntervalSeconds",
  endpoint_input_uri: "inputs",
  endpoint_input_type: "inputs",
  endpoint_output_uri: "output",
  instance_count: "settings.instanceCount",
  mini_batch_size: "settings.miniBatchSize",
  max_concurrency_per_instance: "settings.maxConcurrencyPerInstance",
  output_file_name: "settings.outputFileName",
  error_threshold: "settings.errorThreshold",
  logging_level: "settings.loggingLevel",
  max_retries: "settings.maxRetries",
  retry_timeout: "settings.retryTimeoutSeconds",
} as const;

// ---------------------------------------------------------------------------------------------
// Messages

/** A short, safe rendering of a value for messages (strings quoted and truncated). */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    if (value === "") return "an empty string";
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}

/** Zod error map: "is required" for a missing (or null) field, else "must be <expected>, got <value>". */
function expected(what: string) {
  return (issue: { input?: unknown }): string =>
    issue.input === undefined ? "is required" : issue.input === null ? "is required (got null)" : `must be ${what}, got ${describe(issue.input)}`;
}

function endpointMessage(reason: string, config: StartConfig): string {
  const loopback = config.allowLoopback ? " http loopback endpoints are allowed too (dev only)." : "";
  // The allowlist reason names the patterns already; other reasons get them as a hint.
  if (reason.includes("SCORING_ALLOWED_HOSTS")) return `${reason}${loopback}`;
  const hosts = config.allowedHosts;
  const allowed = hosts.length === 0 ? "none (SCORING_ALLOWED_HOSTS is empty)" : hosts.join(", ");
  return `${reason.replace(/\.?\s*$/, ".")} Allowed endpoint hosts: ${allowed}.${loopback}`;
}

// ---------------------------------------------------------------------------------------------
// Field schemas

/** An optional field: omitted, null and "" all mean "not set" (ADF sends "" for empty parameters). */
function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === null || v === "" ? undefined : v), schema.optional());
}

/** Whole seconds in [min, max]; numeric strings ("120", as ADF sends them) are accepted. */
function seconds(min: number, max: number) {
  return wholeNumber(min, max, `a whole number of seconds from ${min} to ${max}`);
}

/** A whole number in [min, max]; numeric strings ("4", as ADF sends them) are accepted. */
function wholeNumber(min: number, max: number, what = `a whole number from ${min} to ${max}`) {
  return z.preprocess(
    (v) => (typeof v === "string" && NUMERIC_STRING.test(v) ? Number(v) : v),
    z.number({ error: expected(what) }).superRefine((v, ctx) => {
      if (!Number.isInteger(v) || v < min || v > max) ctx.addIssue({ code: "custom", message: `must be ${what}, got ${v}` });
    }),
  );
}

function text(what = "a string") {
  return z.string({ error: expected(what) });
}

/** A required string that must not be "" (reported as required, like a missing one). */
function nonEmpty(schema: z.ZodString, check: (v: string, ctx: z.RefinementCtx) => void) {
  return schema.superRefine((v, ctx) => {
    if (v === "") ctx.addIssue({ code: "custom", message: "is required (got an empty string)" });
    else check(v, ctx);
  });
}

function endpointUri(config: StartConfig) {
  return nonEmpty(text("a URL string"), (v, ctx) => {
    if (WHITESPACE_OR_CONTROL.test(v)) {
      ctx.addIssue({ code: "custom", message: "must not contain whitespace or control characters" });
      return;
    }
    if (/[?#]/.test(v)) {
      // A scoring URI has no query; one here could only carry a key or a token into run state.
      ctx.addIssue({ code: "custom", message: "must not have a query or fragment (a scoring URI ends in /jobs); keys and tokens never go in run state" });
      return;
    }
    const checked = checkEndpointUri(v, config);
    if (!checked.ok) ctx.addIssue({ code: "custom", message: endpointMessage(checked.reason, config) });
  });
}

const apiVersion = text().superRefine((v, ctx) => {
  if (!API_VERSION.test(v)) {
    ctx.addIssue({
      code: "custom",
      message: `must be an api-version like 2022-10-01 or 2024-01-01-preview, got ${describe(v)}`,
    });
  }
});

const deployment = text().superRefine((v, ctx) => {
  if (!DEPLOYMENT_NAME.test(v)) {
    ctx.addIssue({
      code: "custom",
      message: `must be an Azure ML deployment name (3-32 letters, digits and '-', starting with a letter), got ${describe(v)}`,
    });
  }
});

const instanceId = text().superRefine((v, ctx) => {
  if (!INSTANCE_ID.test(v)) {
    ctx.addIssue({
      code: "custom",
      message: `must be 1-100 letters, digits, '-' or '_', starting with a letter or digit, got ${describe(v)}`,
    });
  }
});

const identifierMessage = (what: string, v: string) =>
  `${what} must be an identifier (a letter or '_', then letters, digits or '_', at most 255), got ${describe(v)}`;

const inputUri = nonEmpty(text("a URI string"), (v, ctx) => {
  const checked = classifyInputUri(v);
  if (!checked.ok) ctx.addIssue({ code: "custom", message: checked.reason });
});

const outputUri = nonEmpty(text("a URI string"), (v, ctx) => {
  const checked = checkOutputUri(v, v.endsWith("/") ? "folder" : "file");
  if (!checked.ok) ctx.addIssue({ code: "custom", message: checked.reason });
});

/** One of `values`, in any case (ADF parameters are often typed by hand); the canonical spelling. */
function oneOf<T extends string>(values: readonly T[]) {
  const list = values.join(", ");
  return z.string({ error: expected(`one of ${list}`) }).transform((v, ctx) => {
    const found = values.find((m) => m.toLowerCase() === v.trim().toLowerCase());
    if (found) return found;
    ctx.addIssue({ code: "custom", message: `must be one of ${list}, got ${describe(v)}` });
    return z.NEVER;
  });
}

const inputMode = oneOf(INPUT_MODES);

const inputSchema = z
  .strictObject(
    {
      type: z.enum(["uri_folder", "uri_file", "literal"], { error: expected('"uri_folder", "uri_file" or "literal"') }),
      uri: inputUri.optional(),
      value: z.union([z.string(), z.number(), z.boolean()], { error: expected("a string, number or boolean") }).optional(),
      mode: optional(inputMode),
    },
    { error: expected('an object {type, uri} or {type: "literal", value}') },
  )
  .superRefine((input, ctx) => {
    if (input.type === "literal") {
      if (input.uri !== undefined) ctx.addIssue({ code: "custom", path: ["uri"], message: 'must not be set for a "literal" input (use value)' });
      if (input.value === undefined) ctx.addIssue({ code: "custom", path: ["value"], message: 'is required for a "literal" input' });
      if (input.mode !== undefined) ctx.addIssue({ code: "custom", path: ["mode"], message: 'must not be set for a "literal" input (it has no data to read)' });
    } else {
      if (input.value !== undefined) ctx.addIssue({ code: "custom", path: ["value"], message: `must not be set for a "${input.type}" input (use uri)` });
      if (input.uri === undefined) ctx.addIssue({ code: "custom", path: ["uri"], message: `is required for a "${input.type}" input` });
    }
  });

const inputsSchema = z
  .record(
    z.string().superRefine((name, ctx) => {
      if (!IDENTIFIER.test(name)) ctx.addIssue({ code: "custom", message: identifierMessage("input name", name) });
    }),
    inputSchema,
    { error: expected("an object mapping input names to inputs") },
  )
  .superRefine((inputs, ctx) => {
    if (Object.keys(inputs).length === 0) ctx.addIssue({ code: "custom", message: "must name at least one input" });
  });

const outputType = z.enum(["uri_file", "uri_folder"], { error: expected('"uri_file" or "uri_folder"') });

/** An output's type must agree with its URI: a folder ends with '/' (one is added to a folder that does not). */
function outputTypeAgrees(output: { type?: "uri_file" | "uri_folder" | undefined; uri: string }, ctx: z.RefinementCtx) {
  if (output.type === "uri_folder" && !output.uri.endsWith("/")) {
    const checked = checkOutputUri(output.uri, "folder");
    if (!checked.ok) ctx.addIssue({ code: "custom", path: ["uri"], message: checked.reason });
  } else if (output.type === "uri_file" && output.uri.endsWith("/")) {
    const checked = checkOutputUri(output.uri, "file");
    if (!checked.ok) ctx.addIssue({ code: "custom", path: ["uri"], message: checked.reason });
  }
}

const outputSchema = z
  .strictObject(
    {
      name: optional(
        text().superRefine((v, ctx) => {
          if (!IDENTIFIER.test(v)) ctx.addIssue({ code: "custom", message: identifierMessage("the output name", v) });
        }),
      ),
      type: optional(outputType),
      uri: outputUri,
    },
    { error: expected("an object {name?, type?, uri}") },
  )
  .superRefine(outputTypeAgrees);

/** Several named outputs (pipeline-component deployments): name → {type?, uri}. */
const namedOutputSchema = z
  .strictObject({ type: optional(outputType), uri: outputUri }, { error: expected("an object {type?, uri}") })
  .superRefine(outputTypeAgrees);
const outputsSchema = z
  .record(
    z.string().superRefine((name, ctx) => {
      if (!IDENTIFIER.test(name)) ctx.addIssue({ code: "custom", message: identifierMessage("output name", name) });
    }),
    namedOutputSchema,
    { error: expected("an object mapping output names to outputs") },
  )
  .superRefine((outputs, ctx) => {
    const count = Object.keys(outputs).length;
    if (count === 0) ctx.addIssue({ code: "custom", message: "must name at least one output (or leave it out)" });
    if (count > MAX_OUTPUTS) ctx.addIssue({ code: "custom", message: `must have at most ${MAX_OUTPUTS} outputs, got ${count}` });
  });

const outputFileName = text("a file name").superRefine((v, ctx) => {
  if (!FILE_NAME.test(v)) {
    ctx.addIssue({ code: "custom", message: `must be a plain file name (no '/' or '\\', not '.' or '..', at most 255 characters), got ${describe(v)}` });
  }
});

/** The per-job settings (`settings` in the camelCase form, snake_case parameters in the seed form). */
export const settingFields = {
  instanceCount: wholeNumber(1, MAX_INT32),
  miniBatchSize: wholeNumber(1, Number.MAX_SAFE_INTEGER),
  maxConcurrencyPerInstance: wholeNumber(1, MAX_INT32),
  outputFileName,
  errorThreshold: wholeNumber(-1, MAX_INT32, `a whole number from -1 (ignore failed items) to ${MAX_INT32}`),
  loggingLevel: oneOf(LOGGING_LEVELS),
  maxRetries: wholeNumber(0, MAX_INT32),
  retryTimeoutSeconds: seconds(1, MAX_TIMEOUT_SECONDS),
};

const settingsSchema = z.strictObject(
  {
    instanceCount: optional(settingFields.instanceCount),
    miniBatchSize: optional(settingFields.miniBatchSize),
    maxConcurrencyPerInstance: optional(settingFields.maxConcurrencyPerInstance),
    outputFileName: optional(settingFields.outputFileName),
    errorThreshold: optional(settingFields.errorThreshold),
    loggingLevel: optional(settingFields.loggingLevel),
    maxRetries: optional(settingFields.maxRetries),
    retryTimeoutSeconds: optional(settingFields.retryTimeoutSeconds),
  },
  { error: expected("an object of job settings") },
);

/** Control characters other than tab and line breaks. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function boundedText(max: number) {
  return text().superRefine((v, ctx) => {
    if (v.length > max) ctx.addIssue({ code: "custom", message: `must be at most ${max} characters, got ${v.length}` });
    else if (CONTROL.test(v)) ctx.addIssue({ code: "custom", message: "must not contain control characters" });
  });
}

const experimentName = text().superRefine((v, ctx) => {
  if (!EXPERIMENT_NAME.test(v)) {
    ctx.addIssue({
      code: "custom",
      message: `must be an Azure ML experiment name (1-250 letters, digits, '_' or '-', starting with a letter or digit), got ${describe(v)}`,
    });
  }
});

/** Tags: every entry checked, so all bad ones are reported together. */
const tagsSchema = z.record(z.string(), z.unknown(), { error: expected("an object mapping tag names to strings") }).superRefine((tags, ctx) => {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) {
    ctx.addIssue({ code: "custom", message: `must have at most ${MAX_TAGS} entries, got ${entries.length}` });
  }
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > MAX_TAG_KEY_LENGTH) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `tag names must be 1 to ${MAX_TAG_KEY_LENGTH} characters, got ${key.length}`,
      });
    }
    if (typeof value !== "string") {
      ctx.addIssue({ code: "custom", path: [key], message: `must be a string, got ${describe(value)}` });
    } else if (value.length > MAX_TAG_VALUE_LENGTH) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `must be at most ${MAX_TAG_VALUE_LENGTH} characters, got ${value.length}`,
      });
    }
  }
});

/** A URL a run's end is posted to, checked against its host rules. */
function noticeUrl(rules: NoticeHostRules) {
  return nonEmpty(text("a URL string"), (v, ctx) => {
    const checked = checkNoticeUrl(v, rules);
    if (!checked.ok) ctx.addIssue({ code: "custom", message: checked.reason });
  });
}

const WEBHOOK_SECRET_SETTING = new RegExp(`^${WEBHOOK_SECRET_PREFIX}[A-Z0-9_]{1,100}$`);

/** The name of the app setting holding a webhook's HMAC key: never the key itself. */
function secretSetting(config: StartConfig) {
  return nonEmpty(text("an app setting name"), (v, ctx) => {
    if (!WEBHOOK_SECRET_SETTING.test(v)) {
      ctx.addIssue({
        code: "custom",
        message: `must name an app setting ${WEBHOOK_SECRET_PREFIX}<NAME> (upper-case letters, digits, '_') that holds the HMAC key, got ${describe(v)}; never the key itself`,
      });
    } else if (!(config.webhookSecretNames ?? []).includes(v)) {
      ctx.addIssue({ code: "custom", message: `names the app setting ${v}, which is not set: set it to the webhook's HMAC key first` });
    }
  });
}

function notifySchema(config: StartConfig) {
  return z.strictObject(
    {
      webhook: optional(
        z.strictObject({ url: noticeUrl(callbackRules(config)), secretSetting: secretSetting(config) }, { error: expected("an object {url, secretSetting}") }),
      ),
      eventGridTopic: optional(noticeUrl(eventGridTopicRules(config))),
    },
    { error: expected("an object {webhook?, eventGridTopic?}") },
  );
}

const pollSeconds = seconds(MIN_POLL_SECONDS, MAX_POLL_SECONDS);
export const timeoutSeconds = optional(seconds(MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS));
export const queueTimeoutSeconds = optional(seconds(MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS));

/**
 * One schema per settings object: zod compiles a schema on its first parse, which costs several
 * times a parse, and a burst of blob events validates thousands of starts with the same settings.
 */
function builtOncePer<S>(build: (config: StartConfig) => S): (config: StartConfig) => S {
  const built = new WeakMap<StartConfig, S>();
  return (config) => {
    let schema = built.get(config);
    if (schema === undefined) built.set(config, (schema = build(config)));
    return schema;
  };
}

export const camelSchema = builtOncePer(buildCamelSchema);

function buildCamelSchema(config: StartConfig) {
  return z.strictObject({
    endpointUri: endpointUri(config),
    deployment: optional(deployment),
    apiVersion: optional(apiVersion),
    pollIntervalSeconds: optional(pollSeconds),
    inputs: inputsSchema,
    output: optional(outputSchema),
    outputs: optional(outputsSchema),
    settings: optional(settingsSchema),
    displayName: optional(boundedText(MAX_DISPLAY_NAME_LENGTH)),
    description: optional(boundedText(MAX_DESCRIPTION_LENGTH)),
    experimentName: optional(experimentName),
    timeoutSeconds,
    queueTimeoutSeconds,
    instanceId: optional(instanceId),
    tags: optional(tagsSchema),
    workspace: optional(workspaceId),
    preflight: optional(preflightMode),
    callBackUri: optional(noticeUrl(callbackRules(config))),
    notify: optional(notifySchema(config)),
  });
}

/** `strict` | `warn` | `off`, any case (ADF parameters are often typed by hand). */
const preflightMode = z.string({ error: "must be strict, warn or off" }).transform((v, ctx) => {
  const mode = PREFLIGHT_MODES.find((m) => m === v.trim().toLowerCase());
  if (mode) return mode;
  ctx.addIssue({ code: "custom", message: `must be strict, warn or off, got ${describe(v)}` });
  return z.NEVER;
});

/** An Azure ML workspace's ARM id: where a lost invoke's job is looked for. */
const workspaceId = text("an Azure ML workspace resource id").superRefine((v, ctx) => {
  if (!parseWorkspaceId(v) || /[?#\s]/.test(v)) {
    ctx.addIssue({
      code: "custom",
      message: "must be a workspace resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<name>",
    });
  }
});

/**
 * The seed's `endpoint_input_type` (docs/adf.md, after Azure ML's Data Factory template):
 * `UriFolder` (default) or `UriFile`; the job input type names are accepted too, in any case.
 */
const seedInputType = z.string({ error: "must be UriFolder or UriFile" }).transform((v, ctx) => {
  const key = v.trim().toLowerCase().replace(/_/g, "");
  if (key === "urifolder") return "uri_folder" as const;
  if (key === "urifile") return "uri_file" as const;
  ctx.addIssue({ code: "custom", message: `must be UriFolder or UriFile, got ${describe(v)}` });
  return z.NEVER;
});

export const seedSchema = builtOncePer(buildSeedSchema);

function buildSeedSchema(config: StartConfig) {
  return z.strictObject({
    endpoint_uri: endpointUri(config),
    api_version: optional(apiVersion),
    poll_interval: optional(pollSeconds),
    endpoint_input_uri: inputUri,
    endpoint_input_type: optional(seedInputType),
    endpoint_output_uri: optional(outputUri),
    preflight: optional(preflightMode),
    instance_count: optional(settingFields.instanceCount),
    mini_batch_size: optional(settingFields.miniBatchSize),
    max_concurrency_per_instance: optional(settingFields.maxConcurrencyPerInstance),
    output_file_name: optional(settingFields.outputFileName),
    error_threshold: optional(settingFields.errorThreshold),
    logging_level: optional(settingFields.loggingLevel),
    max_retries: optional(settingFields.maxRetries),
    retry_timeout: optional(settingFields.retryTimeoutSeconds),
    // Data Factory's WebHook activity adds it to whatever body it sends.
    callBackUri: optional(noticeUrl(callbackRules(config))),
  });
}

// ---------------------------------------------------------------------------------------------
// Known fields, from the schemas themselves

const anyConfig: StartConfig = { allowedHosts: [], allowLoopback: false, defaultPollSeconds: 1 };
export const camelFields: readonly string[] = Object.keys(camelSchema(anyConfig).shape);
export const seedFieldNames: readonly string[] = Object.keys(seedSchema(anyConfig).shape);
export const inputFields: readonly string[] = Object.keys(inputSchema.shape);
export const outputFields: readonly string[] = Object.keys(outputSchema.shape);
export const namedOutputFields: readonly string[] = Object.keys(namedOutputSchema.shape);
export const settingsFieldNames: readonly string[] = Object.keys(settingsSchema.shape);
