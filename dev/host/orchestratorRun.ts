/**
 * One orchestrator episode as the Durable extension runs an out-of-process worker: the trigger it
 * passes, the state it reads back, and how it judges that state (failure text, non-determinism,
 * actions the dev host does not support). Pure, apart from calling the handler.
 */
import type { InvocationContext } from "@azure/functions";
import type { RegisteredFunction } from "./functionsCore";
import { nonDeterministic, renamedTaskText, replacedTaskText, unscheduledTaskText } from "./durableRules";
import { type Action, ActionType, EventType, type HistoryEvent, isScheduleEvent } from "./history";
import type { RetryState } from "./instanceStore";

const outOfProcDataLabel = "\n\n$OutOfProcData$:";

/** The orchestrator state the SDK returns (or attaches to a thrown failure). */
export interface OrchestratorStateJson {
  isDone: boolean;
  actions: unknown;
  output?: unknown;
  /** The thrown error's message, when the orchestrator failed. */
  error?: unknown;
  customStatus?: unknown;
}

/**
 * What the extension passes an orchestrator function: the execution's history, its input, and
 * (sub-orchestrations) the parent's instance id (extension
 * `OrchestrationTriggerAttributeBindingProvider.OrchestrationContextToString`: schema V2 in
 * `upperSchemaVersion`, V3 in `upperSchemaVersionNew`, which durable-functions prefers). The first
 * `playedCount` events go as played (IsPlayed): what earlier episodes recorded.
 */
export function orchestrationTrigger(
  instanceId: string,
  history: HistoryEvent[],
  started: HistoryEvent,
  isReplaying: boolean,
  parentInstanceId: string | null = null,
  playedCount = 0,
): unknown {
  const wire = JSON.parse(JSON.stringify(history)) as HistoryEvent[];
  for (let i = 0; i < playedCount; i++) wire[i]!.IsPlayed = true;
  return {
    history: wire,
    input: JSON.parse((started.Input as string | undefined) ?? "null"),
    instanceId,
    isReplaying,
    parentInstanceId,
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 2,
    maximumShortTimerDuration: "6.00:00:00",
    longRunningTimerIntervalDuration: "3.00:00:00",
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
}

/**
 * Runs the registered orchestrator handler once. A thrown failure carries the SDK's state after
 * `$OutOfProcData$:`; the text before it is the SDK's `orchestratorReturned` flag ("false"), so
 * the failure is read from the state's `error` (the thrown error's message), as the extension does
 * (docs/azure-behaviour.md#failure-texts).
 */
export async function runOrchestratorHandler(
  fn: RegisteredFunction,
  trigger: unknown,
  context: InvocationContext,
): Promise<{ state: OrchestratorStateJson | undefined; failure: string | undefined }> {
  try {
    return { state: JSON.parse(JSON.stringify(await fn.handler(trigger, context))) as OrchestratorStateJson, failure: undefined };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const at = message.indexOf(outOfProcDataLabel);
    if (at < 0) return { state: undefined, failure: message };
    const state = JSON.parse(message.slice(at + outOfProcDataLabel.length)) as OrchestratorStateJson;
    return { state, failure: typeof state.error === "string" ? state.error : message.slice(0, at) };
  }
}

/**
 * A failed orchestration's output: `Orchestrator function '<name>' failed: <message>`, except for
 * non-determinism, which keeps its own text (docs/azure-behaviour.md#failure-texts).
 */
export function failureOutput(name: string, failure: string): string {
  return failure.startsWith("Non-Deterministic workflow detected") ? failure : `Orchestrator function '${name}' failed: ${failure}`;
}

/** Where the last episode's events begin: its OrchestratorStarted. */
export function lastEpisodeStart(history: HistoryEvent[]): number {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.EventType === EventType.OrchestratorStarted) return i;
  return 0;
}

