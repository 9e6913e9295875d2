/**
 * Sub-orchestrations as the Durable extension runs them for an out-of-process worker: the child's
 * instance id, the checks the extension makes before it schedules one, what the parent receives
 * when the child ends, and the retry schedule of `callSubOrchestratorWithRetry`. Pure.
 * Sources: docs/azure-behaviour.md#sub-orchestrations.
 */
import { type Action, ActionType, answeredTaskId, EventType, type HistoryEvent } from "./history";
import type { RetryOptionsJson, RetryState } from "./instanceStore";

/**
 * The child's instance id: the one the orchestrator gave, else durabletask's default
 * `<parent execution id>:<sequence number>` (`TaskOrchestrationContext.CreateSubOrchestrationInstanceCore`).
 */
export function childInstanceId(given: unknown, parentExecutionId: string, sequenceNumber: number): string {
  return typeof given === "string" && given.trim() !== "" ? given : `${parentExecutionId}:${sequenceNumber}`;
}

/**
 * The extension's checks on a sub-orchestration call, in its order (`CallDurableTaskFunctionAsync`):
 * retry intervals within the backend's longest delay, a registered orchestrator, an id that is
 * neither the caller's nor its parent's, an id that does not start with `@`. Each is an
 * ArgumentException; the message is what the parent's failure output carries. .NET's
 * `ArgumentException(message, paramName)` appends ` (Parameter '<paramName>')`, and the `@` check
 * passes its two arguments the other way round, so its message is the parameter name.
 */
export function subOrchestrationProblem(
  action: Action,
  caller: { instanceId: string; parentInstanceId: string | undefined },
  knownOrchestrators: string[],
): string | undefined {
  const retry = action.actionType === ActionType.CallSubOrchestratorWithRetry ? (action.retryOptions as RetryOptionsJson | undefined) : undefined;
  if (retry) {
    const problem = retryOptionsProblem(retry);
    if (problem) return problem;
  }
  const name = String(action.functionName ?? "");
  if (!knownOrchestrators.some((known) => known.toLowerCase() === name.toLowerCase())) return unknownOrchestratorMessage(name, knownOrchestrators);
  const id = typeof action.instanceId === "string" && action.instanceId !== "" ? action.instanceId : undefined;
  if (id !== undefined) {
    const same = (other: string | undefined) => other !== undefined && other.toLowerCase() === id.toLowerCase();
    if (same(caller.instanceId) || same(caller.parentInstanceId))
      return "The instance ID of a sub-orchestration must be different than the instance ID of a parent orchestration.";
    if (id.startsWith("@")) return "instanceId (Parameter 'Orchestration instance ids must not start with @')";
  }
  return undefined;
}

/** Extension `DurableTaskExtension.GetInvalidOrchestratorFunctionMessage`. */
export function unknownOrchestratorMessage(name: string, knownOrchestrators: string[]): string {
  const prefix = `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function. Additional info: `;
  return knownOrchestrators.length > 0
    ? `${prefix}The following are the known orchestrator functions: '${knownOrchestrators.join("', '")}'.`
    : `${prefix}No orchestrator functions are currently registered!`;
}

/** The Azure Storage backend's longest delay (`MaximumDelayTime`), which retry intervals may not exceed. */
const maximumDelayMs = 6 * 24 * 3600_000;

/**
 * Extension `CallDurableTaskFunctionAsync`: `ValidateDelayTime` on MaxRetryInterval (default six
 * days) then FirstRetryInterval; the Azure Storage provider's message, with .NET's parameter suffix.
 */
export function retryOptionsProblem(options: RetryOptionsJson): string | undefined {
  const maxInterval = options.maxRetryIntervalInMilliseconds ?? maximumDelayMs;
  const tooLong = (ms: number, parameter: string) =>
    ms > maximumDelayMs ? `The Azure Storage provider supports a maximum of 6 days for time-based delays (Parameter '${parameter}')` : undefined;
  return tooLong(maxInterval, "MaxRetryInterval") ?? tooLong(options.firstRetryIntervalInMilliseconds, "FirstRetryInterval");
}

/**
 * durabletask `RetryInterceptor.ComputeNextDelay` with the extension's defaults (backoff 1, max
 * interval six days, no retry timeout): the delay before the next attempt after `retryCount`
 * failed ones (0-based), or 0 when the retry timeout has passed (no further attempt).
 */
