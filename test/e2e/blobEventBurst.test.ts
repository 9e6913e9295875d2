import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { type BlobCreatedDelivery, type BlobEventBurst, blobEventBurst } from "../../bench/blobEventBurst";
import { blobRunId } from "../../src/runs/runIds";
import { type Stack, startStack } from "./stack";

/**
 * A data drop's burst of BlobCreated events (issue 19): duplicates in the same batch and in other
 * batches delivered at the same moment still give exactly one run, and one Azure ML job, per blob
 * version, through the webhook route and through the Event Grid trigger.
 */
describe("a burst of BlobCreated events, batched and redelivered concurrently", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ clock: "virtual" });
  });
  afterAll(async () => stack?.stop());
  beforeEach(() => {
    stack.emulator.reset();
    // The jobs stay running: what is counted is runs and jobs started, not how they end.
    stack.emulator.setDefaultLifecycle(lifecycles.stuckIn("Running"));
    Object.assign(process.env, {
      BLOB_TRIGGER_ENDPOINT_URI: stack.emulator.scoringUri,
      BLOB_TRIGGER_CONTAINER: "landing",
      BLOB_TRIGGER_DATASTORE: "workspaceblobstore",
      BLOB_TRIGGER_PREFIX: "drops/",
      BLOB_TRIGGER_SUFFIX: ".csv",
      BLOB_TRIGGER_INPUT_MODE: "file",
      BLOB_TRIGGER_OUTPUT_TEMPLATE: "azureml://datastores/workspaceblobstore/paths/scored/{blobPath}-{runId}.csv",
      BLOB_TRIGGER_POLL_SECONDS: "60",
    });
  });

  /** 300 deliveries, 20% of them redeliveries, in batches of at most 20 events. */
  const burstOf = (prefix: string, seed: number): BlobEventBurst =>
    blobEventBurst({
      deliveries: 300,
      duplicateShare: 0.2,
      overwriteShare: 0.15,
      maxEventsPerBatch: 20,
      maxBatchBytes: 1024 * 1024,
      spanMs: 60_000,
      startTime: stack.clock.now(),
      account: "landingacct",
      container: "landing",
      prefix,
      seed,
    });

  /** Redeliveries that share a batch with an earlier copy of their event, and those that do not. */
  function duplicatePlacement(batches: BlobCreatedDelivery[][]): { sameBatch: number; otherBatch: number } {
    const seenIn = new Map<string, Set<number>>();
    let sameBatch = 0;
    let otherBatch = 0;
    batches.forEach((batch, b) =>
      batch.forEach((event) => {
        const batchesSeen = seenIn.get(event.id) ?? new Set<number>();
        if (batchesSeen.has(b)) sameBatch++;
        else if (batchesSeen.size > 0) otherBatch++;
        seenIn.set(event.id, batchesSeen.add(b));
      }),
    );
    return { sameBatch, otherBatch };
  }

  const runIdsOf = (burst: BlobEventBurst) => new Set(burst.versions.map((v) => blobRunId(v.url, v.eTag)));
  /** Runs are admitted to their invoke in turn (docs/operations.md#fleet-read-budget): the virtual clock runs until every job exists, and a minute on for any extra one. */
  async function untilJobsFor(burst: BlobEventBurst): Promise<void> {
    const wanted = runIdsOf(burst).size;
    await stack.host.engine.runUntil(() => stack.emulator.createdJobCount >= wanted, 10 * 60_000);
    await stack.host.engine.advanceTo(stack.clock.now() + 60_000);
  }

  /** At the default budget (15 reads/s): 25 starts at once, then one every 0.4 s; each run's search for its own job reads one page. */
  function expectAdmittedInTurn(runs: number): void {
    const invokes = stack.emulator.requestsFor("invoke").map((r) => r.at);
    expect(Math.max(...invokes) - Math.min(...invokes)).toBeGreaterThanOrEqual((runs - 25) * 400 - 1000);
    for (const at of invokes) expect(invokes.filter((t) => t >= at && t < at + 10_000).length).toBeLessThanOrEqual(25 + 26);
    expect(stack.emulator.requestsFor("listJobs")).toHaveLength(runs);
  }
  const blobRunsAmong = (ids: Set<string>) => stack.host.engine.all().filter((r) => r.instanceId.startsWith("blob-") && ids.has(r.instanceId));

  it("the burst is what it says: redeliveries in the same batch and in others, overwritten blobs", () => {
    const burst = burstOf("drops/a/", 1);
    expect(burst.batches.flat()).toHaveLength(300);
    expect(burst.duplicates).toBe(60);
    expect(new Set(burst.batches.flat().map((e) => e.id)).size).toBe(240);
    expect(runIdsOf(burst).size).toBe(240);
    expect(burst.overwrites).toBeGreaterThan(10);
    const placement = duplicatePlacement(burst.batches);
    expect(placement.sameBatch).toBeGreaterThan(0);
    expect(placement.otherBatch).toBeGreaterThan(0);
    expect(Math.max(...burst.batches.map((b) => b.length))).toBe(20);
  });

  it("POST /api/scoring-runs/events, every batch at once: one run and one job per blob version, outcomes in order", async () => {
    const burst = burstOf("drops/b/", 2);
    const answers = await Promise.all(
      burst.batches.map((batch) =>
        stack.api("/api/scoring-runs/events", { method: "POST", body: JSON.stringify(batch), headers: { "content-type": "application/json" } }),
      ),
    );
    await untilJobsFor(burst);

    const started = new Map<string, number>();
    answers.forEach((answer, b) => {
      expect(answer.status, JSON.stringify(answer.body).slice(0, 500)).toBe(200);
      const results = answer.body.results as Array<{ eventId: string; outcome: string; runId: string }>;
      const batch = burst.batches[b]!;
      expect(results.map((r) => r.eventId)).toEqual(batch.map((e) => e.id));
      results.forEach((r, i) => {
        expect(["started", "exists"]).toContain(r.outcome);
        expect(r.runId).toBe(blobRunId(batch[i]!.data.url, batch[i]!.data.eTag));
        if (r.outcome === "started") started.set(r.runId, (started.get(r.runId) ?? 0) + 1);
      });
    });
    const expected = runIdsOf(burst);
    expect(started.size).toBe(expected.size);
    expect([...started.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(blobRunsAmong(expected).map((r) => r.instanceId))).toEqual(expected);
    expect(stack.emulator.createdJobCount).toBe(expected.size);
    expectAdmittedInTurn(expected.size);
  }, 120_000);

  it("the Event Grid trigger webhook, every batch at once: one run and one job per blob version", async () => {
    const burst = burstOf("drops/c/", 3);
    const answers = await Promise.all(
      burst.batches.map((batch) =>
        fetch(`${stack.host.baseUrl}/runtime/webhooks/eventgrid?functionName=blobCreatedTrigger`, {
          method: "POST",
          headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
          body: JSON.stringify(batch),
        }),
      ),
    );
    await untilJobsFor(burst);
    for (const answer of answers) expect(answer.status, await answer.text()).toBe(202);
    const expected = runIdsOf(burst);
    expect(new Set(blobRunsAmong(expected).map((r) => r.instanceId))).toEqual(expected);
    expect(stack.emulator.createdJobCount).toBe(expected.size);
    expectAdmittedInTurn(expected.size);
  }, 120_000);
});
