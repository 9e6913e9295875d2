/**
 * BlobCreated events in, scoring runs out: at most one run per blob version, never a second
 * start for an id that exists (even a failed run: a retry is an explicit API call, not a
 * redelivered event). Every ignored event is logged with its reason.
 */
import { validateStartRequest } from "../runs/request/validateStartRequest";
import type { AppConfig } from "../config";
import type { RunsClient } from "../runs/durableRuns";
import { newRunInput } from "../runs/runInput";
import { startOrJoin } from "../runs/startOrJoin";
import { decideBlobCreated } from "./blobCreated";
import { toIncomingEvent } from "./toIncomingEvent";

export interface EventOutcome {
  eventId: string | null;
  outcome: "started" | "exists" | "signaled" | "ignored" | "malformed";
  runId?: string;
  reason?: string;
}

export async function startRunsForBlobEvents(
  rawEvents: unknown[],
  runs: RunsClient,
  config: AppConfig,
  log: (message: string) => void,
): Promise<EventOutcome[]> {
  const outcomes: EventOutcome[] = [];
  for (const raw of rawEvents) {
    const outcome = await startRunForBlobEvent(raw, runs, config);
    const what = outcome.runId ? ` run ${outcome.runId}` : "";
    log(`BlobCreated event ${outcome.eventId ?? "(no id)"}: ${outcome.outcome}${what}${outcome.reason ? `: ${outcome.reason}` : ""}`);
    outcomes.push(outcome);
  }
  return outcomes;
}

async function startRunForBlobEvent(raw: unknown, runs: RunsClient, config: AppConfig): Promise<EventOutcome> {
  const event = toIncomingEvent(raw);
  if ("malformed" in event) return { eventId: null, outcome: "malformed", reason: event.malformed };
  const eventId = event.id;
  if ("problem" in config.blobTrigger) return { eventId, outcome: "ignored", reason: config.blobTrigger.problem };
  const decision = decideBlobCreated(event, config.blobTrigger.settings);
  if (decision.kind === "ignore") return { eventId, outcome: "ignored", reason: decision.reason };
  const validation = validateStartRequest(decision.body, config);
  if (!validation.ok) {
    return { eventId, outcome: "ignored", reason: `the run it would start is invalid: ${validation.details.map((d) => `${d.field} ${d.message}`).join("; ")}` };
  }
  const runId = decision.instanceId;
  // The Event Grid event id correlates the run with the delivery that started it.
  const input = newRunInput(validation.request, config, new Date(), eventId ? `eventgrid:${eventId}`.slice(0, 128) : null);
  // A run for this blob version is never replaced, even a failed one: a retry is an explicit API call.
  const outcome = await startOrJoin(runs, runId, input);
  return outcome.kind === "started"
    ? { eventId, outcome: "started", runId }
    : { eventId, outcome: "exists", runId, reason: "a run for this blob version exists; left alone" };
}
