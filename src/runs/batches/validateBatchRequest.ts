/**
 * `POST /api/scoring-batches` body validation. The template and every item go through the very
 * validation of `POST /api/scoring-runs` (validateStartRequest), item by item, so a batch accepts
 * exactly the runs the run route accepts; each problem names its field in the batch body
 * (`items[3].inputs.input_data.uri`, `template.endpointUri`). Never throws on bad input.
 */
import { checkOutputUri, parseDatastoreUri } from "../../batch/azuremlUris";
import { isPlainObject } from "../../json";
import type { RunWarning } from "../preflightReport";
import { seedFieldNames, type StartConfig } from "../request/schemas";
import { type ErrorDetail, validateStartRequest } from "../request/validateStartRequest";
import type { ScoringRunRequest } from "../types";
import type { BatchItem, ItemsFrom, ScoringBatchRequest } from "./types";

export const MAX_BATCH_ITEMS = 1000;
export const MAX_CONCURRENT_JOBS = 50;
export const DEFAULT_MAX_CONCURRENT_JOBS = 5;
/** Problems reported at most (a bad template repeated over 1,000 items says nothing new). */
const MAX_DETAILS = 50;

const batchFields = ["template", "items", "itemsFrom", "maxConcurrentJobs", "toleratedFailurePercent"];
const itemFields = ["inputs", "output", "outputs"];
const itemsFromFields = ["prefix", "output", "maxItems"];
/** Template fields a batch sets itself: each child has its own id, and notices belong to the batch's caller, not to 1,000 runs. */
const notInTemplate: Record<string, string> = {
  instanceId: "is not allowed in a batch template: each item's run id is <batchId>-<index>; send an Idempotency-Key header to name the batch.",
  callBackUri: "is not allowed in a batch template: it would be called back once per item.",
  notify: "is not allowed in a batch template: it would notify once per item.",
};

export type BatchValidation = { ok: true; request: ScoringBatchRequest; warnings: RunWarning[] } | { ok: false; details: ErrorDetail[] };

export function validateBatchRequest(body: unknown, config: StartConfig): BatchValidation {
  if (!isPlainObject(body)) return { ok: false, details: [{ field: "body", message: "must be a JSON object with template and items (or itemsFrom)" }] };
  const details: ErrorDetail[] = [];
  for (const key of Object.keys(body)) {
    if (!batchFields.includes(key)) details.push({ field: key, message: `is not a known field; the fields are ${batchFields.join(", ")}` });
  }
  const maxConcurrentJobs = wholeNumber(body.maxConcurrentJobs, "maxConcurrentJobs", 1, MAX_CONCURRENT_JOBS, DEFAULT_MAX_CONCURRENT_JOBS, details);
  const toleratedFailurePercent = wholeNumber(body.toleratedFailurePercent, "toleratedFailurePercent", 0, 100, 0, details);

  const template = body.template;
  if (!isPlainObject(template)) {
    details.push({ field: "template", message: "is required: a JSON object, the camelCase start body of POST /api/scoring-runs" });
    return { ok: false, details };
  }
  for (const key of Object.keys(template)) {
    if (notInTemplate[key]) details.push({ field: `template.${key}`, message: notInTemplate[key] });
    else if (seedFieldNames.includes(key) && key.includes("_"))
      details.push({ field: `template.${key}`, message: "is a field of the seed (ADF parameter) form; a batch template uses the camelCase form" });
  }
  const hasItems = body.items !== undefined && body.items !== null;
  const hasFrom = body.itemsFrom !== undefined && body.itemsFrom !== null;
  if (hasItems === hasFrom) {
    details.push({ field: hasItems ? "itemsFrom" : "items", message: hasItems ? "and items both name the items: send one" : "is required (or itemsFrom)" });
    return { ok: false, details };
  }
  if (details.length > 0) return { ok: false, details };

  const result = hasItems ? givenItems(body.items, template, config) : listedItems(body.itemsFrom, template, config);
  if (!result.ok) return { ok: false, details: result.details.slice(0, MAX_DETAILS) };
  return {
    ok: true,
    request: { template: result.template, items: result.items, itemsFrom: result.itemsFrom, maxConcurrentJobs, toleratedFailurePercent },
    warnings: result.warnings,
  };
}

type Checked =
  | { ok: true; template: ScoringRunRequest; items: BatchItem[] | null; itemsFrom: ItemsFrom | null; warnings: RunWarning[] }
  | { ok: false; details: ErrorDetail[] };

function givenItems(items: unknown, template: Record<string, unknown>, config: StartConfig): Checked {
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH_ITEMS) {
    return { ok: false, details: [{ field: "items", message: `must be an array of 1 to ${MAX_BATCH_ITEMS} items` }] };
  }
  const details = new Details();
  const normalised: BatchItem[] = [];
  const outputsSeen = new Map<string, string>();
  let first: ScoringRunRequest | null = null;
  let warnings: RunWarning[] = [];
  items.forEach((item, i) => {
    const at = `items[${i}]`;
    if (!isPlainObject(item)) return details.add({ field: at, message: "must be an object with inputs and output (or outputs)" });
    const unknown = Object.keys(item).filter((k) => !itemFields.includes(k));
    for (const k of unknown) details.add({ field: `${at}.${k}`, message: `is not a known item field; an item has ${itemFields.join(", ")}` });
    if (unknown.length > 0) return;
    const own = { inputs: item.inputs !== undefined, outputs: item.output !== undefined || item.outputs !== undefined };
    const merged: Record<string, unknown> = { ...template };
    if (own.inputs) merged.inputs = item.inputs;
    if (own.outputs) {
      delete merged.output;
      delete merged.outputs;
      if (item.output !== undefined) merged.output = item.output;
      if (item.outputs !== undefined) merged.outputs = item.outputs;
    }
    const checked = validateStartRequest(merged, config);
    if (!checked.ok) {
      for (const d of checked.details) details.add({ ...d, field: fieldOf(d.field, at, own) });
      return;
    }
    first ??= checked.request;
    if (i === 0) warnings = checked.warnings;
    for (const [name, target] of Object.entries(checked.request.outputs)) {
      const field = own.outputs ? `${at}.${item.output !== undefined ? "output" : `outputs.${name}`}.uri` : `template.output`;
      const earlier = outputsSeen.get(target.uri);
      if (earlier !== undefined) {
        details.add({
          field: field,
          message: own.outputs
            ? `is also the output of ${earlier}: each item writes its own output (Azure ML fails a job whose output exists)`
            : `is written by every item: give each item its own output (items[].output)`,
        });
      } else outputsSeen.set(target.uri, at);
    }
    normalised.push({ inputs: checked.request.inputs, outputs: checked.request.outputs });
  });
  if (!details.empty || !first) return { ok: false, details: details.list };
  return { ok: true, template: templateOf(first), items: normalised, itemsFrom: null, warnings };
}

