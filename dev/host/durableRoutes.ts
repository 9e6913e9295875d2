/**
 * The durable client's HTTP API, as the Durable extension serves it: the RPC routes
 * `df.getClient()` calls when `rpcBaseUrl` is set, and the public management webhooks under
 * `/runtime/webhooks/durabletask/` that status/terminate/raise-event URLs point at.
 *
 * Instances: `GET instances/` lists with the filters getStatusBy sends (runtimeStatus,
 * createdTimeFrom/To, instanceIdPrefix, top, showInput) a page of 100 at a time with an
 * `x-ms-continuation-token` (durable-functions follows it); `DELETE instances/<id>` purges one
 * ended instance (412 while it runs, as the extension); `DELETE instances/?createdTimeFrom=…`
 * purges by filter.
 */
import { randomUUID } from "node:crypto";
import { type DurableEngine, InstanceConflictError, terminal } from "./durableEngine";
import { alreadyExistsBody } from "./durableRules";
import type { InstanceRecord, RuntimeStatus } from "./instanceStore";

export interface RouteResult {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export const rpcPrefix = "/durabletask/";
export const webhookPrefix = "/runtime/webhooks/durabletask/";

export interface DurableClientData {
  taskHubName: string;
  creationUrls: Record<string, string>;
  managementUrls: Record<string, string>;
  baseUrl: string;
  requiredQueryStringParameters: string;
  rpcBaseUrl: string;
  httpBaseUrl: string;
}

/**
 * A recognisable stand-in for the task hub's system key. On Azure the management URLs carry the
 * real one (`code=`), which grants every Durable HTTP API for every instance
 * (docs/azure-behaviour.md#management-urls-and-the-system-key): tests look for this value in
 * every answer the app gives, to prove the app never hands it out.
 */
export const devSystemKey = "devhost-durabletask-system-key-NOT-FOR-CALLERS";

/** What `df.input.durableClient()` receives in Azure, pointing at this host. */
export function durableClientData(origin: string, taskHub: string): DurableClientData {
  const base = `${origin}/runtime/webhooks/durabletask`;
  // As on Azure: the extension appends the system key (the dev host itself does not check it)
  // (docs/azure-behaviour.md#management-urls-and-the-system-key).
  const qs = `taskHub=${taskHub}&connection=Storage&code=${devSystemKey}`;
  const instance = `${base}/instances/INSTANCEID`;
  return {
    taskHubName: taskHub,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?${qs}`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${qs}`,
    },
    managementUrls: {
      id: "INSTANCEID",
      statusQueryGetUri: `${instance}?${qs}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${qs}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${qs}`,
      rewindPostUri: `${instance}/rewind?reason={text}&${qs}`,
      purgeHistoryDeleteUri: `${instance}?${qs}`,
      restartPostUri: `${instance}/restart?${qs}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${qs}`,
      resumePostUri: `${instance}/resume?reason={text}&${qs}`,
    },
    baseUrl: base,
    requiredQueryStringParameters: qs,
    rpcBaseUrl: `${origin}${rpcPrefix}`,
    httpBaseUrl: base,
  };
}

function managementPayload(data: DurableClientData, instanceId: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data.managementUrls)) out[k] = v.replace(data.managementUrls.id, encodeURIComponent(instanceId));
  out.id = instanceId;
  return out;
}

export function statusJson(r: InstanceRecord, opts: { showHistory?: boolean; showInput?: boolean } = {}): Record<string, unknown> {
  const json: Record<string, unknown> = {
    name: r.name,
    instanceId: r.instanceId,
    // The extension writes both in whole seconds (docs/azure-behaviour.md#createdtime-and-continueasnew).
    createdTime: wholeSeconds(r.createdTime),
    lastUpdatedTime: wholeSeconds(r.lastUpdatedTime),
    input: opts.showInput === false ? null : (r.input ?? null),
    output: r.output ?? null,
    runtimeStatus: r.runtimeStatus,
    customStatus: r.customStatus ?? null,
  };
  if (opts.showHistory) json.history = [...r.pastExecutions.flatMap((e) => e.history), ...r.history];
  return json;
}

