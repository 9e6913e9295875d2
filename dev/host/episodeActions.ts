/**
 * What the extension records for an orchestrator's new sub-orchestration and entity actions, and
 * the follow-ups of `callSubOrchestratorWithRetry` (durabletask's RetryInterceptor): the history
 * events, and the messages to other instances the engine sends once the episode is saved. Pure.
 * Sources: docs/azure-behaviour.md#sub-orchestrations, docs/azure-behaviour.md#entities.
 */
import { randomUUID } from "node:crypto";
import { entityFromSchedulerId, operationInput, requestEventName, requestMessage, unknownEntityMessage } from "./entities";
import { type Action, ActionType, events, type HistoryEvent } from "./history";
import type { OutboxMessage, ParentRef, RetryOptionsJson, RetryState } from "./instanceStore";
import { childInstanceId, retryStep, subOrchestrationProblem } from "./subOrchestrations";

export interface EpisodeCaller {
  instanceId: string;
  executionId: string;
  name: string;
  parentInstanceId: string | undefined;
  now: number;
  orchestrators: string[];
  entities: string[];
}

export type Scheduled = { events: HistoryEvent[]; messages: OutboxMessage[]; retry?: RetryState } | { problem: string };

const jsonOf = (input: unknown): string => JSON.stringify(input ?? null);

/** A sub-orchestration (attempt) under sequence number `id`: its Created event and the child's start. */
function childAttempt(caller: EpisodeCaller, id: number, name: string, givenId: unknown, input: string): Scheduled {
  const target = childInstanceId(givenId, caller.executionId, id);
  const parent: ParentRef = { instanceId: caller.instanceId, executionId: caller.executionId, name: caller.name, taskScheduleId: id };
  return { events: [events.subOrchestrationCreated(caller.now, id, name, target, input)], messages: [{ kind: "startChild", target, name, input, parent }] };
}

/**
 * A new sub-orchestration or entity action under sequence number `id`. The extension's checks
 * fail the caller here; on Azure (replay schema V2/V3) the shim swallows them and the caller
 * hangs instead (docs/azure-behaviour.md#sub-orchestrations).
 */
export function scheduleAction(action: Action, id: number, caller: EpisodeCaller): Scheduled {
  switch (action.actionType) {
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry: {
      const problem = subOrchestrationProblem(action, caller, caller.orchestrators);
      if (problem) return { problem };
      const name = String(action.functionName);
      const input = jsonOf(action.input);
      const scheduled = childAttempt(caller, id, name, action.instanceId, input);
      if (action.actionType === ActionType.CallSubOrchestrator || "problem" in scheduled) return scheduled;
      const retry: RetryState = {
        firstId: id,
        kind: "subOrchestration",
        name,
        input,
        ...(typeof action.instanceId === "string" && action.instanceId !== "" ? { instanceId: action.instanceId } : {}),
        options: action.retryOptions as RetryOptionsJson,
        firstAttemptAt: caller.now,
        attempts: 1,
        currentId: id,
        waiting: "attempt",
        ids: [],
      };
      return { ...scheduled, retry };
    }
    case ActionType.CallEntity:
    case ActionType.SignalEntity: {
      const target = String(action.instanceId);
      const entity = entityFromSchedulerId(target);
      // Extension `CallDurableTaskFunctionAsync`: `ThrowIfFunctionDoesNotExist(name, FunctionType.Entity)`.
      if (!caller.entities.some((e) => e.toLowerCase() === entity.name)) {
        return { problem: unknownEntityMessage(entity.name, caller.entities, caller.orchestrators) };
      }
      const request = requestMessage({
        op: String(action.operation),
        signal: action.actionType === ActionType.SignalEntity,
        input: operationInput(action.input),
        id: randomUUID(),
        parent: caller.instanceId,
        parentExecution: caller.executionId,
        timestamp: new Date(caller.now).toISOString(),
      });
      const json = JSON.stringify(request);
      return {
        events: [events.eventSent(caller.now, id, target, requestEventName, json)],
        messages: [{ kind: "entityRequest", target, requestId: request.id, event: events.eventRaised(caller.now, requestEventName, json) }],
      };
    }
    default:
      return { problem: `the dev host cannot schedule action type ${action.actionType}.` };
  }
}

/**
 * What the execution's retries schedule on the episode's new events, in event order, taking
 * sequence numbers from `nextId` on (durabletask's RetryInterceptor runs as each event is
 * replayed; durable-functions' RetryableTask numbers its waits the same way). Mutates `retries`.
 */
export function retryFollowUps(
  retries: RetryState[],
  batch: HistoryEvent[],
  caller: EpisodeCaller,
  nextId: number,
): { events: HistoryEvent[]; messages: OutboxMessage[]; timers: Array<{ id: number; fireAt: number }>; nextId: number } {
  const out = { events: [] as HistoryEvent[], messages: [] as OutboxMessage[], timers: [] as Array<{ id: number; fireAt: number }>, nextId };
  for (const event of batch) {
    for (const r of retries) {
      const step = retryStep(r, event, caller.now);
      if (!step) continue;
      if (step.take === "none") {
        r.waiting = step.waiting;
        continue;
      }
      const id = out.nextId++;
      r.ids.push(id);
      r.currentId = id;
      if (step.take === "timer") {
        r.waiting = step.final ? "finalTimer" : "timer";
        const fireAt = new Date(step.fireAt).toISOString();
        out.events.push(events.timerCreated(caller.now, id, fireAt));
        out.timers.push({ id, fireAt: Date.parse(fireAt) });
      } else {
        r.waiting = "attempt";
        r.attempts++;
        const attempt = childAttempt(caller, id, r.name, r.instanceId, r.input ?? "null") as { events: HistoryEvent[]; messages: OutboxMessage[] };
        out.events.push(...attempt.events);
        out.messages.push(...attempt.messages);
      }
    }
  }
  return out;
}