function listedItems(from: unknown, template: Record<string, unknown>, config: StartConfig): Checked {
  if (!isPlainObject(from)) return { ok: false, details: [{ field: "itemsFrom", message: "must be an object with prefix, output and maxItems" }] };
  const details = new Details();
  for (const k of Object.keys(from)) {
    if (!itemsFromFields.includes(k)) details.add({ field: `itemsFrom.${k}`, message: `is not a known field; itemsFrom has ${itemsFromFields.join(", ")}` });
  }
  const prefix = folderUri(from.prefix, "itemsFrom.prefix", details, (uri) => {
    const parsed = parseDatastoreUri(uri);
    if (!parsed || parsed.workspace) return "must be an Azure ML datastore folder azureml://datastores/<datastore>/paths/<folder>/";
    return parsed.path === "/" || parsed.path === "" ? "must name a folder under the datastore's root" : null;
  });
  const output = folderUri(from.output, "itemsFrom.output", details, (uri) => {
    const checked = checkOutputUri(uri, "folder");
    return checked.ok ? null : checked.reason;
  });
  const list = new Details();
  const maxItems = wholeNumber(from.maxItems, "itemsFrom.maxItems", 1, MAX_BATCH_ITEMS, MAX_BATCH_ITEMS, list.list);
  details.list.push(...list.list);
  const templateInputs = isPlainObject(template.inputs) ? template.inputs : {};
  const uriInputs = Object.entries(templateInputs).filter(([, v]) => !(isPlainObject(v) && v.type === "literal"));
  if (uriInputs.length > 1)
    details.add({ field: "template.inputs", message: "has several data inputs: with itemsFrom, the template has at most one (the listed folder replaces it)" });
  if (template.output !== undefined || template.outputs !== undefined)
    details.add({ field: "template.output", message: "is set by itemsFrom.output: each listed item writes to <itemsFrom.output><folder>/" });
  if (!details.empty || prefix === null || output === null) return { ok: false, details: details.list };
  const inputName = uriInputs[0]?.[0] ?? "input_data";
  // The template is checked as the runs will be: with a sample folder in place of the listed ones.
  const sample = {
    ...template,
    inputs: { ...templateInputs, [inputName]: { type: "uri_folder", uri: `${prefix}item/` } },
    output: { type: "uri_folder", uri: `${output}item/` },
  };
  const checked = validateStartRequest(sample, config);
  if (!checked.ok) {
    return { ok: false, details: checked.details.map((d) => ({ ...d, field: d.field.startsWith("output") ? "itemsFrom.output" : `template.${d.field}` })) };
  }
  const itemsFrom: ItemsFrom = { prefix, output, maxItems, inputName };
  return { ok: true, template: { ...templateOf(checked.request), inputs: checked.request.inputs }, items: null, itemsFrom, warnings: checked.warnings };
}

/** The template as stored: the request minus what each item sets. */
function templateOf(request: ScoringRunRequest): ScoringRunRequest {
  return { ...request, inputs: {}, outputs: {} };
}

/** A field of a merged item body, named where the caller wrote it. */
function fieldOf(field: string, at: string, own: { inputs: boolean; outputs: boolean }): string {
  if (field === "body" || field === "") return at;
  if (own.inputs && /^inputs(\.|$)/.test(field)) return `${at}.${field}`;
  if (own.outputs && /^outputs?(\.|$)/.test(field)) return `${at}.${field}`;
  return `template.${field}`;
}

function folderUri(raw: unknown, field: string, details: Details, problem: (uri: string) => string | null): string | null {
  if (typeof raw !== "string" || raw.trim() === "") {
    details.add({ field, message: "is required: azureml://datastores/<datastore>/paths/<folder>/" });
    return null;
  }
  const uri = raw.endsWith("/") ? raw : `${raw}/`;
  const reason = problem(uri);
  if (reason) details.add({ field, message: reason });
  return reason ? null : uri;
}

function wholeNumber(raw: unknown, field: string, min: number, max: number, fallback: number, details: ErrorDetail[]): number {
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < min || raw > max) {
    details.push({ field, message: `must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}` });
    return fallback;
  }
  return raw;
}

/** Problems, each field and message once (a bad template would repeat for every item). */
class Details {
  readonly list: ErrorDetail[] = [];
  private readonly seen = new Set<string>();
  get empty(): boolean {
    return this.list.length === 0;
  }
  add(detail: ErrorDetail): void {
    const key = `${detail.field}\n${detail.message}`;
    if (this.seen.has(key) || this.list.length >= MAX_DETAILS) return;
    this.seen.add(key);
    this.list.push(detail);
  }
}
