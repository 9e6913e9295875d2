/**
 * Parses an invoke body in either form the service accepts: the documented PascalCase one
 * (`InputData`, `JobInputType`, `Uri`) and the camelCase one the Python SDK sends (`inputData`, …)
 * (docs/azure-behaviour.md#batch-invoke).
 */
import { isPlainObject, type JsonObject } from "../../src/json";
import type { EmulatorJobInput, EmulatorJobOutput } from "./types";

export interface ParsedInvoke {
  inputs: Record<string, EmulatorJobInput>;
  outputs: Record<string, EmulatorJobOutput>;
  tags: Record<string, string>;
  properties: Record<string, string>;
}

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
    return { type: kind === "urifolder" ? "uri_folder" : "uri_file", uri };
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

  const tags = parseStringMap("properties.tags", field(props, "Tags"));
  if (typeof tags === "string") return { ok: false, message: tags };
  const properties = parseStringMap("properties.properties", field(props, "Properties"));
  if (typeof properties === "string") return { ok: false, message: properties };

  return { ok: true, value: { inputs, outputs, tags, properties } };
}
