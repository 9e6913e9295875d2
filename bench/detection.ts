/**
 * How soon a finished job is noticed, and at what cost, over a simulated day of scoring jobs:
 * (a) a fixed 120 s poll like the seed, (b) adaptive polling, (c) adaptive + job status events.
 * All three run the same jobs (same seed) through the dev host and the emulator on the virtual
 * clock; the figures are ratios to (a), measured in the same run.
 *
 * Model (stated, not measured from Azure): jobs queue 1–5 min, run 3 min to 4 h (30% short,
 * 45% medium, 25% long), spend 1–3 min Finalizing, then Complete (one in ten fails from Running instead);
 * an event reaches the app 2 s after the job ends. As on Azure, only completed jobs raise an event:
 * failed and canceled ones raise none (docs/azure-behaviour.md#azure-ml-events), so failures are
 * reported apart.
 */
import { lifecycles } from "../dev/batch-emulator";
import type { EmulatorJob, Lifecycle } from "../dev/batch-emulator/types";
import { startDevStack } from "../dev/stack";
import { seededRandom } from "./seededRandom";
import { startRun } from "./startRun";

export interface DetectionFigures {
  config: string;
  jobs: number;
  medianDelaySeconds: number;
  p95DelaySeconds: number;
  callsPerJobHour: number;
  /** Canceled timers that still fired (Durable keeps them), per run: each an extra replay. */
  canceledTimersFiredPerRun: number;
  /** Canceled timers delivered after their execution ended, per run: each a discarded queue message. */
  canceledTimersDiscardedPerRun: number;
  episodesPerRun: number;
  /** The failed jobs alone: how soon their end was seen, and their status reads per job-hour. */
  failed: { jobs: number; medianDelaySeconds: number; p95DelaySeconds: number; callsPerJobHour: number };
}

const minute = 60_000;
const eventLatencyMs = 2000;

export interface DayOfJobs {
  /** Offset from the day's start at which each run is submitted, and its job's lifecycle. */
  jobs: Array<{ submitAfterMs: number; lifecycle: Lifecycle; fails: boolean; deployment?: string }>;
}

export function dayOfJobs(count: number, seed = 42): DayOfJobs {
  const rnd = seededRandom(seed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * rnd();
  const jobs = Array.from({ length: count }, (_, i) => {
    const kind = rnd();
    const runMs = kind < 0.3 ? between(3, 15) * minute : kind < 0.75 ? between(15, 90) * minute : between(90, 240) * minute;
    // One job in ten fails (every configuration and size has failures to report).
    rnd();
    const fails = i % 10 === 3;
    const queue: [string, number] = ["Queued", Math.round(between(1, 5) * minute)];
    const lifecycle = fails
      ? lifecycles.timed([queue as ["Queued", number], ["Running", Math.round(runMs / 2)]], "Failed", "scoring script raised an error")
      : lifecycles.timed([queue as ["Queued", number], ["Running", Math.round(runMs)], ["Finalizing", Math.round(between(1, 3) * minute)]], "Completed");
    return { submitAfterMs: Math.round((i * 24 * 60 * minute) / count), lifecycle, fails };
  });
  return { jobs };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

export async function measureDetection(config: "fixed" | "adaptive" | "learned" | "events", day: DayOfJobs): Promise<DetectionFigures> {
  const created: EmulatorJob[] = [];
  const stack = await startDevStack({
    clock: "virtual",
    log: () => undefined,
    env: {
      SCORING_POLL_MODE: config === "fixed" || config === "learned" ? config : "adaptive",
      SCORING_JOB_EVENTS: config === "events" ? "true" : "false",
      SCORING_MAX_POLLS_PER_EXECUTION: "50",
    },
    onJobCreated: (job) => created.push(job),
    ...(config === "events" ? { jobEvents: { latencyMs: eventLatencyMs } } : {}),
  });
  try {
    const { host, emulator } = stack;
    const t0 = host.clock.now();
    const runIds: string[] = [];
    day.jobs.forEach((job, i) => {
      host.engine.atTime(t0 + job.submitAfterMs, async () => {
        emulator.enqueueLifecycle(job.lifecycle);
        runIds.push(await startRun(stack, String(i), job.deployment ? { deployment: job.deployment } : {}));
      });
    });
    const ended = () => runIds.length === day.jobs.length && runIds.every((id) => ["Completed", "Failed"].includes(host.engine.get(id)?.runtimeStatus ?? ""));
    if (!(await host.engine.runUntil(ended, 3 * 24 * 3600_000))) throw new Error(`${config}: not every run ended`);

    const delays: number[] = [];
    const failedDelays: number[] = [];
    let calls = 0;
    let jobHours = 0;
    let failedCalls = 0;
    let failedJobHours = 0;
    for (const job of created) {
      const end = job.endsAt as number;
      const reads = emulator.requestsFor("getJob").filter((r) => r.path.endsWith(`/jobs/${job.name}`));
      const seen = reads.find((r) => r.at >= end);
      if (!seen) throw new Error(`${config}: job ${job.name} was never seen ended`);
      delays.push((seen.at - end) / 1000);
      calls += reads.length;
      jobHours += (end - job.createdAt) / 3600_000;
      if (job.endsAs === "Failed") {
        failedDelays.push((seen.at - end) / 1000);
        failedCalls += reads.length;
        failedJobHours += (end - job.createdAt) / 3600_000;
      }
    }
    delays.sort((a, b) => a - b);
    failedDelays.sort((a, b) => a - b);
    const runs = created.length;
    return {
      config,
      jobs: runs,
      medianDelaySeconds: quantile(delays, 0.5),
      p95DelaySeconds: quantile(delays, 0.95),
      callsPerJobHour: calls / jobHours,
      canceledTimersFiredPerRun: host.engine.stats.canceledTimersFired / runs,
      canceledTimersDiscardedPerRun: host.engine.stats.canceledTimersDiscarded / runs,
      episodesPerRun: host.engine.stats.episodes / runs,
      failed: {
        jobs: failedDelays.length,
        medianDelaySeconds: quantile(failedDelays, 0.5),
        p95DelaySeconds: quantile(failedDelays, 0.95),
        callsPerJobHour: failedCalls / failedJobHours,
      },
    };
  } finally {
    await stack.stop();
  }
}
