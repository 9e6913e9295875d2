/**
 * POST /api/scoring-runs/events: BlobCreated events (start runs) and Azure ML job events (wake
 * runs) from an Event Grid webhook subscription,
 * in the Event Grid schema (a JSON array) or CloudEvents 1.0 (one event or a batch), with both
 * subscription handshakes. Each event is parsed on its own, so one malformed event is logged and
 * skipped without losing the others of its batch; a body with no valid event is a 400 (Event
 * Grid does not retry a 400). A failure to start a run is a 500, so Event Grid redelivers: the
 * run id from the blob version makes that safe.
 */
import type { EventGridDeserializer } from "@azure/eventgrid";
import { errorBody } from "./errorBodies";
import type { AppConfig } from "../config";
import { isJobEvent, signalRunsForJobEvents } from "../events/jobStatusEvents";
import { type EventOutcome, startRunsForBlobEvents } from "../events/startRunsForBlobEvents";
import type { BlobWindowClient } from "../runs/blobWindowClient";
import type { RunsClient } from "../runs/durableRuns";
import type { ApiRequest, ApiResponse } from "./types";

const validationEvent = "Microsoft.EventGrid.SubscriptionValidationEvent";
let deserializerInstance: EventGridDeserializer | undefined;
/** Loaded on the first event, not at start-up (cold start). */
function deserializer(): EventGridDeserializer {
  const { EventGridDeserializer: Deserializer } = require("@azure/eventgrid") as typeof import("@azure/eventgrid");
  return (deserializerInstance ??= new Deserializer());
}

export async function receiveEvents(
  req: ApiRequest,
  runs: RunsClient,
  config: AppConfig,
  log: (message: string) => void,
  windows?: BlobWindowClient,
): Promise<ApiResponse> {
  if (req.method === "OPTIONS") {
    // CloudEvents webhook abuse protection: allow the origin Event Grid names.
    const origin = req.header("webhook-request-origin");
    if (!origin)
      return { status: 400, body: errorBody("InvalidRequest", "OPTIONS is the CloudEvents handshake: the WebHook-Request-Origin header is required.") };
    return { status: 200, headers: { "WebHook-Allowed-Origin": origin, "WebHook-Allowed-Rate": "*" } };
  }
  let body: unknown;
  try {
    body = JSON.parse(req.bodyText);
  } catch {
    log("events: rejected a body that is not JSON");
    return { status: 400, body: errorBody("InvalidRequest", "The body is not JSON.") };
  }
  const cloudEvents = (req.header("content-type") ?? "").includes("cloudevents") || hasSpecVersion(body);
  const raw = Array.isArray(body) ? body : cloudEvents ? [body] : null;
  if (raw === null || raw.length === 0) {
    log("events: rejected a body that is not an event array");
    return { status: 400, body: errorBody("InvalidRequest", "Event Grid events come as a non-empty JSON array (CloudEvents: one event object or an array).") };
  }
  const first = raw[0] as { eventType?: unknown; data?: { validationCode?: unknown } } | null;
  if (!cloudEvents && first?.eventType === validationEvent) {
    return { status: 200, body: { validationResponse: first.data?.validationCode } };
  }

  // Each event's outcome answers at the event's place in the batch.
  const results: EventOutcome[] = new Array(raw.length);
  const blobEvents: Array<{ at: number; event: unknown }> = [];
  const jobEvents: Array<{ at: number; event: unknown }> = [];
  for (const [at, event] of raw.entries()) {
    try {
      // Parsed one at a time (as text: the library's typed overloads) so one bad event cannot sink the batch.
      const text = JSON.stringify(cloudEvents ? event : [event]);
      const [one] = cloudEvents ? await deserializer().deserializeCloudEvents(text) : await deserializer().deserializeEventGridEvents(text);
      (isJobEvent(one) ? jobEvents : blobEvents).push({ at, event: one });
    } catch (err) {
      const id = (event as { id?: unknown } | null)?.id;
      const reason = (err as Error).message;
      log(`events: rejected malformed event ${typeof id === "string" ? id : "(no id)"}: ${reason}`);
      results[at] = { eventId: typeof id === "string" ? id : null, outcome: "malformed", reason };
    }
  }
  if (blobEvents.length + jobEvents.length === 0)
    return { status: 400, body: errorBody("InvalidRequest", `No valid event: ${results.map((m) => m.reason).join("; ")}`) };
  const blobOutcomes = await startRunsForBlobEvents(
    blobEvents.map((e) => e.event),
    runs,
    config,
    log,
    windows,
  );
  blobOutcomes.forEach((outcome, i) => (results[blobEvents[i]!.at] = outcome));
  const jobOutcomes = await signalRunsForJobEvents(
    jobEvents.map((e) => e.event),
    runs,
    log,
  );
  jobOutcomes.forEach((outcome, i) => (results[jobEvents[i]!.at] = outcome));
  return { status: 200, headers: { "Content-Type": "application/json" }, body: { results } };
}

function hasSpecVersion(body: unknown): boolean {
  const first = Array.isArray(body) ? body[0] : body;
  return typeof first === "object" && first !== null && "specversion" in first;
}
