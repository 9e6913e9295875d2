/**
 * Parses an invoke body in either form the service accepts: the documented PascalCase one
 * (`InputData`, `JobInputType`, `Uri`) and the camelCase one the Python SDK sends (`inputData`, …)
 * (docs/azure-behaviour.md#batch-invoke).
 */
import { isPlainObject, type JsonObject } from "../../src/json";
import type { EmulatorJobInput, EmulatorJobOutput, EmulatorJobSettings } from "./types";

export interface ParsedInvoke {
  inputs: Record<string, EmulatorJobInput>;
  outputs: Record<string, EmulatorJobOutput>;
  settings: EmulatorJobSettings;
  description: string | null;
  tags: Record<string, string>;
  properties: Record<string, string>;
}

/** The batch job model's enums (docs/azure-behaviour.md#per-job-settings): InputDeliveryMode and BatchLoggingLevel. */
const inputModes = ["ReadOnlyMount", "ReadWriteMount", "Download", "Direct", "EvalMount", "EvalDownload"];
const loggingLevels = ["Info", "Warning", "Debug"];
/** An ISO 8601 duration as .NET reads a TimeSpan from JSON (`PT30S`, `PT1H2M`, `P1DT2H`). */
const ISO_DURATION = /^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

export type ParseResult = { ok: true; value: ParsedInvoke } | { ok: false; message: string };

/** Reads `PascalName` or its camelCase twin. */
function field(o: JsonObject, pascal: string): unknown {
  const camel = pascal[0]!.toLowerCase() + pascal.slice(1);
  return o[pascal] !== undefined ? o[pascal] : o[camel];
}

/** "UriFolder", "uri_folder", "urifolder" → "urifolder". */
function typeKey(v: unknown): string | null {
  return typeof v === "string" ? v.replace(/_/g, "").toLowerCase() : null;
}

function parseInput(name: string, raw: unknown): EmulatorJobInput | string {
  if (!isPlainObject(raw)) return `input '${name}' must be an object`;
  const kind = typeKey(field(raw, "JobInputType"));
  if (kind === "urifolder" || kind === "urifile") {
    const uri = field(raw, "Uri");
    if (typeof uri !== "string" || uri === "") return `input '${name}' needs a Uri`;
    const mode = field(raw, "Mode");
    if (mode !== undefined && mode !== null && !(typeof mode === "string" && inputModes.some((m) => m.toLowerCase() === mode.toLowerCase()))) {
      return `input '${name}' has an unsupported Mode '${String(mode)}'; expected one of ${inputModes.join(", ")}`;
    }
    return { type: kind === "urifolder" ? "uri_folder" : "uri_file", uri, ...(typeof mode === "string" ? { mode } : {}) };
  }
  if (kind === "literal") {
    const value = field(raw, "Value");
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      return `input '${name}' needs a Value`;
    }
    return { type: "literal", value: String(value) };
  }
  return `input '${name}' has an unsupported JobInputType '${String(field(raw, "JobInputType"))}'`;
}

function parseOutput(name: string, raw: unknown): EmulatorJobOutput | string {
  if (!isPlainObject(raw)) return `output '${name}' must be an object`;
  const kind = typeKey(field(raw, "JobOutputType"));
  if (kind !== "urifile" && kind !== "urifolder") {
    return `output '${name}' has an unsupported JobOutputType '${String(field(raw, "JobOutputType"))}'`;
  }
  const uri = field(raw, "Uri");
  if (uri !== undefined && uri !== null && typeof uri !== "string") return `output '${name}' Uri must be a string`;
  return { type: kind === "urifile" ? "uri_file" : "uri_folder", uri: typeof uri === "string" ? uri : null };
}

const isWhole = (v: unknown, min: number): v is number => typeof v === "number" && Number.isInteger(v) && v >= min;

