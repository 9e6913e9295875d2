/**
 * Runs the HTTP steps of an ADF pipeline definition the way Data Factory does, for the activity
 * types our templates use, so tests can execute adf/pipelines/*.json against the dev host.
 *
 * Modelled behaviour (from the ADF docs; see adf/README.md "Sources"):
 * - activities run when every dependency ended in one of its dependencyConditions; the others are
 *   Skipped; the pipeline fails when an activity fails (our templates have no failure paths);
 * - `policy.retry` re-runs a failed activity (same pipeline RunId);
 * - WebActivity: evaluated url/method/headers/body; `authentication.type = "MSI"` adds a bearer
 *   token for `resource` (here a fake `Bearer msi:<resource>`); a 202 with a Location header is
 *   followed with GETs until the answer is not 202, unless `turnOffAsync`; any non-2xx final
 *   answer fails the activity; the output is the JSON object body plus
 *   `ADFWebActivityResponseHeaders`;
 * - the GETs that follow Location carry no headers by default: the docs do not say whether ADF
 *   resends the activity's headers, so the templates must work if it does not
 *   (`forwardHeadersOnPoll: true` models the other reading);
 * - AzureFunctionActivity: POST/GET/PUT `<functionAppUrl>/api/<functionName>` with the linked
 *   service's function key; no async following; non-2xx fails; the body must be a JSON object
 *   ("Response Content is not a valid JObject" otherwise); the output is that body;
 * - WebHook (control-flow-webhook-activity): POSTs the evaluated body, a JSON object, with the
 *   property `callBackUri` added; a non-2xx answer fails the activity at once (its 202 Location is
 *   not followed); then it waits for one request to callBackUri (no request within `timeout`: the
 *   activity fails "TimedOut"). With `reportStatusOnCallBack: true` the callback body's `Output`
 *   is the output and a `StatusCode` >= 400 fails the activity with its `Error`; without it any
 *   callback succeeds with the callback body as output. The callback itself is the test's to
 *   deliver: `webHook.callBackUri` says where ADF would listen, `webHook.awaitCallback` waits;
 * - monitoring: each attempt's evaluated input and its output are logged unless
 *   `policy.secureInput` / `policy.secureOutput`; its error is always logged.
 *
 * Not modelled: polling cadence (a short sleep stands in for ADF's), `policy.timeout`,
 * `httpRequestTimeout`, ADF's exact error texts (ours leave out the query string), integration
 * runtimes.
 */
import { type ExpressionContext, evaluateValue } from "./adfExpressions";

export interface ParameterSpec {
  type: string;
  defaultValue?: unknown;
}

export interface ActivityDef {
  name: string;
  type: string;
  dependsOn?: Array<{ activity: string; dependencyConditions: string[] }>;
  policy?: { timeout?: string; retry?: number; retryIntervalInSeconds?: number; secureInput?: boolean; secureOutput?: boolean };
  linkedServiceName?: { referenceName: string; type: string; parameters?: Record<string, unknown> };
  typeProperties: Record<string, unknown>;
}

export interface PipelineDef {
  name: string;
  properties: { description?: string; activities: ActivityDef[]; parameters?: Record<string, ParameterSpec>; annotations?: unknown[] };
}

export interface LinkedServiceDef {
  name: string;
  properties: { type: string; typeProperties: Record<string, unknown>; parameters?: Record<string, ParameterSpec>; description?: string };
}

export interface HttpExchange {
  activity: string;
  attempt: number;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: unknown;
}

export interface ActivityRun {
  name: string;
  status: "Succeeded" | "Failed" | "Skipped";
  attempts: number;
  output?: unknown;
  /** `status`: the HTTP status, or a WebHook callback's StatusCode; `errorCode`: a WebHook callback's Error.ErrorCode. */
  error?: { message: string; status?: number; body?: unknown; errorCode?: string };
}

/** What ADF monitoring shows for one activity attempt: input and output unless marked secure. */
export interface MonitoringRecord {
  activity: string;
  attempt: number;
  input?: unknown;
  output?: unknown;
  error?: string;
}

export interface PipelineRun {
  status: "Succeeded" | "Failed";
  runId: string;
  activities: Record<string, ActivityRun>;
  http: HttpExchange[];
  monitoring: MonitoringRecord[];
}

