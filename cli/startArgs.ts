/**
 * `scoring-run start` flags → the camelCase start body of `POST /api/scoring-runs`.
 * Only the command-line syntax is checked here; the API validates the values (and answers 400).
 * A flag that is not given leaves its field out of the body (the API applies its default).
 */
import { UsageError } from "./usageError";

export { UsageError };

export interface StartFlags {
  endpoint: string;
  input?: string[];
  inputMode?: string[];
  output?: string[];
  outputName?: string;
  outputType?: string;
  deployment?: string;
  apiVersion?: string;
  pollInterval?: string;
  timeout?: string;
  queueTimeout?: string;
  instanceId?: string;
  tag?: string[];
  instanceCount?: string;
  miniBatchSize?: string;
  maxConcurrencyPerInstance?: string;
  outputFileName?: string;
  errorThreshold?: string;
  loggingLevel?: string;
  maxRetries?: string;
  retryTimeout?: string;
  displayName?: string;
  description?: string;
  experimentName?: string;
}

export type StartInput = { type: "uri_folder" | "uri_file"; uri: string; mode?: string } | { type: "literal"; value: string };

export type OutputType = "uri_file" | "uri_folder";

/** One named output of `outputs` (several outputs, pipeline-component deployments). */
export interface StartNamedOutput {
  type?: OutputType;
  uri: string;
}

/** Per-job overrides of the deployment's settings. */
export interface StartSettings {
  instanceCount?: number;
  miniBatchSize?: number;
  maxConcurrencyPerInstance?: number;
  outputFileName?: string;
  errorThreshold?: number;
  loggingLevel?: string;
  maxRetries?: number;
  retryTimeoutSeconds?: number;
}

export interface StartBody {
  endpointUri: string;
  inputs: Record<string, StartInput>;
  output?: { name?: string; type?: string; uri: string };
  outputs?: Record<string, StartNamedOutput>;
  settings?: StartSettings;
  displayName?: string;
  description?: string;
  experimentName?: string;
  deployment?: string;
  apiVersion?: string;
  pollIntervalSeconds?: number;
  timeoutSeconds?: number;
  queueTimeoutSeconds?: number;
  instanceId?: string;
  tags?: Record<string, string>;
}

/** The input name a bare `--input <uri>` (and a bare `--input-mode <mode>`) refers to (the seed pipeline's). */
export const DEFAULT_INPUT_NAME = "input_data";
const INPUT_TYPES = ["uri_folder", "uri_file", "literal"] as const;
const OUTPUT_TYPES: readonly OutputType[] = ["uri_file", "uri_folder"];
/** `name=` then a lowercase word and `:` — a URI never has `=` before its scheme's `:`. */
const NAMED_INPUT = /^([^=:/\s]+)=([a-z_]+):(.*)$/s;
const NAME_ONLY = /^([^=:/\s]+)=(.*)$/s;
/** After `name=` in an `--output`: a type (`uri_…:`) or straight away the URI. */
const TYPED_URI = /^(uri_[a-z_]*):(.*)$/s;

/** One `--input`: `name=uri_folder:<uri>`, `name=uri_file:<uri>`, `name=literal:<value>`, or a bare `<uri>`. */
export function parseInput(spec: string): { name: string; input: StartInput } {
  const named = NAMED_INPUT.exec(spec);
  if (named) {
    const [, name, type, rest] = named as unknown as [string, string, string, string];
    if (!(INPUT_TYPES as readonly string[]).includes(type)) {
      throw new UsageError(`--input ${JSON.stringify(spec)}: unknown input type '${type}'; use ${INPUT_TYPES.join(", ")} (name=uri_folder:<uri>)`);
    }
    if (type === "literal") return { name, input: { type: "literal", value: rest } };
    if (rest === "") throw new UsageError(`--input ${JSON.stringify(spec)}: the URI after '${type}:' is empty`);
    return { name, input: { type: type as "uri_folder" | "uri_file", uri: rest } };
  }
  if (spec === "") throw new UsageError("--input: empty value; use name=uri_folder:<uri>, name=uri_file:<uri>, name=literal:<value> or a bare <uri>");
  if (NAME_ONLY.test(spec)) {
    throw new UsageError(`--input ${JSON.stringify(spec)}: say the input type: name=uri_folder:<uri>, name=uri_file:<uri> or name=literal:<value>`);
  }
  return { name: DEFAULT_INPUT_NAME, input: { type: "uri_folder", uri: spec } };
}