/** The settings keys of the batch job model; a wrong type is refused as the service's model binding would. */
function parseSettings(props: JsonObject): EmulatorJobSettings | string {
  const settings: EmulatorJobSettings = {};
  const compute = field(props, "Compute");
  if (compute !== undefined && compute !== null) {
    if (!isPlainObject(compute)) return "properties.compute must be an object";
    const count = field(compute, "InstanceCount");
    if (count !== undefined && count !== null) {
      if (!isWhole(count, 1)) return `properties.compute.instanceCount must be a whole number of at least 1, got ${JSON.stringify(count)}`;
      settings.instanceCount = count;
    }
  }
  const wholes: Array<[keyof EmulatorJobSettings, string, number]> = [
    ["miniBatchSize", "MiniBatchSize", 1],
    ["maxConcurrencyPerInstance", "MaxConcurrencyPerInstance", 1],
    ["errorThreshold", "ErrorThreshold", -1],
  ];
  for (const [key, pascal, min] of wholes) {
    const v = field(props, pascal);
    if (v === undefined || v === null) continue;
    if (!isWhole(v, min)) return `properties.${key} must be a whole number of at least ${min}, got ${JSON.stringify(v)}`;
    (settings as Record<string, number>)[key] = v;
  }
  const fileName = field(props, "OutputFileName");
  if (fileName !== undefined && fileName !== null) {
    if (typeof fileName !== "string" || fileName === "" || /[/\\]/.test(fileName))
      return `properties.outputFileName must be a file name, got ${JSON.stringify(fileName)}`;
    settings.outputFileName = fileName;
  }
  const level = field(props, "LoggingLevel");
  if (level !== undefined && level !== null) {
    if (typeof level !== "string" || !loggingLevels.some((l) => l.toLowerCase() === level.toLowerCase())) {
      return `properties.loggingLevel must be one of ${loggingLevels.join(", ")}, got ${JSON.stringify(level)}`;
    }
    settings.loggingLevel = level;
  }
  const retry = field(props, "RetrySettings");
  if (retry !== undefined && retry !== null) {
    if (!isPlainObject(retry)) return "properties.retrySettings must be an object";
    const max = field(retry, "MaxRetries");
    if (max !== undefined && max !== null) {
      if (!isWhole(max, 0)) return `properties.retrySettings.maxRetries must be a whole number, got ${JSON.stringify(max)}`;
      settings.maxRetries = max;
    }
    const timeout = field(retry, "Timeout");
    if (timeout !== undefined && timeout !== null) {
      if (typeof timeout !== "string" || !ISO_DURATION.test(timeout))
        return `properties.retrySettings.timeout must be an ISO 8601 duration, got ${JSON.stringify(timeout)}`;
      settings.retryTimeout = timeout;
    }
  }
  return settings;
}

function parseStringMap(label: string, raw: unknown): Record<string, string> | string {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) return `${label} must be an object of strings`;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== "string") return `${label}.${k} must be a string`;
    out[k] = v;
  }
  return out;
}

export function parseInvokeBody(text: string): ParseResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, message: "The request body is not valid JSON." };
  }
  if (!isPlainObject(body) || !isPlainObject(field(body, "Properties"))) {
    return { ok: false, message: "The request body needs a 'properties' object." };
  }
  const props = field(body, "Properties") as JsonObject;

  const rawInputs = field(props, "InputData");
  if (!isPlainObject(rawInputs) || Object.keys(rawInputs).length === 0) {
    return { ok: false, message: "properties.InputData must name at least one input." };
  }
  const inputs: Record<string, EmulatorJobInput> = {};
  for (const [name, raw] of Object.entries(rawInputs)) {
    const parsed = parseInput(name, raw);
    if (typeof parsed === "string") return { ok: false, message: parsed };
    inputs[name] = parsed;
  }

  const rawOutputs = field(props, "OutputData");
  if (rawOutputs !== undefined && rawOutputs !== null && !isPlainObject(rawOutputs)) {
    return { ok: false, message: "properties.OutputData must be an object." };
  }
  const outputs: Record<string, EmulatorJobOutput> = {};
  for (const [name, raw] of Object.entries(rawOutputs ?? {})) {
    const parsed = parseOutput(name, raw);
    if (typeof parsed === "string") return { ok: false, message: parsed };
    outputs[name] = parsed;
  }

  const settings = parseSettings(props);
  if (typeof settings === "string") return { ok: false, message: settings };
  const description = field(props, "Description");
  if (description !== undefined && description !== null && typeof description !== "string")
    return { ok: false, message: "properties.description must be a string" };

  const tags = parseStringMap("properties.tags", field(props, "Tags"));
  if (typeof tags === "string") return { ok: false, message: tags };
  const properties = parseStringMap("properties.properties", field(props, "Properties"));
  if (typeof properties === "string") return { ok: false, message: properties };

  return { ok: true, value: { inputs, outputs, settings, description: typeof description === "string" ? description : null, tags, properties } };
}
