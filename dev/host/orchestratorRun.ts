/**
 * One orchestrator episode as the Durable extension runs an out-of-process worker: the trigger it
 * passes, the state it reads back, and how it judges that state (failure text, non-determinism,
 * actions the dev host does not support). Pure, apart from calling the handler.
 */
import type { InvocationContext } from "@azure/functions";
import type { RegisteredFunction } from "./functionsCore";
import { type Action, ActionType, EventType, type HistoryEvent, isScheduleEvent } from "./history";

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

/** What the extension passes an orchestrator function: the execution's history and its input. */
export function orchestrationTrigger(instanceId: string, history: HistoryEvent[], started: HistoryEvent, isReplaying: boolean): unknown {
  return {
    history: JSON.parse(JSON.stringify(history)),
    input: JSON.parse((started.Input as string | undefined) ?? "null"),
    instanceId,
    isReplaying,
    parentInstanceId: null,
    upperSchemaVersion: 2, // replay schema V3, as the v2+ extension negotiates
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
export function firstScheduled(history: HistoryEvent[]): { kind: "activity" | "timer"; id: number; name?: string } | undefined {
  const e = history.find(isScheduleEvent);
  if (!e) return undefined;
  return e.EventType === EventType.TaskScheduled ? { kind: "activity", id: e.EventId, name: e.Name as string } : { kind: "timer", id: e.EventId };
}

/** Names the first replayed action that does not match what history says was scheduled, if any. */
export function determinismMismatch(sequenced: Action[], scheduled: HistoryEvent[]): string | undefined {
  for (let id = 0; id < scheduled.length; id++) {
    const action = sequenced[id];
    const event = scheduled[id];
    if (!action) return `history has ${scheduled.length} scheduled tasks but the orchestrator now schedules ${sequenced.length}.`;
    const expectActivity = event.EventType === EventType.TaskScheduled;
    const isActivity = action.actionType === ActionType.CallActivity || action.actionType === ActionType.CallActivityWithRetry;
    if (expectActivity !== isActivity || (expectActivity && action.functionName !== event.Name)) {
      const was = expectActivity ? `activity '${event.Name}'` : "a timer";
      const now = isActivity ? `activity '${action.functionName}'` : `action type ${action.actionType}`;
      return `task ${id} was ${was} in history but the orchestrator now schedules ${now}.`;
    }
  }
  return undefined;
}

/** Why the dev host cannot run a new action, or undefined for the two it runs (activities, timers). */
export function unsupportedAction(action: Action): string | undefined {
  if (action.actionType === ActionType.CallActivity || action.actionType === ActionType.CreateTimer) return undefined;
  const names: Record<number, string> = {
    [ActionType.CallActivityWithRetry]: "callActivityWithRetry",
    [ActionType.CallSubOrchestrator]: "callSubOrchestrator",
    [ActionType.CallSubOrchestratorWithRetry]: "callSubOrchestratorWithRetry",
    [ActionType.CallEntity]: "callEntity",
    [ActionType.CallHttp]: "callHttp",
  };
  return `the dev host does not support ${names[action.actionType] ?? `action type ${action.actionType}`}.`;
}