/**
 * One `--output`: a bare `<uri>` (the one output, `output` in the body), or a named one,
 * `name=<uri>`, `name=uri_file:<uri>` or `name=uri_folder:<uri>` (`outputs` in the body). Without
 * a type, a URI ending in '/' is a folder.
 */
export function parseOutput(spec: string): { name: string | null; output: StartNamedOutput } {
  if (spec === "") throw new UsageError("--output: empty value; use <uri>, name=<uri> or name=uri_folder:<uri>");
  const named = NAME_ONLY.exec(spec);
  if (!named) return { name: null, output: { uri: spec } };
  const [, name, rest] = named as unknown as [string, string, string];
  const typed = TYPED_URI.exec(rest);
  if (typed) {
    const [, type, uri] = typed as unknown as [string, string, string];
    if (!(OUTPUT_TYPES as readonly string[]).includes(type)) {
      throw new UsageError(`--output ${JSON.stringify(spec)}: unknown output type '${type}'; use ${OUTPUT_TYPES.join(" or ")} (name=uri_folder:<uri>)`);
    }
    if (uri === "") throw new UsageError(`--output ${JSON.stringify(spec)}: the URI after '${type}:' is empty`);
    return { name, output: { type: type as OutputType, uri } };
  }
  if (rest === "") throw new UsageError(`--output ${JSON.stringify(spec)}: the URI after '${name}=' is empty`);
  return { name, output: { uri: rest } };
}

/** One `--input-mode`: `name=<mode>`, or a bare `<mode>` for input_data. The API checks the mode. */
export function parseInputMode(spec: string): [string, string] {
  const at = spec.indexOf("=");
  const [name, mode] = at < 0 ? [DEFAULT_INPUT_NAME, spec] : [spec.slice(0, at), spec.slice(at + 1)];
  if (name === "" || mode === "") throw new UsageError(`--input-mode ${JSON.stringify(spec)}: use name=<mode> or a bare <mode> for ${DEFAULT_INPUT_NAME}`);
  return [name, mode];
}

/** `k=v` (split at the first `=`; the value may be empty). */
export function parseTag(spec: string): [string, string] {
  const at = spec.indexOf("=");
  if (at <= 0) throw new UsageError(`--tag ${JSON.stringify(spec)}: use key=value`);
  return [spec.slice(0, at), spec.slice(at + 1)];
}

