/**
 * Durable history events and actions as the Durable extension exchanges them with the JS SDK
 * (field names as the durable-functions package reads and writes them).
 */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
} as const;

export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

export interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  fireAt?: string | Date;
  isCanceled?: boolean;
  compoundActions?: Action[];
  [field: string]: unknown;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A sub-orchestration's parent, as its ExecutionStarted event names it (durabletask `ParentInstance`). */
export interface ParentInstance {
  OrchestrationInstance: { InstanceId: string; ExecutionId: string };
  Name: string;
  Version: string;
  TaskScheduleId: number;
}

export const events = {
  executionStarted: (at: number, name: string, input: string, instanceId: string, executionId: string, parent?: ParentInstance): HistoryEvent => ({
    EventType: EventType.ExecutionStarted,
    EventId: -1,
    IsPlayed: false,
    Timestamp: iso(at),
    Name: name,
    Input: input,
    Version: "",
    OrchestrationInstance: { InstanceId: instanceId, ExecutionId: executionId },
    ...(parent ? { ParentInstance: parent } : {}),
  }),
  orchestratorStarted: (at: number): HistoryEvent => ({ EventType: EventType.OrchestratorStarted, EventId: -1, IsPlayed: false, Timestamp: iso(at) }),
  orchestratorCompleted: (at: number): HistoryEvent => ({ EventType: EventType.OrchestratorCompleted, EventId: -1, IsPlayed: false, Timestamp: iso(at) }),
  taskScheduled: (at: number, id: number, name: string, input: string | undefined): HistoryEvent => ({
    EventType: EventType.TaskScheduled,
    EventId: id,
    IsPlayed: false,
    Timestamp: iso(at),
    Name: name,
    Input: input,
    Version: "",
  }),
  taskCompleted: (at: number, id: number, result: string | undefined): HistoryEvent => ({
    EventType: EventType.TaskCompleted,
    EventId: -1,
    IsPlayed: false,
    Timestamp: iso(at),
    TaskScheduledId: id,
    Result: result,
  }),
  taskFailed: (at: number, id: number, reason: string, details: string): HistoryEvent => ({
    EventType: EventType.TaskFailed,
    EventId: -1,
    IsPlayed: false,
    Timestamp: iso(at),
    TaskScheduledId: id,
    Reason: reason,
    Details: details,
  }),
  subOrchestrationCreated: (at: number, id: number, name: string, instanceId: string, input: string): HistoryEvent => ({
    EventType: EventType.SubOrchestrationInstanceCreated,
    EventId: id,
    IsPlayed: false,
    Timestamp: iso(at),
    Name: name,
    Version: "",
    InstanceId: instanceId,
    Input: input,
  }),
  subOrchestrationCompleted: (at: number, taskScheduledId: number, result: string): HistoryEvent => ({
    EventType: EventType.SubOrchestrationInstanceCompleted,
    EventId: -1,
    IsPlayed: false,
    Timestamp: iso(at),
    TaskScheduledId: taskScheduledId,
    Result: result,
  }),
  subOrchestrationFailed: (at: number, taskScheduledId: number, reason: string, details: string | null): HistoryEvent => ({
    EventType: EventType.SubOrchestrationInstanceFailed,
    EventId: -1,
    IsPlayed: false,
    Timestamp: iso(at),
    TaskScheduledId: taskScheduledId,
    Reason: reason,
    Details: details,
    FailureDetails: null,
  }),
  eventSent: (at: number, id: number, instanceId: string, name: string, input: string): HistoryEvent => ({
    EventType: EventType.EventSent,
    EventId: id,
    IsPlayed: false,
    Timestamp: iso(at),
    InstanceId: instanceId,
    Name: name,
    Input: input,
  }),
  timerCreated: (at: number, id: number, fireAt: string): HistoryEvent => ({
    EventType: EventType.TimerCreated,
    EventId: id,
    IsPlayed: false,
    Timestamp: iso(at),
    FireAt: fireAt,
  }),
  timerFired: (at: number, id: number, fireAt: string): HistoryEvent => ({
    EventType: EventType.TimerFired,
    EventId: -1,
    IsPlayed: false,
    Timestamp: iso(at),
    TimerId: id,
    FireAt: fireAt,
  }),
  eventRaised: (at: number, name: string, input: string | undefined): HistoryEvent => ({
    EventType: EventType.EventRaised,
    EventId: -1,
    IsPlayed: false,
    Timestamp: iso(at),
    Name: name,
    Input: input,
  }),
  executionCompleted: (at: number, status: "Completed" | "Failed", result: string | undefined): HistoryEvent => ({
    EventType: EventType.ExecutionCompleted,
    EventId: -1,
    IsPlayed: false,
    Timestamp: iso(at),
    OrchestrationStatus: status,
    Result: result,
  }),
  executionTerminated: (at: number, reason: string): HistoryEvent => ({
    EventType: EventType.ExecutionTerminated,
    EventId: -1,
    IsPlayed: false,
    Timestamp: iso(at),
    Input: reason,
  }),
  continueAsNew: (at: number, input: string | undefined): HistoryEvent => ({
    EventType: EventType.ContinueAsNew,
    EventId: -1,
    IsPlayed: false,
    Timestamp: iso(at),
    Result: input,
  }),
};

/** Leaf actions in the order the SDK numbered their tasks (compound WhenAny/WhenAll flattened). */
export function flattenActions(actions: unknown): Action[] {
  const out: Action[] = [];
  const walk = (a: unknown) => {
    if (Array.isArray(a)) {
      a.forEach(walk);
    } else if (a && typeof a === "object") {
      const action = a as Action;
      if (action.actionType === ActionType.WhenAny || action.actionType === ActionType.WhenAll) {
        (action.compoundActions ?? []).forEach(walk);
      } else {
        out.push(action);
      }
    }
  };
  walk(actions);
  return out;
}

/**
 * Actions that take a sequence number: the EventId of their TaskScheduled, TimerCreated,
 * SubOrchestrationInstanceCreated or EventSent event. durable-functions numbers every task it
 * schedules, and a fire-and-forget signalEntity too (`recordFireAndForgetAction` bumps the
 * sequence number), as durabletask numbers every action it records (`idCounter++`).
 */
export function isSequencedAction(action: Action): boolean {
  return action.actionType !== ActionType.WaitForExternalEvent && action.actionType !== ActionType.ContinueAsNew;
}

/** The events that record a scheduled action under its sequence number (EventId). */
export function isScheduleEvent(e: HistoryEvent): boolean {
  return (
    e.EventType === EventType.TaskScheduled ||
    e.EventType === EventType.TimerCreated ||
    e.EventType === EventType.SubOrchestrationInstanceCreated ||
    e.EventType === EventType.EventSent
  );
}

/** The sequence number an event answers, if it answers a scheduled task or timer. */
export function answeredTaskId(e: HistoryEvent): number | undefined {
  switch (e.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed:
      return e.TaskScheduledId as number;
    case EventType.TimerFired:
      return e.TimerId as number;
    default:
      return undefined;
  }
}