const wholeSeconds = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** The Durable HTTP API's status code for an instance's status. */
function statusCodeFor(status: RuntimeStatus): number {
  if (status === "Completed") return 200;
  if (status === "Failed" || status === "Terminated") return 400;
  return 202;
}

const pageSize = 100;

/** A request body's JSON value; undefined for a blank body. */
function jsonBody(body: string): { ok: true; value: unknown } | { ok: false } {
  if (body.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    return { ok: false };
  }
}

export async function handleDurableRoute(
  engine: DurableEngine,
  data: DurableClientData,
  method: string,
  path: string,
  query: URLSearchParams,
  headers: Record<string, string | undefined>,
  body: string,
): Promise<RouteResult> {
  const segments = path
    .split("/")
    .filter((s) => s !== "")
    .map(decodeURIComponent);
  const [head, id, verb, eventName] = segments;

  if (head === "orchestrators" && method === "POST" && id) {
    const instanceId = verb ?? randomUUID().replace(/-/g, "");
    const input = jsonBody(body);
    if (!input.ok) return { status: 400, body: { message: "The request body is not valid JSON." } };
    try {
      engine.start(id, instanceId, input.value ?? null);
    } catch (err) {
      if (err instanceof InstanceConflictError) return { status: 500, body: alreadyExistsBody(err.status) };
      return { status: 400, body: { message: (err as Error).message } };
    }
    const payload = managementPayload(data, instanceId);
    return { status: 202, headers: { Location: payload.statusQueryGetUri }, body: payload };
  }

  if (head === "entities") return entityRoute(engine, method, id, verb, query, headers, body);
  if (head !== "instances") return { status: 404, body: { message: `No durable route for ${method} ${path}` } };

  if (!id && method === "GET") {
    const statuses = query.get("runtimeStatus")?.split(",").filter(Boolean);
    const from = query.get("createdTimeFrom");
    const to = query.get("createdTimeTo");
    const prefix = query.get("instanceIdPrefix");
    const top = Math.min(Number(query.get("top") ?? pageSize) || pageSize, 1000);
    const all = engine
      .all()
      // Entity scheduler instances are left out of orchestration queries (unverified for the
      // HTTP API: docs/azure-behaviour.md#entities).
      .filter((r) => !r.entity)
      .filter((r) => !statuses || statuses.includes(r.runtimeStatus))
      .filter((r) => !from || r.createdTime >= Date.parse(from))
      .filter((r) => !to || r.createdTime <= Date.parse(to))
      .filter((r) => !prefix || r.instanceId.startsWith(prefix))
      .sort((a, b) => a.createdTime - b.createdTime || a.instanceId.localeCompare(b.instanceId));
    const offset = Number(Buffer.from(headers["x-ms-continuation-token"] ?? "", "base64").toString() || "0") || 0;
    const page = all.slice(offset, offset + top);
    const more = offset + top < all.length;
    return {
      status: 200,
      headers: more ? { "x-ms-continuation-token": Buffer.from(String(offset + top)).toString("base64") } : {},
      body: page.map((r) => statusJson(r, { showInput: query.get("showInput") !== "false" })),
    };
  }
  if (!id && method === "DELETE") {
    // purgeInstanceHistoryBy, as the extension answers it: createdTimeFrom is required,
    // createdTimeTo defaults to now, 404 when nothing was deleted. The dev host purges only
    // instances that have ended, whatever runtimeStatus asks for.
    const from = Date.parse(query.get("createdTimeFrom") ?? "");
    if (!Number.isFinite(from)) return { status: 400, body: { message: "Please provide value for 'createdTimeFrom' parameter." } };
    const to = query.has("createdTimeTo") ? Date.parse(query.get("createdTimeTo") ?? "") : engine.now();
    const statuses = query.get("runtimeStatus")?.split(",").filter(Boolean);
    const doomed = engine
      .all()
      .filter((r) => terminal(r.runtimeStatus) && (!statuses || statuses.includes(r.runtimeStatus)))
      .filter((r) => r.createdTime >= from && r.createdTime <= to);
    let deleted = 0;
    for (const r of doomed) if (engine.purge(r.instanceId)) deleted++;
    return deleted === 0 ? { status: 404 } : { status: 200, body: { instancesDeleted: deleted } };
  }
  if (!id) return { status: 404, body: { message: "Unknown durable route." } };

  const record = engine.get(id);
  if (!verb) {
    if (method === "GET") {
      if (!record) return { status: 404, body: { message: `No instance with ID '${id}' found.` } };
      const showHistory = query.get("showHistory") === "true";
      const showInput = query.get("showInput") !== "false";
      return { status: statusCodeFor(record.runtimeStatus), body: statusJson(record, { showHistory, showInput }) };
    }
    if (method === "DELETE") {
      // As the extension answers a purge by id: 404 unknown, 412 not ended yet.
      if (!record) return { status: 404, body: { instancesDeleted: 0 } };
      if (!terminal(record.runtimeStatus)) {
        return {
          status: 412,
          body: {
            message: `Only orchestrations in a terminal state can be purged, but the orchestration with instance ID ${id} has status ${record.runtimeStatus}`,
          },
        };
      }
      return engine.purge(id) ? { status: 200, body: { instancesDeleted: 1 } } : { status: 404, body: { instancesDeleted: 0 } };
    }
  }
  if (method === "POST" && verb === "raiseEvent" && eventName) {
    const data = jsonBody(body);
    if (!data.ok) return { status: 400, body: { message: "The event payload is not valid JSON." } };
    const result = engine.raiseEvent(id, eventName, data.value);
    if (result === "unsupported") return { status: 400, body: { message: "The dev host raises no events on entities; signal them instead." } };
    return { status: result === "delivered" ? 202 : result === "gone" ? 410 : 404 };
  }
  if (method === "POST" && verb === "terminate") {
    const result = engine.terminate(id, query.get("reason") ?? "");
    if (result === "unsupported") return { status: 400, body: { message: "The dev host does not terminate entities." } };
    return { status: result === "terminated" ? 202 : result === "gone" ? 410 : 404 };
  }
  if (method === "POST" && ["suspend", "resume", "rewind", "restart"].includes(verb ?? "")) {
    return { status: 501, body: { message: `The dev host does not support ${verb}.` } };
  }
  return { status: 404, body: { message: `No durable route for ${method} ${path}` } };
}

