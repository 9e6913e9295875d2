/**
 * Captures a typical run half-way, as the dev host persists it, with a given app: the fixture a
 * versioning test resumes with today's app, as a run in flight on Azure replays its old history
 * after a deployment. `node dist/bench/captureRun.js <stateDir> <polls> [appEntry]` (with
 * bench/baselineApp.ts's bundle of an older commit as `appEntry`).
 */
import { startDevStack } from "../dev/stack";
import { printFiguresAndExit } from "./freshProcess";
import { startRun } from "./startRun";
import { typicalJob } from "./storedBytes";

export async function captureRun(stateDir: string, polls: number, appEntry?: string): Promise<{ runId: string; capturedAt: string }> {
  const stack = await startDevStack({
    clock: "virtual",
    log: () => undefined,
    stateDir,
    env: { SCORING_POLL_MODE: "adaptive", SCORING_JOB_EVENTS: "false", SCORING_MAX_POLLS_PER_EXECUTION: "10" },
    keepPastExecutions: false,
    ...(appEntry ? { appEntry } : {}),
  });
  try {
    stack.emulator.enqueueLifecycle(typicalJob);
    const runId = await startRun(stack, "captured");
    // Stops once the host is idle after the poll: the state on disk is a completed step's, a timer pending.
    if (!(await stack.host.engine.runUntil(() => stack.emulator.requestCount("getJob") >= polls, 24 * 3600_000))) throw new Error("the run ended first");
    return { runId, capturedAt: new Date(stack.clock.now()).toISOString() };
  } finally {
    await stack.stop();
  }
}

if (require.main === module) printFiguresAndExit(captureRun(process.argv[2] as string, Number(process.argv[3]), process.argv[4] || undefined));
