/**
 * Stored bytes per run: what one typical scoring run writes to its Azure Storage task hub
 * (every execution's history rows and the instance row; dev/host/taskHubSize.ts says how each
 * is sized). The typical run: its job queues 4 minutes, runs 2 hours, finalizes 2 minutes and
 * completes, on the default policy (adaptive polling, no job events). With `events`, job events
 * wake the run, and the bytes include what canceled timers that still fire add to the history.
 *
 * Runs in a fresh process (`node dist/bench/storedBytes.js <typical|events> [appEntry]`), because a
 * process loads one app: the bench passes another commit's app bundle to measure its format.
 */
import { lifecycles } from "../dev/batch-emulator";
import { startDevStack } from "../dev/stack";
import { taskHubSize, type TaskHubSize } from "../dev/host/taskHubSize";
import { printFiguresAndExit } from "./freshProcess";
import { startRun } from "./startRun";

export interface StoredBytesFigures extends TaskHubSize {
  polls: number;
  episodes: number;
  canceledTimersFired: number;
  canceledTimersDiscarded: number;
}

const minute = 60_000;

/** The typical job: a few minutes queued, two hours running, a short Finalizing. */
export const typicalJob = lifecycles.timed(
  [
    ["Queued", 4 * minute],
    ["Running", 120 * minute],
    ["Finalizing", 2 * minute],
  ],
  "Completed",
);

export async function measureStoredBytes(opts: { events: boolean; appEntry?: string }): Promise<StoredBytesFigures> {
  const stack = await startDevStack({
    clock: "virtual",
    log: () => undefined,
    env: { SCORING_POLL_MODE: "adaptive", SCORING_JOB_EVENTS: String(opts.events) },
    ...(opts.events ? { jobEvents: { latencyMs: 2000 } } : {}),
    ...(opts.appEntry ? { appEntry: opts.appEntry } : {}),
    keepPastExecutions: true,
  });
  try {
    const { host, emulator } = stack;
    emulator.enqueueLifecycle(typicalJob);
    const id = await startRun(stack, "typical");
    if (!(await host.engine.runUntil(() => host.engine.get(id)?.runtimeStatus === "Completed", 24 * 3600_000))) throw new Error("the run did not complete");
    // Canceled timers still due fire after the run and are discarded: let them, to count them.
    await host.engine.runUntil(() => host.engine.nextTimerAt() === undefined, 24 * 3600_000);
    const record = host.engine.get(id)!;
    return {
      ...taskHubSize(record),
      polls: emulator.requestsFor("getJob").length,
      episodes: record.episodes,
      canceledTimersFired: host.engine.stats.canceledTimersFired,
      canceledTimersDiscarded: host.engine.stats.canceledTimersDiscarded,
    };
  } finally {
    await stack.stop();
  }
}

if (require.main === module) printFiguresAndExit(measureStoredBytes({ events: process.argv[2] === "events", appEntry: process.argv[3] || undefined }));
