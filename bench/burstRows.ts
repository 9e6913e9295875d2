/**
 * The burst rows of `npm run bench` (issue 19): 10,000 BlobCreated events (quick: 1,000), 20% of
 * them redeliveries, in batches of at most 100 events, 8 deliveries in flight, measured in a
 * fresh process (bench/burst.ts) so its memory and CPU are its own.
 */
import { type BurstFigures, eventGridTimeoutMs } from "./burst";
import { inFreshProcess } from "./freshProcess";
import { type Row, row } from "./rows";

/** The issue's burst: 10,000 events in 60 s. */
const issueRate = 10_000 / 60;

export function measureBurstRows(quick: boolean): Row[] {
  const b = inFreshProcess<BurstFigures>("burst", [quick ? 1_000 : 10_000, 100, 8]);
  const name = `burst, ${b.deliveries} events (${b.duplicates} redelivered), batches ≤ ${b.maxEventsPerBatch}, ${b.senders} in flight`;
  const oneRunEach = b.runs === b.versions && b.versionsWithOneRun === b.versions;
  return [
    row(`${name}: runs, against blob versions`, b.runs, b.versions, "= versions, each started once", oneRunEach),
    row(`${name}: events/s (wall clock)`, b.eventsPerSecond, issueRate, "≥ 167 (10,000 in 60 s)", b.eventsPerSecond >= issueRate),
    row(`${name}: p99 route latency, s`, b.p99LatencyMs / 1000, eventGridTimeoutMs / 1000, "≤ Event Grid's 30 s", b.p99LatencyMs <= eventGridTimeoutMs),
    row(`${name}: deliveries Event Grid would retry`, b.retries, null, "= 0", b.retries === 0),
    row(`${name}: peak RSS, MB`, b.peakRssMb, null, "report", true),
  ];
}
