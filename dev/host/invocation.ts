/** One invocation of a registered function: its InvocationContext and its host log lines. */
import { randomUUID } from "node:crypto";
import { InvocationContext } from "@azure/functions";
import type { RegisteredFunction } from "./functionsCore";

export type Logger = (level: "info" | "warn" | "error", message: string) => void;

/**
 * A fresh InvocationContext for one invocation of `fn`: its input bindings, the extra inputs the
 * host supplies (durable client data), and `context.log` routed to `log`. `triggerType` replaces
 * the trigger's type where the host runs the function as a given kind (orchestrator, activity).
 */
export function newInvocationContext(fn: RegisteredFunction, log: Logger, extraInputs: Map<string, unknown>, triggerType?: string): InvocationContext {
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: fn.name,
    logHandler: (level, ...args) => log(level === "error" ? "error" : level === "warning" ? "warn" : "info", args.map(String).join(" ")),
    options: {
      trigger: (triggerType === undefined ? fn.trigger : { ...fn.trigger, type: triggerType }) as never,
      extraInputs: fn.bindings.filter((b) => b.direction === "in" && b !== fn.trigger) as never,
      extraOutputs: [],
    },
  });
  for (const [name, value] of extraInputs) context.extraInputs.set(name, value);
  return context;
}

export type LoggedOutcome<T> = { ok: true; value: T; durationMs: number } | { ok: false; error: string; durationMs: number };

/**
 * Runs `call` between the Functions host's `Executing …` and `Executed … (Succeeded|Failed, …,
 * Duration=…ms)` lines; a throw becomes `{ ok: false }` with its message.
 */
export async function invokeLogged<T>(
  fn: RegisteredFunction,
  context: InvocationContext,
  reason: string,
  log: Logger,
  call: () => Promise<T> | T,
): Promise<LoggedOutcome<T>> {
  const started = Date.now();
  log("info", `Executing 'Functions.${fn.name}' (Reason='${reason}', Id=${context.invocationId})`);
  try {
    const value = await call();
    const durationMs = Date.now() - started;
    log("info", `Executed 'Functions.${fn.name}' (Succeeded, Id=${context.invocationId}, Duration=${durationMs}ms)`);
    return { ok: true, value, durationMs };
  } catch (err) {
    const durationMs = Date.now() - started;
    const error = err instanceof Error ? err.message : String(err);
    log("error", `Executed 'Functions.${fn.name}' (Failed, Id=${context.invocationId}, Duration=${durationMs}ms): ${error}`);
    return { ok: false, error, durationMs };
  }
}
