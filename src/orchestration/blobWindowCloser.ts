/**
 * The closer of one folder's blob windows (docs/api.md#batched-events): asks the folder's entity
 * to close its window when due, starts one run per closed window (through an activity and the
 * same start path as a run per blob, under the window's own run id), sleeps on a durable timer
 * until the open window is due (or until woken by a new file), and ends once the folder has no
 * open window, after lingering once. Deterministic: time is the context's.
 */
import type { OrchestrationContext, Task } from "durable-functions";
import { type BlobWindowCloserInput, type CloseAnswer, type CloseIfDueRequest, type ClosedBlobWindow, type WindowRunOutcome } from "../runs/blobWindows";
import { names } from "../runs/names";
import { closerStep, lingerSecondsFor } from "./blobWindowState";
import { entityRef } from "./entityRef";

/** Loop turns per execution before continueAsNew (bounded history). */
const TURNS_PER_EXECUTION = 50;
/** Attempts to start a closed window's run (the task hub unreachable), 30 s apart. */
const START_ATTEMPTS = 10;

export function* blobWindowCloser(context: OrchestrationContext): Generator<Task, { windows: number } | undefined, any> {
  const df = context.df;
  const input = df.getInput<BlobWindowCloserInput>();
  const entity = entityRef(names.blobWindows.entity, input.folderKey);
  const at = (ms: number) => new Date(ms);
  let wake = df.waitForExternalEvent(names.blobWindows.wake);
  let wasIdle = false;
  let windows = 0;
  for (let turn = 0; turn < TURNS_PER_EXECUTION; turn++) {
    const now = df.currentUtcDateTime.toISOString();
    // Only a closer that already lingered idle may end: the entity then knows no closer is live.
    const request: CloseIfDueRequest = { now, windowSeconds: input.windowSeconds, maxFiles: input.maxFiles, mayEnd: wasIdle };
    const answer = (yield df.callEntity(entity, "closeIfDue", request)) as CloseAnswer;
    const step = closerStep(answer, now, wasIdle, lingerSecondsFor(input.windowSeconds));
    if (step.kind === "end") return { windows };
    if (step.kind === "start") {
      wasIdle = false;
      windows++;
      yield* startWindowRun(context, step.window);
      continue;
    }
    wasIdle = step.idle;
    if (wake.isCompleted) {
      // A file arrived while the closer looked: look again now.
      wake = df.waitForExternalEvent(names.blobWindows.wake);
      wasIdle = false;
      continue;
    }
    const timer = df.createTimer(at(Date.parse(step.until)));
    const winner = yield df.Task.any([timer, wake]);
    if (winner !== timer) {
      timer.cancel();
      wake = df.waitForExternalEvent(names.blobWindows.wake);
      wasIdle = false;
    }
  }
  df.continueAsNew({ ...input, executions: (input.executions ?? 0) + 1 } satisfies BlobWindowCloserInput);
  return undefined;
}

/** Starts the window's run; a failed start (the task hub unreachable) is retried, 30 s apart. The entity already closed the window, so the closer must not drop it. */
function* startWindowRun(context: OrchestrationContext, window: ClosedBlobWindow): Generator<Task, void, any> {
  const df = context.df;
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = (yield df.callActivity(names.blobWindows.startRun, window)) as WindowRunOutcome;
      if (!df.isReplaying)
        context.log(
          `blob window ${window.folderKey}-${window.windowId} (${window.count} files): ${outcome.outcome} run ${outcome.runId}${outcome.reason ? `: ${outcome.reason}` : ""}`,
        );
      return;
    } catch (err) {
      if (attempt >= START_ATTEMPTS) {
        context.error(`blob window ${window.folderKey}-${window.windowId}: its run could not be started after ${attempt} attempts: ${(err as Error).message}`);
        return;
      }
      yield df.createTimer(new Date(df.currentUtcDateTime.getTime() + 30_000));
    }
  }
}
