/**
 * Replay cost: Durable replays an execution's whole history on every wake-up, so a long job's
 * cost grows with its history. Measures history events per execution, events replayed in all,
 * and orchestrator CPU time for a long job, with continueAsNew every N polls and without it.
 */
import { lifecycles } from "../dev/batch-emulator";
import { startDevStack } from "../dev/stack";
import { startRun } from "./startRun";

export interface ReplayFigures {
  polls: number;
  executions: number;
  maxEventsPerExecution: number;
  replayedEvents: number;
  orchestratorCpuMs: number;
}

/** `maxPolls` = polls per execution (10000: continueAsNew never happens for these jobs). */
export async function measureReplay(jobHours: number, pollSeconds: number, maxPolls: number): Promise<ReplayFigures> {
  const stack = await startDevStack({
    clock: "virtual",
    log: () => undefined,
    env: { SCORING_POLL_MODE: "fixed", SCORING_JOB_EVENTS: "false", SCORING_MAX_POLLS_PER_EXECUTION: String(maxPolls) },
  });
  try {
    const { host, emulator } = stack;
    emulator.enqueueLifecycle(lifecycles.timed([["Running", jobHours * 3600_000]]));
    const id = await startRun(stack, "replay", { pollIntervalSeconds: pollSeconds, timeoutSeconds: Math.ceil(jobHours * 3600 + 86400) });
    const before = { ...host.engine.stats };
    if (!(await host.engine.runUntil(() => host.engine.get(id)?.runtimeStatus === "Completed", 30 * 24 * 3600_000)))
      throw new Error("the run did not complete");
    const record = host.engine.get(id)!;
    const histories = [...record.pastExecutions.map((e) => e.history), record.history];
    return {
      polls: emulator.requestsFor("getJob").length,
      executions: histories.length,
      maxEventsPerExecution: Math.max(...histories.map((h) => h.length)),
      replayedEvents: host.engine.stats.replayedEvents - before.replayedEvents,
      orchestratorCpuMs: (host.engine.stats.orchestratorCpuMicros - before.orchestratorCpuMicros) / 1000,
    };
  } finally {
    await stack.stop();
  }
}
