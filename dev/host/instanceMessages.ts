/**
 * Delivery of the messages instances send each other (a child's start, a child's answer, an
 * entity's answer, an entity request). A sender saves its messages with the step that made them
 * and sends them after, again on restart, so each receiver here drops a message it already has.
 */
import { randomUUID } from "node:crypto";
import { entityFromSchedulerId, type RequestMessage } from "./entities";
import { answeredTaskId, EventType } from "./history";
import type { InstanceRecord, InstanceStore, OutboxMessage, ParentRef } from "./instanceStore";
import type { Logger } from "./invocation";

export interface DeliveryDeps {
  store: InstanceStore;
  now: number;
  log: Logger;
  schedule(instanceId: string): void;
  newExecution(instanceId: string, name: string, input: string, parent: ParentRef): InstanceRecord;
}

const ended = (r: InstanceRecord) => r.runtimeStatus === "Completed" || r.runtimeStatus === "Failed" || r.runtimeStatus === "Terminated";

export function deliverMessage(message: OutboxMessage, deps: DeliveryDeps): void {
  const target = deps.store.get(message.target);
  if (message.kind === "startChild") {
    const p = message.parent;
    const same = target?.parent;
    if (same && same.instanceId === p.instanceId && same.executionId === p.executionId && same.taskScheduleId === p.taskScheduleId) return;
    if (target && !ended(target)) {
      // A start message for a running instance is dropped, as the Azure Storage backend drops a
      // second ExecutionStarted; the parent waits (docs/azure-behaviour.md#sub-orchestrations).
      deps.log("warn", `dev host: sub-orchestration ${message.target} is already ${target.runtimeStatus}; its start from ${p.instanceId} is dropped`);
      return;
    }
    deps.store.save(deps.newExecution(message.target, message.name, message.input, p));
    deps.schedule(message.target);
    return;
  }
  if (message.kind === "toOrchestration") {
    // durabletask drops messages for another execution or an instance that has ended.
    if (!target || target.executionId !== message.executionId || ended(target)) return;
    const answers = answeredTaskId(message.event);
    const seen = [...target.history, ...target.inbox].some((e) =>
      answers !== undefined ? answeredTaskId(e) === answers : e.EventType === EventType.EventRaised && e.Name === message.event.Name,
    );
    if (seen) return;
    target.inbox.push(message.event);
    deps.store.save(target);
    deps.schedule(target.instanceId);
    return;
  }
  const entity = target ?? newEntityRecord(message.target, deps.now);
  if (entity.entity!.recentRequestIds.includes(message.requestId)) return;
  if (entity.inbox.some((e) => (JSON.parse(e.Input as string) as RequestMessage).id === message.requestId)) return;
  entity.inbox.push(message.event);
  deps.store.save(entity);
  deps.schedule(entity.instanceId);
}

/** The scheduler instance that carries an entity, before its first operation. */
function newEntityRecord(instanceId: string, now: number): InstanceRecord {
  return {
    instanceId,
    name: entityFromSchedulerId(instanceId).name,
    executionId: randomUUID().replace(/-/g, ""),
    createdTime: now,
    lastUpdatedTime: now,
    runtimeStatus: "Running",
    input: null,
    output: null,
    customStatus: null,
    history: [],
    inbox: [],
    lastActions: [],
    pastExecutions: [],
    episodes: 0,
    entity: { exists: false, state: null, lastOperationTime: now, recentRequestIds: [] },
  };
}
