/**
 * BlobCreated events in, scoring runs out: at most one run per blob version, never a second
 * start for an id that exists (even a failed run: a retry is an explicit API call, not a
 * redelivered event). Every ignored event is logged with its reason.
 */
import type { AppConfig } from "../config";
import type { BlobWindowClient } from "../runs/blobWindowClient";
import type { RunsClient } from "../runs/durableRuns";
import { decideBlobCreated } from "./blobCreated";
import { batchBlobEvent } from "./blobWindowEvents";
import { startBlobRun } from "./startBlobRun";
import { toIncomingEvent } from "./toIncomingEvent";

export interface EventOutcome {
  eventId: string | null;
  outcome: "started" | "exists" | "signaled" | "batched" | "ignored" | "malformed";
  runId?: string;
  reason?: string;
}

export async function startRunsForBlobEvents(
  rawEvents: unknown[],
  runs: RunsClient,
  config: AppConfig,
  log: (message: string) => void,
  /** Batched events (BLOB_TRIGGER_BATCH_WINDOW_SECONDS > 0) need it; without it they are ignored, with the reason. */
  windows?: BlobWindowClient,
): Promise<EventOutcome[]> {
  const outcomes: EventOutcome[] = [];
  for (const raw of rawEvents) {
    const outcome = await startRunForBlobEvent(raw, runs, config, windows);
    const what = outcome.runId ? ` run ${outcome.runId}` : "";
    log(`BlobCreated event ${outcome.eventId ?? "(no id)"}: ${outcome.outcome}${what}${outcome.reason ? `: ${outcome.reason}` : ""}`);
    outcomes.push(outcome);
  }
  return outcomes;
}

async function startRunForBlobEvent(raw: unknown, runs: RunsClient, config: AppConfig, windows: BlobWindowClient | undefined): Promise<EventOutcome> {
  const event = toIncomingEvent(raw);
  if ("malformed" in event) return { eventId: null, outcome: "malformed", reason: event.malformed };
  const eventId = event.id;
  if ("problem" in config.blobTrigger) return { eventId, outcome: "ignored", reason: config.blobTrigger.problem };
  const settings = config.blobTrigger.settings;
  if (settings.batchWindowSeconds > 0) {
    if (!windows) return { eventId, outcome: "ignored", reason: "batched events (BLOB_TRIGGER_BATCH_WINDOW_SECONDS) are not available on this route" };
    const batched = await batchBlobEvent(event, settings, windows);
    return { eventId, ...batched };
  }
  const decision = decideBlobCreated(event, settings);
  if (decision.kind === "ignore") return { eventId, outcome: "ignored", reason: decision.reason };
  const runId = decision.instanceId;
  // The Event Grid event id correlates the run with the delivery that started it.
  const started = await startBlobRun(runs, config, {
    instanceId: runId,
    body: decision.body,
    correlationId: eventId ? `eventgrid:${eventId}`.slice(0, 128) : null,
  });
  if (started.kind === "invalid") return { eventId, outcome: "ignored", reason: started.reason };
  // A run for this blob version is never replaced, even a failed one: a retry is an explicit API call.
  return started.kind === "started"
    ? { eventId, outcome: "started", runId }
    : { eventId, outcome: "exists", runId, reason: "a run for this blob version exists; left alone" };
}
