/**
 * The scoring run's side of the per-endpoint limit: ask the endpoint's entity for a slot before
 * the invoke, wait on durable timers (raced against cancel) while the limit is reached, and give
 * the slot back at the run's end. See endpointSlots.ts for the semaphore itself.
 */
import type { DurableOrchestrationContext, Task } from "durable-functions";
import type { ScoringRunRequest, SlotWait } from "../runs/types";
import { type AcquireAnswer, type AcquireRequest, endpointKey, endpointSlotsEntity, leaseEnd, slotRetrySeconds } from "./endpointSlots";
import { entityRef } from "./entityRef";
import type { RunEvents } from "./runEvents";

/** The entity id of an endpoint's slots. */
const entityOf = (request: Pick<ScoringRunRequest, "endpointUri" | "deployment">) =>
  entityRef(endpointSlotsEntity, endpointKey(request.endpointUri, request.deployment ?? null));

/**
 * Takes a slot: "granted", "cancel" when a cancel arrived while waiting, or "deadline" when the
 * run's deadline passed first (it then leaves the queue). `show` publishes the
 * run's place while it waits.
 */
export function* takeSlot(
  df: DurableOrchestrationContext,
  events: RunEvents,
  ask: { request: ScoringRunRequest; runId: string; limit: number; deadlineAt: string; cancelSeen: boolean },
  show: (wait: SlotWait) => void,
): Generator<Task, "granted" | "cancel" | "deadline", any> {
  const entity = entityOf(ask.request);
  for (;;) {
    const now = df.currentUtcDateTime;
    if (now.getTime() >= Date.parse(ask.deadlineAt)) {
      yield df.callEntity(entity, "release", { runId: ask.runId });
      return "deadline";
    }
    const request: AcquireRequest = { runId: ask.runId, limit: ask.limit, now: now.toISOString(), expiresAt: leaseEnd(ask.deadlineAt) };
    const answer = (yield df.callEntity(entity, "acquire", request)) as AcquireAnswer;
    if (answer.granted) return "granted";
    show({ position: answer.position, holders: answer.holders, limit: answer.limit });
    const retryAt = new Date(df.currentUtcDateTime.getTime() + slotRetrySeconds * 1000);
    if ((yield* events.wait(retryAt, { withStatus: false, cancelSeen: ask.cancelSeen })) === "cancel") {
      yield df.callEntity(entity, "release", { runId: ask.runId });
      return "cancel";
    }
  }
}

/** Gives the slot back (a no-op for a run that holds none). */
export function* releaseSlot(df: DurableOrchestrationContext, request: ScoringRunRequest, runId: string): Generator<Task, void, any> {
  yield df.callEntity(entityOf(request), "release", { runId });
}
