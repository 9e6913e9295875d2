/**
 * Scale: many scoring runs at once through the dev host and the emulator on the virtual clock,
 * each on its own job. Reports wall time, peak RSS and orchestrator episodes per second, and
 * checks every run completed on exactly one job.
 */
import { lifecycles } from "../dev/batch-emulator";
import { startDevStack } from "../dev/stack";
import { startRun } from "./startRun";
import { printFiguresAndExit } from "./freshProcess";

export interface ScaleFigures {
  runs: number;
  /** Runs that completed (all of them, or the bench failed to scale). */
  completed: number;
  wallSeconds: number;
  peakRssMb: number;
  episodesPerSecond: number;
}

export async function measureScale(runs: number): Promise<ScaleFigures> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const started = Date.now();
  const stack = await startDevStack({
    clock: "virtual",
    log: () => undefined,
    env: { SCORING_POLL_MODE: "adaptive", SCORING_JOB_EVENTS: "false", SCORING_MAX_POLLS_PER_EXECUTION: "10" },
    keepPastExecutions: false, // as in Azure, where finished executions' histories stay in storage
    maxRecordedRequests: 1000, // the emulator's request log is the bench's, not a worker's memory
  });
  try {
    const { host, emulator } = stack;
    const episodesBefore = host.engine.stats.episodes;
    const ids: string[] = [];
    for (let batch = 0; batch < runs; batch += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, runs - batch) }, async (_, j) => {
          const i = batch + j;
          emulator.enqueueLifecycle(
            lifecycles.timed([
              ["Queued", 60_000 + (i % 7) * 30_000],
              ["Running", (30 + (i % 60)) * 60_000],
            ]),
          );
          ids.push(await startRun(stack, `scale-${i}`));
        }),
      );
    }
    // Checked at every step of the clock: the runs seen completed are not looked at again.
    let completed = 0;
    const done = () => {
      while (completed < ids.length && host.engine.get(ids[completed]!)?.runtimeStatus === "Completed") completed++;
      return completed === runs;
    };
    await host.engine.runUntil(done, 7 * 24 * 3600_000);
    completed = ids.filter((id) => host.engine.get(id)?.runtimeStatus === "Completed").length;
    const figures = (wallSeconds: number) => ({
      runs,
      completed,
      wallSeconds,
      // The kernel's high-water mark too: a sample every 100 ms can miss a short peak.
      peakRssMb: Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 2 ** 20,
      episodesPerSecond: (host.engine.stats.episodes - episodesBefore) / wallSeconds,
    });
    if (completed < runs) return figures((Date.now() - started) / 1000);
    if (emulator.createdJobCount !== runs) throw new Error(`${emulator.createdJobCount} jobs for ${runs} runs`);
    const jobs = new Set(ids.map((id) => (host.engine.get(id)!.output as { job: { name: string } }).job.name));
    if (jobs.size !== runs) throw new Error("two runs share a job");
    return figures((Date.now() - started) / 1000);
  } finally {
    clearInterval(sampler);
    await stack.stop();
  }
}

/** In a fresh process, so peak RSS is this measurement's alone: `node dist/bench/scale.js <runs>`. */
if (require.main === module) printFiguresAndExit(measureScale(Number(process.argv[2] ?? 1000)));
