/**
 * Reading `openapi.yaml` for the contract tests: the document (raw and dereferenced), its
 * operations and documented statuses, JSON Schema 2020-12 validators (ajv, strict) for its
 * schemas, and checks of a real request / response against it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import Ajv2020 from "ajv/dist/2020";
import type { ErrorObject, ValidateFunction } from "ajv";
import { parse as parseYaml } from "yaml";

export const specPath = path.resolve(__dirname, "../../openapi.yaml");

export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

export type Doc = Record<string, any>;

export function loadRawDoc(file = specPath): Doc {
  return parseYaml(fs.readFileSync(file, "utf8")) as Doc;
}

/** The document with every $ref resolved (a copy: swagger-parser changes what it is given). */
export async function dereference(raw: Doc): Promise<Doc> {
  return (await SwaggerParser.dereference(structuredClone(raw) as never)) as unknown as Doc;
}

export interface Operation {
  method: string; // upper case
  path: string;
  op: Doc;
}

export function operations(doc: Doc): Operation[] {
  const ops: Operation[] = [];
  for (const [p, item] of Object.entries<Doc>(doc.paths ?? {})) {
    for (const m of HTTP_METHODS) if (item[m]) ops.push({ method: m.toUpperCase(), path: p, op: item[m] });
  }
  return ops;
}

export const key = (method: string, p: string, status?: number | string) =>
  status === undefined ? `${method.toUpperCase()} ${p}` : `${method.toUpperCase()} ${p} ${status}`;

/** Every documented (method, path, status), as `METHOD /path STATUS`. */
export function documentedStatuses(doc: Doc): string[] {
  return operations(doc).flatMap(({ method, path: p, op }) => Object.keys(op.responses ?? {}).map((s) => key(method, p, s)));
}

/**
 * What is documented but has no scenario, and what a scenario produces but is not documented.
 * A `default` response would hide undocumented statuses, so it is reported too.
 */
export function coverageProblems(doc: Doc, scenarioKeys: Iterable<string>): string[] {
  const documented = new Set(documentedStatuses(doc));
  const covered = new Set(scenarioKeys);
  const problems: string[] = [];
  for (const k of documented) {
    if (k.endsWith(" default")) problems.push(`${k}: a default response is not allowed (every status must be named)`);
    else if (!covered.has(k)) problems.push(`${k}: documented, but no scenario produces it`);
  }
  for (const k of covered) if (!documented.has(k)) problems.push(`${k}: a scenario produces it, but it is not documented`);
  return problems.sort();
}

/** `scoring-runs/{id:regex}` or `{id?}` → `{id}`, under the host's route prefix. */
export function routeToPath(route: string, prefix: string): string {
  const normalised = route.replace(/\{\*?([A-Za-z0-9_]+)(?::[^}?]*)?\??\}/g, "{$1}").replace(/^\/+|\/+$/g, "");
  return `/${[prefix.replace(/^\/+|\/+$/g, ""), normalised].filter((s) => s !== "").join("/")}`;
}

/** Registered routes (`METHOD /path`) missing from the document, and documented ones no function serves. */
export function routeProblems(doc: Doc, registered: Iterable<string>): string[] {
  const documented = new Set(operations(doc).map((o) => key(o.method, o.path)));
  const served = new Set(registered);
  const problems: string[] = [];
  for (const k of served) if (!documented.has(k)) problems.push(`${k}: registered by the app, not documented`);
  for (const k of documented) if (!served.has(k)) problems.push(`${k}: documented, but no function serves it`);
  return problems.sort();
}

// ---------------------------------------------------------------------------------------------
// JSON Schema

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

function isAbsoluteUrl(s: string): boolean {
  try {
    new URL(s);
    return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s);
  } catch {
    return false;
  }
}

/**
 * Strict ajv for 2020-12 (unknown keywords and formats are errors, so a typo in the document
 * fails), with the formats the document uses. `uri` is what `new URL` accepts: the API's own check.
 */
export function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, allowMatchingProperties: true });
  ajv.addFormat("date-time", (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)));
  ajv.addFormat("uri", isAbsoluteUrl);
  ajv.addFormat("uri-template", (s: string) => isAbsoluteUrl(s.replace(/\{[^{}]*\}/g, "x")));
  return ajv;
}

