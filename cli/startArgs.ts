/**
 * `scoring-run start` flags → the camelCase start body of `POST /api/scoring-runs`.
 * Only the command-line syntax is checked here; the API validates the values (and answers 400).
 */
import { UsageError } from "./usageError";

export { UsageError };

export interface StartFlags {
  endpoint: string;
  input?: string[];
  output?: string;
  outputName?: string;
  deployment?: string;
  apiVersion?: string;
  pollInterval?: string;
  timeout?: string;
  queueTimeout?: string;
  instanceId?: string;
  tag?: string[];
}

export type StartInput = { type: "uri_folder" | "uri_file"; uri: string } | { type: "literal"; value: string };

export interface StartBody {
  endpointUri: string;
  inputs: Record<string, StartInput>;
  output?: { name?: string; uri: string };
  deployment?: string;
  apiVersion?: string;
  pollIntervalSeconds?: number;
  timeoutSeconds?: number;
  queueTimeoutSeconds?: number;
  instanceId?: string;
  tags?: Record<string, string>;
}

/** The input name a bare `--input <uri>` gets (the seed pipeline's). */
export const DEFAULT_INPUT_NAME = "input_data";
const INPUT_TYPES = ["uri_folder", "uri_file", "literal"] as const;
/** `name=` then a lowercase word and `:` — a URI never has `=` before its scheme's `:`. */
const NAMED_INPUT = /^([^=:/\s]+)=([a-z_]+):(.*)$/s;
const NAME_ONLY = /^([^=:/\s]+)=(.*)$/s;

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

export function buildStartBody(flags: StartFlags): StartBody {
  if (!flags.endpoint) throw new UsageError("--endpoint <uri> is required");
  const specs = flags.input ?? [];
  if (specs.length === 0) throw new UsageError("at least one --input is required (a bare --input <uri> is input_data=uri_folder:<uri>)");
  const inputs: Record<string, StartInput> = {};
  for (const spec of specs) {
    const { name, input } = parseInput(spec);
    if (name in inputs) throw new UsageError(`--input: the input name '${name}' is given twice`);
    inputs[name] = input;
  }
  const body: StartBody = { endpointUri: flags.endpoint, inputs };
  if (flags.outputName !== undefined && flags.output === undefined) throw new UsageError("--output-name needs --output <uri>");
  if (flags.output !== undefined) body.output = flags.outputName !== undefined ? { name: flags.outputName, uri: flags.output } : { uri: flags.output };
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
