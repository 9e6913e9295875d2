/**
 * Calling an activity from the orchestrator so that it never throws: every activity returns an
 * ActivityResult, and one that threw anyway (the worker failed, the function could not run)
 * becomes one too.
 */
import type { DurableOrchestrationContext, Task } from "durable-functions";
import type { ActivityResult, BatchErrorInfo } from "../batch/types";

/**
 * A thrown activity as an error value. Only its first line is kept (the extension appends the
 * .NET exception after it). `outcomeUnknown`: whether what the activity did may have happened
 * (an invoke) or surely did not matter (a read).
 */
export function thrownActivityError(err: unknown, outcomeUnknown: boolean): BatchErrorInfo {
  const message = err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err);
  return { code: "ActivityFailed", message, httpStatus: null, retryable: true, retryAfterSeconds: null, outcomeUnknown };
}

export function* callActivity<T>(
  df: DurableOrchestrationContext,
  name: string,
  input: unknown,
  ifThrown: { outcomeUnknown: boolean },
): Generator<Task, ActivityResult<T>, ActivityResult<T>> {
  try {
    return yield df.callActivity(name, input);
  } catch (err) {
    return { ok: false, error: thrownActivityError(err, ifThrown.outcomeUnknown) };
  }
}
