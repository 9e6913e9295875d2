/**
 * A rerun: the same request as an ended run, with outputs of its own. Azure ML refuses to write
 * an output that exists (docs/azure-behaviour.md#existing-outputs), so by default each output of
 * the original gets a rerun suffix: `out/p.csv` → `out/p.rerun-2.csv`, `out/run/` → `out/run-rerun-2/`.
 * A Data Factory `callBackUri` is not carried over (it belongs to the activity that started the
 * original). Pure.
 */
import { isPlainObject } from "../json";
import type { ErrorDetail } from "./request/fieldSuggestions";
import type { OutputTarget, ScoringRunRequest } from "./types";

/** The rerun body: nothing, or new outputs in the start body's camelCase shape. */
export interface RerunBody {
  outputs: Record<string, OutputTarget> | null;
}

const uriOf = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value.trim() : null);
const typeOf = (uri: string, given: unknown): OutputTarget["type"] | null => {
  if (given === undefined || given === null) return uri.endsWith("/") ? "uri_folder" : "uri_file";
  return given === "uri_file" || given === "uri_folder" ? given : null;
};

function readOutput(value: unknown, field: string, details: ErrorDetail[]): OutputTarget | null {
  if (!isPlainObject(value)) {
    details.push({ field, message: "must be an object with a `uri`." });
    return null;
  }
  const unknown = Object.keys(value).find((k) => !["uri", "type", "name"].includes(k));
  if (unknown !== undefined)
    details.push({ field: `${field}.${unknown}`, message: "is not a known field; an output has `uri`, `type` and (for `output`) `name`." });
  const uri = uriOf(value.uri);
  if (uri === null) {
    details.push({ field: `${field}.uri`, message: "is required: the new output's azureml://datastores/<datastore>/paths/<path> URI." });
    return null;
  }
  const type = typeOf(uri, value.type);
  if (type === null) details.push({ field: `${field}.type`, message: "must be uri_file or uri_folder." });
  return type === null ? null : { type, uri };
}

/**
 * Parses the optional body: `{}` (or none), `{"output": {uri, type?, name?}}` for a run with one
 * output, or `{"outputs": {name: {uri, type?}}}`. The URIs are checked later, by the start's own
 * validation of the whole rerun request.
 */
export function parseRerunBody(text: string, original: ScoringRunRequest): { ok: true; body: RerunBody } | { ok: false; details: ErrorDetail[] } {
  if (text.trim() === "") return { ok: true, body: { outputs: null } };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, details: [{ field: "body", message: "is not valid JSON." }] };
  }
  if (!isPlainObject(body)) return { ok: false, details: [{ field: "body", message: "must be a JSON object." }] };
  const details: ErrorDetail[] = [];
  const unknown = Object.keys(body).find((k) => k !== "output" && k !== "outputs");
  if (unknown !== undefined) details.push({ field: unknown, message: "is not a known field; a rerun takes only `output` or `outputs`." });
  if (body.output !== undefined && body.outputs !== undefined) details.push({ field: "outputs", message: "send `output` or `outputs`, not both." });
  let outputs: Record<string, OutputTarget> | null = null;
  if (body.output !== undefined && body.output !== null) {
    const names = Object.keys(original.outputs);
    const given = isPlainObject(body.output) && typeof body.output.name === "string" ? body.output.name : undefined;
    const name = given ?? (names.length === 1 ? names[0]! : "score");
    if (names.length > 1) details.push({ field: "output", message: `the run has ${names.length} outputs (${names.join(", ")}): name each under \`outputs\`.` });
    const target = readOutput(body.output, "output", details);
    if (target) outputs = { [name]: target };
  } else if (body.outputs !== undefined && body.outputs !== null) {
    if (!isPlainObject(body.outputs) || Object.keys(body.outputs).length === 0) {
      details.push({ field: "outputs", message: "must be an object naming at least one output." });
    } else {
      outputs = {};
      for (const [name, value] of Object.entries(body.outputs)) {
        const target = readOutput(value, `outputs.${name}`, details);
        if (target) outputs[name] = target;
      }
    }
  }
  return details.length > 0 ? { ok: false, details } : { ok: true, body: { outputs } };
}

/** `p.csv` → `p.rerun-2.csv`; `run/` → `run-rerun-2/`; `scores` (no extension) → `scores.rerun-2`. */
export function rerunPath(uri: string, ordinal: number): string {
  const suffix = `rerun-${ordinal}`;
  if (uri.endsWith("/")) return `${uri.replace(/\/+$/, "")}-${suffix}/`;
  const slash = uri.lastIndexOf("/");
  const name = uri.slice(slash + 1);
  const dot = name.lastIndexOf(".");
  const renamed = dot > 0 ? `${name.slice(0, dot)}.${suffix}${name.slice(dot)}` : `${name}.${suffix}`;
  return `${uri.slice(0, slash + 1)}${renamed}`;
}

/**
 * The rerun's request: the original's, with the new outputs, else each original output renamed
 * for this rerun. A run's outputs are replaced as a whole: an output the body leaves out keeps
 * the original's path renamed.
 */
export function rerunRequest(original: ScoringRunRequest, body: RerunBody, ordinal: number): ScoringRunRequest {
  const renamed = Object.fromEntries(Object.entries(original.outputs).map(([name, o]) => [name, { ...o, uri: rerunPath(o.uri, ordinal) }]));
  const { notify, ...rest } = original;
  // A Data Factory callBackUri answers one activity, once: the rerun keeps only the lasting notices.
  const lasting = notify && (notify.webhook || notify.eventGridTopic) ? { notify: { ...notify, callBackUri: null } } : {};
  return { ...rest, ...lasting, outputs: { ...renamed, ...(body.outputs ?? {}) } };
}
