/**
 * "Bad input gets a clear 400 naming the field, and nothing starts": every invalid start request
 * (`POST /api/scoring-runs`) is answered 400 `InvalidRequest` whose `details` name the field as
 * the caller wrote it (dotted path, header or query name), no orchestration instance is created
 * and the Azure ML emulator receives no request at all. One stack for the whole file; no case
 * here ever starts a run, so the final test checks that nothing was created by any of them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateStartRequest } from "../../src/runs/request/validateStartRequest";
import { type Stack, startStack } from "./stack";

const ALLOWED_ENDPOINT = "https://heart-ep.westeurope.inference.ml.azure.com/jobs";
const INPUT = "azureml://datastores/workspaceblobstore/paths/scoring/input/";
const OUTPUT = "azureml://datastores/workspaceblobstore/paths/scoring/output/predictions.csv";
const SAS_SECRET = "Zm9vYmFyU2VjcmV0U2lnbmF0dXJlMTIz";
const SAS_QUERY = `sv=2022-11-02&sr=c&sp=rl&se=2030-01-01&sig=${SAS_SECRET}`;

interface BadCase {
  name: string;
  /** The JSON body (built against the running stack); ignored when `raw` is set. */
  body?: (s: Stack) => unknown;
  /** The body text as sent, byte for byte. */
  raw?: (s: Stack) => string;
  /** Content-Type header; default application/json. */
  contentType?: string;
  headers?: Record<string, string>;
  /** Query string, without '?'. */
  query?: string;
  /** The field the 400 must name (exact dotted path / header / query name). */
  field: string;
  /** Other fields that are expected in `details` too (by default `field` is the only one). */
  also?: string[];
  /** The detail for `field` must match this. */
  message?: RegExp;
}

/** A valid camelCase body for the emulator's endpoint with a fresh output file. */
const camel = (s: Stack, overrides: Record<string, unknown> = {}) => s.startBody(overrides);
/** A valid seed (pipeline-parameter) body for the emulator's endpoint. */
const seed = (s: Stack, overrides: Record<string, unknown> = {}) => ({
  endpoint_uri: s.emulator.scoringUri,
  api_version: "2022-10-01",
  poll_interval: "120",
  endpoint_input_uri: INPUT,
  endpoint_output_uri: OUTPUT,
  ...overrides,
});
const without = (o: Record<string, unknown>, ...keys: string[]) => {
  const copy = { ...o };
  for (const k of keys) delete copy[k];
  return copy;
};
const input = (def: Record<string, unknown>) => ({ inputs: { input_data: def } });
const output = (uri: string) => ({ output: { name: "score", uri } });
const endpoint = (uri: string) => ({ endpointUri: uri });
const manyTags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, "v"]));