/** Whole seconds as the API takes them; the API checks the range. */
export function parseSeconds(flag: string, raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${flag} must be a whole number of seconds, got ${JSON.stringify(raw)}`);
  return Number(raw.trim());
}

/** A whole number, negative ones included (`--error-threshold -1`); the API checks the range. */
export function parseWholeNumber(flag: string, raw: string): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`${flag} must be a whole number, got ${JSON.stringify(raw)}`);
  return Number(raw.trim());
}

function buildInputs(flags: StartFlags): Record<string, StartInput> {
  const specs = flags.input ?? [];
  if (specs.length === 0) throw new UsageError("at least one --input is required (a bare --input <uri> is input_data=uri_folder:<uri>)");
  const inputs: Record<string, StartInput> = {};
  for (const spec of specs) {
    const { name, input } = parseInput(spec);
    if (name in inputs) throw new UsageError(`--input: the input name '${name}' is given twice`);
    inputs[name] = input;
  }
  const moded = new Set<string>();
  for (const spec of flags.inputMode ?? []) {
    const [name, mode] = parseInputMode(spec);
    const input = inputs[name];
    if (!input) throw new UsageError(`--input-mode ${JSON.stringify(spec)}: no --input is named '${name}' (inputs: ${Object.keys(inputs).join(", ")})`);
    if (input.type === "literal")
      throw new UsageError(`--input-mode ${JSON.stringify(spec)}: '${name}' is a literal; a mode is for uri_file and uri_folder inputs`);
    if (moded.has(name)) throw new UsageError(`--input-mode: the input '${name}' is given a mode twice`);
    moded.add(name);
    input.mode = mode;
  }
  return inputs;
}

/** `--output` (repeatable), `--output-name`, `--output-type` → `output` (one, bare) or `outputs` (named). */
function addOutputs(flags: StartFlags, body: StartBody): void {
  const parsed = (flags.output ?? []).map(parseOutput);
  const bare = parsed.filter((p) => p.name === null);
  const named = parsed.filter((p) => p.name !== null);
  if (bare.length === 0) {
    if (flags.outputName !== undefined) throw new UsageError("--output-name needs a bare --output <uri>");
    if (flags.outputType !== undefined) throw new UsageError("--output-type needs a bare --output <uri> (a named output takes name=uri_folder:<uri>)");
  }
  if (bare.length > 1) throw new UsageError("--output: one bare <uri> at most; name each of several outputs (name=<uri>)");
  if (bare.length === 1 && named.length > 0) {
    throw new UsageError("--output: either one bare <uri> (the one output) or named outputs (name=<uri>), not both; name them all");
  }
  if (bare.length === 1) {
    body.output = {
      ...(flags.outputName !== undefined ? { name: flags.outputName } : {}),
      ...(flags.outputType !== undefined ? { type: flags.outputType } : {}),
      uri: bare[0]!.output.uri,
    };
  }
  if (named.length > 0) {
    const outputs: Record<string, StartNamedOutput> = {};
    for (const { name, output } of named) {
      if (name! in outputs) throw new UsageError(`--output: the output name '${name}' is given twice`);
      outputs[name!] = output;
    }
    body.outputs = outputs;
  }
}

/** The settings flags given, or nothing. */
function settingsOf(flags: StartFlags): StartSettings | undefined {
  const settings: StartSettings = {};
  const whole = (flag: string, raw: string | undefined) => (raw === undefined ? undefined : parseWholeNumber(flag, raw));
  const numbers: Array<[keyof StartSettings, number | undefined]> = [
    ["instanceCount", whole("--instance-count", flags.instanceCount)],
    ["miniBatchSize", whole("--mini-batch-size", flags.miniBatchSize)],
    ["maxConcurrencyPerInstance", whole("--max-concurrency-per-instance", flags.maxConcurrencyPerInstance)],
    ["errorThreshold", whole("--error-threshold", flags.errorThreshold)],
    ["maxRetries", whole("--max-retries", flags.maxRetries)],
    ["retryTimeoutSeconds", flags.retryTimeout === undefined ? undefined : parseSeconds("--retry-timeout", flags.retryTimeout)],
  ];
  for (const [key, value] of numbers) if (value !== undefined) (settings as Record<string, number>)[key] = value;
  if (flags.outputFileName !== undefined) settings.outputFileName = flags.outputFileName;
  if (flags.loggingLevel !== undefined) settings.loggingLevel = flags.loggingLevel;
  return Object.keys(settings).length > 0 ? settings : undefined;
}

export function buildStartBody(flags: StartFlags): StartBody {
  if (!flags.endpoint) throw new UsageError("--endpoint <uri> is required");
  const body: StartBody = { endpointUri: flags.endpoint, inputs: buildInputs(flags) };
  addOutputs(flags, body);
  const settings = settingsOf(flags);
  if (settings) body.settings = settings;
  if (flags.displayName !== undefined) body.displayName = flags.displayName;
  if (flags.description !== undefined) body.description = flags.description;
  if (flags.experimentName !== undefined) body.experimentName = flags.experimentName;
  if (flags.deployment !== undefined) body.deployment = flags.deployment;
  if (flags.apiVersion !== undefined) body.apiVersion = flags.apiVersion;
  if (flags.pollInterval !== undefined) body.pollIntervalSeconds = parseSeconds("--poll-interval", flags.pollInterval);
  if (flags.timeout !== undefined) body.timeoutSeconds = parseSeconds("--timeout", flags.timeout);
  if (flags.queueTimeout !== undefined) body.queueTimeoutSeconds = parseSeconds("--queue-timeout", flags.queueTimeout);
  if (flags.instanceId !== undefined) body.instanceId = flags.instanceId;
  if (flags.tag && flags.tag.length > 0) {
    const tags: Record<string, string> = {};
    for (const spec of flags.tag) {
      const [k, v] = parseTag(spec);
      if (k in tags) throw new UsageError(`--tag: the tag '${k}' is given twice`);
      tags[k] = v;
    }
    body.tags = tags;
  }
  return body;
}
