/**
 * The end of `start --wait` / `status --wait`: follow the run with a progress line, then print
 * the final view and exit by how it ended. Ctrl-C stops the wait only: the run goes on.
 */
import type { RunView } from "../src/runs/types";
import type { RunAnswer } from "./apiClient";
import type { CommandContext } from "./context";
import { ExitCode } from "./exitCodes";
import { followRun, isEnded } from "./follow";
import { formatError, formatView } from "./format";
import { createProgress } from "./progress";

export function exitCodeForView(view: RunView): number {
  if (view.status === "Failed") return ExitCode.Failed;
  if (view.status === "Canceled") return ExitCode.Canceled;
  return ExitCode.Ok;
}

export function printView(ctx: CommandContext, view: RunView): void {
  if (ctx.json) ctx.io.out(JSON.stringify(view, null, 2));
  else for (const line of formatView(view)) ctx.io.out(line);
}

/** Prints a run that ended (or is shown as it is) and returns its exit code. */
export function reportRun(ctx: CommandContext, view: RunView): number {
  printView(ctx, view);
  if (view.status === "Failed") ctx.io.err(`run ${view.id} failed: ${view.error ? formatError(view.error) : "no error reported"}`);
  if (view.status === "Canceled") ctx.io.err(`run ${view.id} was canceled${view.error ? `: ${formatError(view.error)}` : ""}`);
  return exitCodeForView(view);
}

export interface WaitOptions {
  maxWaitSeconds?: number;
}

export async function waitAndReport(ctx: CommandContext, first: RunAnswer, options: WaitOptions = {}): Promise<number> {
  if (isEnded(first.view)) return reportRun(ctx, first.view);
  const { io } = ctx;
  const id = first.view.id;
  const aborter = new AbortController();
  const stopListening = io.onInterrupt(() => aborter.abort());
  const progress = createProgress(io, first.view);
  let result;
  try {
    result = await followRun(ctx.client, first, {
      signal: aborter.signal,
      ...(options.maxWaitSeconds !== undefined ? { maxWaitSeconds: options.maxWaitSeconds } : {}),
      onView: (view) => progress.update(view),
      onRetry: (message) => progress.note(message),
    });
  } catch (err) {
    progress.stop("error", `stopped waiting for run ${id}`);
    throw err;
  } finally {
    stopListening();
  }
  const view = result.answer.view;
  if (result.end === "ended") {
    progress.finish(view);
    return reportRun(ctx, view);
  }
  const why = result.end === "timedOut" ? `--max-wait ${options.maxWaitSeconds}s passed` : "interrupted";
  progress.stop("warn", `stopped waiting (${why}); run ${id} is still ${view.status} and goes on: it was NOT canceled`);
  if (ctx.json) io.out(JSON.stringify(view, null, 2));
  io.err(`  follow it again: ${ctx.self} status ${id} --wait`);
  io.err(`  cancel it:       ${ctx.self} cancel ${id}`);
  return result.end === "timedOut" ? ExitCode.WaitTimedOut : ExitCode.Interrupted;
}
