/**
 * The Functions host's Event Grid webhook, `/runtime/webhooks/eventgrid?functionName=<name>`, as
 * the real host serves it for `eventGridTrigger` functions (v4: `app.eventGrid(name, { handler })`);
 * every rule below is in docs/azure-behaviour.md#event-grid-delivery. Azure requires the
 * `eventgrid_extension` system key (`code=`); like `func start`, the dev host enforces none.
 *
 * - Route `runtime/webhooks/eventgrid[/…]`, verbs GET, POST, DELETE, OPTIONS.
 * - `functionName` names an eventGridTrigger function exactly (case-sensitive); otherwise 404
 *   `cannot find function: '<name>'`.
 * - OPTIONS: the CloudEvents abuse-protection handshake, 200 with `WebHook-Allowed-Origin` set to
 *   `WebHook-Request-Origin` when that is a known Event Grid origin, else eventgrid.azure.net.
 * - `aeg-event-type: SubscriptionValidation` → 200 `{"validationResponse":"<data.validationCode>"}`
 *   (text/plain), from `[0].data` of an array or `.data` of an object (double-encoded in the
 *   CloudEvent form).
 * - `aeg-event-type: Notification` → an array is the events (Event Grid schema or a CloudEvents
 *   batch), an object one event; the content-type is not consulted, events pass on as posted. One
 *   invocation per event (`cardinality: many`: one for the array); 500 with the first failure's
 *   message (Event Grid retries the whole payload), else 202 with no body.
 * - `aeg-event-type: Unsubscribe` → 202; none or another → 400. Malformed JSON, or JSON that is
 *   neither array nor object → 500 (the dev host says why in the body; the real host sends none).
 *
 * The handler's first argument is the posted event object itself: the Event Grid schema's fields
 * (the v4 `EventGridEvent` type), or a CloudEvent's own fields, which that type does not describe.
 *
 * Deliberate difference: the real host starts the invocations of one request concurrently; the dev
 * host runs them one after the other in request order (a deterministic instance of the same
 * contract). Like the real host it still runs every event when one fails, then answers 500.
 */
import type { InvocationContext } from "@azure/functions";
import type { RegisteredFunction } from "./functionsCore";
import type { PlainResponse } from "./httpTriggers";
import { invokeLogged, type Logger } from "./invocation";

export const eventGridWebhookPath = "/runtime/webhooks/eventgrid";

/** `/runtime/webhooks/eventgrid` (and anything under it, as the host's `{*extra}` route); case-insensitive like ASP.NET routing. */
export function isEventGridWebhookPath(pathname: string): boolean {
  const p = pathname.toLowerCase();
  return p === eventGridWebhookPath || p.startsWith(`${eventGridWebhookPath}/`);
}

export interface EventGridWebhookRequest {
  method: string;
  url: URL;
  /** Lower-case header names (as node:http gives them). */
  headers: Record<string, string>;
  body: string;
}

export interface EventGridWebhookHost {
  functions: ReadonlyMap<string, RegisteredFunction>;
  /** A fresh InvocationContext for one invocation of `fn` (invocation id, log handler, bindings, extra inputs). */
  newInvocationContext(fn: RegisteredFunction): InvocationContext;
  log: Logger;
}

const acceptedMethods = new Set(["GET", "POST", "DELETE", "OPTIONS"]);
const publicCloudOrigin = "eventgrid.azure.net";
const knownOrigins = new Set([
  publicCloudOrigin,
  "eventgrid.azure.us",
  "eventgrid.azure.eaglex.ic.gov",
  "eventgrid.azure.microsoft.scloud",
  "eventgrid.azure.cn",
]);

