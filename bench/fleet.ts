/**
 * Fleet: N runs live at once on the adaptive policy under the fleet's ARM read budget
 * (SCORING_ARM_READS_PER_SECOND, docs/operations.md#fleet-read-budget), on the virtual clock.
 * Every run is submitted within the first 5 minutes with the detection bench's job model (jobs of
 * 3 min to 4 h, 10% failing), so the fleet is at its largest while the runs are young. Reports the
 * peak ARM reads over any 10 s window (every ARM request the emulator answered, not only status
 * reads) and how soon each job's end was seen. The datastores exist (on Azurite), so pre-flight's
 * reads of them answer as on Azure. `node dist/bench/fleet.js <runs> <budget>` prints
 * the figures as JSON (its own process: its memory is its own).
 */
import { startDevStack } from "../dev/stack";
import { dayOfJobs } from "./detection";
import { startRun } from "./startRun";
import { printFiguresAndExit } from "./freshProcess";

export interface FleetFigures {
  runs: number;
  budget: number;
  peakReadsPerSecond10s: number;
  /** Of the 10 s windows starting at a second with an ARM request, the share over the budget. */
  windowsOverBudgetShare: number;
  medianDelaySeconds: number;
  p95DelaySeconds: number;
  callsPerJobHour: number;
  wallSeconds: number;
  /** ARM requests by route over the whole run, and in the peak window. */
  armRequests: Record<string, number>;
  peakWindowRequests: Record<string, number>;
  /** When the peak window began, from the first submission. */
  peakWindowStartSeconds: number;
}

/** Azure ML's ARM routes (the data-plane invoke is not an ARM read). */
const armRoutes = new Set([
  "getJob",
  "cancelJob",
  "listJobs",
  "getDatastore",
  "getData",
  "getBatchEndpoint",
  "getBatchDeployment",
  "getComponentVersion",
  "getWorkspace",
  "runChildren",
]);

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

export async function measureFleet(runs: number, budget: number): Promise<FleetFigures> {
  const started = Date.now();
  const stack = await startDevStack({
    clock: "virtual",
    log: () => undefined,
    env: { SCORING_POLL_MODE: "adaptive", SCORING_JOB_EVENTS: "false", SCORING_ARM_READS_PER_SECOND: String(budget) },
    keepPastExecutions: false,
    // Real datastores (on Azurite), so pre-flight's reads answer as on Azure and the app may keep them.
    azurite: true,
  });
  try {
    const { host, emulator } = stack;
    const input = "id,x\n1,2\n";
    await stack.datastore!.getBlockBlobClient("in/part-00.csv").upload(input, input.length);
    const day = dayOfJobs(runs, 7);
    const t0 = host.clock.now();
    const ids: string[] = [];
    day.jobs.forEach((job, i) => {
      host.engine.atTime(t0 + Math.floor((i * 300_000) / runs), async () => {
        emulator.enqueueLifecycle(job.lifecycle);
        ids.push(await startRun(stack, `fleet-${i}`));
      });
    });
    const ended = () => ids.length === runs && ids.every((id) => ["Completed", "Failed"].includes(host.engine.get(id)?.runtimeStatus ?? ""));
    if (!(await host.engine.runUntil(ended, 3 * 24 * 3600_000))) throw new Error("fleet: not every run ended");

    const perSecond = new Map<number, number>();
    for (const r of emulator.requests) if (armRoutes.has(r.route)) perSecond.set(Math.floor(r.at / 1000), (perSecond.get(Math.floor(r.at / 1000)) ?? 0) + 1);
    const seconds = [...perSecond.keys()].sort((a, b) => a - b);
    let peak = 0;
    let peakAt = 0;
    let overBudget = 0;
    for (const s of seconds) {
      let inWindow = 0;
      for (let k = s; k < s + 10; k++) inWindow += perSecond.get(k) ?? 0;
      if (inWindow / 10 > peak) [peak, peakAt] = [inWindow / 10, s];
      if (inWindow / 10 > budget) overBudget++;
    }
    const armRequests: Record<string, number> = {};
    const peakWindowRequests: Record<string, number> = {};
    for (const r of emulator.requests) {
      if (!armRoutes.has(r.route)) continue;
      armRequests[r.route] = (armRequests[r.route] ?? 0) + 1;
      const s = Math.floor(r.at / 1000);
      if (s >= peakAt && s < peakAt + 10) peakWindowRequests[r.route] = (peakWindowRequests[r.route] ?? 0) + 1;
    }
    const reads = new Map<string, number[]>();
    for (const r of emulator.requestsFor("getJob")) {
      const name = r.path.slice(r.path.lastIndexOf("/") + 1);
      reads.set(name, [...(reads.get(name) ?? []), r.at]);
    }
    const delays: number[] = [];
    let calls = 0;
    let jobHours = 0;
    for (const job of emulator.jobs) {
      const end = job.endsAt as number;
      const seen = (reads.get(job.name) ?? []).find((at) => at >= end);
      if (seen === undefined) throw new Error(`fleet: job ${job.name} was never seen ended`);
      delays.push((seen - end) / 1000);
      calls += reads.get(job.name)?.length ?? 0;
      jobHours += (end - job.createdAt) / 3600_000;
    }
    delays.sort((a, b) => a - b);
    return {
      runs,
      budget,
      peakReadsPerSecond10s: peak,
      windowsOverBudgetShare: overBudget / Math.max(1, seconds.length),
      medianDelaySeconds: quantile(delays, 0.5),
      p95DelaySeconds: quantile(delays, 0.95),
      callsPerJobHour: calls / jobHours,
      wallSeconds: (Date.now() - started) / 1000,
      armRequests,
      peakWindowRequests,
      peakWindowStartSeconds: peakAt - Math.floor(t0 / 1000),
    };
  } finally {
    await stack.stop();
  }
}

if (require.main === module) printFiguresAndExit(measureFleet(Number(process.argv[2] ?? 5000), Number(process.argv[3] ?? 15)));
