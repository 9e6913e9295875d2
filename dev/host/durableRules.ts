/**
 * What the real Durable extension enforces and the dev host therefore enforces too, each rule
 * with the section of docs/azure-behaviour.md that verifies it. A rule can be relaxed only
 * through a named `DurableLeniency` option, so a test that relies on leniency says so.
 */
import { EventType, type HistoryEvent } from "./history";

/**
 * Relaxations of the rules below. Every field is off (strict, as in Azure) unless a test or a
 * bench turns it on by name.
 */
export interface DurableLeniency {
  /**
   * Accept a custom status over 16 KB of UTF-16 JSON (Azure fails the episode:
   * docs/azure-behaviour.md#custom-status-limit).
   */
  oversizedCustomStatus?: boolean;
  /**
   * Keep `createdTime` across continueAsNew (the Azure Storage backend rewrites it:
   * docs/azure-behaviour.md#createdtime-and-continueasnew).
   */
  stableCreatedTime?: boolean;
  /**
   * Forget a canceled timer (Azure keeps it: its TimerFired arrives later and costs an episode;
   * docs/azure-behaviour.md#canceled-timers).
   */
  dropCanceledTimers?: boolean;
}

/**
 * How a start on an id that exists is handled (docs/azure-behaviour.md#starting-an-existing-instance).
 * - `checked` (default): a running or pending instance refuses the start (the client throws; over HTTP a 500 OrchestrationAlreadyExists), a finished one is
 *   replaced (`OverridableExistingInstanceStates=NonRunningStates`).
 * - `azureStorageRace`: the Azure Storage backend's check-then-act window, at its worst: a start
 *   on a live instance answers success and is dropped, so the caller silently shares the
 *   existing run (the backend checks the instance row, then sends the start message; the
 *   duplicate ExecutionStarted is discarded when the orchestration already runs).
 */
export type StartConflictMode = "checked" | "azureStorageRace";

/**
 * Custom status is limited to 16 KB of UTF-16 JSON text; the extension truncates the size to whole
 * KB before comparing, so 16.99 KB passes and 17 KB fails, with this message
 * (docs/azure-behaviour.md#custom-status-limit).
 */
export const maxCustomStatusKb = 16;

/** UTF-16 bytes of a value's JSON text: two per UTF-16 code unit, as .NET strings count them. */
export function utf16JsonBytes(value: unknown): number {
  const json = JSON.stringify(value ?? null) ?? "null";
  return json.length * 2;
}

/** The extension's error for this custom status, or null when it is within the limit. */
export function customStatusProblem(customStatus: unknown): string | null {
  if (customStatus === undefined || customStatus === null) return null;
  const kb = Math.floor(utf16JsonBytes(customStatus) / 1024);
  return kb > maxCustomStatusKb
    ? `The UTF-16 size of the JSON-serialized payload must not exceed ${maxCustomStatusKb} KB. The current payload size is ${kb} KB.`
    : null;
}

/**
 * How the extension words an episode that failed on its custom status. It sets the status before
 * replaying the worker's actions, so on an episode whose history already holds scheduled tasks,
 * the replay finds them unscheduled and reports non-determinism instead
 * (docs/azure-behaviour.md#custom-status-limit).
 */
export function customStatusFailure(problem: string, firstScheduled: HistoryEvent | undefined): string {
  if (!firstScheduled) return problem;
  return `${nonDeterministic}${unscheduledTaskText(firstScheduled)}`;
}

export const nonDeterministic = "Non-Deterministic workflow detected: ";
const changed = "Was a change made to the orchestrator code after this instance had already started running?";

/**
 * durabletask's text for a history event whose action the replay did not produce
 * (`TaskOrchestrationContext.Handle*Event`; docs/azure-behaviour.md#sub-orchestrations and
 * docs/azure-behaviour.md#entities for the last two kinds).
 */
