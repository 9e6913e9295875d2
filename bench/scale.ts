/**
 * Scale: many scoring runs at once through the dev host and the emulator on the virtual clock,
 * each on its own job. Reports wall time, peak RSS and orchestrator episodes per second, and
 * checks every run completed on exactly one job.
 */
import { lifecycles } from "../dev/batch-emulator";
import { startDevStack } from "../dev/stack";
import { startRun } from "./startRun";

export interface ScaleFigures {
  runs: number;
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
    const done = () => ids.every((id) => host.engine.get(id)?.runtimeStatus === "Completed");
    if (!(await host.engine.runUntil(done, 7 * 24 * 3600_000))) throw new Error("not every run completed");
    if (emulator.createdJobCount !== runs) throw new Error(`${emulator.createdJobCount} jobs for ${runs} runs`);
    const jobs = new Set(ids.map((id) => (host.engine.get(id)!.output as { job: { name: string } }).job.name));
    if (jobs.size !== runs) throw new Error("two runs share a job");
    const wallSeconds = (Date.now() - started) / 1000;
    return { runs, wallSeconds, peakRssMb: peakRss / 2 ** 20, episodesPerSecond: (host.engine.stats.episodes - episodesBefore) / wallSeconds };
  } finally {
    clearInterval(sampler);
    await stack.stop();
  }
}

/** In a fresh process, so peak RSS is this measurement's alone: `node dist/bench/scale.js <runs>`. */
if (require.main === module) {
  measureScale(Number(process.argv[2] ?? 1000)).then(
    (figures) => {
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      process.exit(0);
    },
    (err) => {
      console.error(err instanceof Error ? err.stack : err);
      process.exit(1);
    },
  );
}
