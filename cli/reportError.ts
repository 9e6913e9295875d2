/** Turns what went wrong into the message on stderr (and the error JSON with --json) and the exit code. */
import { ApiError, ConnectionError } from "./apiClient";
import { ExitCode } from "./exitCodes";
import type { Io } from "./io";
import { UsageError } from "./usageError";

export function exitCodeForApiError(err: ApiError): number {
  if (err.status === 400) return ExitCode.Usage;
  if (err.status === 404 || err.status === 409) return ExitCode.Failed;
  return ExitCode.Unavailable;
}

export function reportError(err: unknown, io: Io, json: boolean): number {
  if (err instanceof ApiError) {
    // The message of an error with details summarises them: show the details themselves.
    const n = err.details.length;
    io.err(n === 0 ? `error: ${err.code}: ${err.message}` : `error: ${err.code}: ${n} problem${n === 1 ? "" : "s"}:`);
    for (const d of err.details) io.err(`  ${d.field || "body"}: ${d.message}`);
    if (json) io.out(JSON.stringify(err.body ?? { error: { code: err.code, message: err.message } }, null, 2));
    return exitCodeForApiError(err);
  }
  if (err instanceof ConnectionError) {
    io.err(`error: ${err.message}`);
    if (json) io.out(JSON.stringify({ error: { code: "ConnectionFailed", message: err.message, reason: err.reason } }, null, 2));
    return ExitCode.Unavailable;
  }
  if (err instanceof UsageError) {
    io.err(`error: ${err.message}`);
    if (json) io.out(JSON.stringify({ error: { code: "UsageError", message: err.message } }, null, 2));
    return ExitCode.Usage;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.err(`error: unexpected: ${message}`);
  if (json) io.out(JSON.stringify({ error: { code: "Unexpected", message } }, null, 2));
  return ExitCode.Failed;
}