const cases: BadCase[] = [
  // --- missing required fields, both forms ---------------------------------------------------
  { name: "camel: endpointUri missing", body: (s) => without(camel(s), "endpointUri"), field: "endpointUri", message: /is required/ },
  { name: "camel: inputs missing", body: (s) => without(camel(s), "inputs"), field: "inputs", message: /is required/ },
  { name: "camel: endpointUri null", body: (s) => camel(s, { endpointUri: null }), field: "endpointUri", message: /is required \(got null\)/ },
  { name: "camel: inputs is an empty object", body: (s) => camel(s, { inputs: {} }), field: "inputs", message: /at least one input/ },
  { name: "camel: output without uri", body: (s) => camel(s, { output: { name: "score" } }), field: "output.uri", message: /is required/ },
  { name: "seed: endpoint_uri missing", body: (s) => without(seed(s), "endpoint_uri"), field: "endpoint_uri", message: /is required/ },
  { name: "seed: endpoint_input_uri missing", body: (s) => without(seed(s), "endpoint_input_uri"), field: "endpoint_input_uri", message: /is required/ },
  { name: "empty JSON object", raw: () => "{}", field: "endpointUri", also: ["inputs"] },

  // --- empty strings where required --------------------------------------------------------
  { name: "camel: endpointUri empty", body: (s) => camel(s, endpoint("")), field: "endpointUri", message: /empty string/ },
  { name: "camel: input uri empty", body: (s) => camel(s, input({ type: "uri_folder", uri: "" })), field: "inputs.input_data.uri", message: /empty string/ },
  { name: "camel: output uri empty", body: (s) => camel(s, output("")), field: "output.uri", message: /empty string/ },
  { name: "seed: endpoint_uri empty", body: (s) => seed(s, { endpoint_uri: "" }), field: "endpoint_uri", message: /empty string/ },
  { name: "seed: endpoint_input_uri empty", body: (s) => seed(s, { endpoint_input_uri: "" }), field: "endpoint_input_uri", message: /empty string/ },

  // --- wrong types ---------------------------------------------------------------------------
  { name: "number for endpointUri", body: (s) => camel(s, endpoint(42 as unknown as string)), field: "endpointUri", message: /must be a URL string, got 42/ },
  { name: "object for timeoutSeconds", body: (s) => camel(s, { timeoutSeconds: { seconds: 600 } }), field: "timeoutSeconds", message: /got an object/ },
  { name: "array for inputs", body: (s) => camel(s, { inputs: [{ type: "uri_folder", uri: INPUT }] }), field: "inputs", message: /got an array/ },
  { name: "string for one input", body: (s) => camel(s, { inputs: { input_data: INPUT } }), field: "inputs.input_data" },
  { name: "string for output", body: (s) => camel(s, { output: OUTPUT }), field: "output" },
  { name: "boolean poll interval", body: (s) => camel(s, { pollIntervalSeconds: true }), field: "pollIntervalSeconds", message: /got true/ },
  { name: "number for deployment", body: (s) => camel(s, { deployment: 5 }), field: "deployment" },
  { name: "array for tags", body: (s) => camel(s, { tags: ["team", "risk"] }), field: "tags", message: /got an array/ },
  {
    name: "object for a literal value",
    body: (s) => camel(s, { inputs: { ...(camel(s).inputs as object), threshold: { type: "literal", value: { v: 1 } } } }),
    field: "inputs.threshold.value",
  },
  { name: "seed: number for api_version", body: (s) => seed(s, { api_version: 20221001 }), field: "api_version" },
  { name: "seed: object for endpoint_input_uri", body: (s) => seed(s, { endpoint_input_uri: { uri: INPUT } }), field: "endpoint_input_uri" },

  // --- the body itself ---------------------------------------------------------------------
  { name: "body over 65536 bytes", body: (s) => camel(s, { tags: { note: "x".repeat(70_000) } }), field: "body", message: /the limit is 65536/ },
  {
    name: "body over 65536 bytes in UTF-8 (fewer characters)",
    raw: (s) => JSON.stringify(camel(s, { tags: { note: "é".repeat(33_000) } })),
    field: "body",
    message: /the limit is 65536/,
  },
  { name: "body not JSON", raw: () => "{not json", field: "body", message: /not valid JSON/ },
  { name: "body truncated JSON", raw: (s) => JSON.stringify(camel(s)).slice(0, 40), field: "body", message: /not valid JSON/ },
  { name: "body is a JSON array", raw: (s) => JSON.stringify([camel(s)]), field: "body", message: /JSON object, got an array/ },
  { name: "body is JSON null", raw: () => "null", field: "body", message: /JSON object, got null/ },
  { name: "body is a JSON string", raw: () => JSON.stringify(ALLOWED_ENDPOINT), field: "body", message: /JSON object/ },
  { name: "body is a JSON number", raw: () => "42", field: "body", message: /JSON object, got 42/ },
  { name: "body empty", raw: () => "", field: "body", message: /JSON object, got nothing/ },

  // --- content type --------------------------------------------------------------------------
  { name: "Content-Type text/plain", raw: (s) => JSON.stringify(camel(s)), contentType: "text/plain", field: "Content-Type", message: /application\/json/ },
  {
    name: "Content-Type form-encoded",
    raw: (s) => new URLSearchParams({ endpointUri: s.emulator.scoringUri, input: INPUT }).toString(),
    contentType: "application/x-www-form-urlencoded",
    field: "Content-Type",
  },
  { name: "Content-Type multipart", raw: (s) => JSON.stringify(camel(s)), contentType: "multipart/form-data; boundary=x", field: "Content-Type" },
  { name: "Content-Type application/xml", raw: (s) => JSON.stringify(camel(s)), contentType: "application/xml", field: "Content-Type" },

  // --- endpoint URI ------------------------------------------------------------------------
  {
    name: "endpoint http:// (not loopback)",
    body: (s) => camel(s, endpoint("http://heart-ep.westeurope.inference.ml.azure.com/jobs")),
    field: "endpointUri",
    message: /must use https/,
  },
  {
    name: "endpoint ftp://",
    body: (s) => camel(s, endpoint("ftp://heart-ep.westeurope.inference.ml.azure.com/jobs")),
    field: "endpointUri",
    message: /must use https/,
  },
  {
    name: "endpoint not absolute",
    body: (s) => camel(s, endpoint("heart-ep.westeurope.inference.ml.azure.com/jobs")),
    field: "endpointUri",
    message: /not a valid absolute URL/,
  },
  { name: "endpoint host not listed", body: (s) => camel(s, endpoint("https://scoring.example.com/jobs")), field: "endpointUri", message: /not allowed/ },
  {
    name: "endpoint host is the bare allowlist suffix",
    body: (s) => camel(s, endpoint("https://inference.ml.azure.com/jobs")),
    field: "endpointUri",
    message: /not allowed/,
  },
  {
    name: "endpoint host with the allowed suffix inside",
    body: (s) => camel(s, endpoint("https://x.inference.ml.azure.com.evil.example/jobs")),
    field: "endpointUri",
    message: /not allowed/,
  },
  {
    name: "endpoint IPv4 literal https://10.0.0.4/jobs",
    body: (s) => camel(s, endpoint("https://10.0.0.4/jobs")),
    field: "endpointUri",
    message: /"10\.0\.0\.4" is not allowed/,
  },
  {
    name: "endpoint IPv4 literal http://10.0.0.4/jobs",
    body: (s) => camel(s, endpoint("http://10.0.0.4/jobs")),
    field: "endpointUri",
    message: /must use https/,
  },
  {
    name: "endpoint IPv4-mapped IPv6 loopback https://[::ffff:127.0.0.1]/jobs",
    body: (s) => camel(s, endpoint("https://[::ffff:127.0.0.1]/jobs")),
    field: "endpointUri",
    message: /not allowed/,
  },
  { name: "endpoint https://0.0.0.0/jobs", body: (s) => camel(s, endpoint("https://0.0.0.0/jobs")), field: "endpointUri", message: /not allowed/ },
  {
    name: "endpoint with user:password@",
    body: (s) => camel(s, endpoint("https://user:pw@x.inference.ml.azure.com/jobs")),
    field: "endpointUri",
    message: /user information/,
  },
  {
    name: "endpoint with whitespace",
    body: (s) => camel(s, endpoint("https://heart-ep.westeurope.inference.ml.azure.com/jo bs")),
    field: "endpointUri",
    message: /whitespace/,
  },
  {
    name: "seed: endpoint_uri host not listed",
    body: (s) => seed(s, { endpoint_uri: "https://scoring.example.com/jobs" }),
    field: "endpoint_uri",
    message: /not allowed/,
  },

  // --- inputs ----------------------------------------------------------------------------------
  {
    name: "input with user:password@",
    body: (s) => camel(s, input({ type: "uri_folder", uri: "https://user:pw@acct.blob.core.windows.net/c/in/" })),
    field: "inputs.input_data.uri",
    message: /credentials/,
  },
  {
    name: "input with a SAS token",
    body: (s) => camel(s, input({ type: "uri_folder", uri: `https://acct.blob.core.windows.net/c/in/?${SAS_QUERY}` })),
    field: "inputs.input_data.uri",
    message: /SAS token/,
  },
  {
    name: "seed: endpoint_input_uri with a SAS token",
    body: (s) => seed(s, { endpoint_input_uri: `https://acct.blob.core.windows.net/c/in/?${SAS_QUERY}` }),
    field: "endpoint_input_uri",
    message: /SAS token/,
  },
  {
    name: "input http://",
    body: (s) => camel(s, input({ type: "uri_folder", uri: "http://acct.blob.core.windows.net/c/in/" })),
    field: "inputs.input_data.uri",
    message: /must use https/,
  },
  {
    name: "input s3://",
    body: (s) => camel(s, input({ type: "uri_folder", uri: "s3://bucket/in/" })),
    field: "inputs.input_data.uri",
    message: /unsupported scheme 's3:'/,
  },
  {
    name: "input wasbs://",
    body: (s) => camel(s, input({ type: "uri_folder", uri: "wasbs://c@acct.blob.core.windows.net/in/" })),
    field: "inputs.input_data.uri",
    message: /wasb/,
  },
  {
    name: "input datastore path with '..'",
    body: (s) => camel(s, input({ type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/a/../b/" })),
    field: "inputs.input_data.uri",
    message: /'\.\.'/,
  },
  { name: "input type unknown", body: (s) => camel(s, input({ type: "mltable", uri: INPUT })), field: "inputs.input_data.type" },
  { name: "input type missing", body: (s) => camel(s, input({ uri: INPUT })), field: "inputs.input_data.type", message: /is required/ },
  {
    name: "literal input without value",
    body: (s) => camel(s, input({ type: "literal" })),
    field: "inputs.input_data.value",
    message: /required for a "literal" input/,
  },
  {
    name: "literal input with uri",
    body: (s) => camel(s, input({ type: "literal", value: "0.7", uri: INPUT })),
    field: "inputs.input_data.uri",
    message: /must not be set/,
  },
  {
    name: "uri input with value",
    body: (s) => camel(s, input({ type: "uri_folder", uri: INPUT, value: "x" })),
    field: "inputs.input_data.value",
    message: /must not be set for a "uri_folder" input/,
  },
  {
    name: "uri input without uri",
    body: (s) => camel(s, input({ type: "uri_file" })),
    field: "inputs.input_data.uri",
    message: /required for a "uri_file" input/,
  },
  {
    name: "input has an unknown field",
    body: (s) => camel(s, input({ type: "uri_folder", uri: INPUT, path: "x" })),
    field: "inputs.input_data.path",
    message: /not a known field/,
  },
  {
    name: "input name not an identifier",
    body: (s) => camel(s, { inputs: { "input-data": { type: "uri_folder", uri: INPUT } } }),
    field: "inputs.input-data",
    message: /input name must be an identifier/,
  },
  // The record drops "__proto__", so the now-empty inputs are reported too ("must name at least one input").
  {
    name: "input named __proto__",
    raw: (s) => JSON.stringify(camel(s)).replace('"input_data":', '"__proto__":'),
    field: "inputs.__proto__",
    also: ["inputs"],
    message: /reserved/,
  },
  {
    name: "seed: endpoint_input_type unknown",
    body: (s) => seed(s, { endpoint_input_type: "MLTable" }),
    field: "endpoint_input_type",
    message: /UriFolder or UriFile/,
  },

  // --- output ------------------------------------------------------------------------------------
  {
    name: "output is an https URL",
    body: (s) => camel(s, output("https://acct.blob.core.windows.net/c/out/predictions.csv")),
    field: "output.uri",
    message: /datastore path/,
  },
  { name: "output is a data asset", body: (s) => camel(s, output("azureml:predictions:1")), field: "output.uri", message: /datastore path/ },
  {
    name: "output is the long-form datastore path",
    body: (s) => camel(s, output("azureml://subscriptions/s1/resourcegroups/rg/workspaces/ws/datastores/workspaceblobstore/paths/out/p.csv")),
    field: "output.uri",
    message: /short datastore form/,
  },
  {
    name: "output typed uri_file names a folder (trailing slash)",
    body: (s) => camel(s, { output: { type: "uri_file", uri: "azureml://datastores/workspaceblobstore/paths/out/" } }),
    field: "output.uri",
    message: /names a folder/,
  },
  {
    name: "output has an empty path",
    body: (s) => camel(s, output("azureml://datastores/workspaceblobstore/paths/")),
    field: "output.uri",
    message: /must name a folder after \/paths\//,
  },
  {
    name: "output and outputs together",
    body: (s) => camel(s, { outputs: { extra: { uri: "azureml://datastores/workspaceblobstore/paths/extra/" } } }),
    field: "outputs",
    message: /not both/,
  },
  {
    name: "settings with a bad instance count",
    body: (s) => camel(s, { settings: { instanceCount: 0 } }),
    field: "settings.instanceCount",
    message: /from 1 to/,
  },
  {
    name: 'seed: instance_count "two"',
    body: (s) => seed(s, { instance_count: "two" }),
    field: "instance_count",
  },
  {
    name: "seed: client_secret",
    body: (s) => seed(s, { client_secret: "never-echoed" }),
    field: "client_secret",
    message: /never takes a secret/,
  },
  {
    name: "output with a SAS token",
    body: (s) => camel(s, output(`azureml://datastores/workspaceblobstore/paths/out/p.csv?${SAS_QUERY}`)),
    field: "output.uri",
    message: /SAS token/,
  },
  { name: "output name not an identifier", body: (s) => camel(s, { output: { name: "my-score", uri: OUTPUT } }), field: "output.name" },
  { name: "output has an unknown field", body: (s) => camel(s, { output: { uri: OUTPUT, path: "x" } }), field: "output.path", message: /not a known field/ },
  {
    name: "seed: endpoint_output_uri with an empty path",
    body: (s) => seed(s, { endpoint_output_uri: "azureml://datastores/workspaceblobstore/paths/" }),
    field: "endpoint_output_uri",
    message: /must name a folder/,
  },

  // --- poll interval and deadlines -----------------------------------------------------------
  { name: "pollIntervalSeconds 0", body: (s) => camel(s, { pollIntervalSeconds: 0 }), field: "pollIntervalSeconds", message: /from 1 to 86400, got 0/ },
  { name: "pollIntervalSeconds 86401", body: (s) => camel(s, { pollIntervalSeconds: 86_401 }), field: "pollIntervalSeconds", message: /got 86401/ },
  { name: 'pollIntervalSeconds "abc"', body: (s) => camel(s, { pollIntervalSeconds: "abc" }), field: "pollIntervalSeconds", message: /got "abc"/ },
  { name: "pollIntervalSeconds 1.5", body: (s) => camel(s, { pollIntervalSeconds: 1.5 }), field: "pollIntervalSeconds", message: /got 1\.5/ },
  { name: "pollIntervalSeconds -5", body: (s) => camel(s, { pollIntervalSeconds: -5 }), field: "pollIntervalSeconds" },
  { name: 'seed: poll_interval "0"', body: (s) => seed(s, { poll_interval: "0" }), field: "poll_interval", message: /got 0/ },
  { name: 'seed: poll_interval "soon"', body: (s) => seed(s, { poll_interval: "soon" }), field: "poll_interval" },
  { name: "timeoutSeconds 59", body: (s) => camel(s, { timeoutSeconds: 59 }), field: "timeoutSeconds", message: /from 60 to 2592000, got 59/ },
  { name: "timeoutSeconds 2592001", body: (s) => camel(s, { timeoutSeconds: 2_592_001 }), field: "timeoutSeconds", message: /got 2592001/ },
  { name: "queueTimeoutSeconds 59", body: (s) => camel(s, { queueTimeoutSeconds: 59 }), field: "queueTimeoutSeconds", message: /got 59/ },
  { name: "queueTimeoutSeconds 2592001", body: (s) => camel(s, { queueTimeoutSeconds: 2_592_001 }), field: "queueTimeoutSeconds", message: /got 2592001/ },
  {
    name: "queueTimeoutSeconds over timeoutSeconds",
    body: (s) => camel(s, { timeoutSeconds: 600, queueTimeoutSeconds: 3600 }),
    field: "queueTimeoutSeconds",
    message: /must not exceed timeoutSeconds \(600\), got 3600/,
  },
  {
    name: "queueTimeoutSeconds over the default timeout",
    body: (s) => camel(s, { queueTimeoutSeconds: 700_000 }),
    field: "queueTimeoutSeconds",
    message: /604800, the default/,
  },

  // --- instance ids ----------------------------------------------------------------------------
  ...(
    [
      ["../x", /1-100 letters/],
      ["a/b", /1-100 letters/],
      ["a?b", /1-100 letters/],
      ["a#b", /1-100 letters/],
      ["..%2Fx", /1-100 letters/],
      ["a".repeat(101), /1-100 letters/],
      ["-leading-dash", /1-100 letters/],
      ["_leading_underscore", /1-100 letters/],
      ["ünïcode", /1-100 letters/],
      ["has space", /1-100 letters/],
      ["key-abc", /must not start with 'key-'/],
      ["req-abc", /must not start with 'req-'/],
      ["blob-abc", /must not start with 'blob-'/],
    ] as const
  ).map(([id, message]): BadCase => ({
    name: `instanceId ${JSON.stringify(id.length > 20 ? `${id.slice(0, 10)}… (${id.length} chars)` : id)}`,
    body: (s) => camel(s, { instanceId: id }),
    field: "instanceId",
    message,
  })),
  { name: "instanceId as a number", body: (s) => camel(s, { instanceId: 42 }), field: "instanceId" },
  {
    name: "instanceId together with an Idempotency-Key header",
    body: (s) => camel(s, { instanceId: "nightly-run-1" }),
    headers: { "Idempotency-Key": "pipeline-run-1" },
    field: "instanceId",
    message: /not both/,
  },

  // --- Idempotency-Key -------------------------------------------------------------------------
  {
    name: "Idempotency-Key with a control character (tab)",
    body: (s) => camel(s),
    headers: { "Idempotency-Key": "run\t42" },
    field: "Idempotency-Key",
    message: /printable ASCII/,
  },
  {
    name: "Idempotency-Key with a non-ASCII character",
    body: (s) => camel(s),
    headers: { "Idempotency-Key": "run-\u00e9t\u00e9" },
    field: "Idempotency-Key",
    message: /printable ASCII/,
  },
  {
    name: "Idempotency-Key over 255 characters",
    body: (s) => camel(s),
    headers: { "Idempotency-Key": "k".repeat(256) },
    field: "Idempotency-Key",
    message: /at most 255 characters, got 256/,
  },
  { name: "Idempotency-Key empty", body: (s) => camel(s), headers: { "Idempotency-Key": "" }, field: "Idempotency-Key", message: /must not be empty/ },

  // --- unknown and mixed fields ------------------------------------------------------------------
  {
    name: "unknown field (typo pollInterval)",
    body: (s) => without(camel(s, { pollInterval: 60 }), "pollIntervalSeconds"),
    field: "pollInterval",
    message: /did you mean 'pollIntervalSeconds'/,
  },
  { name: "unknown field (timeout)", body: (s) => camel(s, { timeout: 600 }), field: "timeout", message: /did you mean 'timeoutSeconds'/ },
  { name: "seed: unknown field (pollinterval)", body: (s) => seed(s, { pollinterval: "120" }), field: "pollinterval", message: /did you mean 'poll_interval'/ },
  {
    name: "camel body with a seed field",
    body: (s) => camel(s, { endpoint_output_uri: OUTPUT }),
    field: "endpoint_output_uri",
    message: /use 'output' instead/,
  },
  {
    name: "seed body with a camel field",
    body: (s) => seed(s, { pollIntervalSeconds: 60 }),
    field: "pollIntervalSeconds",
    message: /use 'poll_interval' instead/,
  },
  { name: "seed body with a camel-only field (deployment)", body: (s) => seed(s, { deployment: "blue" }), field: "deployment", message: /has no 'deployment'/ },

  // --- ?wait= ------------------------------------------------------------------------------------
  { name: "wait=221", body: (s) => camel(s), query: "wait=221", field: "wait", message: /0 to 220/ },
  { name: "wait=-1", body: (s) => camel(s), query: "wait=-1", field: "wait", message: /0 to 220/ },
  { name: "wait=soon", body: (s) => camel(s), query: "wait=soon", field: "wait", message: /0 to 220/ },
  { name: "wait=1.5", body: (s) => camel(s), query: "wait=1.5", field: "wait", message: /whole number/ },

  // --- tags ------------------------------------------------------------------------------------
  { name: "tags: 51 entries", body: (s) => camel(s, { tags: manyTags(51) }), field: "tags", message: /at most 50 entries, got 51/ },
  {
    name: "tags: key of 129 characters",
    body: (s) => camel(s, { tags: { ["k".repeat(129)]: "v" } }),
    field: `tags.${"k".repeat(129)}`,
    message: /1 to 128 characters, got 129/,
  },
  { name: "tags: number value", body: (s) => camel(s, { tags: { team: 7 } }), field: "tags.team", message: /must be a string, got 7/ },
  { name: "tags: object value", body: (s) => camel(s, { tags: { team: { name: "risk" } } }), field: "tags.team", message: /got an object/ },
  {
    name: "tags: key __proto__",
    raw: (s) => JSON.stringify(camel(s, { tags: { team: "risk" } })).replace('"team":', '"__proto__":'),
    field: "tags.__proto__",
    message: /reserved/,
  },
  {
    name: "tags: value of 257 characters",
    body: (s) => camel(s, { tags: { team: "v".repeat(257) } }),
    field: "tags.team",
    message: /at most 256 characters, got 257/,
  },

  // --- deployment and api version ----------------------------------------------------------------
  { name: "deployment too short", body: (s) => camel(s, { deployment: "bl" }), field: "deployment", message: /deployment name/ },
  { name: "deployment starts with a digit", body: (s) => camel(s, { deployment: "1blue" }), field: "deployment", message: /deployment name/ },
  { name: "deployment with '_'", body: (s) => camel(s, { deployment: "blue_green" }), field: "deployment", message: /deployment name/ },
  { name: "deployment of 33 characters", body: (s) => camel(s, { deployment: `b${"x".repeat(32)}` }), field: "deployment", message: /deployment name/ },
  { name: "apiVersion not a date", body: (s) => camel(s, { apiVersion: "latest" }), field: "apiVersion", message: /api-version like/ },
  { name: "apiVersion month 13", body: (s) => camel(s, { apiVersion: "2022-13-01" }), field: "apiVersion", message: /api-version like/ },
];

type Detail = { field: string; message: string };

describe("bad input: a 400 naming the field, and nothing starts", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ clock: "virtual", autoAdvance: true });
  });
  afterAll(async () => stack?.stop());

  async function send(c: Pick<BadCase, "body" | "raw" | "contentType" | "headers" | "query">) {
    const text = c.raw ? c.raw(stack) : JSON.stringify(c.body!(stack));
    return stack.api(`/api/scoring-runs${c.query ? `?${c.query}` : ""}`, {
      method: "POST",
      body: text,
      headers: { "content-type": c.contentType ?? "application/json", ...c.headers },
    });
  }

  it("covers at least 40 distinct cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases)("$name → 400 naming $field", async (c) => {
    const instancesBefore = stack.host.engine.all().length;
    const emulatorBefore = stack.emulator.requests.length;

    const res = await send(c);

    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.headers.get("content-type") ?? "").toMatch(/application\/json/);
    expect(res.body).toMatchObject({ error: { code: "InvalidRequest", message: expect.any(String), details: expect.any(Array) } });
    const details = res.body.error.details as Detail[];
    expect(details.length).toBeGreaterThan(0);
    for (const d of details) {
      expect(typeof d.field).toBe("string");
      expect(d.field).not.toBe("");
      expect(typeof d.message).toBe("string");
      expect(d.message.trim()).not.toBe("");
    }
    // Exactly the expected field(s): no missing one, no misleading extra one.
    expect(details.map((d) => d.field).sort()).toEqual([c.field, ...(c.also ?? [])].sort());
    const detail = details.find((d) => d.field === c.field)!;
    if (c.message) expect(detail.message).toMatch(c.message);
    // The summary names the first problem's field.
    expect(res.body.error.message).toContain(`${details[0]!.field}: `);

    expect(stack.host.engine.all().length).toBe(instancesBefore);
    expect(stack.emulator.requests.length).toBe(emulatorBefore);
  });

  it("every problem of one body is reported together, each by its own field", async () => {
    const res = await send({
      body: (s) =>
        camel(s, {
          endpointUri: "http://scoring.example.com/jobs",
          pollIntervalSeconds: 0,
          inputs: { input_data: { type: "uri_folder", uri: "s3://bucket/in/" } },
          output: { uri: "azureml://datastores/workspaceblobstore/paths/" },
          tags: { team: 7 },
        }),
      query: "wait=999",
      headers: { "Idempotency-Key": "k".repeat(300) },
    });
    expect(res.status).toBe(400);
    expect((res.body.error.details as Detail[]).map((d) => d.field).sort()).toEqual(
      ["Idempotency-Key", "endpointUri", "inputs.input_data.uri", "output.uri", "pollIntervalSeconds", "tags.team", "wait"].sort(),
    );
    expect(res.body.error.message).toMatch(/^7 problems with the request: .* \(and 6 more, see details\)$/);
  });

  it("a SAS token in an input (or output) URI is not echoed back in the 400 body, nor logged", async () => {
    const logsBefore = stack.logs.length;
    for (const c of [
      { body: (s: Stack) => camel(s, input({ type: "uri_folder", uri: `https://acct.blob.core.windows.net/c/in/?${SAS_QUERY}` })) },
      { body: (s: Stack) => seed(s, { endpoint_input_uri: `https://acct.blob.core.windows.net/c/in/?${SAS_QUERY}` }) },
      { body: (s: Stack) => camel(s, output(`azureml://datastores/workspaceblobstore/paths/out/p.csv?${SAS_QUERY}`)) },
      // Another field wrong too: the SAS detail is still there and still not echoed.
      {
        body: (s: Stack) =>
          camel(s, { pollIntervalSeconds: 0, ...input({ type: "uri_file", uri: `https://acct.blob.core.windows.net/c/in/f.csv?${SAS_QUERY}` }) }),
      },
    ]) {
      const res = await send(c);
      expect(res.status).toBe(400);
      const text = JSON.stringify(res.body);
      expect(text).toMatch(/SAS token/);
      expect(text).not.toContain(SAS_SECRET);
      expect(text).not.toContain("sig=Zm9v");
      expect(text).not.toContain("acct.blob.core.windows.net");
    }
    expect(stack.logs.slice(logsBefore).join("\n")).not.toContain(SAS_SECRET);
  });

  it("loopback IP literals: accepted by this dev stack (SCORING_ALLOW_LOOPBACK=true, http or https), refused without it", async () => {
    const loopbacks = ["https://127.0.0.1/jobs", "https://[::1]/jobs", "http://127.0.0.1/jobs", "https://localhost/jobs"];
    // Through the API: the endpoint passes validation here (only the other, deliberately bad field is named).
    for (const uri of loopbacks) {
      const before = stack.host.engine.all().length;
      const res = await send({ body: (s) => camel(s, { endpointUri: uri, pollIntervalSeconds: 0 }) });
      expect(res.status).toBe(400);
      expect((res.body.error.details as Detail[]).map((d) => d.field)).toEqual(["pollIntervalSeconds"]);
      expect(stack.host.engine.all().length).toBe(before);
    }
    // As deployed (no loopback): the same endpoints are a 400 naming endpointUri.
    const production = { allowedHosts: ["*.inference.ml.azure.com"], allowLoopback: false, defaultPollSeconds: 120 };
    for (const uri of loopbacks) {
      const result = validateStartRequest({ endpointUri: uri, inputs: { input_data: { type: "uri_folder", uri: INPUT } } }, production);
      expect(result.ok, uri).toBe(false);
      if (!result.ok) {
        expect(result.details.map((d) => d.field)).toEqual(["endpointUri"]);
        expect(result.details[0]!.message).toMatch(/loopback address; loopback endpoints need SCORING_ALLOW_LOOPBACK=true/);
      }
    }
  });

  it("none of the cases above created an instance or reached the emulator", () => {
    expect(stack.host.engine.all()).toHaveLength(0);
    expect(stack.emulator.requests).toHaveLength(0);
    expect(stack.emulator.createdJobCount).toBe(0);
  });
});