export function unscheduledTaskText(e: HistoryEvent): string {
  const id = e.EventId;
  switch (e.EventType) {
    case EventType.TaskScheduled:
      return `A previous execution of this orchestration scheduled an activity task with sequence ID ${id} and name '${e.Name}' (version ''), but the current replay execution hasn't (yet?) scheduled this task. ${changed}`;
    case EventType.SubOrchestrationInstanceCreated:
      return `A previous execution of this orchestration scheduled a sub-orchestration task with sequence ID ${id} and name '${e.Name}' (version '', instance ID '${e.InstanceId}'), but the current replay execution hasn't (yet?) scheduled this task. ${changed}`;
    case EventType.EventSent:
      return `A previous execution of this orchestration scheduled a send event task with sequence ID ${id}, type 'EventSent' name '${e.Name}', instance ID '${e.InstanceId}', but the current replay execution hasn't (yet?) scheduled this task. ${changed}`;
    default:
      return `A previous execution of this orchestration scheduled a timer task with sequence ID ${id}, but the current replay execution hasn't (yet?) scheduled this task. ${changed}`;
  }
}

/** durabletask's text for a history event whose sequence number the replay gave another kind of action. */
export function replacedTaskText(e: HistoryEvent, actionTypeName: string): string {
  const id = e.EventId;
  switch (e.EventType) {
    case EventType.TaskScheduled:
      return `A previous execution of this orchestration scheduled an activity task with sequence number ${id} named '${e.Name}', but the current orchestration replay instead produced a ${actionTypeName} action with this sequence number. ${changed}`;
    case EventType.SubOrchestrationInstanceCreated:
      return `A previous execution of this orchestration scheduled a sub-orchestration task with sequence ID ${id} and name '${e.Name}' (version '', instance ID '${e.InstanceId}'), but the current orchestration replay instead produced a ${actionTypeName} action at this sequence number. ${changed}`;
    case EventType.EventSent:
      return `A previous execution of this orchestration scheduled a send event task with sequence ID ${id}, type 'EventSent', name '${e.Name}', instance ID '${e.InstanceId}', but the current orchestration replay instead scheduled a ${actionTypeName} task at this sequence number. ${changed}`;
    default:
      return `A previous execution of this orchestration scheduled a timer task with sequence number ${id} named but the current orchestration replay instead produced a ${actionTypeName} action with this sequence number. ${changed}`;
  }
}

/** durabletask's text for an activity or sub-orchestration the replay scheduled under another name. */
export function renamedTaskText(e: HistoryEvent, newName: string): string {
  return e.EventType === EventType.TaskScheduled
    ? `A previous execution of this orchestration scheduled an activity task with sequence number ${e.EventId} named '${e.Name}', but the current orchestration replay instead scheduled an activity task named '${newName}' with this sequence number.  ${changed}`
    : `A previous execution of this orchestration scheduled a sub-orchestration task with sequence ID ${e.EventId} and name '${e.Name}' (version '', instance ID '${e.InstanceId}'), but the current orchestration replay instead scheduled a sub-orchestration task with name ${newName} at this sequence number. ${changed}`;
}

/**
 * A failed activity as the extension records it: the reason is `Activity function '<name>' failed: `
 * plus the worker's message, which the extension cuts out of the host's RPC exception text after
 * `\nException:`, leading space included (hence two spaces). The details are the .NET exception
 * serialized with type names, the Node error inside (docs/azure-behaviour.md#failure-texts).
 */
export function activityFailure(name: string, error: Error): { reason: string; details: string } {
  const friendly = ` ${error.message}`;
  const rpcMessage = `Result: Failure\nException: ${error.message}\nStack: ${error.stack ?? ""}`;
  const details = {
    $type: "System.Exception, System.Private.CoreLib",
    ClassName: "System.Exception",
    Message: friendly,
    Data: null,
    InnerException: {
      $type: "Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException, Microsoft.Azure.WebJobs.Script",
      IsUserException: false,
      RemoteStackTrace: error.stack ?? null,
      RemoteMessage: error.message,
      ClassName: "Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException",
      Message: rpcMessage,
    },
  };
  return { reason: `Activity function '${name}' failed: ${friendly}`, details: JSON.stringify(details) };
}

/**
 * A start on an instance that is running: the Azure Storage provider throws
 * `OrchestrationAlreadyExistsException`, which the extension's HTTP API answers with 500 and
 * its generic error body (docs/azure-behaviour.md#starting-an-existing-instance).
 */
export function alreadyExistsBody(status: string): Record<string, string> {
  return {
    Message: "Something went wrong while processing your request",
    ExceptionMessage: `An Orchestration instance with the status ${status} already exists.`,
    ExceptionType: "DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException",
    StackTrace: "",
  };
}
