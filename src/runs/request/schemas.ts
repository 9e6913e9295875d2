/**
 * The start request's two body forms as zod schemas: the seed pipeline's parameters as ADF sends
 * them (snake_case, numbers as strings) and the richer camelCase form, field by field, with the
 * messages a caller reads. The known-field lists come from these schemas.
 */
import { z } from "zod";
import { checkOutputUri, classifyInputUri, WHITESPACE_OR_CONTROL } from "../../batch/azuremlUris";
import { checkEndpointUri } from "../../batch/endpointHosts";
import { parseWorkspaceId } from "../../batch/resourceIds";
import type { AppConfig } from "../../config";
import { PREFLIGHT_MODES } from "../preflightReport";

export type StartConfig = Pick<AppConfig, "allowedHosts" | "allowLoopback" | "defaultPollSeconds"> & Partial<Pick<AppConfig, "workspaceId">>;

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

const API_VERSION = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(-preview)?$/;
const DEPLOYMENT_NAME = /^[A-Za-z][A-Za-z0-9-]{2,31}$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
const INSTANCE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const NUMERIC_STRING = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/;

/** Seed (ADF pipeline parameter) field → its camelCase counterpart, named in the message for a mixed body. */
export const SEED_FIELDS = {
  endpoint_uri: "endpointUri",
  api_version: "apiVersion",
  poll_interval: "pollIntervalSeconds",
  endpoint_input_uri: "inputs",
  endpoint_input_type: "inputs",
  endpoint_output_uri: "output",
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
  const what = `a whole number of seconds from ${min} to ${max}`;
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
  const checked = checkOutputUri(v);
  if (!checked.ok) ctx.addIssue({ code: "custom", message: checked.reason });
});

const inputSchema = z
  .strictObject(
    {
      type: z.enum(["uri_folder", "uri_file", "literal"], { error: expected('"uri_folder", "uri_file" or "literal"') }),
      uri: inputUri.optional(),
      value: z.union([z.string(), z.number(), z.boolean()], { error: expected("a string, number or boolean") }).optional(),
    },
    { error: expected('an object {type, uri} or {type: "literal", value}') },
  )
  .superRefine((input, ctx) => {
    if (input.type === "literal") {
      if (input.uri !== undefined) ctx.addIssue({ code: "custom", path: ["uri"], message: 'must not be set for a "literal" input (use value)' });
      if (input.value === undefined) ctx.addIssue({ code: "custom", path: ["value"], message: 'is required for a "literal" input' });
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

const outputSchema = z.strictObject(
  {
    name: optional(
      text().superRefine((v, ctx) => {
        if (!IDENTIFIER.test(v)) ctx.addIssue({ code: "custom", message: identifierMessage("the output name", v) });
      }),
    ),
    uri: outputUri,
  },
  { error: expected("an object {name?, uri}") },
);

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

const pollSeconds = seconds(MIN_POLL_SECONDS, MAX_POLL_SECONDS);
export const timeoutSeconds = optional(seconds(MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS));
export const queueTimeoutSeconds = optional(seconds(MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS));

export function camelSchema(config: StartConfig) {
  return z.strictObject({
    endpointUri: endpointUri(config),
    deployment: optional(deployment),
    apiVersion: optional(apiVersion),
    pollIntervalSeconds: optional(pollSeconds),
    inputs: inputsSchema,
    output: optional(outputSchema),
    timeoutSeconds,
    queueTimeoutSeconds,
    instanceId: optional(instanceId),
    tags: optional(tagsSchema),
    workspace: optional(workspaceId),
    preflight: optional(preflightMode),
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

export function seedSchema(config: StartConfig) {
  return z.strictObject({
    endpoint_uri: endpointUri(config),
    api_version: optional(apiVersion),
    poll_interval: optional(pollSeconds),
    endpoint_input_uri: inputUri,
    endpoint_input_type: optional(seedInputType),
    endpoint_output_uri: optional(outputUri),
    preflight: optional(preflightMode),
  });
}

// ---------------------------------------------------------------------------------------------
// Known fields, from the schemas themselves

const anyConfig: StartConfig = { allowedHosts: [], allowLoopback: false, defaultPollSeconds: 1 };
export const camelFields: readonly string[] = Object.keys(camelSchema(anyConfig).shape);
export const seedFieldNames: readonly string[] = Object.keys(seedSchema(anyConfig).shape);
export const inputFields: readonly string[] = Object.keys(inputSchema.shape);
export const outputFields: readonly string[] = Object.keys(outputSchema.shape);
