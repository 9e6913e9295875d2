/**
 * `npm run bench [-- --quick]`: prints one table (figure, value, baseline, ratio, target,
 * pass/fail) and writes it to bench/results/latest.json. Everything runs on the virtual clock,
 * and each figure is compared with a baseline measured in the same run.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../dev/stack";
import { measureAzureFit } from "./azureFit";
import { measureBurstRows } from "./burstRows";
import { measureDeployPackage } from "./deployPackage";
import { dayOfJobs, measureDetection } from "./detection";
import type { FleetFigures } from "./fleet";
import { learnedDay } from "./learnedDay";
import { measureReplay } from "./replay";
import type { ScaleFigures } from "./scale";
import type { BatchFigures } from "./batch";
import { inFreshProcess } from "./freshProcess";
import { type Row, row } from "./rows";
import { measureStoredBytesRows } from "./storedBytesRows";

export async function runBench(quick: boolean): Promise<Row[]> {
  const day = dayOfJobs(quick ? 8 : 48);
  const a = await measureDetection("fixed", day);
  const b = await measureDetection("adaptive", day);
  const c = await measureDetection("events", day);
  // Learned polling on its own day (two deployments, durations ±20%), against fixed polling on that same day.
  const learnDay = learnedDay(quick ? 12 : 48);
  const dFixed = await measureDetection("fixed", learnDay);
  const d = await measureDetection("learned", learnDay);
  const replayHours = quick ? 6 : 24;
  const bounded = await measureReplay(replayHours, 120, 10);
  const naive = await measureReplay(replayHours, 120, 10000);
  const week = quick ? null : await measureReplay(7 * 24, 30, 10);
  const scale = inFreshProcess<ScaleFigures>("scale", [quick ? 100 : 1000]);
  // 10,000 runs only in the full bench: they take minutes.
  const scale10k = quick ? null : inFreshProcess<ScaleFigures>("scale", [10_000]);
  const stored = measureStoredBytesRows();
  const deployPackage = await measureDeployPackage(quick ? 5 : 15);
  const fit = await measureAzureFit(quick ? 3 : 10);
  const batch = inFreshProcess<BatchFigures>("batch", quick ? [60, 10] : [1000, 50]);
  // 5,000 runs at 15 reads/s take about an hour of wall time here (600 at 2: 11 min); 300 at 1 keeps the ratio, 300 runs per read/s.
  const fleet = inFreshProcess<FleetFigures>("fleet", quick ? [60, 1] : [300, 1]);
  const burst = measureBurstRows(quick);
  return [
    row("(a) fixed 120 s: median detection delay, s", a.medianDelaySeconds, null, "baseline", true),
    row("(a) fixed 120 s: p95 detection delay, s", a.p95DelaySeconds, null, "baseline", true),
    row("(a) fixed 120 s: status calls per job-hour", a.callsPerJobHour, null, "baseline", true),
    row(
      "(b) adaptive: median detection delay, s",
      b.medianDelaySeconds,
      a.medianDelaySeconds,
      "≤ 0.25 × (a)",
      b.medianDelaySeconds <= 0.25 * a.medianDelaySeconds,
    ),
    row("(b) adaptive: p95 detection delay, s", b.p95DelaySeconds, a.p95DelaySeconds, "report", true),
    row("(b) adaptive: status calls per job-hour", b.callsPerJobHour, a.callsPerJobHour, "≤ (a)", b.callsPerJobHour <= a.callsPerJobHour),
    row("(c) adaptive + events: median detection delay, s", c.medianDelaySeconds, a.medianDelaySeconds, "≤ 5 s", c.medianDelaySeconds <= 5),
    row("(c) adaptive + events: p95 detection delay, s", c.p95DelaySeconds, a.p95DelaySeconds, "report", true),
    // Safety polls follow the adaptive curve (failed jobs raise no event), so events save only Finalizing's dense polls.
    row("(c) adaptive + events: status calls per job-hour", c.callsPerJobHour, b.callsPerJobHour, "≤ (b)", c.callsPerJobHour <= b.callsPerJobHour),
    row(
      "(d) learned, durations ±20% per deployment: fixed 120 s on the same day: median detection delay, s",
      dFixed.medianDelaySeconds,
      null,
      "baseline",
      true,
    ),
    row(
      "(d) learned: median detection delay, s",
      d.medianDelaySeconds,
      dFixed.medianDelaySeconds,
      "≤ 0.25 × fixed",
      d.medianDelaySeconds <= 0.25 * dFixed.medianDelaySeconds,
    ),
    row("(d) learned: p95 detection delay, s", d.p95DelaySeconds, dFixed.p95DelaySeconds, "report", true),
    row("(d) learned: status calls per job-hour", d.callsPerJobHour, dFixed.callsPerJobHour, "≤ 1.0 × fixed", d.callsPerJobHour <= dFixed.callsPerJobHour),
    row(
      `(d) learned: failed jobs (${d.failed.jobs}): median detection delay, s`,
      d.failed.medianDelaySeconds,
      dFixed.failed.medianDelaySeconds,
      "report",
      true,
    ),
    row(`(b) adaptive: failed jobs (${b.failed.jobs}): median detection delay, s`, b.failed.medianDelaySeconds, a.failed.medianDelaySeconds, "report", true),
    row("(b) adaptive: failed jobs: p95 detection delay, s", b.failed.p95DelaySeconds, a.failed.p95DelaySeconds, "report", true),
    row("(b) adaptive: failed jobs: status calls per job-hour", b.failed.callsPerJobHour, a.failed.callsPerJobHour, "report", true),
    row(
      `(c) events, failed jobs (${c.failed.jobs}, no event): median detection delay, s`,
      c.failed.medianDelaySeconds,
      b.failed.medianDelaySeconds,
      "≤ (b)",
      c.failed.medianDelaySeconds <= b.failed.medianDelaySeconds,
    ),
    row("(c) events, failed jobs (no event): p95 detection delay, s", c.failed.p95DelaySeconds, b.failed.p95DelaySeconds, "report", true),
    row("(c) events, failed jobs (no event): status calls per job-hour", c.failed.callsPerJobHour, b.failed.callsPerJobHour, "report", true),
    row("(c) adaptive + events: canceled timers that still fire, per run", c.canceledTimersFiredPerRun, null, "report (each costs a replay)", true),
    row(
      "(c) adaptive + events: canceled timers discarded after the run, per run",
      c.canceledTimersDiscardedPerRun,
      null,
      "report (each a queue message)",
      true,
    ),
    row("(c) adaptive + events: orchestrator episodes per run", c.episodesPerRun, b.episodesPerRun, "report", true),
    row(
      `replay, ${replayHours} h job at 120 s: history events per execution`,
      bounded.maxEventsPerExecution,
      naive.maxEventsPerExecution,
      "≤ 100",
      bounded.maxEventsPerExecution <= 100,
    ),
    quick
      ? // The target is for a 24 h job; naive replay grows with the square of the length, so a 6 h job's ratio is higher.
        row(`replay, ${replayHours} h job at 120 s: events replayed in all`, bounded.replayedEvents, naive.replayedEvents, "report (target: 24 h)", true)
      : row(
          `replay, ${replayHours} h job at 120 s: events replayed in all`,
          bounded.replayedEvents,
          naive.replayedEvents,
          "≤ 0.05 × naive",
          bounded.replayedEvents <= 0.05 * naive.replayedEvents,
        ),
    row(`replay, ${replayHours} h job at 120 s: orchestrator CPU, ms`, bounded.orchestratorCpuMs, naive.orchestratorCpuMs, "report", true),
    ...(week
      ? [
          row("replay, 7 day job at 30 s: history events per execution", week.maxEventsPerExecution, null, "≤ 100", week.maxEventsPerExecution <= 100),
          row("replay, 7 day job at 30 s: events replayed in all", week.replayedEvents, null, "report", true),
          row("replay, 7 day job at 30 s: orchestrator CPU, ms", week.orchestratorCpuMs, null, "report", true),
        ]
      : []),
    row("ARM calls per invoke (Jobs List pages), happy path", fit.armCallsPerInvokeHappy, null, "report", true),
    row("ARM calls per invoke (Jobs List pages), answer lost", fit.armCallsPerInvokeLostAnswer, fit.armCallsPerInvokeHappy, "report", true),
    row("custom status, worst case (largest request, longest error), KB", fit.customStatusWorstKb, 16, "≤ 0.5 × Durable's 16 KB", fit.customStatusWorstKb <= 8),
    ...deployPackage,
    row(`scale, ${scale.runs} concurrent runs: wall time, s`, scale.wallSeconds, null, "report", true),
    row(`scale, ${scale.runs} concurrent runs: peak RSS, MB`, scale.peakRssMb, null, "≤ 400", scale.peakRssMb <= 400),
    row(`scale, ${scale.runs} concurrent runs: orchestrator episodes per second`, scale.episodesPerSecond, null, "report", true),
    ...(scale10k
      ? [
          row(`scale, ${scale10k.runs} concurrent runs: runs completed`, scale10k.completed, scale10k.runs, "all", scale10k.completed === scale10k.runs),
          row(`scale, ${scale10k.runs} concurrent runs: peak RSS, MB`, scale10k.peakRssMb, null, "report", true),
          row(`scale, ${scale10k.runs} concurrent runs: wall time, s`, scale10k.wallSeconds, null, "report", true),
        ]
      : []),
    ...stored,
    row(`batch, ${batch.items} items at limit ${batch.limit}: duration on the virtual clock, min`, batch.virtualMinutes, null, "report", true),
    row(`batch, ${batch.items} items at limit ${batch.limit}: wall time, s`, batch.wallSeconds, null, "report", true),
    row(`batch, ${batch.items} items at limit ${batch.limit}: peak live jobs`, batch.peakLiveJobs, batch.limit, "≤ limit", batch.peakLiveJobs <= batch.limit),
    row(`batch, ${batch.items} items at limit ${batch.limit}: orchestrator episodes (batch and runs)`, batch.episodes, null, "report", true),
    row(`batch, ${batch.items} items at limit ${batch.limit}: batch executions (continueAsNew + 1)`, batch.batchExecutions, null, "report", true),
    row(
      `fleet, ${fleet.runs} live runs at ${fleet.budget} ARM reads/s: peak ARM reads per second, any 10 s window`,
      fleet.peakReadsPerSecond10s,
      fleet.budget,
      "≤ budget",
      fleet.peakReadsPerSecond10s <= fleet.budget,
    ),
    row(`fleet, ${fleet.runs} live runs: 10 s windows over the budget, %`, 100 * fleet.windowsOverBudgetShare, null, "report", true),
    row(
      `fleet, ${fleet.runs} live runs: median detection delay, s`,
      fleet.medianDelaySeconds,
      a.medianDelaySeconds,
      "≤ 0.25 × (a)",
      fleet.medianDelaySeconds <= 0.25 * a.medianDelaySeconds,
    ),
    row(`fleet, ${fleet.runs} live runs: p95 detection delay, s`, fleet.p95DelaySeconds, a.p95DelaySeconds, "report", true),
    row(`fleet, ${fleet.runs} live runs: status calls per job-hour`, fleet.callsPerJobHour, a.callsPerJobHour, "report", true),
    row(`fleet, ${fleet.runs} live runs: wall time, s`, fleet.wallSeconds, null, "report", true),
    ...burst,
  ];
}

export function formatTable(rows: Row[]): string {
  const cells = rows.map((r) => [
    r.figure,
    String(r.value),
    r.baseline === null ? "" : String(r.baseline),
    r.ratio === null ? "" : String(r.ratio),
    r.target,
    r.pass ? "pass" : "FAIL",
  ]);
  const head = ["figure", "value", "baseline", "ratio", "target", "result"];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const started = Date.now();
  const rows = await runBench(quick);
  console.log(
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}${quick ? " (quick)" : ""}`,
  );
  console.log(formatTable(rows));
  console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s wall)`);
  const out = path.join(repoRoot, "bench", "results", "latest.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify({ quick, node: process.version, cpus: os.cpus().length, rows }, null, 2)}\n`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  });
}
