/**
 * Burst (issue 19): a data drop's BlobCreated events, 20% of them redeliveries, in Event Grid
 * batches posted by several concurrent senders to POST /api/scoring-runs/events on the dev host.
 * The senders never wait between batches, so events/s is what the route sustains. The runs it
 * starts wait at their first activity, as starts wait in the task hub's queues on Azure: the dev
 * host runs every orchestration and activity in this one process, which Azure does not, so the
 * route is measured alone (test/e2e/blobEventBurst.test.ts drives a smaller burst's runs on to
 * their Azure ML jobs and counts those). Checks that every blob version got exactly one run (dev
 * host instances) and at most one `started` answer. Latencies and rates are wall-clock; the
 * events' times span 60 s.
 */
import { startDevStack } from "../dev/stack";
import { blobRunId } from "../src/runs/runIds";
import { blobEventBurst } from "./blobEventBurst";
import { deliverBatches, percentile } from "./eventGridSenders";
import { printFiguresAndExit } from "./freshProcess";

export interface BurstFigures {
  deliveries: number;
  versions: number;
  duplicates: number;
  batches: number;
  maxEventsPerBatch: number;
  senders: number;
  /** Deliveries answered per second of wall time, from the first batch sent to the last answer. */
  eventsPerSecond: number;
  p99LatencyMs: number;
  maxLatencyMs: number;
  /** Batches Event Grid would have sent again (failed answer or none within 30 s). */
  retries: number;
  /** Dev host instances with a blob run id. */
  runs: number;
  /** Blob versions with a run, answered `started` at most once (a delivery given up on is not answered). */
  versionsWithOneRun: number;
  startedAnswers: number;
  peakRssMb: number;
}

/** Event Grid waits 30 s for an answer (docs/azure-behaviour.md#event-grid-batches). */
export const eventGridTimeoutMs = 30_000;

export async function measureBurst(deliveries: number, maxEventsPerBatch: number, senders: number): Promise<BurstFigures> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const stack = await startDevStack({
    clock: "virtual",
    log: () => undefined,
    keepPastExecutions: false,
    env: {
      BLOB_TRIGGER_CONTAINER: "landing",
      BLOB_TRIGGER_DATASTORE: "workspaceblobstore",
      BLOB_TRIGGER_PREFIX: "drops/",
      BLOB_TRIGGER_SUFFIX: ".csv",
      BLOB_TRIGGER_INPUT_MODE: "file",
      BLOB_TRIGGER_OUTPUT_TEMPLATE: "azureml://datastores/workspaceblobstore/paths/scored/{blobPath}-{runId}.csv",
      BLOB_TRIGGER_POLL_SECONDS: "120",
      BLOB_TRIGGER_BATCH_WINDOW_SECONDS: "0",
    },
  });
  try {
    const { host, emulator } = stack;
    process.env.BLOB_TRIGGER_ENDPOINT_URI = emulator.scoringUri;
    // Never released: the stack stops with the runs still waiting.
    host.engine.interceptor = { before: () => new Promise<void>(() => undefined) };
    const burst = blobEventBurst({
      deliveries,
      duplicateShare: 0.2,
      overwriteShare: 0.1,
      maxEventsPerBatch,
      // Event Grid's largest preferred batch size, 1024 KB.
      maxBatchBytes: 1024 * 1024,
      spanMs: 60_000,
      startTime: stack.clock.now(),
      account: "landingacct",
      container: "landing",
      prefix: "drops/2026-12-02/",
      seed: 19,
    });
    const delivered = await deliverBatches(burst.batches, {
      url: `${host.baseUrl}/api/scoring-runs/events`,
      headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
      senders,
      timeoutMs: eventGridTimeoutMs,
      maxAttempts: 30,
    });
    const startedAnswers = new Map<string, number>();
    for (const answer of delivered.answers as Array<{ results: Array<{ outcome: string; runId?: string }> }>) {
      for (const r of answer.results) if (r.outcome === "started" && r.runId) startedAnswers.set(r.runId, (startedAnswers.get(r.runId) ?? 0) + 1);
    }
    const runIds = host.engine
      .all()
      .map((r) => r.instanceId)
      .filter((id) => id.startsWith("blob-"));
    const runs = new Set(runIds);
    const versionIds = new Set(burst.versions.map((v) => blobRunId(v.url, v.eTag)));
    const versionsWithOneRun = [...versionIds].filter((id) => runs.has(id) && (startedAnswers.get(id) ?? 0) <= 1).length;
    return {
      deliveries,
      versions: versionIds.size,
      duplicates: burst.duplicates,
      batches: burst.batches.length,
      maxEventsPerBatch,
      senders,
      eventsPerSecond: deliveries / delivered.seconds,
      p99LatencyMs: percentile(delivered.latenciesMs, 0.99),
      maxLatencyMs: Math.max(...delivered.latenciesMs),
      retries: delivered.retries,
      runs: runIds.length,
      versionsWithOneRun,
      startedAnswers: [...startedAnswers.values()].reduce((a, b) => a + b, 0),
      peakRssMb: peakRss / 2 ** 20,
    };
  } finally {
    clearInterval(sampler);
    await stack.stop();
  }
}

/** In a fresh process, so its memory and CPU are its own: `node dist/bench/burst.js <deliveries> <maxEventsPerBatch> <senders>`. */
if (require.main === module) printFiguresAndExit(measureBurst(Number(process.argv[2] ?? 10_000), Number(process.argv[3] ?? 500), Number(process.argv[4] ?? 8)));