/** The first task an execution's history already scheduled (what a replay must schedule again). */
export function firstScheduled(history: HistoryEvent[]): HistoryEvent | undefined {
  return history.find(isScheduleEvent);
}

/**
 * The sequence numbers of an execution's history that its orchestrator's own actions map to, in
 * order: every scheduled sequence number except those the host took for retries (timers between
 * attempts and later attempts), which durable-functions numbers too but records no action for.
 * The next free sequence number follows the last scheduled one.
 */
export function sequenceMap(history: HistoryEvent[], retries: RetryState[] | undefined): { primary: HistoryEvent[]; nextId: number } {
  const retryIds = new Set((retries ?? []).flatMap((r) => r.ids));
  const scheduled = history.filter(isScheduleEvent).sort((a, b) => a.EventId - b.EventId);
  return { primary: scheduled.filter((e) => !retryIds.has(e.EventId)), nextId: scheduled.length };
}

/** The durabletask action an orchestrator action becomes (the names durabletask's messages use). */
function durableTaskAction(action: Action): string {
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry:
      return "ScheduleTaskOrchestratorAction";
    case ActionType.CreateTimer:
      return "CreateTimerOrchestratorAction";
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry:
      return "CreateSubOrchestrationAction";
    case ActionType.CallEntity:
    case ActionType.SignalEntity:
      return "SendEventOrchestratorAction";
    default:
      return `action type ${action.actionType}`;
  }
}

const recordedAs: Record<number, string> = {
  [EventType.TaskScheduled]: "ScheduleTaskOrchestratorAction",
  [EventType.TimerCreated]: "CreateTimerOrchestratorAction",
  [EventType.SubOrchestrationInstanceCreated]: "CreateSubOrchestrationAction",
  [EventType.EventSent]: "SendEventOrchestratorAction",
};

/**
 * The first recorded action the replay does not produce again, as durabletask words it, or
 * undefined: the `primary` events of `sequenceMap` against the orchestrator's sequenced actions,
 * compared on kind and (activities, sub-orchestrations, entity messages) name, ignoring case.
 */
export function determinismMismatch(sequenced: Action[], primary: HistoryEvent[]): string | undefined {
  for (let i = 0; i < primary.length; i++) {
    const event = primary[i]!;
    const action = sequenced[i];
    if (!action) return `${nonDeterministic}${unscheduledTaskText(event)}`;
    const kind = durableTaskAction(action);
    if (kind !== recordedAs[event.EventType]) return `${nonDeterministic}${replacedTaskText(event, kind)}`;
    const name = action.actionType === ActionType.CallEntity || action.actionType === ActionType.SignalEntity ? "op" : action.functionName;
    if (event.EventType !== EventType.TimerCreated && String(name).toLowerCase() !== String(event.Name).toLowerCase()) {
      return `${nonDeterministic}${event.EventType === EventType.EventSent ? replacedTaskText(event, kind) : renamedTaskText(event, String(name))}`;
    }
  }
  return undefined;
}

/**
 * Why the dev host cannot run a new action, or undefined for those it runs. Lock and release
 * actions never reach the extension from durable-functions 3.x (its `lock()` needs replay schema
 * V4, which the extension does not offer), and the extension rejects an action type it does not
 * know with this text, `$` included (`OutOfProcOrchestrationShim.InvokeAPIFromAction`).
 */
export function unsupportedAction(action: Action): string | undefined {
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CreateTimer:
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry:
    case ActionType.CallEntity:
    case ActionType.SignalEntity:
      return undefined;
    case ActionType.LockEntities:
    case ActionType.ReleaseEntities:
      return `Received an unexpected action type from the out-of-proc function: '$${action.actionType}'.`;
    case ActionType.CallActivityWithRetry:
      return "the dev host does not support callActivityWithRetry.";
    case ActionType.CallHttp:
      return "the dev host does not support callHttp.";
    default:
      return `the dev host does not support action type ${action.actionType}.`;
  }
}
