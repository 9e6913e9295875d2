/**
 * A scoring batch at scale: one POST /api/scoring-batches of `items` items at `limit` concurrent
 * jobs through the dev host and the emulator on the virtual clock. Reports the batch's duration
 * on the virtual clock, the real time it took, the most jobs live at once (the emulator counts
 * them), orchestrator episodes and the batch's executions (continueAsNew), and checks the batch
 * succeeded with exactly one job per item.
 */
import { randomUUID } from "node:crypto";
import { lifecycles } from "../dev/batch-emulator";
import { startDevStack } from "../dev/stack";
import { printFiguresAndExit } from "./freshProcess";

export interface BatchFigures {
  items: number;
  limit: number;
  virtualMinutes: number;
  wallSeconds: number;
  peakLiveJobs: number;
  episodes: number;
  batchExecutions: number;
}

export async function measureBatch(items: number, limit: number): Promise<BatchFigures> {
  const started = Date.now();
  const stack = await startDevStack({
    clock: "virtual",
    log: () => undefined,
    env: { SCORING_POLL_MODE: "adaptive", SCORING_JOB_EVENTS: "false", SCORING_MAX_POLLS_PER_EXECUTION: "10" },
    keepPastExecutions: false,
  });
  try {
    const { host, emulator } = stack;
    // Jobs of 10 to 40 minutes after a short queue, in a fixed pattern (deterministic figures).
    for (let i = 0; i < items; i++)
      emulator.enqueueLifecycle(
        lifecycles.timed([
          ["Queued", 60_000],
          ["Running", (10 + (i % 31)) * 60_000],
        ]),
      );
    const body = {
      template: { endpointUri: emulator.scoringUri, pollIntervalSeconds: 120, preflight: "off" },
      items: Array.from({ length: items }, () => ({
        inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/" } },
        output: { uri: `azureml://datastores/workspaceblobstore/paths/scoring/output/${randomUUID()}.csv` },
      })),
      maxConcurrentJobs: limit,
    };
    const episodesBefore = host.engine.stats.episodes;
    const virtualStart = stack.clock.now();
    const res = await fetch(new URL("/api/scoring-batches", host.baseUrl), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const view = (await res.json()) as { id?: string };
    if (res.status !== 202 || !view.id) throw new Error(`batch not started: ${res.status} ${JSON.stringify(view).slice(0, 300)}`);
    const id = view.id;
    const ended = () => ["Completed", "Failed", "Terminated"].includes(host.engine.get(id)?.runtimeStatus ?? "");
    if (!(await host.engine.runUntil(ended, 14 * 24 * 3600_000))) throw new Error("the batch did not end");
    const result = host.engine.get(id)!.output as { status: string; executions: number; counts: Record<string, number> };
    if (result.status !== "Succeeded") throw new Error(`batch ${result.status}: ${JSON.stringify(result.counts)}`);
    if (emulator.createdJobCount !== items) throw new Error(`${emulator.createdJobCount} jobs for ${items} items`);
    return {
      items,
      limit,
      virtualMinutes: (stack.clock.now() - virtualStart) / 60_000,
      wallSeconds: (Date.now() - started) / 1000,
      peakLiveJobs: emulator.peakLiveJobs,
      episodes: host.engine.stats.episodes - episodesBefore,
      batchExecutions: result.executions,
    };
  } finally {
    await stack.stop();
  }
}

/** `node dist/bench/batch.js <items> <limit>`. */
if (require.main === module) printFiguresAndExit(measureBatch(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 50)));