export interface RunOptions {
  runId: string;
  parameters: Record<string, unknown>;
  linkedServices: Record<string, LinkedServiceDef>;
  /** Resolves an AzureKeyVaultSecret reference in a linked service (store = Key Vault linked service name). */
  resolveSecret: (store: string, secretName: string) => string;
  /** Wall-clock sleep between async polls (stands in for ADF's polling interval). */
  pollDelayMs?: number;
  /** Gives up following Location after this many polls (the activity then fails). */
  maxPolls?: number;
  /** Wall-clock sleep between retries, instead of retryIntervalInSeconds. */
  retryDelayMs?: number;
  /** Resend the activity's headers on Location polls (default false: ADF does not document either way). */
  forwardHeadersOnPoll?: boolean;
  /** Sends every request (tests put a function-key check or faults in front of the dev host). */
  fetch?: typeof fetch;
  /** WebHook activities: where ADF's callback listener is, and a wait for the one request to it. */
  webHook?: {
    callBackUri(activity: string, attempt: number): string;
    /** The callback's JSON body, or undefined when none came within `timeoutSeconds` (the activity's `timeout`). */
    awaitCallback(callBackUri: string, timeoutSeconds: number): Promise<unknown>;
  };
}

class ActivityFailure extends Error {
  constructor(message: string, readonly status?: number, readonly body?: unknown, readonly errorCode?: string) {
    super(message);
  }
}

/** `d.hh:mm:ss` / `hh:mm:ss` → seconds. */
function timespanToSeconds(s: string): number {
  const m = /^(?:(\d+)\.)?(\d\d):([0-5]\d|60):([0-5]\d|60)$/.exec(s);
  if (!m) throw new ActivityFailure(`not a timespan: ${s}`);
  return Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Applies defaults; a parameter with no default and no value stops the run, as ADF does. */
export function resolveParameters(specs: Record<string, ParameterSpec> | undefined, given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    if (!specs || !Object.hasOwn(specs, key)) throw new Error(`Parameter '${key}' is not declared by the pipeline`);
  }
  for (const [name, spec] of Object.entries(specs ?? {})) {
    if (Object.hasOwn(given, name)) out[name] = given[name];
    else if (Object.hasOwn(spec, "defaultValue")) out[name] = spec.defaultValue;
    else throw new Error(`Missing value for required pipeline parameter '${name}'`);
  }
  return out;
}