export async function handleEventGridWebhook(req: EventGridWebhookRequest, host: EventGridWebhookHost): Promise<PlainResponse> {
  if (!acceptedMethods.has(req.method)) return text(405, `${req.method} is not allowed on ${req.url.pathname}`);

  const functionName = queryParam(req.url, "functionName");
  const fn = functionName ? host.functions.get(functionName) : undefined;
  if (!functionName || !fn || fn.trigger.type.toLowerCase() !== "eventgridtrigger") {
    const available = [...host.functions.values()].filter((f) => f.trigger.type.toLowerCase() === "eventgridtrigger").map((f) => f.name);
    host.log("info", `cannot find function: '${functionName ?? ""}', available function names: [${available.join(", ")}]`);
    return text(404, `cannot find function: '${functionName ?? ""}'`);
  }

  if (req.method === "OPTIONS") {
    const origin = req.headers["webhook-request-origin"];
    return {
      status: 200,
      headers: [["webhook-allowed-origin", origin !== undefined && knownOrigins.has(origin) ? origin : publicCloudOrigin]],
      body: Buffer.alloc(0),
    };
  }

  const eventType = (req.headers["aeg-event-type"] ?? "").split(",")[0].trim().toLowerCase();
  try {
    if (eventType === "subscriptionvalidation") {
      const validationResponse = validationCodeOf(JSON.parse(req.body));
      host.log("info", `perform handshake with eventGrid for function: ${fn.name}`);
      return text(200, JSON.stringify({ validationResponse }));
    }
    if (eventType === "notification") {
      const events = eventsOf(JSON.parse(req.body));
      return await dispatch(fn, events, host);
    }
  } catch (err) {
    // Parse failures and unexpected shapes: the real host answers 500.
    host.log("error", `An unhandled host error has occurred (Event Grid webhook, function ${fn.name}): ${(err as Error).message}`);
    return text(500, `The Event Grid webhook could not process the request: ${(err as Error).message}`);
  }
  if (eventType === "unsubscribe") return { status: 202, headers: [], body: Buffer.alloc(0) };
  return { status: 400, headers: [], body: Buffer.alloc(0) };
}

async function dispatch(fn: RegisteredFunction, events: unknown[], host: EventGridWebhookHost): Promise<PlainResponse> {
  const inputs = fn.trigger.cardinality === "many" ? [events] : events;
  let firstFailure: string | undefined;
  for (const input of inputs) {
    const failure = await invoke(fn, input, host);
    firstFailure ??= failure;
  }
  if (firstFailure !== undefined) return text(500, firstFailure);
  return { status: 202, headers: [], body: Buffer.alloc(0) };
}

/** One invocation; returns the failure message, if it failed. */
async function invoke(fn: RegisteredFunction, input: unknown, host: EventGridWebhookHost): Promise<string | undefined> {
  const context = host.newInvocationContext(fn);
  const outcome = await invokeLogged(fn, context, `EventGrid trigger fired at ${new Date().toISOString()}`, host.log, () => fn.handler(input, context));
  return outcome.ok ? undefined : outcome.error;
}

function eventsOf(parsed: unknown): unknown[] {
  if (Array.isArray(parsed)) return parsed;
  if (parsed !== null && typeof parsed === "object") return [parsed];
  throw new Error(`The request content should be parseable into a JSON object or array, but was ${parsed === null ? "null" : typeof parsed}.`);
}

function validationCodeOf(parsed: unknown): string {
  let data: unknown;
  if (Array.isArray(parsed)) data = (parsed[0] as { data?: unknown } | undefined)?.data;
  else if (parsed !== null && typeof parsed === "object") {
    data = (parsed as { data?: unknown }).data;
    if (typeof data === "string") data = JSON.parse(data); // double-encoded in the CloudEvent form
  } else throw new Error(`The request content should be parseable into a JSON object or array, but was ${parsed === null ? "null" : typeof parsed}.`);
  const code = (data as { validationCode?: unknown } | null | undefined)?.validationCode;
  if (code === undefined || code === null) throw new Error("The subscription validation event has no data.validationCode.");
  return String(code);
}

/** Query keys are case-insensitive in the host (docs/azure-behaviour.md#event-grid-delivery). */
function queryParam(url: URL, name: string): string | undefined {
  for (const [k, v] of url.searchParams) if (k.toLowerCase() === name.toLowerCase()) return v;
  return undefined;
}

function text(status: number, body: string): PlainResponse {
  return { status, headers: [["content-type", "text/plain; charset=utf-8"]], body: Buffer.from(body) };
}
