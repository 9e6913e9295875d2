/**
 * Reading an Azure ML job resource defensively: the invoke response (data plane, camelCase or
 * PascalCase keys) and the ARM Jobs Get response share the shape
 * `{ id, name, properties: { status, services: { Studio: { endpoint } }, … } }`.
 *
 * Where a failed job's error text lives: the ARM job schema has no error field; the only
 * documented one is `JobService.errorMessage` ("Any error in the service") under
 * `properties.services.<name>` (docs/azure-behaviour.md#job-resource-and-failure-text). Azure ML's detailed failure lives in run history, not ARM. So we
 * read, first hit wins: `properties.error.error.message`, `properties.error.message`,
 * `properties.errorMessage`, a string `properties.error`, top-level `error.message`, and for a
 * Failed job the first `properties.services.*.errorMessage`.
 */

import { asObject, getField, getPath, getString, type JsonObject as Json } from "../json";
import { sanitizeText } from "./sanitize";

const MAX_ERROR_MESSAGE = 2000;

function httpUrlOrNull(value: unknown): string | null {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value.trim());
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : null;
  } catch {
    return null;
  }
}

export interface JobResourceFields {
  id: string | undefined;
  name: string | undefined;
  status: string | undefined;
  studioUrl: string | null;
  errorMessage: string | null;
  outputs: Record<string, { type: string | null; uri: string }>;
}

/** `properties.outputs.<name>.{jobOutputType, uri}`: where the job wrote (absent for some job kinds). */
function outputsOf(properties: Json | undefined): Record<string, { type: string | null; uri: string }> {
  const outputs: Record<string, { type: string | null; uri: string }> = {};
  for (const [name, value] of Object.entries(asObject(getField(properties, "outputs")) ?? {})) {
    const o = asObject(value);
    const uri = getString(o, "uri");
    // ARM says `uri_folder`, the data plane `UriFolder`: one spelling for both.
    const type = getString(o, "jobOutputType")?.replace(/_/g, "").toLowerCase();
    if (uri) outputs[name] = { type: type === "urifolder" ? "uri_folder" : type === "urifile" ? "uri_file" : (type ?? null), uri };
  }
  return outputs;
}

function studioUrlOf(properties: Json | undefined): string | null {
  return (
    httpUrlOrNull(getPath(properties, "services", "Studio", "endpoint")) ?? httpUrlOrNull(getPath(properties, "interactionEndpoints", "Studio", "endpoint"))
  );
}

function errorMessageOf(root: Json, properties: Json | undefined, status: string | undefined): string | null {
  const candidates: unknown[] = [
    getPath(properties, "error", "error", "message"),
    getPath(properties, "error", "message"),
    getField(properties, "errorMessage"),
    getField(properties, "error"),
    getPath(root, "error", "message"),
  ];
  if (status?.toLowerCase() === "failed") {
    const services = asObject(getField(properties, "services"));
    for (const service of Object.values(services ?? {})) {
      candidates.push(getField(asObject(service), "errorMessage"));
    }
  }
  for (const candidate of candidates) {
    if (typeof candidate === "string" && candidate.trim() !== "") return sanitizeText(candidate, MAX_ERROR_MESSAGE);
  }
  return null;
}

export function readJobResource(body: unknown): JobResourceFields | null {
  const root = asObject(body);
  if (!root) return null;
  const properties = asObject(getField(root, "properties"));
  const status = getString(properties, "status");
  return {
    id: getString(root, "id"),
    name: getString(root, "name"),
    status,
    studioUrl: studioUrlOf(properties),
    errorMessage: errorMessageOf(root, properties, status),
    outputs: outputsOf(properties),
  };
}
