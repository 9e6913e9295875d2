/**
 * One batch of entity operations, as the extension's entity scheduler runs it for an
 * out-of-process worker (`TaskEntityShim.ExecuteOutOfProcBatch`): every queued operation goes to
 * the entity function in one call, in arrival order; the state it returns replaces the entity's
 * (no rollback of a failed operation: the worker owns the state); each call gets a response
 * event, each signal the entity sent becomes a request to its target.
 * Sources: docs/azure-behaviour.md#entities.
 */
import { randomUUID } from "node:crypto";
import type { InvocationContext } from "@azure/functions";
import {
  batchResultProblem,
  type EntityBatchResult,
  entityRef,
  type EntityRef,
  entityTrigger,
  rememberedRequestIds,
  requestEventName,
  requestMessage,
  type RequestMessage,
  responseMessage,
  schedulerId,
} from "./entities";
import type { RegisteredFunction } from "./functionsCore";
import { events } from "./history";
import type { EntityRecordState, OutboxMessage } from "./instanceStore";

/** Runs the entity function on a batch; a throw or a result the extension cannot read is a problem, not an exception. */
export async function runEntityFunction(
  fn: RegisteredFunction,
  entity: EntityRef,
  state: EntityRecordState,
  batch: RequestMessage[],
  context: InvocationContext,
): Promise<{ result: EntityBatchResult } | { problem: string }> {
  try {
    const value = JSON.parse(JSON.stringify((await fn.handler(entityTrigger(entity, state, batch), context)) ?? null)) as unknown;
    const problem = batchResultProblem(value, batch.length);
    return problem ? { problem } : { result: value as EntityBatchResult };
  } catch (err) {
    return { problem: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * The entity's state after the batch and the messages it sends: a response to every call (to the
 * caller's instance and execution, named by the request id), and the entity's own signals. When
 * the batch could not run, the state stays and each call is answered with the problem as an error.
 */
export function batchOutcome(
  entityInstanceId: string,
  state: EntityRecordState,
  batch: RequestMessage[],
  outcome: { result: EntityBatchResult } | { problem: string },
  now: number,
): { state: EntityRecordState; messages: OutboxMessage[] } {
  const messages: OutboxMessage[] = [];
  const result = "result" in outcome ? outcome.result : undefined;
  batch.forEach((request, i) => {
    if (request.signal || !request.parent || !request.parentExecution) return;
    const r = result?.results[i];
    const response = result ? responseMessage(r?.result, r?.isError === true) : responseMessage(JSON.stringify((outcome as { problem: string }).problem), true);
    messages.push({
      kind: "toOrchestration",
      target: request.parent,
      executionId: request.parentExecution,
      event: events.eventRaised(now, request.id, response),
    });
  });
  for (const signal of result?.signals ?? []) {
    const target = schedulerId(entityRef(signal.target.name, signal.target.key));
    // A signal from an entity carries the entity as parent and no execution id (TaskEntityShim).
    const request = requestMessage({ op: signal.name, signal: true, input: signal.input ?? undefined, id: randomUUID(), parent: entityInstanceId });
    messages.push({ kind: "entityRequest", target, requestId: request.id, event: events.eventRaised(now, requestEventName, JSON.stringify(request)) });
  }
  const next: EntityRecordState = result
    ? { ...state, exists: result.entityExists === true, state: result.entityState ?? null, lastOperationTime: now }
    : { ...state, lastOperationTime: now };
  next.recentRequestIds = [...state.recentRequestIds, ...batch.map((r) => r.id)].slice(-rememberedRequestIds);
  return { state: next, messages };
}