export function nextRetryDelay(options: RetryOptionsJson, retryCount: number, firstAttemptAt: number, now: number): number {
  const timeout = options.retryTimeoutInMilliseconds;
  if (timeout !== undefined && now >= firstAttemptAt + timeout) return 0;
  const delay = options.firstRetryIntervalInMilliseconds * Math.pow(options.backoffCoefficient ?? 1, retryCount);
  const max = options.maxRetryIntervalInMilliseconds ?? maximumDelayMs;
  return delay < max ? delay : max;
}

/** How a child's execution ended, as its parent is told. */
export type ChildEnding =
  { status: "Completed"; result: string } | { status: "Failed"; reason: string; details: string } | { status: "Terminated"; reason: string };

/**
 * A placeholder for the .NET stack trace the extension appends (`result.Exception.StackTrace` of
 * the exception it caught from the worker); its frames on Azure depend on the host build.
 */
const extensionStackTrace =
  "   at Microsoft.Azure.WebJobs.Extensions.DurableTask.TaskOrchestrationShim.InvokeUserCodeAndHandleResults(RegisteredFunctionInfo orchestratorInfo, OrchestrationContext innerContext)";

/**
 * A failed child's Details. For an error the worker threw: extension
 * `OutOfProcOrchestrationShim.ScheduleDurableTaskEvents`, `Message: <error>, StackTrace: <.NET stack>`.
 * For a failure the extension itself raised (non-determinism, custom status, a refused action): the
 * exception serialized with type names (`Utils.SerializeCause`), approximated here.
 */
export function childFailureDetails(failure: { source: "worker" | "host"; message: string }): string {
  if (failure.source === "worker") return `Message: ${failure.message}, StackTrace: ${extensionStackTrace}`;
  return JSON.stringify({
    $type: "System.Exception, System.Private.CoreLib",
    ClassName: "System.Exception",
    Message: failure.message,
    Data: null,
    InnerException: null,
  });
}

/** What a `...WithRetry` action does on an event of the execution (durabletask `RetryInterceptor.Invoke`). */
export type RetryStep =
  /** A timer (the wait before the next attempt, or after the last failed one an immediate "dummy" timer). */
  | { take: "timer"; fireAt: number; final: boolean }
  /** The next attempt. */
  | { take: "attempt" }
  /** Nothing more is scheduled: the attempt succeeded, the final timer fired, or (stuck) the retry timeout passed. */
  | { take: "none"; waiting: "done" | "stuck" };

/**
 * The retry's next step when `event` answers what it waits on, else undefined. After a failed
 * attempt durabletask waits `ComputeNextDelay`; after the last one it still creates a timer that
 * fires at once ("Dummy timer for back-compat"), which durable-functions' RetryableTask counts on;
 * a zero delay (retry timeout passed) ends the loop with no timer, and durable-functions then waits
 * for a timer that never comes.
 */
export function retryStep(r: RetryState, event: HistoryEvent, now: number): RetryStep | undefined {
  if (answeredTaskId(event) !== r.currentId) return undefined;
  if (r.waiting === "attempt") {
    if (event.EventType !== EventType.TaskFailed && event.EventType !== EventType.SubOrchestrationInstanceFailed) return { take: "none", waiting: "done" };
    if (r.attempts >= r.options.maxNumberOfAttempts) return { take: "timer", fireAt: now, final: true };
    const delay = nextRetryDelay(r.options, r.attempts - 1, r.firstAttemptAt, now);
    return delay > 0 ? { take: "timer", fireAt: now + delay, final: false } : { take: "none", waiting: "stuck" };
  }
  if (event.EventType !== EventType.TimerFired) return undefined;
  if (r.waiting === "timer") return { take: "attempt" };
  if (r.waiting === "finalTimer") return { take: "none", waiting: "done" };
  return undefined;
}

/** Whether `event` makes a retry take a new sequence number (such an event must open its episode). */
export function takesRetryId(retries: RetryState[] | undefined, event: HistoryEvent): boolean {
  return (retries ?? []).some((r) => {
    if (answeredTaskId(event) !== r.currentId) return false;
    const failed = event.EventType === EventType.TaskFailed || event.EventType === EventType.SubOrchestrationInstanceFailed;
    return (r.waiting === "attempt" && failed) || (r.waiting === "timer" && event.EventType === EventType.TimerFired);
  });
}