function headerRecord(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

function parseJson(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A URL as an error message may quote it: the query (where a `code=` key travels) left out. */
function withoutQuery(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringHeaders(value: unknown, activity: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isJsonObject(value)) throw new ActivityFailure(`${activity}: headers must be an object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new ActivityFailure(`${activity}: header '${k}' must evaluate to a string, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

function requestBody(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  return typeof body === "string" ? body : JSON.stringify(body);
}

export async function runPipeline(pipeline: PipelineDef, opts: RunOptions): Promise<PipelineRun> {
  const parameters = resolveParameters(pipeline.properties.parameters, opts.parameters);
  const outputs: Record<string, unknown> = {};
  const runs: Record<string, ActivityRun> = {};
  const http: HttpExchange[] = [];
  const ctx: ExpressionContext = {
    parameters,
    pipeline: { RunId: opts.runId, Pipeline: pipeline.name, DataFactory: "test-factory", TriggerType: "Manual" },
    activityOutputs: outputs,
  };

  const monitoring: MonitoringRecord[] = [];
  const send = async (activity: string, attempt: number, method: string, url: string, headers: Record<string, string>, body: string | undefined) => {
    const res = await (opts.fetch ?? fetch)(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    const responseBody = parseJson(await res.text());
    const exchange: HttpExchange = { activity, attempt, method, url, headers, body, status: res.status, responseHeaders: headerRecord(res.headers), responseBody };
    http.push(exchange);
    return exchange;
  };

  const finalBody = (ex: HttpExchange, activity: string): Record<string, unknown> => {
    if (ex.status < 200 || ex.status > 299) {
      throw new ActivityFailure(`${activity}: ${ex.method} ${withoutQuery(ex.url)} answered ${ex.status}`, ex.status, ex.responseBody);
    }
    if (!isJsonObject(ex.responseBody)) throw new ActivityFailure(`${activity}: Response Content is not a valid JObject`, ex.status, ex.responseBody);
    return ex.responseBody;
  };

  const webActivity = async (a: ActivityDef, attempt: number, tp: Record<string, unknown>): Promise<unknown> => {
    const method = String(tp.method ?? "").toUpperCase();
    if (!["GET", "POST", "PUT", "PATCH", "DELETE"].includes(method)) throw new ActivityFailure(`${a.name}: unsupported method ${String(tp.method)}`);
    if (typeof tp.url !== "string") throw new ActivityFailure(`${a.name}: url must evaluate to a string`);
    const headers = stringHeaders(tp.headers, a.name);
    const auth = tp.authentication as { type?: string; resource?: string } | undefined;
    if (auth !== undefined) {
      if (auth.type !== "MSI" || typeof auth.resource !== "string") throw new ActivityFailure(`${a.name}: only MSI authentication with a resource is modelled`);
      headers.Authorization = `Bearer msi:${auth.resource}`;
    }
    if (method === "GET" && tp.body !== undefined) throw new ActivityFailure(`${a.name}: body is not allowed for GET`);
    let ex = await send(a.name, attempt, method, tp.url, headers, requestBody(tp.body));
    let polls = 0;
    while (ex.status === 202 && tp.turnOffAsync !== true && ex.responseHeaders.location) {
      if (++polls > (opts.maxPolls ?? 2000)) throw new ActivityFailure(`${a.name}: still 202 after ${polls - 1} polls`);
      await sleep(opts.pollDelayMs ?? 10);
      const pollHeaders = opts.forwardHeadersOnPoll === true ? headers : {};
      ex = await send(a.name, attempt, "GET", new URL(ex.responseHeaders.location, ex.url).toString(), pollHeaders, undefined);
    }
    return { ...finalBody(ex, a.name), ADFWebActivityResponseHeaders: ex.responseHeaders };
  };

  const webHookActivity = async (a: ActivityDef, attempt: number, tp: Record<string, unknown>): Promise<unknown> => {
    if (!opts.webHook) throw new ActivityFailure(`${a.name}: no callback listener (RunOptions.webHook)`);
    if (String(tp.method ?? "").toUpperCase() !== "POST") throw new ActivityFailure(`${a.name}: the WebHook activity supports POST only`);
    if (typeof tp.url !== "string") throw new ActivityFailure(`${a.name}: url must evaluate to a string`);
    const headers = stringHeaders(tp.headers, a.name);
    let body: unknown = tp.body;
    if (typeof body === "string") {
      try {
        body = JSON.parse(body);
      } catch {
        throw new ActivityFailure(`${a.name}: body is not valid JSON`);
      }
    }
    if (!isJsonObject(body)) throw new ActivityFailure(`${a.name}: body must be a JSON object`);
    const callBackUri = opts.webHook.callBackUri(a.name, attempt);
    const ex = await send(a.name, attempt, "POST", tp.url, headers, JSON.stringify({ ...body, callBackUri }));
    if (ex.status < 200 || ex.status > 299) {
      throw new ActivityFailure(`${a.name}: ${ex.method} ${withoutQuery(ex.url)} answered ${ex.status}`, ex.status, ex.responseBody);
    }
    const callback = await opts.webHook.awaitCallback(callBackUri, timespanToSeconds(String(tp.timeout ?? "00:10:00")));
    if (callback === undefined) throw new ActivityFailure(`${a.name}: TimedOut (callBackUri was not invoked within the timeout)`);
    if (tp.reportStatusOnCallBack !== true) return callback;
    if (!isJsonObject(callback)) throw new ActivityFailure(`${a.name}: the callback body is not a JSON object`);
    const statusCode = Number(callback.StatusCode ?? 200);
    if (statusCode >= 400) {
      const error = isJsonObject(callback.Error) ? callback.Error : {};
      const errorCode = typeof error.ErrorCode === "string" ? error.ErrorCode : undefined;
      throw new ActivityFailure(`${a.name}: ${errorCode ?? "Failed"}: ${String(error.Message ?? "")}`, statusCode, callback, errorCode);
    }
    return callback.Output;
  };

  const linkedServiceContext = (a: ActivityDef): { ls: LinkedServiceDef; lsCtx: ExpressionContext } => {
    const ref = a.linkedServiceName;
    if (!ref || ref.type !== "LinkedServiceReference") throw new ActivityFailure(`${a.name}: no linked service reference`);
    const ls = opts.linkedServices[ref.referenceName];
    if (!ls) throw new ActivityFailure(`${a.name}: linked service '${ref.referenceName}' not found`);
    const given = evaluateValue(ref.parameters ?? {}, ctx) as Record<string, unknown>;
    return { ls, lsCtx: { linkedServiceParameters: resolveParameters(ls.properties.parameters, given) } };
  };

  const functionActivity = async (a: ActivityDef, attempt: number, tp: Record<string, unknown>): Promise<unknown> => {
    const { ls, lsCtx } = linkedServiceContext(a);
    if (ls.properties.type !== "AzureFunction") throw new ActivityFailure(`${a.name}: linked service is ${ls.properties.type}, not AzureFunction`);
    const { functionKey, ...rest } = ls.properties.typeProperties;
    const lsProps = evaluateValue(rest, lsCtx) as Record<string, unknown>;
    let key: string | undefined;
    if (functionKey !== undefined) {
      const ref = functionKey as { type?: string; store?: { referenceName?: string }; secretName?: unknown };
      if (ref.type !== "AzureKeyVaultSecret" || !ref.store?.referenceName) throw new ActivityFailure(`${a.name}: functionKey must be an AzureKeyVaultSecret reference`);
      key = opts.resolveSecret(ref.store.referenceName, String(evaluateValue(ref.secretName, lsCtx)));
    }
    const method = String(tp.method ?? "").toUpperCase();
    if (!["GET", "POST", "PUT"].includes(method)) throw new ActivityFailure(`${a.name}: unsupported method ${String(tp.method)}`);
    const base = String(lsProps.functionAppUrl).replace(/\/+$/, "");
    const headers = { ...stringHeaders(tp.headers, a.name), ...(key !== undefined ? { "x-functions-key": key } : {}) };
    const ex = await send(a.name, attempt, method, `${base}/api/${String(tp.functionName)}`, headers, requestBody(tp.body));
    return finalBody(ex, a.name);
  };

  const runActivity = async (a: ActivityDef): Promise<ActivityRun> => {
    const maxAttempts = (a.policy?.retry ?? 0) + 1;
    let last: ActivityFailure | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const record: MonitoringRecord = { activity: a.name, attempt };
      monitoring.push(record);
      try {
        const tp = evaluateValue(a.typeProperties, ctx) as Record<string, unknown>;
        if (a.policy?.secureInput !== true) record.input = tp;
        const output = a.type === "WebActivity" ? await webActivity(a, attempt, tp)
          : a.type === "AzureFunctionActivity" ? await functionActivity(a, attempt, tp)
            : a.type === "WebHook" ? await webHookActivity(a, attempt, tp)
            : (() => {
              throw new ActivityFailure(`Activity type ${a.type} is not modelled`);
            })();
        if (a.policy?.secureOutput !== true) record.output = output;
        return { name: a.name, status: "Succeeded", attempts: attempt, output };
      } catch (err) {
        last = err instanceof ActivityFailure ? err : new ActivityFailure(err instanceof Error ? err.message : String(err));
        record.error = last.message;
        if (attempt < maxAttempts) await sleep(opts.retryDelayMs ?? 5);
      }
    }
    return { name: a.name, status: "Failed", attempts: maxAttempts, error: { message: last!.message, status: last!.status, body: last!.body, ...(last!.errorCode !== undefined ? { errorCode: last!.errorCode } : {}) } };
  };

  const pending = [...pipeline.properties.activities];
  while (pending.length > 0) {
    const ready = pending.findIndex((a) => (a.dependsOn ?? []).every((d) => runs[d.activity] !== undefined));
    if (ready === -1) throw new Error(`Dependency cycle or unknown dependency among: ${pending.map((a) => a.name).join(", ")}`);
    const [a] = pending.splice(ready, 1) as [ActivityDef];
    const satisfied = (a.dependsOn ?? []).every((d) => d.dependencyConditions.includes(runs[d.activity]!.status));
    runs[a.name] = satisfied ? await runActivity(a) : { name: a.name, status: "Skipped", attempts: 0 };
    if (runs[a.name]!.status === "Succeeded") outputs[a.name] = runs[a.name]!.output;
  }
  const failed = Object.values(runs).some((r) => r.status === "Failed");
  return { status: failed ? "Failed" : "Succeeded", runId: opts.runId, activities: runs, http, monitoring };
}
