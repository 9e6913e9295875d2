/**
 * BlobCreated events in, scoring runs out: at most one run per blob version, never a second
 * start for an id that exists (even a failed run: a retry is an explicit API call, not a
 * redelivered event). Every ignored event is logged with its reason.
 *
 * A batch is answered within Event Grid's response timeout (docs/azure-behaviour.md#event-grid-batches):
 * every event is decided first, without I/O; each blob version is started once however often
 * the batch repeats it, and the distinct versions are started a few at once. The outcomes come
 * back in the events' order. A start that fails fails the batch (Event Grid delivers it again),
 * after the others were tried.
 */
import type { AppConfig, BlobTriggerSettings } from "../config";
import type { BlobWindowClient } from "../runs/blobWindowClient";
import type { RunsClient } from "../runs/durableRuns";
import { decideBlobCreated } from "./blobCreated";
import { batchBlobEvent } from "./blobWindowEvents";
import { settleWithLimit } from "./settleWithLimit";
import { type BlobRunStart, startBlobRun } from "./startBlobRun";
import { type IncomingEvent, toIncomingEvent } from "./toIncomingEvent";

export interface EventOutcome {
  eventId: string | null;
  outcome: "started" | "exists" | "signaled" | "batched" | "ignored" | "malformed";
  runId?: string;
  reason?: string;
}

/**
 * Blob versions started at once per batch: each start is a few round trips to the task hub
 * (read, start, read back), so a handful at once overlaps their waits without flooding it.
 */
export const concurrentBlobStarts = 16;

/** What one event asks for, decided without I/O. */
type Plan =
  | { kind: "answered"; outcome: EventOutcome }
  | { kind: "start"; eventId: string; runId: string; body: Record<string, unknown> }
  | { kind: "window"; event: IncomingEvent; settings: BlobTriggerSettings };

export async function startRunsForBlobEvents(
  rawEvents: unknown[],
  runs: RunsClient,
  config: AppConfig,
  log: (message: string) => void,
  /** Batched events (BLOB_TRIGGER_BATCH_WINDOW_SECONDS > 0) need it; without it they are ignored, with the reason. */
  windows?: BlobWindowClient,
): Promise<EventOutcome[]> {
  const plans = rawEvents.map((raw) => planFor(raw, config, windows !== undefined));
  // The first event naming a blob version starts its run; the batch's later copies share that start.
  const starts = new Map<string, Extract<Plan, { kind: "start" }>>();
  for (const plan of plans) if (plan.kind === "start" && !starts.has(plan.runId)) starts.set(plan.runId, plan);
  const started = await settleWithLimit([...starts.values()], concurrentBlobStarts, (plan) =>
    startBlobRun(runs, config, {
      instanceId: plan.runId,
      body: plan.body,
      // The Event Grid event id correlates the run with the delivery that started it.
      correlationId: `eventgrid:${plan.eventId}`.slice(0, 128),
    }),
  );
  const startOf = new Map([...starts.keys()].map((runId, i) => [runId, started[i]!]));

  const outcomes: EventOutcome[] = [];
  const answeredStarted = new Set<string>();
  let failure: unknown;
  for (const plan of plans) {
    let outcome: EventOutcome;
    if (plan.kind === "answered") outcome = plan.outcome;
    // Batched events go one by one, as their folder's entity takes them.
    else if (plan.kind === "window") outcome = { eventId: plan.event.id, ...(await batchBlobEvent(plan.event, plan.settings, windows as BlobWindowClient)) };
    else {
      const start = startOf.get(plan.runId)!;
      if (start.status === "rejected") {
        failure ??= start.reason;
        continue;
      }
      outcome = startedOutcome(plan, start.value, !answeredStarted.has(plan.runId));
      if (outcome.outcome === "started") answeredStarted.add(plan.runId);
    }
    const what = outcome.runId ? ` run ${outcome.runId}` : "";
    log(`BlobCreated event ${outcome.eventId ?? "(no id)"}: ${outcome.outcome}${what}${outcome.reason ? `: ${outcome.reason}` : ""}`);
    outcomes.push(outcome);
  }
  if (failure !== undefined) throw failure;
  return outcomes;
}

function planFor(raw: unknown, config: AppConfig, windowsAvailable: boolean): Plan {
  const answered = (outcome: EventOutcome): Plan => ({ kind: "answered", outcome });
  const event = toIncomingEvent(raw);
  if ("malformed" in event) return answered({ eventId: null, outcome: "malformed", reason: event.malformed });
  const eventId = event.id;
  if ("problem" in config.blobTrigger) return answered({ eventId, outcome: "ignored", reason: config.blobTrigger.problem });
  const settings = config.blobTrigger.settings;
  if (settings.batchWindowSeconds > 0) {
    if (!windowsAvailable)
      return answered({ eventId, outcome: "ignored", reason: "batched events (BLOB_TRIGGER_BATCH_WINDOW_SECONDS) are not available on this route" });
    return { kind: "window", event, settings };
  }
  const decision = decideBlobCreated(event, settings);
  if (decision.kind === "ignore") return answered({ eventId, outcome: "ignored", reason: decision.reason });
  return { kind: "start", eventId, runId: decision.instanceId, body: decision.body };
}

/** The first event of the batch naming a run it started says so; every other event for the version finds the run there. */
function startedOutcome(plan: { eventId: string; runId: string }, start: BlobRunStart, isFirst: boolean): EventOutcome {
  const { eventId, runId } = plan;
  if (start.kind === "invalid") return { eventId, outcome: "ignored", reason: start.reason };
  // A run for this blob version is never replaced, even a failed one: a retry is an explicit API call.
  return start.kind === "started" && isFirst
    ? { eventId, outcome: "started", runId }
    : { eventId, outcome: "exists", runId, reason: "a run for this blob version exists; left alone" };
}