export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message ?? ""} ${JSON.stringify(e.params)}`).join("; ");
}

/** Compiles schemas of a dereferenced document, one validator per schema object. */
export class Validators {
  private readonly cache = new Map<object, ValidateFunction>();
  constructor(readonly ajv: Ajv2020 = newAjv()) {}

  get(schema: object): ValidateFunction {
    let fn = this.cache.get(schema);
    if (!fn) {
      fn = this.ajv.compile(schema);
      this.cache.set(schema, fn);
    }
    return fn;
  }

  check(schema: object, value: unknown): { ok: boolean; errors: string } {
    const fn = this.get(schema);
    const ok = fn(value) as boolean;
    return { ok, errors: ok ? "" : describeErrors(fn.errors) };
  }
}

// ---------------------------------------------------------------------------------------------
// Requests and responses against the document

export interface SentRequest {
  method: string;
  /** Path template as documented, e.g. `/api/scoring-runs/{id}`. */
  path: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** JSON value to send, or a raw string (sent as is). */
  body?: unknown;
  rawBody?: string;
}

export interface ApiResult {
  status: number;
  headers: Headers;
  body: any;
}

export function findOperation(doc: Doc, method: string, p: string): Doc {
  const op = doc.paths?.[p]?.[method.toLowerCase()];
  if (!op) throw new Error(`${key(method, p)} is not in the document`);
  return op;
}

/** A parameter value from the wire, typed as its schema says (so `top=5` checks as an integer). */
function coerce(raw: string, schema: Doc): unknown {
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if ((types.includes("integer") || types.includes("number")) && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (types.includes("boolean") && (raw === "true" || raw === "false")) return raw === "true";
  return raw;
}

/**
 * Problems of a request against the document: path, query and header parameters (undocumented
 * query parameters are problems too), and the body. Empty = the request conforms.
 */
export function requestProblems(doc: Doc, v: Validators, req: SentRequest): string[] {
  const op = findOperation(doc, req.method, req.path);
  const item = doc.paths[req.path];
  const params: Doc[] = [...(item.parameters ?? []), ...(op.parameters ?? [])];
  const problems: string[] = [];
  const check = (where: string, raw: string, schema: Doc) => {
    const r = v.check(schema, coerce(raw, schema));
    if (!r.ok) problems.push(`${where}=${JSON.stringify(raw)}: ${r.errors}`);
  };
  for (const name of (req.path.match(/\{([^}]+)\}/g) ?? []).map((s) => s.slice(1, -1))) {
    const p = params.find((x) => x.in === "path" && x.name === name);
    const value = req.params?.[name];
    if (!p) problems.push(`path parameter ${name} is not documented`);
    else if (value === undefined) problems.push(`path parameter ${name} is missing`);
    else check(`path ${name}`, value, p.schema);
  }
  for (const [name, value] of Object.entries(req.query ?? {})) {
    const p = params.find((x) => x.in === "query" && x.name === name);
    if (!p) problems.push(`query parameter ${name} is not documented`);
    else check(`query ${name}`, value, p.schema);
  }
  for (const p of params.filter((x) => x.in === "query" && x.required)) {
    if (req.query?.[p.name] === undefined) problems.push(`query parameter ${p.name} is required`);
  }
  const sentHeaders = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, val]) => [k.toLowerCase(), val]));
  for (const p of params.filter((x) => x.in === "header")) {
    const value = sentHeaders[String(p.name).toLowerCase()];
    if (value === undefined) {
      if (p.required) problems.push(`header ${p.name} is required`);
    } else check(`header ${p.name}`, value, p.schema);
  }
  const hasBody = req.body !== undefined || req.rawBody !== undefined;
  const rb = op.requestBody;
  if (!rb) {
    if (hasBody) problems.push("the operation documents no request body");
  } else if (!hasBody) {
    if (rb.required) problems.push("the request body is required");
  } else {
    let value: unknown = req.body;
    if (req.rawBody !== undefined) {
      try {
        value = JSON.parse(req.rawBody);
      } catch {
        problems.push("the request body is not JSON");
        return problems;
      }
    }
    const r = v.check(rb.content["application/json"].schema, value);
    if (!r.ok) problems.push(`body: ${r.errors}`);
  }
  return problems;
}

/**
 * Problems of a real response against the document: the status is documented, documented
 * headers that are required are present and match their schema, the content type and the body
 * match the documented media type and schema (or there is no body when none is documented).
 */
export function responseProblems(doc: Doc, v: Validators, method: string, p: string, res: ApiResult): string[] {
  const op = findOperation(doc, method, p);
  const documented = op.responses?.[String(res.status)];
  if (!documented) return [`${key(method, p, res.status)} is not documented (body ${JSON.stringify(res.body)})`];
  const problems: string[] = [];
  for (const [name, header] of Object.entries<Doc>(documented.headers ?? {})) {
    const value = res.headers.get(name);
    if (value === null) {
      if (header.required) problems.push(`header ${name} is documented as always sent, but is missing`);
      continue;
    }
    const r = v.check(header.schema, coerce(value, header.schema));
    if (!r.ok) problems.push(`header ${name}: ${JSON.stringify(value)}: ${r.errors}`);
  }
  const content: Doc | undefined = documented.content;
  if (!content) {
    if (res.body !== null && res.body !== "") problems.push(`no body is documented, got ${JSON.stringify(res.body)}`);
    return problems;
  }
  const contentType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const media = content[contentType];
  if (!media) return [...problems, `content type ${JSON.stringify(contentType)} is not documented (${Object.keys(content).join(", ")})`];
  const r = v.check(media.schema, res.body);
  if (!r.ok) problems.push(`body: ${r.errors}`);
  return problems;
}

/** The URL for a request (path parameters filled in, query appended). */
export function requestUrl(req: SentRequest): string {
  const p = req.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = req.params?.[name];
    if (value === undefined) throw new Error(`no value for path parameter ${name}`);
    return encodeURIComponent(value);
  });
  const q = new URLSearchParams(req.query ?? {}).toString();
  return q === "" ? p : `${p}?${q}`;
}