/**
 * The extension's entity routes (`HttpApiHandler`): `GET entities/<name>/<key>` answers 200 with
 * the state as JSON or 404; `POST entities/<name>/<key>?op=<op>` (DELETE: op `delete`) signals
 * it and answers 202, the body being the input (JSON when the content type says so, else the
 * text) (docs/azure-behaviour.md#entities).
 */
function entityRoute(
  engine: DurableEngine,
  method: string,
  name: string | undefined,
  key: string | undefined,
  query: URLSearchParams,
  headers: Record<string, string | undefined>,
  body: string,
): RouteResult {
  if (!name || key === undefined) return { status: 501, body: { message: "The dev host does not list entities." } };
  if (method === "GET") {
    const read = engine.readEntity(name, key);
    return read ? { status: 200, body: read.state === null ? null : JSON.parse(read.state) } : { status: 404 };
  }
  if (method !== "POST" && method !== "DELETE") return { status: 405, body: { message: `${method} is not allowed on entities.` } };
  const operation = method === "DELETE" ? "delete" : (query.get("op") ?? "");
  let input: string | undefined;
  if (body !== "") {
    if ((headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase() === "application/json") {
      const parsed = jsonBody(body);
      if (!parsed.ok) return { status: 400, body: { message: "Could not parse JSON content." } };
      input = JSON.stringify(parsed.value);
    } else {
      input = JSON.stringify(body);
    }
  }
  try {
    engine.signalEntity(name, key, operation, input);
  } catch (err) {
    return { status: 400, body: { message: (err as Error).message } };
  }
  return { status: 202 };
}
